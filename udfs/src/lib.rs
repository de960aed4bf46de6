//! Tidemark's DataFusion functions. Each function is one [`ScalarUDFImpl`] in its own module;
//! [`register_all`] registers every one of them on a session, for the local engine and any
//! executor alike.
//!
//! [`ScalarUDFImpl`]: datafusion::logical_expr::ScalarUDFImpl

pub mod date_time_key;
pub mod merge_keys;
pub mod ud_convert;
pub mod unixepoch;

use datafusion::logical_expr::ScalarUDF;
use datafusion::prelude::SessionContext;

/// Every Tidemark scalar function.
pub fn scalar_functions() -> Vec<ScalarUDF> {
    vec![
        ScalarUDF::from(date_time_key::DateTimeKey::new()),
        ScalarUDF::from(merge_keys::MergeKey::node()),
        ScalarUDF::from(merge_keys::MergeKey::root()),
        ScalarUDF::from(ud_convert::UdConvert::new()),
        ScalarUDF::from(unixepoch::UnixEpoch::new()),
    ]
}

/// Registers every Tidemark function on `ctx`.
pub fn register_all(ctx: &SessionContext) {
    for udf in scalar_functions() {
        ctx.register_udf(udf);
    }
}
pub mod slt;
