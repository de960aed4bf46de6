//! One connectorx read: queries against a database URL, run on a blocking thread (the
//! readers start their own runtimes), returned as arrow 59 batches.

use arrow::record_batch::RecordBatch;
use connectorx::prelude::{get_arrow, SourceConn};
use connectorx::sql::CXQuery;

use super::arrow_bridge::batch_56_to_59;

/// Runs `queries` (partitions of one read, one connection each) against `url` and returns
/// the non-empty batches. `hold` (a connection permit) is kept until the read ends, even
/// when the caller stops waiting for it. The error is connectorx's or the bridge's text.
pub async fn read_batches<H: Send + 'static>(
    url: String,
    queries: Vec<String>,
    hold: H,
) -> Result<Vec<RecordBatch>, String> {
    let batches = tokio::task::spawn_blocking(move || {
        let _hold = hold;
        let source = SourceConn::try_from(url.as_str()).map_err(|e| e.to_string())?;
        let queries: Vec<CXQuery<String>> = queries.iter().map(CXQuery::from).collect();
        let destination = get_arrow(&source, None, &queries, None).map_err(|e| e.to_string())?;
        destination.arrow().map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())??;
    batches
        .into_iter()
        .filter(|b| b.num_rows() > 0)
        .map(|b| batch_56_to_59(b).map_err(|e| e.to_string()))
        .collect()
}
