//! Time as the core sees it: a number the caller hands in.
//!
//! The core never reads a clock. Drivers pass `Instant`s taken from a monotonic clock
//! (`performance.now()` in a browser, a virtual clock in tests), so every timer decision is
//! deterministic and replayable, and setting the system clock moves no deadline. Times that are
//! meant as wall time (shown to users, kept across restarts) are moved onto the wall clock where
//! they leave the driver, with [`WallClock`].

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

/// Guards a driver clock: a reading that is not a finite positive number, or that runs backwards,
/// never reaches the core as time running backwards.
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

/// The distance between the wall clock and the driver's monotonic clock at one moment: moves a
/// monotonic time (an outbox entry's `createdAt`, the next reconnection attempt) onto the wall
/// clock, as "now on the wall clock, plus or minus how far it is from now", and back.
///
/// The two clocks part when the system clock is set (or, in some browsers, while the machine
/// sleeps); each reading takes the distance of its own moment.
///
/// The default is no distance: the driver's clock is the wall clock (as in tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WallClock {
    /// Wall minus monotonic, in ms.
    offset: i64,
}

impl WallClock {
    /// Both clocks read at the same moment (ms; non-finite readings count as 0).
    pub fn at(monotonic_ms: f64, wall_ms: f64) -> Self {
        let ms = |v: f64| if v.is_finite() { v as i64 } else { 0 };
        WallClock { offset: ms(wall_ms).saturating_sub(ms(monotonic_ms)) }
    }

    /// The wall time (Unix ms) of a monotonic time.
    pub fn wall(self, monotonic_ms: u64) -> u64 {
        let t = i64::try_from(monotonic_ms).unwrap_or(i64::MAX);
        u64::try_from(t.saturating_add(self.offset)).unwrap_or(0)
    }

    /// The monotonic time of a wall time (Unix ms), e.g. one read back from storage.
    pub fn monotonic(self, wall_ms: u64) -> u64 {
        let t = i64::try_from(wall_ms).unwrap_or(i64::MAX);
        u64::try_from(t.saturating_sub(self.offset)).unwrap_or(0)
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
    fn wall_time_follows_the_wall_clock_after_a_step_back() {
        // The monotonic clock reads 10 000 when the wall clock reads an hour less than it did
        // at the same monotonic reading before: a deadline 500 ms ahead is 500 ms ahead on the
        // stepped wall clock too, and a stored wall time comes back where it was.
        let before = WallClock::at(10_000.0, 1_800_000_010_000.0);
        let after = WallClock::at(10_000.0, 1_800_000_010_000.0 - 3_600_000.0);
        assert_eq!(before.wall(10_500), 1_800_000_010_500);
        assert_eq!(after.wall(10_500), 1_799_996_410_500);
        assert_eq!(after.monotonic(after.wall(10_500)), 10_500);
        // Nonsense readings and far-off times saturate instead of wrapping.
        assert_eq!(WallClock::at(f64::NAN, 5.0).wall(1), 6);
        assert_eq!(WallClock::at(1e12, 0.0).wall(5), 0);
        assert_eq!(WallClock::at(0.0, 1e12).monotonic(5), 0);
        assert_eq!(WallClock::at(0.0, 1.0).wall(u64::MAX), i64::MAX as u64);
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
