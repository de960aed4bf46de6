//! Where the scheduler reads the time and waits: the system clock in `tidemark serve`, a
//! clock the tests move by hand so every scheduling rule is checked without real waiting.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// The time source of the scheduler.
#[async_trait]
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;

    /// Returns once [`Clock::now`] has reached `deadline` (at once if it has already).
    async fn sleep_until(&self, deadline: DateTime<Utc>);
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    async fn sleep_until(&self, deadline: DateTime<Utc>) {
        // Sleeping in slices keeps the wake-up right across suspends and clock steps.
        const SLICE: std::time::Duration = std::time::Duration::from_secs(30);
        loop {
            let Ok(left) = (deadline - Utc::now()).to_std() else {
                return;
            };
            if left.is_zero() {
                return;
            }
            tokio::time::sleep(left.min(SLICE)).await;
        }
    }
}

/// A clock that only moves when a test sets it; sleepers wake when it passes their deadline.
#[derive(Debug, Clone)]
pub struct ManualClock {
    time: Arc<watch::Sender<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            time: Arc::new(watch::Sender::new(start)),
        }
    }

    /// Moves the clock to `time` (never backwards) and wakes the sleepers it reaches.
    pub fn set(&self, time: DateTime<Utc>) {
        self.time.send_if_modified(|now| {
            let later = time > *now;
            if later {
                *now = time;
            }
            later
        });
    }

    /// Moves the clock forward by `step`.
    pub fn advance(&self, step: chrono::Duration) {
        self.set(self.now() + step);
    }
}

#[async_trait]
impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.time.borrow()
    }

    async fn sleep_until(&self, deadline: DateTime<Utc>) {
        let mut time = self.time.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail while we borrow it.
        let _ = time.wait_for(|now| *now >= deadline).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[tokio::test]
    async fn manual_clock_wakes_sleepers_only_when_moved_past_their_deadline() {
        let start = Utc.with_ymd_and_hms(2024, 3, 31, 0, 0, 0).unwrap();
        let clock = ManualClock::new(start);
        let deadline = start + chrono::Duration::minutes(5);
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(deadline).await }
        });
        clock.advance(chrono::Duration::minutes(4));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.set(start);
        assert_eq!(clock.now(), start + chrono::Duration::minutes(4));
        clock.advance(chrono::Duration::minutes(1));
        sleeper.await.unwrap();
        assert_eq!(clock.now(), deadline);
    }
}
