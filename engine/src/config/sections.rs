//! The registry of sections: every section's name, options in declaration order, doc
//! comments (through `schemars`) and defaults. Loading, environment overrides, `show()`
//! and the reference page all read this one list.

use serde::de::{self, DeserializeOwned, Visitor};
use serde::Serialize;

use super::aggregation::{Aggregation, InteractionThresholds, WaitThresholds};
use super::calendar::Calendar;
use super::connections::{Dap, Gidb, InfoMart};
use super::error_policy::ErrorPolicy;
use super::export::GimExport;
use super::gdpr::Gdpr;
use super::gim_etl::GimEtl;
use super::schedule::Schedule;
use super::server::Server;
use super::transformation::GimTransformation;

/// Prefix of the custom calendar sections `[date-time-<name>]`.
pub(crate) const CALENDAR_PREFIX: &str = "date-time-";

/// How a section appears in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `[name]`, at most once.
    Table,
    /// `[[name]]`, any number of entries.
    Array,
    /// `[date-time-<name>]`: any number of sections whose names share a prefix.
    Prefixed,
}

/// What the registry knows about one section.
pub(crate) struct SectionInfo {
    /// Name in the file (for `Prefixed`, the text shown in docs).
    pub name: &'static str,
    pub shape: Shape,
    /// Option names in declaration order.
    pub options: &'static [&'static str],
    /// JSON schema of the section struct: doc comments and option types.
    pub schema: schemars::Schema,
    /// The section's defaults as TOML.
    pub defaults: toml::Table,
}

impl SectionInfo {
    fn of<T>(name: &'static str, shape: Shape) -> Self
    where
        T: Serialize + DeserializeOwned + schemars::JsonSchema + Default,
    {
        Self {
            name,
            shape,
            options: option_names::<T>(),
            schema: schemars::schema_for!(T),
            defaults: toml::Table::try_from(T::default()).expect("section defaults serialise"),
        }
    }

    /// The doc comment of the section struct.
    pub fn description(&self) -> &str {
        self.schema
            .get("description")
            .and_then(|d| d.as_str())
            .unwrap_or_default()
    }

    /// The JSON schema of one option, with a `$ref` to a shared definition resolved.
    fn option_schema(&self, option: &str) -> Option<&serde_json::Value> {
        let property = self.schema.get("properties")?.get(option)?;
        let definition = property
            .get("$ref")
            .and_then(|r| r.as_str())
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .and_then(|name| self.schema.get("$defs")?.get(name));
        Some(definition.unwrap_or(property))
    }

    /// The doc comment of one option.
    pub fn option_description(&self, option: &str) -> &str {
        self.schema
            .get("properties")
            .and_then(|p| p.get(option))
            .and_then(|p| p.get("description"))
            .and_then(|d| d.as_str())
            .unwrap_or_default()
    }

    /// The text after `Allowed:` in an option's doc comment.
    pub fn allowed(&self, option: &str) -> Option<&str> {
        doc_field(self.option_description(option), "Allowed:")
    }

    /// Whether an option takes text (so an environment value is never read as TOML).
    pub fn is_text(&self, option: &str) -> bool {
        let Some(schema) = self.option_schema(option) else {
            return false;
        };
        let is_string = |t: &serde_json::Value| t.as_str() == Some("string");
        match schema.get("type") {
            Some(serde_json::Value::Array(types)) => types.iter().any(is_string),
            Some(t) => is_string(t),
            None => schema.get("oneOf").is_some() || schema.get("enum").is_some(),
        }
    }

    /// The option named `option` in an environment variable (`DAYS_TO_KEEP_GIM_FACTS`).
    pub fn option_from_env(&self, env_option: &str) -> Option<&'static str> {
        self.options
            .iter()
            .copied()
            .find(|o| super::connections::env_name(o) == env_option)
    }
}

/// The text after `label` on a line of a doc comment.
pub(crate) fn doc_field<'a>(doc: &'a str, label: &str) -> Option<&'a str> {
    doc.lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .map(|rest| rest.trim().trim_end_matches('.'))
}

