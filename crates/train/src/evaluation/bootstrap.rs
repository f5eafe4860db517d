//! Percentile bootstrap: how much a metric would move had a different sample of images been
//! drawn, so a report can say how far a figure (or a gap between tone groups) can be trusted.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// 95% percentile-bootstrap interval of `statistic` over `n` items: `resamples` index sets of
/// size `n` drawn with replacement (the same sets for the same `seed`, so reports reproduce),
/// each handed to `statistic`; resamples where it is undefined (None) are skipped. Returns the
/// 2.5th and 97.5th percentiles, or None for no items or when fewer than half the resamples
/// gave a value (the interval would describe a different population).
pub fn bootstrap_ci(
    n: usize,
    resamples: usize,
    seed: u64,
    statistic: impl Fn(&[usize]) -> Option<f64>,
) -> Option<[f64; 2]> {
    if n == 0 {
        return None;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut indices = vec![0usize; n];
    let mut values = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        indices.iter_mut().for_each(|i| *i = rng.random_range(0..n));
        values.extend(statistic(&indices));
    }
    if values.is_empty() || values.len() * 2 < resamples {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some([percentile(&values, 0.025), percentile(&values, 0.975)])
}

/// The `q` quantile of sorted, non-empty `values`, interpolating linearly between neighbours.
pub fn percentile(values: &[f64], q: f64) -> f64 {
    let position = q * (values.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(values.len() - 1);
    let t = position - below as f64;
    values[below] + (values[above] - values[below]) * t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean of a 0/1 vector over the resampled indices.
    fn mean_of(values: &[u8]) -> impl Fn(&[usize]) -> Option<f64> + '_ {
        move |idx| {
            let hits: usize = idx.iter().map(|&i| usize::from(values[i])).sum();
            (!idx.is_empty()).then(|| hits as f64 / idx.len() as f64)
        }
    }

    #[test]
    fn interval_holds_the_estimate_and_narrows_with_more_items() {
        let small: Vec<u8> = (0..40).map(|i| u8::from(i % 4 != 0)).collect();
        let large: Vec<u8> = (0..400).map(|i| u8::from(i % 4 != 0)).collect();
        let [lo, hi] = bootstrap_ci(small.len(), 500, 1, mean_of(&small)).unwrap();
        assert!(lo < 0.75 && 0.75 < hi, "[{lo}, {hi}]");
        let [lo_large, hi_large] = bootstrap_ci(large.len(), 500, 1, mean_of(&large)).unwrap();
        assert!(lo_large < 0.75 && 0.75 < hi_large);
        assert!(hi_large - lo_large < (hi - lo) / 2.0);
    }

    #[test]
    fn same_seed_same_interval() {
        let v: Vec<u8> = (0..30).map(|i| u8::from(i % 3 == 0)).collect();
        assert_eq!(
            bootstrap_ci(v.len(), 200, 9, mean_of(&v)),
            bootstrap_ci(v.len(), 200, 9, mean_of(&v))
        );
    }

    #[test]
    fn undefined_when_empty_or_mostly_undefined() {
        assert_eq!(bootstrap_ci(0, 100, 1, |_| Some(1.0)), None);
        assert_eq!(bootstrap_ci(10, 100, 1, |_| None), None);
        assert_eq!(bootstrap_ci(10, 100, 1, |_| Some(2.0)), Some([2.0, 2.0]));
    }

    #[test]
    fn percentile_interpolates() {
        let v = [0.0, 1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.5), 2.0);
        assert_eq!(percentile(&v, 0.125), 0.5);
        assert_eq!(percentile(&[7.0], 0.975), 7.0);
    }
}
