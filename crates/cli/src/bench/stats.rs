//! Summaries of one stage's timings.

use serde::Serialize;

/// Median, 90th percentile and minimum of a stage's timed runs, in milliseconds. The median is
/// the headline (robust to the odd slow run); p90 shows the tail a user sometimes waits for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub median_ms: f64,
    pub p90_ms: f64,
    pub min_ms: f64,
}

impl Summary {
    /// Summarises `samples` (at least one). The median of an even count is the mean of the two
    /// middle runs; p90 is the nearest-rank percentile, so it is always a measured run and never
    /// below the median.
    pub fn of(mut samples: Vec<f64>) -> Self {
        assert!(!samples.is_empty(), "a stage is timed at least once");
        samples.sort_by(f64::total_cmp);
        let n = samples.len();
        let median = if n % 2 == 1 {
            samples[n / 2]
        } else {
            (samples[n / 2 - 1] + samples[n / 2]) / 2.0
        };
        let p90 = samples[(9 * n).div_ceil(10) - 1];
        Self {
            median_ms: median,
            p90_ms: p90,
            min_ms: samples[0],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_runs_in_any_order() {
        let samples = vec![7.0, 3.0, 10.0, 1.0, 5.0, 9.0, 2.0, 8.0, 4.0, 6.0];
        let summary = Summary::of(samples);
        assert_eq!(summary.median_ms, 5.5);
        assert_eq!(summary.p90_ms, 9.0);
        assert_eq!(summary.min_ms, 1.0);
    }

    #[test]
    fn one_run_is_its_own_summary() {
        let summary = Summary::of(vec![2.5]);
        assert_eq!(
            (summary.median_ms, summary.p90_ms, summary.min_ms),
            (2.5, 2.5, 2.5)
        );
    }

    #[test]
    fn two_runs_put_p90_on_the_slower() {
        let summary = Summary::of(vec![4.0, 2.0]);
        assert_eq!(
            (summary.median_ms, summary.p90_ms, summary.min_ms),
            (3.0, 4.0, 2.0)
        );
    }
}
