//! Splitting a plan file into its `;`-separated statements, each kept at its position in the
//! file so that DataFusion's line numbers are the file's.

use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::tokenizer::{Location, Token, Tokenizer};

/// One SQL statement of a plan file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement, preceded by blanks (newlines kept) standing for the text before it, so
    /// that a line and column DataFusion reports in it are those of the file.
    pub sql: String,
    /// 1-based line of the statement's first token.
    pub line: usize,
    /// Placeholders the statement uses (`$name` as `name`), each with the line it is on.
    pub placeholders: Vec<(String, usize)>,
}

/// Where a statement starts in the file.
struct Start {
    offset: usize,
    line: usize,
}

/// The statements of `text`, in order; empty statements (only comments) are left out. The
/// error is the 1-based line and message of text SQL cannot tokenize (an open quote, …).
pub fn split(text: &str) -> Result<Vec<Statement>, (usize, String)> {
    let tokens = Tokenizer::new(&GenericDialect {}, text)
        .tokenize_with_location()
        .map_err(|e| (e.location.line as usize, e.message))?;
    let offsets = LineOffsets::new(text);
    let mut statements = Vec::new();
    let mut start: Option<Start> = None;
    let mut placeholders = Vec::new();
    for token in tokens {
        let line = token.span.start.line as usize;
        match token.token {
            Token::Whitespace(_) | Token::EOF => {}
            Token::SemiColon => {
                if let Some(begun) = start.take() {
                    let end = offsets.offset(token.span.start);
                    statements.push(statement(text, begun, end, &mut placeholders));
                }
            }
            other => {
                if start.is_none() {
                    start = Some(Start {
                        offset: offsets.offset(token.span.start),
                        line,
                    });
                }
                if let Token::Placeholder(name) = other {
                    placeholders.push((name.trim_start_matches(['$', '?']).to_string(), line));
                }
            }
        }
    }
    if let Some(begun) = start {
        statements.push(statement(text, begun, text.len(), &mut placeholders));
    }
    Ok(statements)
}

fn statement(
    text: &str,
    start: Start,
    end: usize,
    placeholders: &mut Vec<(String, usize)>,
) -> Statement {
    let blanks: String = text[..start.offset]
        .chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .collect();
    Statement {
        sql: format!("{blanks}{}", &text[start.offset..end]),
        line: start.line,
        placeholders: std::mem::take(placeholders),
    }
}

/// Byte offsets of line starts, to turn a tokenizer location into a byte offset.
struct LineOffsets<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineOffsets<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineOffsets { text, starts }
    }

    /// The byte offset of a 1-based line and character column.
    fn offset(&self, location: Location) -> usize {
        let line = (location.line as usize).saturating_sub(1);
        let Some(&start) = self.starts.get(line) else {
            return self.text.len();
        };
        let column = (location.column as usize).saturating_sub(1);
        self.text[start..]
            .char_indices()
            .nth(column)
            .map_or(self.text.len(), |(i, _)| start + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_keep_their_file_positions() {
        let text = "-- header\nset x = 1;\n\n  select 'a;b', $from_ts\n  from t; -- trailing\n";
        let statements = split(text).expect("tokenizes");
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0].line, 2);
        assert_eq!(statements[0].sql, "         \nset x = 1");
        assert_eq!(statements[1].line, 4);
        assert_eq!(
            statements[1].sql.lines().nth(3),
            Some("  select 'a;b', $from_ts")
        );
        assert_eq!(statements[1].placeholders, vec![("from_ts".to_string(), 4)]);
    }

    #[test]
    fn comment_only_text_has_no_statement_and_open_quotes_name_their_line() {
        assert!(split("-- nothing\n/* here */ ;\n")
            .expect("tokenizes")
            .is_empty());
        let (line, message) = split("select 1;\nselect 'open\n").expect_err("open quote");
        assert_eq!(line, 2);
        assert!(message.contains("Unterminated"), "{message}");
    }
}
