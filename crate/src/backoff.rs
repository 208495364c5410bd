//! Reconnection delays: exponential growth with random jitter.
//!
//! Same defaults and shape as socket.io-client (1000 ms doubling up to 5000 ms, ±50 % jitter),
//! with one deliberate difference: jitter is applied to the *capped* delay, so clients that have
//! all reached the cap still spread out instead of reconnecting in lock-step.

use core::time::Duration;

use crate::rng::Rng;

/// Exponential backoff state for one reconnection loop.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    jitter: f64,
    attempts: u32,
}

impl Backoff {
    /// `min` is the first delay, `max` the cap, `jitter` the randomization factor in `[0, 1]`.
    pub fn new(min: Duration, max: Duration, jitter: f64) -> Self {
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        Backoff { min, max: max.max(min), jitter, attempts: 0 }
    }

    /// How many delays have been handed out since the last reset.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The next delay: `min(min · 2^attempt, max)`, then ± `jitter` of that, never above `max`.
    pub fn next_delay(&mut self, rng: &mut Rng) -> Duration {
        let exp = 2f64.powi(self.attempts.min(64) as i32);
        self.attempts = self.attempts.saturating_add(1);
        let base = (self.min.as_millis() as f64 * exp).min(self.max.as_millis() as f64);
        let ms = if self.jitter > 0.0 {
            let deviation = (rng.next_f64() * self.jitter * base).floor();
            if rng.next_u64() & 1 == 0 {
                base - deviation
            } else {
                base + deviation
            }
        } else {
            base
        };
        // max/min, not clamp: f64::clamp asserts its bounds with a formatted message, which
        // alone links float formatting (~15 KB) into the wasm. A NaN ends as 0 either way.
        Duration::from_millis(ms.max(0.0).min(self.max.as_millis() as f64) as u64)
    }

    /// Starts over from the first delay (after a successful connection).
    pub fn reset(&mut self) {
        self.attempts = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn doubles_up_to_the_cap_without_jitter() {
        let mut b = Backoff::new(ms(1000), ms(5000), 0.0);
        let mut rng = Rng::new(0);
        let got: Vec<u64> = (0..6).map(|_| b.next_delay(&mut rng).as_millis() as u64).collect();
        assert_eq!(got, [1000, 2000, 4000, 5000, 5000, 5000]);
        assert_eq!(b.attempts(), 6);
        b.reset();
        assert_eq!(b.next_delay(&mut rng), ms(1000));
    }

    #[test]
    fn jitter_stays_within_factor_and_cap() {
        let mut rng = Rng::new(42);
        for attempt in 0..12u32 {
            let mut b = Backoff::new(ms(1000), ms(5000), 0.5);
            for _ in 0..attempt {
                b.next_delay(&mut rng);
            }
            let base = (1000u64 << attempt.min(20)).min(5000) as f64;
            for _ in 0..200 {
                let mut probe = b.clone();
                let d = probe.next_delay(&mut rng).as_millis() as f64;
                assert!(d >= base * 0.5 - 1.0 && d <= base.min(5000.0) * 1.5, "{d} for base {base}");
                assert!(d <= 5000.0);
            }
        }
    }

    #[test]
    fn jitter_spreads_clients_at_the_cap() {
        let mut rng = Rng::new(9);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..50 {
            let mut b = Backoff::new(ms(1000), ms(5000), 0.5);
            for _ in 0..10 {
                b.next_delay(&mut rng);
            }
            seen.insert(b.next_delay(&mut rng).as_millis());
        }
        assert!(seen.len() > 10, "capped delays should differ: {seen:?}");
    }

    #[test]
    fn same_seed_same_delays() {
        let run = || {
            let mut rng = Rng::new(5);
            let mut b = Backoff::new(ms(100), ms(100_000), 0.5);
            (0..8).map(|_| b.next_delay(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn odd_inputs_are_tamed() {
        let mut rng = Rng::new(1);
        let mut b = Backoff::new(ms(10), ms(1), f64::NAN);
        assert_eq!(b.next_delay(&mut rng), ms(10));
        let mut b = Backoff::new(Duration::ZERO, Duration::ZERO, 5.0);
        assert_eq!(b.next_delay(&mut rng), Duration::ZERO);
    }
}
