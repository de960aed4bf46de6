//! Identifiers, time values and random draws shared by every part of the simulator.
//!
//! Times are UTC epoch milliseconds ([`Ms`]): ICON stores millisecond precision, and the
//! `_ts` / `_tcode` companions of a time are derived from it (idb.md §0).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// UTC epoch milliseconds.
pub type Ms = i64;

/// One second in [`Ms`].
pub const SEC: Ms = 1000;
/// One minute in [`Ms`].
pub const MIN: Ms = 60 * SEC;
/// One hour in [`Ms`].
pub const HOUR: Ms = 60 * MIN;
/// One day in [`Ms`].
pub const DAY: Ms = 24 * HOUR;

/// The seeded random generator every draw of a run comes from.
pub type SimRng = ChaCha8Rng;

/// `X_ts` of a time: whole seconds since the epoch, milliseconds truncated (idb.md §6.3).
pub fn epoch_secs(t: Ms) -> i64 {
    t.div_euclid(SEC)
}

/// `X_tcode` of a time (idb.md §0: the generator fills `X_ts / 60`).
pub fn time_code(t: Ms) -> i64 {
    epoch_secs(t).div_euclid(60)
}

/// RFC 3339 text of a time, millisecond precision (truth records, messages).
pub fn rfc3339(t: Ms) -> String {
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|| t.to_string())
}

const BASE32: &[u8; 32] = b"0123456789ABCDEFGHIJKLMNOPQRSTUV";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A GUID-like identifier held inline (no heap): T-Server CallUUIDs and ICON ids are
/// 32 characters of `[0-9A-V]`, Interaction Server ids 16 characters of `[0-9A-Za-z]`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid {
    bytes: [u8; 32],
    len: u8,
}

impl Guid {
    /// A fresh 32-character identifier in the T-Server / ICON style.
    pub fn new(rng: &mut SimRng) -> Guid {
        let mut bytes = [0u8; 32];
        let (a, b): (u128, u32) = (rng.random(), rng.random());
        let mut bits = a;
        for (i, slot) in bytes.iter_mut().enumerate() {
            let v = if i < 25 {
                let v = (bits & 31) as usize;
                bits >>= 5;
                v
            } else {
                ((b >> ((i - 25) * 4)) & 31) as usize
            };
            *slot = BASE32[v];
        }
        Guid { bytes, len: 32 }
    }

    /// A fresh 16-character identifier in the Interaction Server style.
    pub fn new_short(rng: &mut SimRng) -> Guid {
        let mut bytes = [0u8; 32];
        let mut bits: u128 = rng.random();
        for slot in bytes.iter_mut().take(16) {
            *slot = BASE62[(bits % 62) as usize];
            bits /= 62;
        }
        Guid { bytes, len: 16 }
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or_default()
    }
}

impl std::fmt::Debug for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Guid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A T-Server connection id: 16 hex digits, also stored as a number (`ConnIDnum`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnId(pub u64);

impl ConnId {
    /// A fresh connection id.
    pub fn new(rng: &mut SimRng) -> ConnId {
        ConnId(rng.random::<u64>() >> 1)
    }

    /// The 16-hex-digit text T-Server reports.
    pub fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

/// Random draws with the shapes contact-center timings have.
pub trait Draw {
    /// `true` with probability `p`.
    fn chance(&mut self, p: f64) -> bool;
    /// Exponential duration with the given mean, in [`Ms`].
    fn exp_ms(&mut self, mean: Ms) -> Ms;
    /// Log-normal duration with the given median and shape σ, clamped to `[lo, hi]`.
    fn lognormal_ms(&mut self, median: Ms, sigma: f64, lo: Ms, hi: Ms) -> Ms;
    /// Uniform duration in `[lo, hi)`.
    fn between(&mut self, lo: Ms, hi: Ms) -> Ms;
    /// Index drawn from non-negative weights.
    fn weighted(&mut self, weights: &[f64]) -> usize;
}

impl Draw for SimRng {
    fn chance(&mut self, p: f64) -> bool {
        self.random::<f64>() < p
    }

    fn exp_ms(&mut self, mean: Ms) -> Ms {
        let u: f64 = self.random();
        (-(1.0 - u).ln() * mean as f64) as Ms
    }

    fn lognormal_ms(&mut self, median: Ms, sigma: f64, lo: Ms, hi: Ms) -> Ms {
        let (u1, u2): (f64, f64) = (self.random(), self.random());
        let z = (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        ((median as f64) * (sigma * z).exp()).clamp(lo as f64, hi as f64) as Ms
    }

    fn between(&mut self, lo: Ms, hi: Ms) -> Ms {
        if hi <= lo {
            lo
        } else {
            self.random_range(lo..hi)
        }
    }

    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.random::<f64>() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn epoch_secs_truncates_milliseconds() {
        assert_eq!(epoch_secs(1_709_632_800_999), 1_709_632_800);
        assert_eq!(time_code(1_709_632_800_999), 1_709_632_800 / 60);
    }

    #[test]
    fn guids_are_deterministic_and_well_formed() {
        let mut a = SimRng::seed_from_u64(7);
        let mut b = SimRng::seed_from_u64(7);
        let (x, y) = (Guid::new(&mut a), Guid::new(&mut b));
        assert_eq!(x, y);
        assert_eq!(x.as_str().len(), 32);
        assert!(x.as_str().bytes().all(|c| BASE32.contains(&c)));
        assert_eq!(Guid::new_short(&mut a).as_str().len(), 16);
        assert_ne!(Guid::new(&mut a), x);
    }

    #[test]
    fn draws_stay_in_range() {
        let mut r = SimRng::seed_from_u64(1);
        for _ in 0..1000 {
            let v = r.lognormal_ms(180 * SEC, 0.6, 10 * SEC, 3600 * SEC);
            assert!((10 * SEC..=3600 * SEC).contains(&v));
            assert!(r.exp_ms(1000) >= 0);
        }
        assert_eq!(r.weighted(&[0.0, 1.0, 0.0]), 1);
    }
}
