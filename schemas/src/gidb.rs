//! GIDB: the Parquet layout of extracted IDB data (idb.md §5.1).

use crate::table::TableDef;

/// Which GIDB family a row of a split table belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaFamily {
    /// Rows of a T-Server source (`_v`).
    Voice,
    /// Rows of an Interaction Server source (`_mm`).
    Multimedia,
}

/// Folder name of the GIDB copy of an IDB table (`gidb_g_call_v`, `gidb_gc_agent`).
/// `family` is ignored for tables GIDB does not split.
pub fn folder_name(table: &TableDef, family: MediaFamily) -> String {
    let base = match table.name.as_str() {
        "G_SECURE_USERDATA_HISTORY" => "g_secure_ud_history".to_string(),
        _ => table.sql_name(),
    };
    let split = table.extraction.as_ref().is_some_and(|e| e.split_voice_mm);
    match (split, family) {
        (false, _) => format!("gidb_{base}"),
        (true, MediaFamily::Voice) => format!("gidb_{base}_v"),
        (true, MediaFamily::Multimedia) => format!("gidb_{base}_mm"),
    }
}
