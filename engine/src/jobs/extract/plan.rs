//! What one run extracts: the HA sets of DAPs with their IDBs opened and session
//! information read, the data sources registered in CTL_DS, and one [`TablePlan`] per
//! table and source.

use std::collections::BTreeMap;
use std::sync::Arc;

use tidemark_schemas::gidb::{folder_name, MediaFamily};
use tidemark_schemas::{idb, Domain, HwmRule, TableDef};
use tidemark_sinks::database::Database;
use tracing::warn;

use super::super::history::sql_text;
use super::sessions::{provider_of, read_sessions, SetSessions, SourceId, PROVIDERS};
use super::task::{HaSet, TablePlan};
use super::JobError;
use crate::config::{Config, Dap};
use crate::sources::idb::Idb;
use crate::sources::window_sql::ParentLink;

/// Opens every HA set of the configuration (a DAP without `ha-group` is a set of one). A
/// set none of whose IDBs can be read fails the job, naming the DAPs and why; an
/// unreachable member of a set with a reachable partner is logged and left out.
pub async fn open_sets(config: &Config) -> Result<Vec<(Arc<HaSet>, Vec<Domain>)>, JobError> {
    let mut groups: BTreeMap<String, Vec<&Dap>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for dap in &config.dap {
        let name = dap.ha_group.clone().unwrap_or_else(|| dap.name.clone());
        if !groups.contains_key(&name) {
            order.push(name.clone());
        }
        groups.entry(name).or_default().push(dap);
    }
    let max_conn = config.gim_etl.extract_data_max_conn;
    let mut sets = Vec::new();
    for name in order {
        let daps = &groups[&name];
        let mut idbs = Vec::new();
        let mut per_idb = Vec::new();
        let mut failures = Vec::new();
        for dap in daps {
            let opened = match Idb::open(dap, max_conn).await {
                Ok(idb) => read_sessions(&idb).await.map(|s| (idb, s)),
                Err(e) => Err(e),
            };
            match opened {
                Ok((idb, sessions)) => {
                    idbs.push(Arc::new(idb));
                    per_idb.push(sessions);
                }
                Err(e) => failures.push(e.to_string()),
            }
        }
        if idbs.is_empty() {
            return Err(JobError::Data(format!(
                "no IDB of {name} is available, so its data sources cannot be extracted: {}",
                failures.join("; ")
            )));
        }
        for failure in &failures {
            warn!("{name}: {failure}; extracting from the other IDBs of the set");
        }
        let domains = daps[0].domains();
        sets.push((
            Arc::new(HaSet {
                name,
                idbs,
                sessions: SetSessions { per_idb },
            }),
            domains,
        ));
    }
    Ok(sets)
}

/// The CTL_DS key of `source`, registering it when first seen.
async fn data_source_key(
    db: &dyn Database,
    source: SourceId,
    switch: Option<i32>,
) -> Result<i32, JobError> {
    let find = format!(
        "select data_source_key from ctl_ds where data_source_type = {} and ds_dbid = {}",
        source.ds_type, source.ds_dbid
    );
    if let Some(key) = db.query_opt_i64(&find).await? {
        return Ok(key as i32);
    }
    let next = db
        .query_opt_i64("select max(data_source_key) from ctl_ds")
        .await?
        .unwrap_or(0)
        + 1;
    db.execute(&format!(
        "insert into ctl_ds (data_source_key, data_source_type, ds_dbid, switch_dbid, ds_name, active_flag) \
         values ({next}, {}, {}, {}, {}, 1)",
        source.ds_type,
        source.ds_dbid,
        switch.map(|s| s.to_string()).unwrap_or_else(|| "null".into()),
        sql_text(&source.describe())
    ))
    .await?;
    Ok(next as i32)
}

/// Fails naming the source when a data source this set delivered before has no session
/// in any IDB of the set that could be read.
async fn check_known_sources(
    db: &dyn Database,
    config: &Config,
    set: &HaSet,
) -> Result<(), JobError> {
    let daps: Vec<String> = config
        .dap
        .iter()
        .filter(|d| d.ha_group.clone().unwrap_or_else(|| d.name.clone()) == set.name)
        .map(|d| sql_text(&d.name))
        .collect();
    let rows = db
        .query(&format!(
            "select distinct d.data_source_type, d.ds_dbid, d.ds_name from ctl_ds d join ctl_extract_history h \
             on h.data_source_key = d.data_source_key where d.active_flag = 1 and h.dap_name in ({})",
            daps.join(", ")
        ))
        .await?;
    let present = set.sessions.sources();
    for row in rows {
        let (Some(ds_type), Some(ds_dbid)) = (row[0].as_i64(), row[1].as_i64()) else {
            continue;
        };
        let source = SourceId {
            ds_type: ds_type as i32,
            ds_dbid: ds_dbid as i32,
        };
        if !present.contains(&source) {
            return Err(JobError::Data(format!(
                "the data of active source {} ({}) is unavailable in every IDB of {}; nothing advances for it",
                row[2].as_str().unwrap_or_default(),
                source.describe(),
                set.name
            )));
        }
    }
    Ok(())
}

