//! Configuration errors and the problem report that validation fills.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    Io {
        /// The file that was being read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not valid TOML.
    #[error("{}line {line}, column {column}: invalid TOML: {message}", file_prefix(.path))]
    Parse {
        /// The file, when the text came from one.
        path: Option<PathBuf>,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column (in characters) of the error.
        column: usize,
        /// What the TOML parser expected.
        message: String,
    },
    /// The TOML is well formed but options are unknown, mistyped or out of range.
    #[error("{}", render_problems(.0))]
    Invalid(Vec<Problem>),
}

fn file_prefix(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!("{}: ", p.display()))
        .unwrap_or_default()
}

fn render_problems(problems: &[Problem]) -> String {
    let count = problems.len();
    let plural = if count == 1 { "" } else { "s" };
    let mut text = format!("invalid configuration ({count} problem{plural}):");
    for problem in problems {
        text.push_str("\n  ");
        text.push_str(&problem.to_string());
    }
    text
}

impl ConfigError {
    /// Builds a `Parse` error from a TOML error, turning its byte span into line and column.
    pub(crate) fn parse(text: &str, error: &toml::de::Error, path: Option<PathBuf>) -> Self {
        let mut offset = error.span().map_or(0, |span| span.start).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Self::Parse {
            path,
            line,
            column,
            message: error.message().replace('\n', "; "),
        }
    }

    /// The problems of an `Invalid` error (empty for the other variants).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid(problems) => problems,
            _ => &[],
        }
    }
}

/// One thing wrong with a configuration: where, the offending value, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `[section] option` (or `[section]` for a whole section), plus the environment
    /// variable when the value came from one.
    pub location: String,
    /// The offending value as TOML text, when the problem is about a value.
    pub value: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{} = {}: {}", self.location, value, self.message),
            None => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

/// Collects errors and warnings while a configuration is decoded and validated.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
    /// `[section] option` → the environment variable that set it.
    origins: BTreeMap<String, String>,
}

/// Renders a value the way it would be written in TOML (strings quoted).
pub(crate) fn shown(value: impl Into<toml::Value>) -> String {
    value.into().to_string()
}

impl Report {
    /// Records that an environment variable set `location`, so problems there name it.
    pub fn set_origin(&mut self, location: String, variable: String) {
        self.origins.insert(location, variable);
    }

    fn problem(&self, location: String, value: Option<String>, message: String) -> Problem {
        let location = match self.origins.get(&location) {
            Some(variable) => format!("{location} (from {variable})"),
            None => location,
        };
        Problem {
            location,
            value,
            message,
        }
    }

    /// Records an error.
    pub fn error(&mut self, location: String, value: Option<String>, message: impl Into<String>) {
        let problem = self.problem(location, value, message.into());
        self.errors.push(problem);
    }

    /// Records a warning: the configuration loads, but the operator should know.
    pub fn warning(&mut self, location: String, value: Option<String>, message: impl Into<String>) {
        let problem = self.problem(location, value, message.into());
        self.warnings.push(problem);
    }

    /// Errors unless `min <= value <= max`; `unit` follows the range in the message.
    pub fn range(
        &mut self,
        section: &str,
        option: &str,
        value: i64,
        min: i64,
        max: i64,
        unit: &str,
    ) {
        if !(min..=max).contains(&value) {
            let message = format!("out of range; allowed: {min}–{max}{unit}");
            self.error(
                format!("[{section}] {option}"),
                Some(value.to_string()),
                message,
            );
        }
    }

    /// Errors unless `value >= min`.
    pub fn at_least(&mut self, section: &str, option: &str, value: i64, min: i64) {
        if value < min {
            let message = format!("too small; allowed: an integer ≥ {min}");
            self.error(
                format!("[{section}] {option}"),
                Some(value.to_string()),
                message,
            );
        }
    }

    /// Turns the report into the final result.
    pub fn finish<T>(self, value: T) -> Result<T, ConfigError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(ConfigError::Invalid(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_reports_line_and_column() {
        let text = "[schedule]\nrun-scheduler = tru\n";
        let err = text.parse::<toml::Table>().unwrap_err();
        let ConfigError::Parse { line, column, .. } = ConfigError::parse(text, &err, None) else {
            panic!("not a parse error");
        };
        assert_eq!((line, column), (2, 17));
    }

    #[test]
    fn invalid_lists_every_problem_on_its_own_line() {
        let mut report = Report::default();
        report.range(
            "gim-etl",
            "delayed-data-threshold",
            30,
            60,
            3600,
            " seconds",
        );
        report.set_origin(
            "[schedule] etl-frequency".into(),
            "TIDEMARK_SCHEDULE__ETL_FREQUENCY".into(),
        );
        report.range("schedule", "etl-frequency", 0, 1, 1440, " minutes");
        let text = report.finish(()).unwrap_err().to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(
            lines[1].trim(),
            "[gim-etl] delayed-data-threshold = 30: out of range; allowed: 60–3600 seconds"
        );
        assert!(
            lines[2].contains("(from TIDEMARK_SCHEDULE__ETL_FREQUENCY) = 0"),
            "{text}"
        );
    }
}
