//! Writing results: a report as pretty JSON and its Markdown table side by side under
//! `benchmarks/results/`, named after the benchmark and the day.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

/// The two files one run wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The JSON file.
    pub json: PathBuf,
    /// The Markdown file.
    pub markdown: PathBuf,
}

/// `benchmarks/results` of this crate.
pub fn default_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("results")
}

/// Writes `report` as `<folder>/<benchmark>-<date>.json` and `markdown` beside it as `.md`
/// (a later run on the same day replaces both).
pub fn write(
    folder: &Path,
    benchmark: &str,
    report: &impl Serialize,
    markdown: &str,
) -> Result<Written> {
    std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    let stem = format!("{benchmark}-{}", chrono::Utc::now().format("%Y-%m-%d"));
    let json = folder.join(format!("{stem}.json"));
    let markdown_path = folder.join(format!("{stem}.md"));
    let text = serde_json::to_string_pretty(report)?;
    std::fs::write(&json, text + "\n").with_context(|| format!("writing {}", json.display()))?;
    std::fs::write(&markdown_path, markdown)
        .with_context(|| format!("writing {}", markdown_path.display()))?;
    Ok(Written {
        json,
        markdown: markdown_path,
    })
}

/// A Markdown table built row by row.
#[derive(Debug, Clone)]
pub struct MarkdownTable {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl MarkdownTable {
    /// A table with these column headings; columns after the first are right-aligned.
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (one cell per column).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as Markdown lines.
    pub fn render(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let rule: Vec<String> = (0..self.header.len())
            .map(|i| {
                if i == 0 {
                    "---".to_string()
                } else {
                    "---:".to_string()
                }
            })
            .collect();
        let mut text = line(&self.header);
        text.push_str(&line(&rule));
        for row in &self.rows {
            text.push_str(&line(row));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_right_aligned_table() {
        let mut table = MarkdownTable::new(&["stage", "rows"]);
        table.row(vec!["copy".into(), "12".into()]);
        assert_eq!(
            table.render(),
            "| stage | rows |\n| --- | ---: |\n| copy | 12 |\n"
        );
    }
}
