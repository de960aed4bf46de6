//! Analyst plan files: SQL run with DataFusion, with typed parameters.
//!
//! A plan file is one or more SQL statements separated by `;`. Every statement runs in order
//! and the result of the last one is the file's result; earlier statements set things up
//! (`CREATE VIEW`, `SET`). Parameters are declared in comments and used as `$name`:
//!
//! ```sql
//! -- Handled interactions per agent.
//! -- @param from_ts BIGINT = 1709596800  first START_DATE_TIME_KEY (UTC epoch seconds)
//! -- @param to_ts BIGINT                 end, exclusive
//! select resource_key, sum(customer_handle_count) from interaction_resource_fact
//! where start_date_time_key >= $from_ts and start_date_time_key < $to_ts
//! group by resource_key
//! ```
//!
//! Values are bound as typed literals into the planned statement, never spliced into the SQL
//! text. Errors name the file and line.

mod error;
mod params;
mod statements;

use std::collections::HashMap;
use std::path::Path;

use datafusion::common::ParamValues;
use datafusion::dataframe::DataFrame;
use datafusion::error::DataFusionError;
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion::scalar::ScalarValue;

pub use error::{locate, Location, PlanFileError};
pub use params::{parse_decl, ParamDecl, ParamType};
pub use statements::{split, Statement};

/// A parsed plan file.
#[derive(Debug, Clone)]
pub struct PlanFile {
    file: String,
    params: Vec<ParamDecl>,
    statements: Vec<Statement>,
}

/// Values for every declared parameter, ready to bind.
#[derive(Debug, Clone)]
pub struct Bindings(Vec<(String, ScalarValue)>);

impl Bindings {
    /// The bound values by name.
    pub fn values(&self) -> &[(String, ScalarValue)] {
        &self.0
    }
}

/// A session for plan files: Tidemark's functions, `information_schema`, and source spans
/// kept so that errors can name the line of a column.
pub fn new_session() -> SessionContext {
    let mut config = SessionConfig::new().with_information_schema(true);
    config.options_mut().sql_parser.collect_spans = true;
    let ctx = SessionContext::new_with_config(config);
    tidemark_udfs::register_all(&ctx);
    ctx
}

impl PlanFile {
    /// Reads and parses the plan file at `path`.
    pub fn load(path: &Path) -> Result<PlanFile, PlanFileError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PlanFileError::Read {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        PlanFile::parse(&file, &text)
    }

