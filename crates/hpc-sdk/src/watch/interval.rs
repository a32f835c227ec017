//! How long a watch waits between polls: short after a submit or a change, growing
//! while nothing changes, bounded both ways.

use std::time::Duration;

/// The bounds and growth of a watch's poll interval.
///
/// ```
/// use std::time::Duration;
/// let interval = hpc_sdk::PollInterval::default()
///     .min(Duration::from_secs(1))
///     .max(Duration::from_secs(30));
/// assert_eq!(interval.bounds(), (Duration::from_secs(1), Duration::from_secs(30)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PollInterval {
    min: Duration,
    max: Duration,
    growth: f64,
}

impl Default for PollInterval {
    /// 2 s after a change, growing by half each quiet poll up to 60 s.
    fn default() -> Self {
        Self {
            min: Duration::from_secs(2),
            max: Duration::from_secs(60),
            growth: 1.5,
        }
    }
}

impl PollInterval {
    /// One interval, never changing.
    pub fn fixed(every: Duration) -> Self {
        Self {
            min: every,
            max: every,
            growth: 1.0,
        }
    }

    /// The wait after a change (and before the second poll).
    pub fn min(mut self, wait: Duration) -> Self {
        self.min = wait;
        self.max = self.max.max(wait);
        self
    }

    /// The longest wait.
    pub fn max(mut self, wait: Duration) -> Self {
        self.max = wait;
        self.min = self.min.min(wait);
        self
    }

    /// How much each quiet poll lengthens the wait, at least 1.
    pub fn growth(mut self, factor: f64) -> Self {
        self.growth = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// `(min, max)`.
    pub fn bounds(&self) -> (Duration, Duration) {
        (self.min, self.max)
    }
}

/// The interval as a watch goes.
#[derive(Clone, Debug)]
pub(crate) struct Pacing {
    bounds: PollInterval,
    next: Duration,
}

impl Pacing {
    pub fn new(bounds: PollInterval) -> Self {
        Self {
            next: bounds.min,
            bounds,
        }
    }

    /// The wait before the next poll.
    pub fn next(&self) -> Duration {
        self.next
    }

    /// After a poll that changed something: back to the shortest wait.
    pub fn changed(&mut self) {
        self.next = self.bounds.min;
    }

    /// After a quiet poll: a longer wait, up to the longest.
    pub fn quiet(&mut self) {
        let grown = self.next.mul_f64(self.bounds.growth);
        self.next = grown.clamp(self.bounds.min, self.bounds.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_while_quiet_and_resets_on_a_change() {
        let mut pacing = Pacing::new(
            PollInterval::default()
                .min(Duration::from_secs(2))
                .max(Duration::from_secs(5)),
        );
        let mut seen = vec![pacing.next()];
        for _ in 0..4 {
            pacing.quiet();
            seen.push(pacing.next());
        }
        let secs: Vec<f64> = seen.iter().map(Duration::as_secs_f64).collect();
        assert_eq!(secs, [2.0, 3.0, 4.5, 5.0, 5.0]);
        pacing.changed();
        assert_eq!(pacing.next(), Duration::from_secs(2));
        let mut fixed = Pacing::new(PollInterval::fixed(Duration::from_millis(10)));
        fixed.quiet();
        assert_eq!(fixed.next(), Duration::from_millis(10));
    }
}
