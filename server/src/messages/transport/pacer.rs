//! Pacing sends under a provider's rate limit: [`Pacer`] hands out evenly
//! spaced moments, and [`Throttle`] makes concurrent sends wait for theirs.
//! The SMS and email transports each keep one.

use std::time::Duration;
use tokio::time::Instant;

/// Spaces sends evenly: at most `per_second` start in any second. Each
/// caller reserves the next free moment and waits for it, so concurrent
/// callers queue up instead of bursting.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Option<Instant>,
}

impl Pacer {
    pub fn new(per_second: u32) -> Self {
        Pacer {
            interval: Duration::from_secs(1) / per_second.max(1),
            next: None,
        }
    }

    /// The moment a send asked for at `now` may start; the one after it
    /// may start one interval later.
    pub fn reserve(&mut self, now: Instant) -> Instant {
        let slot = self.next.map_or(now, |next| next.max(now));
        self.next = Some(slot + self.interval);
        slot
    }
}

/// A [`Pacer`] shared by concurrent sends.
#[derive(Debug)]
pub struct Throttle(tokio::sync::Mutex<Pacer>);

impl Throttle {
    /// At most `per_second` sends start in any second (zero is taken as one).
    pub fn new(per_second: u32) -> Self {
        Throttle(tokio::sync::Mutex::new(Pacer::new(per_second)))
    }

    /// Waits for this send's turn under the rate limit.
    pub async fn wait_for_turn(&self) {
        let slot = self.0.lock().await.reserve(Instant::now());
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pacer_spaces_sends_evenly_without_waiting_on_the_clock() {
        let start = Instant::now();
        let mut pacer = Pacer::new(2);
        // Five asked for at once, at 2 a second: 0, 0.5, 1, 1.5, 2 s.
        let slots: Vec<Duration> = (0..5).map(|_| pacer.reserve(start) - start).collect();
        assert_eq!(slots, [0, 500, 1000, 1500, 2000].map(Duration::from_millis));
        // After a quiet spell, the next may go at once, and the one after it waits.
        let later = start + Duration::from_secs(10);
        assert_eq!(pacer.reserve(later), later);
        assert_eq!(
            pacer.reserve(later + Duration::from_millis(100)),
            later + Duration::from_millis(500)
        );
        // Zero is taken as one a second.
        let mut slow = Pacer::new(0);
        slow.reserve(start);
        assert_eq!(slow.reserve(start) - start, Duration::from_secs(1));
    }
}
