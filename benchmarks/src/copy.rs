//! The physical limit of reading IDB rows: `COPY (<select>) TO STDOUT (FORMAT binary)` of
//! the SELECTs extraction runs, streamed and counted but not decoded.

use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use futures::{pin_mut, TryStreamExt};
use serde::{Deserialize, Serialize};
use tidemark::jobs::extract::RangeQuery;
use tidemark_sinks::database::postgres_session_url;
use tokio_postgres::Client;

use crate::measure::{Probe, StageCost, Throughput};
use crate::pg;

/// What one COPY pass read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CopyPass {
    /// Wall time, CPU and memory of the pass.
    pub cost: StageCost,
    /// Connections used at once.
    pub connections: usize,
    /// COPY statements run.
    pub queries: usize,
    /// Rows and bytes of the binary COPY stream over the wall time.
    pub throughput: Throughput,
    /// Rows per table, in the order the queries were given (tables repeat per source).
    pub per_table: Vec<(String, u64)>,
}

/// Streams every query through COPY binary on `connections` connections at once (opened
/// before the clock starts, with the session options extraction's connections have: no
/// JIT compilation), counting rows and bytes.
pub async fn run(stage: &str, queries: &[RangeQuery], connections: usize) -> Result<CopyPass> {
    let connections = connections.max(1);
    let mut clients = Vec::with_capacity(connections);
    for _ in 0..connections {
        let url = queries.first().map(|q| q.url.as_str()).unwrap_or_default();
        clients.push(pg::connect(&postgres_session_url(url)).await?);
    }
    if let Some(other) = queries.iter().find(|q| q.url != queries[0].url) {
        anyhow::bail!(
            "the COPY baseline reads one IDB; {} is a second one",
            pg::without_password(&other.url)
        );
    }
    let next = AtomicUsize::new(0);
    let probe = Probe::start(stage);
    let workers = clients.iter().map(|client| {
        let next = &next;
        async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(query) = queries.get(i) else {
                    return Ok::<_, anyhow::Error>(done);
                };
                let (rows, bytes) = copy_one(client, query).await?;
                done.push((i, rows, bytes));
            }
        }
    });
    let results = futures::future::try_join_all(workers).await?;
    let cost = probe.finish();
    let mut per_query = vec![(0u64, 0u64); queries.len()];
    for (i, rows, bytes) in results.into_iter().flatten() {
        per_query[i] = (rows, bytes);
    }
    let rows = per_query.iter().map(|(r, _)| r).sum();
    let bytes = per_query.iter().map(|(_, b)| b).sum();
    Ok(CopyPass {
        throughput: Throughput::new(rows, bytes, cost.wall_s),
        cost,
        connections,
        queries: queries.len(),
        per_table: queries
            .iter()
            .zip(&per_query)
            .map(|(q, (rows, _))| (q.table.clone(), *rows))
            .collect(),
    })
}

/// Runs one COPY and returns its rows and bytes.
async fn copy_one(client: &Client, query: &RangeQuery) -> Result<(u64, u64)> {
    let statement = format!("COPY ({}) TO STDOUT (FORMAT binary)", query.sql);
    let stream = client
        .copy_out(statement.as_str())
        .await
        .with_context(|| format!("COPY of {}: {}", query.table, query.sql))?;
    pin_mut!(stream);
    let mut counter = TupleCounter::default();
    let mut bytes = 0u64;
    while let Some(chunk) = stream.try_next().await? {
        bytes += chunk.len() as u64;
        counter.feed(&chunk);
    }
    Ok((counter.tuples, bytes))
}

/// Counts the tuples of a binary COPY stream fed in pieces of any size, skipping field
/// data unread (the header, then per tuple an `i16` field count and per field an `i32`
/// length and that many bytes; a count of -1 ends the stream).
#[derive(Debug, Default)]
pub struct TupleCounter {
    state: State,
    pending: Vec<u8>,
    skip: usize,
    fields_left: i16,
    /// Tuples seen so far.
    pub tuples: u64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Header,
    TupleStart,
    FieldLength,
    Done,
}

/// Signature (11 bytes), flags (4) and header extension length (4).
const HEADER_LEN: usize = 19;

impl TupleCounter {
    /// Consumes the next piece of the stream.
    pub fn feed(&mut self, mut data: &[u8]) {
        loop {
            if self.skip > 0 {
                let n = self.skip.min(data.len());
                data = &data[n..];
                self.skip -= n;
                if self.skip > 0 {
                    return;
                }
            }
            let need = match self.state {
                State::Header => HEADER_LEN,
                State::TupleStart => 2,
                State::FieldLength => 4,
                State::Done => return,
            };
            let mut word = [0u8; HEADER_LEN];
            if self.pending.is_empty() && data.len() >= need {
                let (head, rest) = data.split_at(need);
                word[..need].copy_from_slice(head);
                data = rest;
            } else {
                let take = (need - self.pending.len()).min(data.len());
                self.pending.extend_from_slice(&data[..take]);
                data = &data[take..];
                if self.pending.len() < need {
                    return;
                }
                word[..need].copy_from_slice(&self.pending);
            }
            let next = self.step(&word[..need]);
            self.pending.clear();
            self.state = next;
        }
    }

    /// Interprets one complete header or length word and returns the next state.
    fn step(&mut self, word: &[u8]) -> State {
        match self.state {
            State::Header => {
                self.skip = u32::from_be_bytes([word[15], word[16], word[17], word[18]]) as usize;
                State::TupleStart
            }
            State::TupleStart => {
                let fields = i16::from_be_bytes([word[0], word[1]]);
                if fields < 0 {
                    return State::Done;
                }
                self.tuples += 1;
                self.fields_left = fields;
                if fields == 0 {
                    State::TupleStart
                } else {
                    State::FieldLength
                }
            }
            State::FieldLength => {
                let length = i32::from_be_bytes([word[0], word[1], word[2], word[3]]);
                self.skip = length.max(0) as usize;
                self.fields_left -= 1;
                if self.fields_left == 0 {
                    State::TupleStart
                } else {
                    State::FieldLength
                }
            }
            State::Done => State::Done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A binary COPY stream of `rows` tuples of (int4, null, text "abc").
    fn stream(rows: usize) -> Vec<u8> {
        let mut s = b"PGCOPY\n\xff\r\n\0".to_vec();
        s.extend_from_slice(&0u32.to_be_bytes());
        s.extend_from_slice(&2u32.to_be_bytes());
        s.extend_from_slice(b"xx");
        for i in 0..rows {
            s.extend_from_slice(&3i16.to_be_bytes());
            s.extend_from_slice(&4i32.to_be_bytes());
            s.extend_from_slice(&(i as i32).to_be_bytes());
            s.extend_from_slice(&(-1i32).to_be_bytes());
            s.extend_from_slice(&3i32.to_be_bytes());
            s.extend_from_slice(b"abc");
        }
        s.extend_from_slice(&(-1i16).to_be_bytes());
        s
    }

    #[test]
    fn counts_tuples_whatever_the_piece_size() {
        let data = stream(1000);
        for piece in [1, 2, 3, 7, 19, 64, 4096, data.len()] {
            let mut counter = TupleCounter::default();
            for chunk in data.chunks(piece) {
                counter.feed(chunk);
            }
            assert_eq!(counter.tuples, 1000, "pieces of {piece}");
            assert_eq!(counter.state, State::Done);
        }
    }

    #[test]
    fn an_empty_result_has_no_tuples() {
        let mut counter = TupleCounter::default();
        counter.feed(&stream(0));
        assert_eq!(counter.tuples, 0);
    }
}
