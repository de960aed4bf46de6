//! Where a stage's time went: a `tracing` layer that adds up, per span name, how long
//! Tidemark's spans were open and how long they were entered, so every timed stage carries
//! its own breakdown without a log to parse.
//!
//! A span's wall time runs from its creation to its close. Its busy time is the time it was
//! entered: an instrumented future is entered while it is polled, so busy time leaves out
//! the waits on a database and the work of tasks it spawned, and includes its children's
//! busy time. Spans running in parallel add up, so a key's total can exceed the stage's
//! wall time. A span is counted when it closes under its key: its parent's key, then its
//! name followed by its `stream` or `table` field when it has one
//! (`transform_stream[voice] › voice_inputs`, `extract_table[G_CALL] › extract_read`). The
//! job's own span is left out of the keys.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::Subscriber;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Fields whose value is part of a span's key.
const KEY_FIELDS: [&str; 2] = ["stream", "table"];

/// Spans that are not part of their children's keys (every job runs in one).
const UNKEYED: [&str; 1] = ["job"];

/// Between a parent's key and its child's in a key.
const NESTED: &str = " › ";

/// Wall and busy time of the spans of one key within a stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanTime {
    /// Its parent's key, then the span name with its `stream` or `table` field in brackets.
    pub span: String,
    /// Spans of this key that closed during the stage.
    pub count: u64,
    /// Seconds from creation to close, summed over the spans.
    pub wall_s: f64,
    /// Seconds they were entered, children included, summed over the spans.
    pub busy_s: f64,
}

/// Totals per key since the last [`take`].
fn totals() -> &'static Mutex<HashMap<String, Totals>> {
    static TOTALS: OnceLock<Mutex<HashMap<String, Totals>>> = OnceLock::new();
    TOTALS.get_or_init(Mutex::default)
}

/// Forgets what was added up so far (the start of a stage).
pub fn reset() {
    totals().lock().expect("span totals").clear();
}

/// What was added up since the last [`reset`] or `take`, largest wall time first, and
/// starts over.
pub fn take() -> Vec<SpanTime> {
    let drained: Vec<_> = totals().lock().expect("span totals").drain().collect();
    let mut times: Vec<SpanTime> = drained
        .into_iter()
        .map(|(span, totals)| SpanTime {
            span,
            count: totals.count,
            wall_s: totals.wall.as_secs_f64(),
            busy_s: totals.busy.as_secs_f64(),
        })
        .collect();
    times.sort_by(|a, b| b.wall_s.total_cmp(&a.wall_s).then(a.span.cmp(&b.span)));
    times
}

/// The summed wall seconds of `key` in `times`, if any span of it closed.
pub fn wall_of(times: &[SpanTime], key: &str) -> Option<f64> {
    times.iter().find(|t| t.span == key).map(|t| t.wall_s)
}

/// The layer, with the filter it runs under: every span of Tidemark's crates down to debug
/// level, whatever `RUST_LOG` prints.
pub fn layer<S>() -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let targets: Targets = ["tidemark", "tidemark_sinks", "tidemark_plans"]
        .into_iter()
        .fold(Targets::new(), |t, target| {
            t.with_target(target, tracing::Level::DEBUG)
        });
    SpanTimes.with_filter(targets)
}

/// The layer adding up wall and busy time per key.
struct SpanTimes;

/// Spans of one key closed so far.
#[derive(Default)]
struct Totals {
    count: u64,
    wall: Duration,
    busy: Duration,
}

/// What the layer keeps in each open span.
struct Timing {
    key: String,
    created: Instant,
    busy: Duration,
    entered: Option<Instant>,
    depth: u32,
}

/// Finds the first of [`KEY_FIELDS`] among a span's fields.
#[derive(Default)]
struct KeyField(Option<String>);

impl Visit for KeyField {
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.0.is_none() && KEY_FIELDS.contains(&field.name()) {
            self.0 = Some(value.to_string());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if self.0.is_none() && KEY_FIELDS.contains(&field.name()) {
            self.0 = Some(format!("{value:?}").trim_matches('"').to_string());
        }
    }
}