    /// Parses `text`; `file` is how errors name it.
    pub fn parse(file: &str, text: &str) -> Result<PlanFile, PlanFileError> {
        let at = |line: usize| Location {
            file: file.to_string(),
            line,
        };
        let mut params: Vec<ParamDecl> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let Some(decl) = parse_decl(line, i + 1) else {
                continue;
            };
            let decl = decl.map_err(|message| PlanFileError::Syntax {
                at: at(i + 1),
                message,
            })?;
            if params.iter().any(|p| p.name == decl.name) {
                return Err(PlanFileError::DeclaredTwice {
                    at: at(i + 1),
                    name: decl.name,
                });
            }
            params.push(decl);
        }
        let statements = split(text).map_err(|(line, message)| PlanFileError::Syntax {
            at: at(line),
            message,
        })?;
        if statements.is_empty() {
            return Err(PlanFileError::Empty {
                file: file.to_string(),
            });
        }
        for statement in &statements {
            for (name, line) in &statement.placeholders {
                if !params.iter().any(|p| &p.name == name) {
                    return Err(PlanFileError::Undeclared {
                        at: at(*line),
                        name: name.clone(),
                    });
                }
            }
        }
        Ok(PlanFile {
            file: file.to_string(),
            params,
            statements,
        })
    }

    /// The file as errors name it.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The declared parameters, in file order.
    pub fn params(&self) -> &[ParamDecl] {
        &self.params
    }

    /// The statements, in file order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    fn at(&self, line: usize) -> Location {
        Location {
            file: self.file.clone(),
            line,
        }
    }

    /// Binds `name=value` texts (the command line's `--param`) to the declared parameters,
    /// parsing each as its type; parameters not given take their default.
    pub fn bind_args(&self, args: &[(String, String)]) -> Result<Bindings, PlanFileError> {
        let mut given: HashMap<&str, &str> = HashMap::new();
        for (name, value) in args {
            if !self.params.iter().any(|p| &p.name == name) {
                return Err(PlanFileError::UnknownParam {
                    file: self.file.clone(),
                    name: name.clone(),
                    declared: self.declared_names(),
                });
            }
            if given.insert(name, value).is_some() {
                return Err(PlanFileError::GivenTwice {
                    file: self.file.clone(),
                    name: name.clone(),
                });
            }
        }
        self.bind(|decl| {
            given.get(decl.name.as_str()).map(|text| {
                decl.ty
                    .parse(text)
                    .map_err(|reason| (text.to_string(), reason))
            })
        })
    }

    /// Binds values in declaration order (a report called as a table function); parameters
    /// after the last value take their default.
    pub fn bind_values(&self, values: &[ScalarValue]) -> Result<Bindings, PlanFileError> {
        if values.len() > self.params.len() {
            return Err(PlanFileError::TooManyValues {
                file: self.file.clone(),
                given: values.len(),
                declared: self.params.len(),
            });
        }
        let position = |decl: &ParamDecl| self.params.iter().position(|p| p.name == decl.name);
        self.bind(|decl| {
            let value = values.get(position(decl)?)?;
            Some(
                decl.ty
                    .coerce(value)
                    .map_err(|reason| (value.to_string(), reason)),
            )
        })
    }

    /// Binds each declared parameter to what `given` yields for it, else its default.
    fn bind(
        &self,
        given: impl Fn(&ParamDecl) -> Option<Result<ScalarValue, (String, String)>>,
    ) -> Result<Bindings, PlanFileError> {
        let mut values = Vec::with_capacity(self.params.len());
        for decl in &self.params {
            let value = match given(decl) {
                Some(Ok(value)) => value,
                Some(Err((value, reason))) => {
                    return Err(PlanFileError::BadParam {
                        at: self.at(decl.line),
                        name: decl.name.clone(),
                        ty: decl.ty,
                        value,
                        reason,
                    })
                }
                None => decl
                    .default
                    .clone()
                    .ok_or_else(|| PlanFileError::MissingParam {
                        at: self.at(decl.line),
                        name: decl.name.clone(),
                        ty: decl.ty,
                    })?,
            };
            values.push((decl.name.clone(), value));
        }
        Ok(Bindings(values))
    }

    fn declared_names(&self) -> String {
        let names: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
        match names.is_empty() {
            true => "the file declares no parameters".into(),
            false => format!("the file declares: {}", names.join(", ")),
        }
    }

    /// Runs every statement but the last on `ctx` and returns the last one, planned with the
    /// values of `bindings`, as a DataFrame not yet executed.
    pub async fn prepare(
        &self,
        ctx: &SessionContext,
        bindings: &Bindings,
    ) -> Result<DataFrame, PlanFileError> {
        let values = ParamValues::from(bindings.0.clone());
        let (last, setup) = self
            .statements
            .split_last()
            .expect("a parsed plan file has a statement");
        for statement in setup {
            let frame = self.plan(ctx, statement, &values).await?;
            frame
                .collect()
                .await
                .map_err(|e| self.statement_error(statement, &e))?;
        }
        self.plan(ctx, last, &values).await
    }

    async fn plan(
        &self,
        ctx: &SessionContext,
        statement: &Statement,
        values: &ParamValues,
    ) -> Result<DataFrame, PlanFileError> {
        let fail = |e: DataFusionError| self.statement_error(statement, &e);
        let plan = ctx
            .state()
            .create_logical_plan(&statement.sql)
            .await
            .map_err(fail)?;
        let plan = plan.replace_params_with_values(values).map_err(fail)?;
        ctx.execute_logical_plan(plan).await.map_err(fail)
    }

    fn statement_error(&self, statement: &Statement, error: &DataFusionError) -> PlanFileError {
        let (message, line) = locate(error, statement.line);
        PlanFileError::Sql {
            at: self.at(line),
            message,
        }
    }

    /// An error met while executing the result of [`PlanFile::prepare`], located at the last
    /// statement.
    pub fn execution_error(&self, error: &DataFusionError) -> PlanFileError {
        let last = self
            .statements
            .last()
            .expect("a parsed plan file has a statement");
        self.statement_error(last, error)
    }
}

#[cfg(test)]
mod tests;
