//! Time as the core sees it: a number the caller hands in.
//!
//! The core never reads a clock. Drivers pass `Instant`s taken from whatever clock the platform
//! has (`Date.now()` in a browser, a virtual clock in tests), so every timer decision is
//! deterministic and replayable.

use core::ops::{Add, Sub};
use core::time::Duration;

/// A point in time, in milliseconds since an arbitrary origin chosen by the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The instant `ms` milliseconds after the driver's origin.
    pub const fn from_millis(ms: u64) -> Self {
        Instant(ms)
    }

    /// Milliseconds since the driver's origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Time elapsed from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, rhs: Duration) -> Instant {
        let ms = u64::try_from(rhs.as_millis()).unwrap_or(u64::MAX);
        Instant(self.0.saturating_add(ms))
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, rhs: Duration) -> Instant {
        let ms = u64::try_from(rhs.as_millis()).unwrap_or(u64::MAX);
        Instant(self.0.saturating_sub(ms))
    }
}

/// Makes a driver clock monotonic: browsers' `Date.now()` can jump backwards when the system
/// clock is set, and a timer core must never see time run backwards.
#[derive(Debug, Default, Clone)]
pub struct MonotonicClock {
    last: u64,
}

impl MonotonicClock {
    /// Turns a raw clock reading (ms) into an `Instant` that is never earlier than the previous one.
    pub fn observe(&mut self, raw_ms: f64) -> Instant {
        let raw = if raw_ms.is_finite() && raw_ms > 0.0 { raw_ms as u64 } else { 0 };
        self.last = self.last.max(raw);
        Instant(self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        let t = Instant::from_millis(5);
        assert_eq!((t - Duration::from_millis(10)).as_millis(), 0);
        assert_eq!((t + Duration::MAX).as_millis(), u64::MAX);
        assert_eq!(t.saturating_duration_since(Instant::from_millis(9)), Duration::ZERO);
    }

    #[test]
    fn clock_never_runs_backwards() {
        let mut c = MonotonicClock::default();
        assert_eq!(c.observe(100.7).as_millis(), 100);
        assert_eq!(c.observe(50.0).as_millis(), 100);
        assert_eq!(c.observe(f64::NAN).as_millis(), 100);
        assert_eq!(c.observe(250.0).as_millis(), 250);
    }
}