impl<S> Layer<S> for SpanTimes
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if UNKEYED.contains(&attrs.metadata().name()) {
            return;
        }
        let mut field = KeyField::default();
        attrs.record(&mut field);
        let name = attrs.metadata().name();
        let own = match field.0 {
            Some(value) => format!("{name}[{value}]"),
            None => name.to_string(),
        };
        if let Some(span) = ctx.span(id) {
            let parent = span.parent().and_then(|parent| {
                parent
                    .extensions()
                    .get::<Timing>()
                    .map(|timing| timing.key.clone())
            });
            let key = match parent {
                Some(parent) => format!("{parent}{NESTED}{own}"),
                None => own,
            };
            span.extensions_mut().insert(Timing {
                key,
                created: Instant::now(),
                busy: Duration::ZERO,
                entered: None,
                depth: 0,
            });
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(timing) = extensions.get_mut::<Timing>() {
            if timing.depth == 0 {
                timing.entered = Some(Instant::now());
            }
            timing.depth += 1;
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(timing) = extensions.get_mut::<Timing>() {
            timing.depth = timing.depth.saturating_sub(1);
            if timing.depth == 0 {
                if let Some(entered) = timing.entered.take() {
                    timing.busy += entered.elapsed();
                }
            }
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(timing) = span.extensions_mut().remove::<Timing>() else {
            return;
        };
        let mut totals = totals().lock().expect("span totals");
        let entry = totals.entry(timing.key).or_default();
        entry.count += 1;
        entry.wall += timing.created.elapsed();
        entry.busy += timing.busy;
    }
}

/// A Markdown list of the `top` span keys of each stage that has any, by wall time, each
/// with its wall and busy seconds.
pub fn markdown<S: AsRef<str>>(stages: &[(S, &[SpanTime])], top: usize) -> String {
    let mut text = String::new();
    for (stage, times) in stages.iter().filter(|(_, t)| !t.is_empty()) {
        let listed: Vec<String> = times
            .iter()
            .take(top)
            .map(|t| {
                format!(
                    "`{}` {:.1} s ({:.1} busy, {}×)",
                    t.span, t.wall_s, t.busy_s, t.count
                )
            })
            .collect();
        text.push_str(&format!("- {}: {}\n", stage.as_ref(), listed.join(", ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Instrument;
    use tracing_subscriber::layer::SubscriberExt;

    #[tokio::test]
    async fn time_is_added_up_per_key_of_parents_name_and_field() {
        let subscriber = tracing_subscriber::registry().with(layer());
        let _guard = tracing::subscriber::set_default(subscriber);
        reset();
        for table in ["G_CALL", "G_CALL", "G_IR"] {
            async {
                tokio::time::sleep(Duration::from_millis(200)).await;
                std::thread::sleep(Duration::from_millis(10));
            }
            .instrument(tracing::info_span!(target: "tidemark::jobs", "extract_table", table))
            .await;
        }
        tracing::info_span!(target: "tidemark::jobs", "job", name = "Job_ExtractICON").in_scope(
            || {
                tracing::debug_span!(target: "tidemark::jobs", "merge", rows = 3).in_scope(|| {
                    tracing::debug_span!(target: "tidemark_sinks::db", "db_write").in_scope(|| {
                        std::thread::sleep(Duration::from_millis(40));
                    });
                });
            },
        );
        tracing::info_span!(target: "other_crate", "ignored").in_scope(|| {});
        let times = take();
        let by_key: HashMap<&str, &SpanTime> = times.iter().map(|t| (t.span.as_str(), t)).collect();
        assert_eq!(by_key.len(), 4, "{times:?}");
        let calls = by_key["extract_table[G_CALL]"];
        assert_eq!(calls.count, 2);
        // Entered only while polled: the sleeps inside the poll count, the timer's wait
        // between polls does not.
        assert!(calls.busy_s >= 0.02 && calls.busy_s < 0.2, "{calls:?}");
        // Open through the timer's wait as well.
        assert!(calls.wall_s >= 0.4, "{calls:?}");
        assert_eq!(by_key["extract_table[G_IR]"].count, 1);
        assert!(by_key["merge"].busy_s >= 0.04);
        assert!(by_key["merge › db_write"].busy_s >= 0.04);
        assert_eq!(times[0].span, "extract_table[G_CALL]");
        assert!(take().is_empty());
    }

    #[test]
    fn the_markdown_lists_the_longest_keys_of_each_stage() {
        let times = [
            SpanTime {
                span: "transform_stream[voice]".into(),
                count: 1,
                wall_s: 20.06,
                busy_s: 12.34,
            },
            SpanTime {
                span: "multimedia_chunk".into(),
                count: 10,
                wall_s: 5.0,
                busy_s: 5.0,
            },
        ];
        let text = markdown(&[("Job_TransformGIM", &times[..]), ("empty", &[])], 1);
        assert_eq!(
            text,
            "- Job_TransformGIM: `transform_stream[voice]` 20.1 s (12.3 busy, 1×)\n"
        );
    }
}