/// One plan per (set, source, table) to extract, configuration first, then voice and
/// multimedia, then outbound.
pub async fn table_plans(
    db: &dyn Database,
    config: &Config,
    sets: &[(Arc<HaSet>, Vec<Domain>)],
) -> Result<Vec<TablePlan>, JobError> {
    let etl = &config.gim_etl;
    let mut plans = Vec::new();
    for (set, domains) in sets {
        check_known_sources(db, config, set).await?;
        for source in set.sessions.sources() {
            let Some(domain) = source.domain().filter(|d| domains.contains(d)) else {
                continue;
            };
            let switch = set
                .sessions
                .per_idb
                .iter()
                .flatten()
                .find(|s| s.source == source)
                .and_then(|s| s.switch_dbid);
            let key = data_source_key(db, source, switch).await?;
            let family = if domain == Domain::Mm {
                MediaFamily::Multimedia
            } else {
                MediaFamily::Voice
            };
            for table in idb::tables_for(domain) {
                let Some((rule, parents)) = window_rule(table, family) else {
                    continue;
                };
                let provider = provider_of(table);
                let association = domain == Domain::Cfg && matches!(rule, HwmRule::Greatest(_));
                let voice_completion = family == MediaFamily::Voice
                    && (!parents.is_empty()
                        || matches!(
                            table.extraction.as_ref().map(|e| &e.completion),
                            Some(tidemark_schemas::Completion::VoiceWhenTerminated(_))
                        ));
                plans.push(TablePlan {
                    set: Arc::clone(set),
                    source,
                    data_source_key: key,
                    table,
                    rule,
                    parents,
                    provider,
                    provider_tag: PROVIDERS.iter().position(|p| *p == provider).unwrap_or(0) as i32
                        + 1,
                    folder: folder_name(table, family),
                    chunk_size: if association {
                        etl.extract_data_cfg_facts_chunk_size.into()
                    } else {
                        etl.extract_data_chunk_size.into()
                    },
                    lookback: if voice_completion {
                        etl.max_call_duration.into()
                    } else {
                        0
                    },
                });
            }
        }
    }
    plans.sort_by_key(|p| {
        (
            domain_order(p.source),
            p.set.name.clone(),
            p.table.name.clone(),
        )
    });
    Ok(plans)
}

fn domain_order(source: SourceId) -> u8 {
    match source.domain() {
        Some(Domain::Cfg) => 0,
        Some(Domain::Core) => 1,
        Some(Domain::Mm) => 2,
        _ => 3,
    }
}

/// The window rule of `table` for rows of `family` and the chain of parents it reaches
/// its extraction key through; `None` for tables read in full (no GIDB copy).
pub(crate) fn window_rule(
    table: &'static TableDef,
    family: MediaFamily,
) -> Option<(&'static HwmRule, Vec<ParentLink>)> {
    let extraction = table.extraction.as_ref()?;
    let rule = match (&extraction.mm_hwm, family) {
        (Some(mm), MediaFamily::Multimedia) => mm,
        _ => &extraction.hwm,
    };
    match rule {
        HwmRule::FullRead | HwmRule::ReadOnce => None,
        HwmRule::ByParent { parent, key } => {
            let parent_table = idb::table(parent)?;
            let (root, mut chain) = window_rule(parent_table, family)?;
            chain.insert(
                0,
                ParentLink {
                    table: parent_table.sql_name(),
                    key: key.to_ascii_lowercase(),
                },
            );
            Some((root, chain))
        }
        rule => Some((rule, Vec::new())),
    }
}

/// One read the extraction of a whole range performs: for measuring it against the raw
/// database export of the same rows.
#[derive(Debug, Clone)]
pub struct RangeQuery {
    /// URL of the IDB.
    pub url: String,
    /// IDB table.
    pub table: String,
    /// The SELECT extraction runs for window `(from, to]` (one query, no partitions).
    pub sql: String,
}

/// The SELECTs that extract `(from, to]` of every table and source of the configuration,
/// each from the first IDB of its set (the one extraction uses when no session has a gap).
pub async fn range_queries(
    db: &dyn Database,
    config: &Config,
    from: i64,
    to: i64,
) -> Result<Vec<RangeQuery>, JobError> {
    let sets = open_sets(config).await?;
    let plans = table_plans(db, config, &sets).await?;
    let mut queries = Vec::new();
    for plan in plans {
        let idb = &plan.set.idbs[0];
        let select = plan.select(0, idb.dialect);
        let url = config
            .dap
            .iter()
            .find(|d| d.name == idb.dap)
            .map(|d| d.url.clone())
            .unwrap_or_default();
        for sql in select.queries(from, to, 1) {
            queries.push(RangeQuery {
                url: url.clone(),
                table: plan.table.name.clone(),
                sql,
            });
        }
    }
    Ok(queries)
}
