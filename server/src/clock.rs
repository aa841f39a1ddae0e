//! The time, as the server stores it: whole seconds since the Unix epoch.
//!
//! Requests read it from the state's [`Clock`] (the `Now` extractor), so a
//! test can move time forward; background jobs still read the system clock
//! through [`unix_now`].

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The system clock's time.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The server's clock: the system clock (moved forward only by tests), or a
/// clock that stands still at a given time until told to move. Clones share
/// the same time.
#[derive(Clone, Debug)]
pub struct Clock {
    /// Whether `secs` is the time itself (fixed) or an offset from the
    /// system clock.
    fixed: bool,
    secs: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock {
            fixed: false,
            secs: Arc::new(AtomicI64::new(0)),
        }
    }

    /// A clock that reads `secs` until it is moved.
    pub fn fixed(secs: i64) -> Self {
        Clock {
            fixed: true,
            secs: Arc::new(AtomicI64::new(secs)),
        }
    }

    /// The time now, in seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        let secs = self.secs.load(Ordering::SeqCst);
        if self.fixed {
            secs
        } else {
            unix_now().saturating_add(secs)
        }
    }

    /// Moves the clock forward by `secs` (tests, and once at start for
    /// `USAJILI_CLOCK_OFFSET_SECS`, a benchmark's setting: the server never
    /// moves its own clock while it runs).
    pub fn advance(&self, secs: i64) {
        self.secs.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stands_still_until_moved() {
        let clock = Clock::fixed(1_000);
        assert_eq!(clock.now(), 1_000);
        let shared = clock.clone();
        shared.advance(60);
        assert_eq!(clock.now(), 1_060);
    }

    #[test]
    fn the_system_clock_follows_the_system_and_can_be_moved_forward() {
        let clock = Clock::system();
        let before = unix_now();
        assert!((before..=before + 5).contains(&clock.now()));
        clock.advance(86_400);
        assert!(clock.now() >= before + 86_400);
    }
}
