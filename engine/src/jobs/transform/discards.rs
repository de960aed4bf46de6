//! Interactions the data-quality checks discarded, handled per `error-policy-irf-exception`
//! (infomart.md §5.2–§5.3): `log_db_resume` writes STG_TRANSFORM_DISCARDS rows in the
//! chunk's transaction, `resume` only logs, `exception` fails the job naming the interaction.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type};
use chrono::Utc;
use tidemark_sinks::database::WriteStep;

use super::super::history::sql_text;
use super::super::JobError;
use crate::config::IrfExceptionPolicy;

/// One discarded interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discard {
    /// GIDB table of the failed check.
    pub table: String,
    /// INTERACTION_ID kept by its bare INTERACTION_FACT row.
    pub interaction_id: i64,
    /// Media-server GUID of the interaction.
    pub guid: String,
    /// Check code.
    pub code: i64,
    /// What the check found.
    pub reason: String,
}

/// Reads the rows of the `voice_discards` view.
pub fn read(batches: &[RecordBatch]) -> Result<Vec<Discard>, JobError> {
    let mut out = Vec::new();
    for batch in batches {
        let text = |name: &str| -> Result<arrow::array::ArrayRef, JobError> {
            let column = batch
                .column_by_name(name)
                .ok_or_else(|| JobError::Data(format!("voice_discards lacks {name}")))?;
            cast(column, &DataType::Utf8).map_err(|e| JobError::Data(e.to_string()))
        };
        let int = |name: &str| -> Result<arrow::array::ArrayRef, JobError> {
            let column = batch
                .column_by_name(name)
                .ok_or_else(|| JobError::Data(format!("voice_discards lacks {name}")))?;
            cast(column, &DataType::Int64).map_err(|e| JobError::Data(e.to_string()))
        };
        let (table, guid, reason) = (text("table_name")?, text("guid")?, text("reason")?);
        let (id, code) = (int("interaction_id")?, int("code")?);
        let (table, guid, reason) = (
            table.as_string::<i32>(),
            guid.as_string::<i32>(),
            reason.as_string::<i32>(),
        );
        let (id, code) = (
            id.as_primitive::<Int64Type>(),
            code.as_primitive::<Int64Type>(),
        );
        for row in 0..batch.num_rows() {
            out.push(Discard {
                table: table.value(row).to_string(),
                interaction_id: id.value(row),
                guid: if guid.is_null(row) {
                    String::new()
                } else {
                    guid.value(row).to_string()
                },
                code: code.value(row),
                reason: reason.value(row).to_string(),
            });
        }
    }
    Ok(out)
}

/// The statements the policy asks for (none for `resume`), or the job's failure for
/// `exception`. Every discard is logged.
pub fn handle(
    discards: &[Discard],
    policy: IrfExceptionPolicy,
    audit_key: i64,
) -> Result<Vec<WriteStep>, JobError> {
    for d in discards {
        tracing::warn!(
            table = %d.table,
            interaction_id = d.interaction_id,
            guid = %d.guid,
            code = d.code,
            "interaction discarded: {}",
            d.reason
        );
    }
    match (policy, discards.first()) {
        (_, None) | (IrfExceptionPolicy::Resume, _) => Ok(Vec::new()),
        (IrfExceptionPolicy::Exception, Some(d)) => Err(JobError::Data(format!(
            "interaction {} (INTERACTION_ID {}) cannot be transformed: {} ({}, check {}); \
             error-policy-irf-exception = exception stops the job",
            d.guid, d.interaction_id, d.reason, d.table, d.code
        ))),
        (IrfExceptionPolicy::LogDbResume, Some(_)) => {
            let now = Utc::now().timestamp();
            Ok(discards
                .iter()
                .map(|d| {
                    WriteStep::Sql(format!(
                        "insert into stg_transform_discards (table_name, interaction_id, guid, \
                         create_audit_key, code, reason, etl_ts, etl_date_time_key) values \
                         ({}, {}, {}, {audit_key}, {}, {}, {now}, {})",
                        sql_text(&d.table),
                        d.interaction_id,
                        sql_text(&d.guid),
                        d.code,
                        sql_text(&d.reason.chars().take(255).collect::<String>()),
                        now - now.rem_euclid(900)
                    ))
                })
                .collect())
        }
    }
}
