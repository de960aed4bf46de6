//! User data of IRFs (infomart.md §2.13, §3.10, §3.11, §4.15): the attached-data history of
//! each interaction (G_USERDATA_HISTORY and G_SECURE_USERDATA_HISTORY), picked per IRF and
//! per CTL_UD_TO_UDE_MAPPING row by the row's propagation rule, then stored in
//! IRF_USER_DATA_GEN_1, IRF_USER_DATA_CUST_1 and, through INTERACTION_DESCRIPTOR and
//! USER_DATA_CUST_DIM_1 (found or added), IRF_USER_DATA_KEYS.
//!
//! The mapping is an input table: the SQL only knows the target tables' text columns (from
//! the Info Mart model), never which key goes where. Each stream describes its calls, IRFs
//! and history in a [`UserDataSource`]; the views are the same for voice and multimedia. A
//! stream lists its MSFs among the facts while `link-msf-userdata` is on. The rules are
//! listed in docs/transform.md.

use tidemark_schemas::mart;
use tidemark_schemas::mart::facts_interaction::CUSTOM_USER_DATA_TABLES;
use tidemark_schemas::table::{SqlType, TableDef};

use crate::transform::inputs::{
    IDS, INTERACTION_DESCRIPTORS, USER_DATA_CUST_DIM_1, USER_DATA_MAPPING, USER_DATA_SETTINGS,
};
use crate::transform::View;

/// The user-data outputs of a stream, in write order: Info Mart table (IRF_USER_DATA_GEN_1,
/// IRF_USER_DATA_CUST_1, IRF_USER_DATA_KEYS, INTERACTION_DESCRIPTOR, USER_DATA_CUST_DIM_1)
/// and view.
pub type UserDataOutputs = [(&'static str, &'static str); 5];

/// What a stream gives the user-data views.
pub struct UserDataSource {
    /// Prefix of the intermediate views (`vx`, `mx`).
    pub prefix: &'static str,
    /// The calls of each interaction: `root_data_source_key`, `interaction_guid`,
    /// `data_source_key`, `callid`, `terminated_ts` (NULL while active).
    pub calls: String,
    /// The parties of each IRF: `root_data_source_key`, `interaction_guid`, `irf_guid`,
    /// `data_source_key`, `partyid`.
    pub parties: String,
    /// The facts that get user data, IRFs and MSFs alike: `interaction_resource_id`,
    /// `tenant_key`, `audit_key`, `root_data_source_key`, `interaction_guid`, `irf_guid`,
    /// `ordinal` (NULL for an MSF), `technical_result`, `start_ts`, `end_ts` (the horizon
    /// for an active fact) and `first_created` (its first party's creation).
    pub irfs: String,
    /// The G_USERDATA_HISTORY and G_SECURE_USERDATA_HISTORY inputs.
    pub history: [&'static str; 2],
    /// The G_CUSTOM_DATA_S input (UserEvent and CustomReporting KVPs, whose PartyID is a
    /// PartyGUID) and the G_PARTY input that resolves its GUIDs.
    pub user_events: [&'static str; 2],
    /// The output views, as [`UserDataOutputs`].
    pub outputs: UserDataOutputs,
}

/// The `irf_guid` an MSF has in the user-data views, from its id column `id`: apart from
/// every party's GUID or ID.
pub fn msf_guid(id: &str) -> String {
    format!("'msf:' || cast({id} as varchar)")
}

impl UserDataSource {
    /// The output view of Info Mart table `table`.
    fn output(&self, table: &str) -> &'static str {
        self.outputs
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, view)| *view)
            .expect("user-data output")
    }
}

// The views name IRF_USER_DATA_CUST_1 and USER_DATA_CUST_DIM_1 alone.
const _: () = assert!(CUSTOM_USER_DATA_TABLES == 1);

/// The propagation rules the transform knows (§4.15); any other value is read as `CALL`.
const RULES: [&str; 6] = [
    "CALL",
    "PARTY",
    "IRF",
    "IRF_FIRST_UPDATE",
    "IRF_INITIAL",
    "IRF_ROUTE",
];

