//! Errors of database access. Every message names what was being done and, where there is
//! one, the table; the database's own message follows.

/// Any error a database driver returns.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Longest statement text an error message repeats.
const SQL_IN_MESSAGE: usize = 300;

/// What went wrong talking to a database.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// No flavour handles the URL's scheme.
    #[error("unsupported database URL `{url}`: its scheme must be one of {known}")]
    UnsupportedUrl {
        /// The URL, without its password.
        url: String,
        /// The schemes Tidemark knows, comma-separated.
        known: String,
    },
    /// The URL has a known scheme but cannot be used.
    #[error("invalid {flavour} URL `{url}`: {reason}")]
    InvalidUrl {
        /// Database flavour the scheme selected.
        flavour: &'static str,
        /// The URL, without its password.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Opening the connection failed.
    #[error("cannot connect to {flavour} database `{url}`: {cause}")]
    Connect {
        /// Database flavour.
        flavour: &'static str,
        /// The URL, without its password.
        url: String,
        /// The driver's error.
        cause: BoxError,
    },
    /// A statement that is not about one table failed.
    #[error("{operation} failed: {cause} (SQL: {sql})")]
    Statement {
        /// What was being done (`execute`, `statement 2 of 5 in one transaction`).
        operation: String,
        /// The statement, shortened.
        sql: String,
        /// The driver's error.
        cause: BoxError,
    },
    /// An operation on a table failed.
    #[error("{operation} on table {table} failed: {cause}")]
    Table {
        /// What was being done (`binary COPY`, `reading the column catalog`).
        operation: &'static str,
        /// Table name.
        table: String,
        /// The driver's error.
        cause: BoxError,
    },
    /// A batch cannot be written into a table as it is.
    #[error("cannot write batch into table {table}: {reason}")]
    Batch {
        /// Table name.
        table: String,
        /// What does not fit, naming the column (and row) where there is one.
        reason: String,
    },
    /// A step of [`Database::write_all`] failed, so its transaction was rolled back.
    ///
    /// [`Database::write_all`]: super::Database::write_all
    #[error("{step} (step {number} of {total}, transaction rolled back): {cause}")]
    Step {
        /// What the step did (`upsert into resource_`, `SQL statement`).
        step: String,
        /// Its position, from 1.
        number: usize,
        /// Number of steps in the transaction.
        total: usize,
        /// Why it failed.
        cause: Box<DatabaseError>,
    },
    /// A table or column name that is not a plain SQL identifier.
    #[error("invalid identifier `{name}`: only ASCII letters, digits, `_` and `$` are allowed")]
    Identifier {
        /// The rejected name.
        name: String,
    },
    /// A query returned something other than what its caller expects.
    #[error("unexpected result from `{sql}`: {reason}")]
    UnexpectedResult {
        /// The query, shortened.
        sql: String,
        /// What was expected and what came.
        reason: String,
    },
    /// The thread that runs a blocking driver failed or panicked.
    #[error("{flavour} connection worker failed: {reason}")]
    Worker {
        /// Database flavour.
        flavour: &'static str,
        /// What happened to it.
        reason: String,
    },
}

impl DatabaseError {
    /// A failed statement, with the statement shortened for the message.
    pub fn statement(operation: impl Into<String>, sql: &str, cause: impl Into<BoxError>) -> Self {
        DatabaseError::Statement {
            operation: operation.into(),
            sql: shorten(sql),
            cause: with_server_message(cause.into()),
        }
    }

    /// A failed operation on a table.
    pub(crate) fn table(operation: &'static str, table: &str, cause: impl Into<BoxError>) -> Self {
        DatabaseError::Table {
            operation,
            table: table.to_ascii_lowercase(),
            cause: with_server_message(cause.into()),
        }
    }

    /// A batch that does not fit its table.
    pub(crate) fn batch(table: &str, reason: impl Into<String>) -> Self {
        DatabaseError::Batch {
            table: table.to_ascii_lowercase(),
            reason: reason.into(),
        }
    }

    /// A query result of the wrong shape.
    pub(crate) fn unexpected(sql: &str, reason: impl Into<String>) -> Self {
        DatabaseError::UnexpectedResult {
            sql: shorten(sql),
            reason: reason.into(),
        }
    }
}

/// The cause, or for a PostgreSQL server error the server's own error, whose message says
/// what failed (tokio-postgres prints only "db error").
fn with_server_message(cause: BoxError) -> BoxError {
    let server_error = cause
        .downcast_ref::<tokio_postgres::Error>()
        .and_then(tokio_postgres::Error::as_db_error)
        .cloned();
    match server_error {
        Some(server_error) => Box::new(server_error),
        None => cause,
    }
}

/// The statement text on one line, cut after [`SQL_IN_MESSAGE`] characters.
fn shorten(sql: &str) -> String {
    let one_line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(SQL_IN_MESSAGE) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// The URL without its password, for messages and logs.
pub(crate) fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_do_not_reach_messages() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("mysql://root@h/db"), "mysql://root@h/db");
        assert_eq!(redact("sqlite://relative.db"), "sqlite://relative.db");
    }

    #[test]
    fn long_statements_are_shortened_to_one_line() {
        let sql = format!("select\n  {}", "x, ".repeat(200));
        let short = shorten(&sql);
        assert!(short.starts_with("select x, x,"));
        assert!(short.ends_with('…'));
        assert_eq!(short.chars().count(), SQL_IN_MESSAGE + 1);
    }
}