/// Every section in the order of the reference page and of `show()`.
pub(crate) fn sections() -> Vec<SectionInfo> {
    vec![
        SectionInfo::of::<InfoMart>("infomart", Shape::Table),
        SectionInfo::of::<Gidb>("gidb", Shape::Table),
        SectionInfo::of::<Dap>("dap", Shape::Array),
        SectionInfo::of::<Schedule>("schedule", Shape::Table),
        SectionInfo::of::<GimEtl>("gim-etl", Shape::Table),
        SectionInfo::of::<GimTransformation>("gim-transformation", Shape::Table),
        SectionInfo::of::<Calendar>("date-time", Shape::Table),
        SectionInfo::of::<Calendar>("date-time-<name>", Shape::Prefixed),
        SectionInfo::of::<GimExport>("gim-export", Shape::Table),
        SectionInfo::of::<ErrorPolicy>("error-policy", Shape::Table),
        SectionInfo::of::<Aggregation>("agg", Shape::Table),
        SectionInfo::of::<WaitThresholds>("agg-gim-thld-QUEUE-ABN", Shape::Table),
        SectionInfo::of::<WaitThresholds>("agg-gim-thld-QUEUE-ACC", Shape::Table),
        SectionInfo::of::<InteractionThresholds>("agg-gim-thld-ID-IXN", Shape::Table),
        SectionInfo::of::<InteractionThresholds>("agg-gim-thld-QUEUE-IXN", Shape::Table),
        SectionInfo::of::<InteractionThresholds>("agg-gim-thld-AG-IXN", Shape::Table),
        SectionInfo::of::<Gdpr>("gdpr", Shape::Table),
        SectionInfo::of::<Server>("server", Shape::Table),
    ]
}

/// The registry entry for a section name as written in the file.
pub(crate) fn find<'a>(sections: &'a [SectionInfo], name: &str) -> Option<&'a SectionInfo> {
    let custom_calendar = name.len() > CALENDAR_PREFIX.len() && name.starts_with(CALENDAR_PREFIX);
    sections.iter().find(|s| match s.shape {
        Shape::Prefixed => custom_calendar,
        Shape::Table | Shape::Array => s.name == name,
    })
}

/// The field names serde expects for `T`, in declaration order, read from the derived
/// `Deserialize` implementation.
pub(crate) fn option_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct FieldNames(Option<&'static [&'static str]>);

    impl<'de> de::Deserializer<'de> for &mut FieldNames {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("only structs have field names"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = Some(fields);
            Err(de::Error::custom("field names captured"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
            enum identifier ignored_any
        }
    }

    let mut names = FieldNames(None);
    let _ = T::deserialize(&mut names);
    names.0.unwrap_or_default()
}

/// The nearest names among `candidates` when they are close to `name`, as a
/// " (did you mean …?)" hint, or nothing.
pub(crate) fn suggestions<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(distance, _)| distance <= 2.max(name.len() / 4))
        .collect();
    let Some(best) = scored.iter().map(|&(distance, _)| distance).min() else {
        return String::new();
    };
    let close: Vec<String> = scored
        .iter()
        .filter(|&&(distance, _)| distance == best)
        .map(|(_, c)| format!("`{c}`"))
        .collect();
    format!(" (did you mean {}?)", close.join(" or "))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_lists_every_field_of_config() {
        let registered: Vec<&str> = sections()
            .iter()
            .filter(|s| s.shape != Shape::Prefixed)
            .map(|s| s.name)
            .collect();
        assert_eq!(registered, option_names::<super::super::Config>());
    }

    #[test]
    fn every_option_documents_allowed_values_and_when_it_takes_effect() {
        for section in sections() {
            assert!(
                !section.description().is_empty(),
                "[{}] has no doc",
                section.name
            );
            for option in section.options {
                let doc = section.option_description(option);
                assert!(
                    section.allowed(option).is_some(),
                    "[{}] {option}: no Allowed:",
                    section.name
                );
                let effect = doc_field(doc, "Takes effect:").unwrap_or_default();
                assert!(
                    super::super::TakesEffect::from_doc(effect).is_some(),
                    "[{}] {option}: Takes effect `{effect}` is not a class of operations.md §0.5",
                    section.name
                );
            }
        }
    }

    #[test]
    fn suggestions_find_near_misses() {
        assert_eq!(
            suggestions(
                "days-to-keep-gim-fact",
                ["days-to-keep-gim-facts", "run-export"]
            ),
            " (did you mean `days-to-keep-gim-facts`?)"
        );
        assert_eq!(suggestions("zzz", ["run-export"]), "");
    }
}