/// Which changes of a key a rule may pick (`h` the change, `f` the fact, `p` the fact's
/// party that made it, if any); the rule picks the latest of them, or the first for
/// `IRF_FIRST_UPDATE`. `CALL` is the `else` arm.
const RULE_WINDOWS: [(&str, &str); 5] = [
    ("PARTY", "p.partyid is not null"),
    ("IRF", "h.added_ts between f.start_ts and f.end_ts"),
    (
        "IRF_FIRST_UPDATE",
        "h.added_ts between f.first_update_from and f.end_ts",
    ),
    ("IRF_INITIAL", "h.added_ts <= f.start_ts"),
    ("IRF_ROUTE", "h.added_ts <= f.first_created"),
];

/// The `CALL` window: every change up to the moment the interaction left the resource.
const CALL_WINDOW: &str = "h.added_ts <= f.end_ts";

/// A dimension found or extended by user-data values: its table and the input holding its
/// rows.
struct Dimension {
    table: &'static str,
    input: &'static str,
}

/// INTERACTION_DESCRIPTOR (IRF_USER_DATA_KEYS.INTERACTION_DESCRIPTOR_KEY) and
/// USER_DATA_CUST_DIM_1 (CUSTOM_KEY_1, as CTL_UDE_KEYS_TO_DIM_MAPPING is seeded).
const DIMENSIONS: [(&str, Dimension); 2] = [
    (
        "interaction_descriptor_key",
        Dimension {
            table: "INTERACTION_DESCRIPTOR",
            input: INTERACTION_DESCRIPTORS,
        },
    ),
    (
        "custom_key_1",
        Dimension {
            table: "USER_DATA_CUST_DIM_1",
            input: USER_DATA_CUST_DIM_1,
        },
    ),
];

/// The model's definition of `table`.
fn model(table: &str) -> &'static TableDef {
    mart::table(table).expect("user-data table in the Info Mart model")
}

/// The text columns of `table` that mapping rows can target, with their length.
fn value_columns(table: &str) -> Vec<(String, u16, Option<&'static str>)> {
    model(table)
        .columns
        .iter()
        .filter_map(|c| match c.sql_type {
            SqlType::Varchar(len) => Some((c.sql_name(), len, c.default)),
            _ => None,
        })
        .collect()
}

