//! Errors of plan files, each naming the file and, where there is one, the line.

use std::fmt;

use datafusion::error::DataFusionError;

use super::params::ParamType;

/// A position in a plan file, shown as `file:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Why a plan file could not be read, bound or run.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    /// The file could not be read.
    #[error("cannot read plan file {file}: {reason}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error.
        reason: String,
    },
    /// An `@param` line is malformed, or the SQL cannot be tokenized.
    #[error("{at}: {message}")]
    Syntax {
        /// Where.
        at: Location,
        /// What is wrong.
        message: String,
    },
    /// The file holds no statement.
    #[error("{file}: the plan file holds no SQL statement")]
    Empty {
        /// The file.
        file: String,
    },
    /// A parameter is declared twice.
    #[error("{at}: parameter `{name}` is declared twice")]
    DeclaredTwice {
        /// The second declaration.
        at: Location,
        /// The parameter.
        name: String,
    },
    /// A value was given for a parameter the file does not declare.
    #[error("{file}: unknown parameter `{name}` ({declared})")]
    UnknownParam {
        /// The file.
        file: String,
        /// The name given.
        name: String,
        /// Which parameters the file declares.
        declared: String,
    },
    /// A value was given twice.
    #[error("{file}: parameter `{name}` is given twice")]
    GivenTwice {
        /// The file.
        file: String,
        /// The parameter.
        name: String,
    },
    /// More values than declared parameters (a report called as a table function).
    #[error("{file}: {given} values given for {declared} parameters")]
    TooManyValues {
        /// The file.
        file: String,
        /// Values given.
        given: usize,
        /// Parameters declared.
        declared: usize,
    },
    /// A required parameter has no value.
    #[error("{at}: parameter `{name}` ({ty}) has no value and no default (--param {name}=…)")]
    MissingParam {
        /// Its declaration.
        at: Location,
        /// The parameter.
        name: String,
        /// Its type.
        ty: ParamType,
    },
    /// A value does not parse as the parameter's type.
    #[error("{at}: parameter `{name}` expects {ty}, got `{value}`: {reason}")]
    BadParam {
        /// Its declaration.
        at: Location,
        /// The parameter.
        name: String,
        /// Its type.
        ty: ParamType,
        /// The value given.
        value: String,
        /// Why it does not fit.
        reason: String,
    },
    /// The SQL uses a placeholder the header does not declare.
    #[error("{at}: `${name}` is not declared: add `-- @param {name} TYPE` to the file")]
    Undeclared {
        /// Where it is used.
        at: Location,
        /// The placeholder's name.
        name: String,
    },
    /// DataFusion refused or failed a statement (SQL error, missing table or column, …).
    #[error("{at}: {message}")]
    Sql {
        /// The line of the offending text, else of the statement.
        at: Location,
        /// DataFusion's message.
        message: String,
    },
}

/// The message and 1-based line of a DataFusion error in a statement starting on
/// `statement_line`: the line of the diagnostic's span, else the `Line: N` a parser error
/// names, else the statement's first line.
pub fn locate(error: &DataFusionError, statement_line: usize) -> (String, usize) {
    let diagnostic = error.diagnostic();
    let text = error.strip_backtrace();
    let line = diagnostic
        .and_then(|d| d.span)
        .map(|span| span.start.line as usize)
        .filter(|line| *line > 0)
        .or_else(|| line_in_message(&text))
        .unwrap_or(statement_line);
    let message = match diagnostic {
        Some(d) => {
            let mut message = d.message.clone();
            for help in &d.helps {
                message.push_str(&format!("; {}", help.message));
            }
            message
        }
        None => text,
    };
    (message, line)
}

/// The number after the last `Line: ` of a sqlparser message.
fn line_in_message(text: &str) -> Option<usize> {
    let (_, after) = text.rsplit_once("Line: ")?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|line| *line > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_lines_are_found_in_messages() {
        let e = DataFusionError::Plan(
            "Expected: end of statement, found: x at Line: 7, Column: 3".into(),
        );
        assert_eq!(locate(&e, 2).1, 7);
        let e = DataFusionError::Plan("something else".into());
        assert_eq!(
            locate(&e, 2),
            ("Error during planning: something else".to_string(), 2)
        );
    }
}
