//! What Job_ExtractICON needs to know about an IDB table (idb.md §1.4, §5).

/// Info Mart data domain an IDB table is extracted for (the DAP `role`, idb.md §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Domain {
    /// Configuration details (`ICON_CFG`).
    Cfg,
    /// Voice interactions and voice agent activity (`ICON_CORE`).
    Core,
    /// Multimedia interactions and multimedia agent activity (`ICON_MM`).
    Mm,
    /// Outbound contact details (`ICON_OCS`).
    Ocs,
}

impl Domain {
    /// Every domain, in role order.
    pub const ALL: [Domain; 4] = [Domain::Cfg, Domain::Core, Domain::Mm, Domain::Ocs];

    /// The DAP role name of the domain (`ICON_CORE`).
    pub fn role_name(self) -> &'static str {
        match self {
            Domain::Cfg => "ICON_CFG",
            Domain::Core => "ICON_CORE",
            Domain::Mm => "ICON_MM",
            Domain::Ocs => "ICON_OCS",
        }
    }

    /// Parses a DAP role name (case-insensitive).
    pub fn from_role_name(name: &str) -> Option<Domain> {
        Domain::ALL
            .into_iter()
            .find(|d| d.role_name().eq_ignore_ascii_case(name.trim()))
    }
}

/// How the extraction window of a table is selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HwmRule {
    /// Rows whose `_ts` column lies in the window `(lo, hi]`.
    Column(String),
    /// Rows whose greatest of several `_ts` columns lies in the window (NULLs ignored).
    Greatest(Vec<String>),
    /// Rows belonging to parent rows extracted in the same window, joined on a key column
    /// (e.g. G_PARTY by CALLID of the extracted G_CALL rows).
    ByParent {
        /// Parent IDB table, upper case.
        parent: String,
        /// Key column present in both tables, upper case.
        key: String,
    },
    /// Small table read in full every cycle (G_DSS_*_PROVIDER, G_PROV_CONTROL, …).
    FullRead,
    /// Static table read once (G_DICTIONARY, G_DICT_TYPE).
    ReadOnce,
}

impl HwmRule {
    /// Window selection on one `_ts` column.
    pub fn column(name: &str) -> HwmRule {
        HwmRule::Column(name.to_ascii_uppercase())
    }

    /// Window selection on the greatest of several `_ts` columns.
    pub fn greatest(names: &[&str]) -> HwmRule {
        HwmRule::Greatest(names.iter().map(|n| n.to_ascii_uppercase()).collect())
    }

    /// Selection by the rows of a parent table extracted in the same window.
    pub fn by_parent(parent: &str, key: &str) -> HwmRule {
        HwmRule::ByParent {
            parent: parent.to_ascii_uppercase(),
            key: key.to_ascii_uppercase(),
        }
    }
}

/// When a row is complete enough to extract (idb.md §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Append-only history: every row is final when written.
    InsertOnly,
    /// Updated in place; extracted each time it changes, the latest version wins on read.
    UpdatedInPlace,
    /// Voice rows are extracted only once the named `_ts` column is set (call terminated);
    /// multimedia rows of the same table are extracted as they change.
    VoiceWhenTerminated(String),
}

/// The extraction rule of one IDB table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionDef {
    /// Domains the table is extracted for.
    pub domains: Vec<Domain>,
    /// Window selection for voice / configuration / outbound rows.
    pub hwm: HwmRule,
    /// Window selection for multimedia rows when it differs from `hwm`.
    pub mm_hwm: Option<HwmRule>,
    /// Whether rows are completed, updated in place, or insert-only.
    pub completion: Completion,
    /// Business key identifying one object across IDBs (idb.md §4.1), upper case.
    pub business_key: Vec<String>,
    /// Whether GIDB keeps separate voice (`_v`) and multimedia (`_mm`) folders.
    pub split_voice_mm: bool,
}

impl ExtractionDef {
    /// A rule for the given domains and window selection; insert-only, no split, no key.
    pub fn new(domains: &[Domain], hwm: HwmRule) -> Self {
        ExtractionDef {
            domains: domains.to_vec(),
            hwm,
            mm_hwm: None,
            completion: Completion::InsertOnly,
            business_key: Vec::new(),
            split_voice_mm: false,
        }
    }

    /// Sets a different window selection for multimedia rows.
    pub fn mm(mut self, hwm: HwmRule) -> Self {
        self.mm_hwm = Some(hwm);
        self
    }

    /// Sets the completion rule.
    pub fn completion(mut self, completion: Completion) -> Self {
        self.completion = completion;
        self
    }

    /// Sets the business key.
    pub fn key(mut self, columns: &[&str]) -> Self {
        self.business_key = columns.iter().map(|c| c.to_ascii_uppercase()).collect();
        self
    }

    /// Marks the table as kept in separate voice and multimedia GIDB folders.
    pub fn split(mut self) -> Self {
        self.split_voice_mm = true;
        self
    }
}