/// `select` list turning the resolved values of `table` (`v.ude_column`, `v.value`, one
/// row per column) into its columns: truncated to the column length, the column's own
/// default (`'none'` in the dimensions) where no value resolved.
fn pivot(table: &str) -> String {
    value_columns(table)
        .iter()
        .map(|(name, len, default)| {
            let value = format!(
                "substr(max(case when v.ude_column = '{}' then v.value end), 1, {len})",
                name.to_ascii_uppercase()
            );
            match default {
                Some(default) => format!("coalesce({value}, {default}) as {name}"),
                None => format!("{value} as {name}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of `table` per fact: the fact's id, partition key and tenant, then the pivot; `ud`
/// is the prefix of the stream's user-data views.
fn per_fact(ud: &str, table: &str, leading: &str) -> String {
    format!(
        "select {leading}, {pivot} from {ud}_fact f \
         left join {ud}_column_value v on v.interaction_resource_id = f.interaction_resource_id \
         and v.ude_table = '{table}' \
         group by f.interaction_resource_id, f.start_date_time_key, f.tenant_key, f.audit_key",
        pivot = pivot(table),
    )
}

/// The leading columns of an extension-table row.
const EXTENSION_LEADING: &str = "f.interaction_resource_id, f.start_date_time_key, \
     f.tenant_key, f.audit_key as create_audit_key, f.audit_key as update_audit_key";

/// The find-or-insert views of one dimension: its attribute tuple per fact, the tuples the
/// Info Mart has (not `-1`), the new tuples with keys after the greatest in use, the key
/// per fact (`<ud>_<dim>_key`) and the new rows (view `output`).
fn dimension_views(ud: &str, dimension: &Dimension, output: &str) -> Vec<View> {
    let def = model(dimension.table);
    let key = def.primary_key[0].to_ascii_lowercase();
    let dim = dimension.table.to_ascii_lowercase();
    let attrs: Vec<String> = value_columns(dimension.table)
        .into_iter()
        .map(|(name, _, _)| name)
        .collect();
    let list = |alias: &str| {
        attrs
            .iter()
            .map(|a| format!("{alias}.{a}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let same = |left: &str, right: &str| {
        attrs
            .iter()
            .map(|a| format!("{left}.{a} = {right}.{a}"))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let new_columns = def
        .columns
        .iter()
        .map(|c| {
            let name = c.sql_name();
            let value = if name == key {
                "n.dim_key".to_string()
            } else if attrs.contains(&name) {
                format!("n.{name}")
            } else {
                match c.name.as_str() {
                    "TENANT_KEY" => "n.tenant_key".into(),
                    "CREATE_AUDIT_KEY" | "UPDATE_AUDIT_KEY" => "ids.audit_key".into(),
                    _ => "0".into(),
                }
            };
            format!("{value} as {name}")
        })
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        View::new(
            format!("{ud}_{dim}_values"),
            format!(
                "select f.interaction_resource_id, f.tenant_key, {pivot} from {ud}_fact f \
                 left join {ud}_column_value v \
                 on v.interaction_resource_id = f.interaction_resource_id \
                 and v.ude_table = '{table}' \
                 group by f.interaction_resource_id, f.tenant_key",
                pivot = pivot(dimension.table),
                table = dimension.table,
            ),
        ),
        View::new(
            format!("{ud}_{dim}_known"),
            format!(
                "select {attrs}, min({key}) as dim_key from {input} \
                 where {key} <> -1 group by {attrs}",
                attrs = attrs.join(", "),
                input = dimension.input,
            ),
        ),
        View::new(
            format!("{ud}_{dim}_new"),
            format!(
                "select {s}, s.tenant_key, \
                 b.base + cast(row_number() over (order by {s}) as bigint) as dim_key \
                 from (select {attrs}, min(tenant_key) as tenant_key \
                       from {ud}_{dim}_values group by {attrs}) s \
                 cross join (select greatest(coalesce(max({key}), 0), 0) as base \
                             from {input}) b \
                 left join {ud}_{dim}_known k on {same_sk} \
                 where k.dim_key is null",
                s = list("s"),
                attrs = attrs.join(", "),
                input = dimension.input,
                same_sk = same("s", "k"),
            ),
        ),
        View::new(
            format!("{ud}_{dim}_key"),
            format!(
                "select x.interaction_resource_id, coalesce(k.dim_key, n.dim_key) as dim_key \
                 from {ud}_{dim}_values x \
                 left join {ud}_{dim}_known k on {same_xk} \
                 left join {ud}_{dim}_new n on {same_xn}",
                same_xk = same("x", "k"),
                same_xn = same("x", "n"),
            ),
        ),
        View::new(
            output,
            format!("select {new_columns} from {ud}_{dim}_new n cross join {IDS} ids"),
        ),
    ]
}

/// The KVPs of G_CUSTOM_DATA_S input `user_events` on their call: the event's CallID, else
/// the call of its party (the latest row of G_PARTY input `party_rows` with that PartyGUID);
/// the party by its PartyID. Columns `data_source_key`, `callid`, `partyid`, `changetype`,
/// `keyname`, `value`, `added_ts`, `id`.
pub fn user_events_on_calls(user_events: &str, party_rows: &str) -> String {
    format!(
        "select e.data_source_key, coalesce(e.callid, g.callid) as callid, \
         coalesce(pc.partyid, g.partyid) as partyid, e.changetype, e.keyname, \
         e.value, e.added_ts, e.id \
         from {user_events} e \
         left join (select data_source_key, partyguid, \
               first_value(callid order by created_ts desc, partyid desc) as callid, \
               first_value(partyid order by created_ts desc, partyid desc) as partyid \
               from {party_rows} group by data_source_key, partyguid) g \
         on g.data_source_key = e.data_source_key and g.partyguid = e.partyid \
         left join (select data_source_key, partyguid, callid, min(partyid) as partyid \
               from {party_rows} group by data_source_key, partyguid, callid) pc \
         on pc.data_source_key = e.data_source_key and pc.partyguid = e.partyid \
         and pc.callid = e.callid"
    )
}

/// The user-data views of a stream, in dependency order.
pub fn views(source: &UserDataSource) -> Vec<View> {
    let ud = format!("{}_ud", source.prefix);
    let known_rules = RULES
        .iter()
        .map(|r| format!("'{r}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let windows = RULE_WINDOWS
        .iter()
        .map(|(rule, window)| format!("when '{rule}' then {window}"))
        .collect::<Vec<_>>()
        .join(" ");
    let same_interaction = "on j.root_data_source_key = i.root_data_source_key \
                            and j.interaction_guid = i.interaction_guid";
    let [history, secure_history] = source.history;
    let [user_events, party_rows] = source.user_events;
    let mut views = vec![
        View::new(format!("{ud}_irf"), source.irfs.clone()),
        // One active row per mapping, rule upper-cased, unknown rules read as CALL.
        View::new(
            format!("{ud}_mapping"),
            format!(
                "select id as mapping_id, ud_key_name, upper(trim(ude_table_name)) as ude_table, \
                 upper(trim(ude_column_name)) as ude_column, \
                 case when upper(trim(propagation_rule)) in ({known_rules}) \
                      then upper(trim(propagation_rule)) else 'CALL' end as rule, \
                 default_value, nullif(trim(convert_expression), '') as convert_expression \
                 from {USER_DATA_MAPPING} where active_flag = 1"
            ),
        ),
        // UserEvent KVPs on their call: the event's CallID, else the call of its party (the
        // party's latest row with that PartyGUID); the party by its PartyID.
        View::new(
            format!("{ud}_user_event"),
            user_events_on_calls(user_events, party_rows),
        ),
        // The changes of mapped keys, numbered per interaction in time order; a deletion
        // leaves no value. A UserEvent KVP added more than `user-event-data-timeout` after
        // its call ended is ignored.
        View::new(
            format!("{ud}_history"),
            format!(
                "select c.root_data_source_key, c.interaction_guid, h.data_source_key, \
                 h.partyid, h.keyname, h.added_ts, \
                 case when h.changetype = 3 then null else h.value end as value, \
                 cast(row_number() over (partition by c.root_data_source_key, \
                      c.interaction_guid order by h.added_ts, h.source_no, h.id) as bigint) \
                      as change_no \
                 from (select data_source_key, callid, partyid, changetype, keyname, value, \
                       added_ts, id, 0 as source_no from {history} \
                       union all select data_source_key, callid, partyid, changetype, keyname, \
                       value, added_ts, id, 1 from {secure_history} \
                       union all select data_source_key, callid, partyid, changetype, keyname, \
                       value, added_ts, id, 2 from {ud}_user_event) h \
                 join (select distinct ud_key_name from {ud}_mapping) k \
                 on k.ud_key_name = h.keyname \
                 join ({calls}) c on c.data_source_key = h.data_source_key \
                 and c.callid = h.callid \
                 cross join (select max(user_event_timeout) as timeout \
                             from {USER_DATA_SETTINGS}) s \
                 where h.source_no < 2 or c.terminated_ts is null or s.timeout is null \
                 or h.added_ts <= c.terminated_ts + s.timeout",
                calls = source.calls,
            ),
        ),
        // For IRF_FIRST_UPDATE: the run of Redirected IRFs right before each IRF.
        View::new(
            format!("{ud}_redirect"),
            format!(
                "select i.interaction_resource_id, min(j.start_ts) as redirect_from \
                 from (select i.interaction_resource_id, i.root_data_source_key, \
                       i.interaction_guid, i.ordinal, \
                       max(case when j.technical_result <> 'Redirected' then j.ordinal \
                           else 0 end) as last_break \
                       from {ud}_irf i join {ud}_irf j {same_interaction} \
                       and j.ordinal < i.ordinal \
                       group by i.interaction_resource_id, i.root_data_source_key, \
                       i.interaction_guid, i.ordinal) i \
                 join {ud}_irf j {same_interaction} \
                 and j.ordinal > i.last_break and j.ordinal < i.ordinal \
                 group by i.interaction_resource_id"
            ),
        ),
        View::new(
            format!("{ud}_fact"),
            format!(
                "select i.interaction_resource_id, i.tenant_key, i.audit_key, \
                 date_time_key(i.start_ts) as start_date_time_key, i.root_data_source_key, \
                 i.interaction_guid, i.irf_guid, i.start_ts, i.end_ts, i.first_created, \
                 least(coalesce(r.redirect_from, i.start_ts), i.start_ts) as first_update_from \
                 from {ud}_irf i left join {ud}_redirect r \
                 on r.interaction_resource_id = i.interaction_resource_id"
            ),
        ),
        View::new(
            format!("{ud}_fact_party"),
            format!(
                "select distinct f.interaction_resource_id, l.data_source_key, l.partyid \
                 from {ud}_fact f join ({parties}) l \
                 on l.root_data_source_key = f.root_data_source_key \
                 and l.interaction_guid = f.interaction_guid and l.irf_guid = f.irf_guid",
                parties = source.parties,
            ),
        ),
        // Per fact and mapping row: the change the rule picks (its value NULL if a deletion),
        // converted by the row's CONVERT_EXPRESSION.
        View::new(
            format!("{ud}_pick"),
            format!(
                "select f.interaction_resource_id, m.mapping_id, \
                 ud_convert(max(m.convert_expression), \
                      first_value(h.value order by case when m.rule = 'IRF_FIRST_UPDATE' \
                      then h.change_no else -h.change_no end)) as value \
                 from {ud}_fact f \
                 join {ud}_history h on h.root_data_source_key = f.root_data_source_key \
                 and h.interaction_guid = f.interaction_guid \
                 join {ud}_mapping m on m.ud_key_name = h.keyname \
                 left join {ud}_fact_party p on m.rule = 'PARTY' \
                 and p.interaction_resource_id = f.interaction_resource_id \
                 and p.data_source_key = h.data_source_key and p.partyid = h.partyid \
                 where case m.rule {windows} else {CALL_WINDOW} end \
                 group by f.interaction_resource_id, m.mapping_id"
            ),
        ),
        // Per fact and target column: the first mapping row (by ID) with a value, else the
        // first with a default value.
        View::new(
            format!("{ud}_column_value"),
            format!(
                "select f.interaction_resource_id, m.ude_table, m.ude_column, \
                 first_value(coalesce(c.value, m.default_value) order by \
                      case when c.value is not null then 0 \
                           when m.default_value is not null then 1 else 2 end, m.mapping_id) \
                      as value \
                 from {ud}_fact f cross join {ud}_mapping m \
                 left join {ud}_pick c on c.interaction_resource_id = f.interaction_resource_id \
                 and c.mapping_id = m.mapping_id \
                 group by f.interaction_resource_id, m.ude_table, m.ude_column"
            ),
        ),
        View::new(
            source.output("IRF_USER_DATA_GEN_1"),
            per_fact(&ud, "IRF_USER_DATA_GEN_1", EXTENSION_LEADING),
        ),
        // Written only when mapping rows target the table.
        View::new(
            source.output("IRF_USER_DATA_CUST_1"),
            format!(
                "select t.* from ({rows}) t cross join \
                 (select count(*) as targets from {ud}_mapping \
                  where ude_table = 'IRF_USER_DATA_CUST_1') m where m.targets > 0",
                rows = per_fact(&ud, "IRF_USER_DATA_CUST_1", EXTENSION_LEADING),
            ),
        ),
    ];
    for (_, dimension) in &DIMENSIONS {
        views.extend(dimension_views(
            &ud,
            dimension,
            source.output(dimension.table),
        ));
    }
    let keys = DIMENSIONS
        .iter()
        .map(|(column, d)| format!("{}.dim_key as {column}", d.table.to_ascii_lowercase()))
        .collect::<Vec<_>>()
        .join(", ");
    let joins = DIMENSIONS
        .iter()
        .map(|(_, d)| {
            let dim = d.table.to_ascii_lowercase();
            format!(
                "left join {ud}_{dim}_key {dim} \
                 on {dim}.interaction_resource_id = f.interaction_resource_id"
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    views.push(View::new(
        source.output("IRF_USER_DATA_KEYS"),
        format!("select {EXTENSION_LEADING}, {keys} from {ud}_fact f {joins}"),
    ));
    views
}
