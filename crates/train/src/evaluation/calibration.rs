//! Whether the top-label probability can be taken at its word: reliability bins, the expected
//! calibration error over them, and temperature scaling (one divisor of the logits, fitted on
//! the validation split) to repair an over- or under-confident network.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::evaluation::metrics::argmax;

/// Bins for the expected calibration error wherever it is reported, so figures compare.
pub const ECE_BINS: usize = 15;

/// The temperature search range: from sharpening twenty-fold to flattening twenty-fold.
const TEMPERATURE_RANGE: (f32, f32) = (0.05, 20.0);
/// Golden-section steps; each shrinks the interval of ln T by 0.618, far below f32 precision.
const SEARCH_STEPS: usize = 60;

/// One confidence bin of a reliability diagram: how sure the model said it was (mean top-label
/// probability) against how often it was right.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// Lowest top-label probability in the bin.
    pub lower: f64,
    /// Highest top-label probability in the bin (exclusive except for the last bin).
    pub upper: f64,
    /// Images in the bin.
    pub n: usize,
    /// Mean top-label probability of those images (0 when empty).
    pub confidence: f64,
    /// Share of those images whose top label is right (0 when empty).
    pub accuracy: f64,
}

/// Images binned by top-label probability into `bins` equal-width bins over [0, 1]; empty bins
/// are kept so diagrams of different models line up.
pub fn reliability_bins(
    probabilities: &[Vec<f32>],
    labels: &[usize],
    bins: usize,
) -> Vec<ReliabilityBin> {
    bin_outcomes(&top_label_outcomes(probabilities, labels), bins)
}

/// Expected calibration error: the image-weighted mean gap between accuracy and confidence over
/// the reliability bins, in probability units. 0 for no images.
pub fn expected_calibration_error(
    probabilities: &[Vec<f32>],
    labels: &[usize],
    bins: usize,
) -> f64 {
    calibration_error(&reliability_bins(probabilities, labels, bins))
}

/// Label draws behind each [`chance_ece`] in a report. On 40 photos a draw's ECE spreads with a
/// standard deviation of about 0.04 (`ece_floor_on_val`: 95 % of draws in [0.10, 0.26]), so the
/// mean of 200 has a standard error of about 0.003; more on smaller groups.
pub const CHANCE_DRAWS: usize = 200;

/// The expected calibration error a **perfectly calibrated** model would still show on these
/// images: each image's top label is right with exactly its top-label probability, drawn
/// `draws` times (seeded, so reports reproduce), and the ECE over [`ECE_BINS`] bins averaged.
/// ECE is biased upward on few images (for the photo model about 0.08 on 220 photos and 0.17 on
/// 40), so a measured ECE near this figure is what chance alone gives. 0 for no images.
pub fn chance_ece(probabilities: &[Vec<f32>], draws: usize, seed: u64) -> f64 {
    if probabilities.is_empty() || draws == 0 {
        return 0.0;
    }
    let confidences: Vec<f64> = probabilities
        .iter()
        .map(|p| f64::from(p.iter().copied().fold(0.0, f32::max)))
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let total: f64 = (0..draws)
        .map(|_| {
            let outcomes: Vec<(f64, bool)> = confidences
                .iter()
                .map(|&c| (c, rng.random::<f64>() < c))
                .collect();
            calibration_error(&bin_outcomes(&outcomes, ECE_BINS))
        })
        .sum();
    total / draws as f64
}

/// Softmax of `logits / temperature`, shifted by the maximum so large logits cannot overflow;
/// how a fitted temperature is applied. `temperature` must be positive.
pub fn softmax_with_temperature(logits: &[f32], temperature: f32) -> Vec<f32> {
    let scaled: Vec<f64> = logits
        .iter()
        .map(|&z| f64::from(z) / f64::from(temperature))
        .collect();
    let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = scaled.iter().map(|z| (z - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| (e / sum) as f32).collect()
}

/// The temperature in [0.05, 20] that minimises the mean negative log-likelihood of `labels`,
/// found by golden-section search on ln T. Fitted on the validation split, it calibrates the
/// network's confidence without changing any prediction. 1.0 (no change) for no images.
pub fn fit_temperature(logits: &[Vec<f32>], labels: &[usize]) -> f32 {
    if logits.is_empty() || labels.is_empty() {
        return 1.0;
    }
    let nll = |ln_t: f64| mean_nll(logits, labels, ln_t.exp());
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = (
        f64::from(TEMPERATURE_RANGE.0).ln(),
        f64::from(TEMPERATURE_RANGE.1).ln(),
    );
    let mut a = hi - ratio * (hi - lo);
    let mut b = lo + ratio * (hi - lo);
    let (mut fa, mut fb) = (nll(a), nll(b));
    for _ in 0..SEARCH_STEPS {
        if fa <= fb {
            hi = b;
            (b, fb) = (a, fa);
            a = hi - ratio * (hi - lo);
            fa = nll(a);
        } else {
            lo = a;
            (a, fa) = (b, fb);
            b = lo + ratio * (hi - lo);
            fb = nll(b);
        }
    }
    ((lo + hi) / 2.0).exp() as f32
}

/// (top-label probability, whether the top label is right) per image.
pub(super) fn top_label_outcomes(probabilities: &[Vec<f32>], labels: &[usize]) -> Vec<(f64, bool)> {
    probabilities
        .iter()
        .zip(labels)
        .map(|(p, &label)| {
            let top = argmax(p);
            let confidence = p.get(top).map_or(0.0, |&c| f64::from(c));
            (confidence, top == label)
        })
        .collect()
}

/// Outcomes binned by confidence (clamped to [0, 1]; 1.0 falls in the last bin).
pub(super) fn bin_outcomes(outcomes: &[(f64, bool)], bins: usize) -> Vec<ReliabilityBin> {
    let mut sums = vec![(0usize, 0.0f64, 0usize); bins];
    for &(confidence, correct) in outcomes {
        let Some(last) = bins.checked_sub(1) else {
            break;
        };
        let confidence = if confidence.is_nan() {
            0.0
        } else {
            confidence.clamp(0.0, 1.0)
        };
        let bin = ((confidence * bins as f64) as usize).min(last);
        sums[bin].0 += 1;
        sums[bin].1 += confidence;
        sums[bin].2 += usize::from(correct);
    }
    sums.iter()
        .enumerate()
        .map(|(b, &(n, confidence, correct))| {
            let mean = |total: f64| if n == 0 { 0.0 } else { total / n as f64 };
            ReliabilityBin {
                lower: b as f64 / bins as f64,
                upper: (b + 1) as f64 / bins as f64,
                n,
                confidence: mean(confidence),
                accuracy: mean(correct as f64),
            }
        })
        .collect()
}

/// Σ n_b / N · |accuracy_b − confidence_b| over the bins; 0 when they hold no images.
pub(super) fn calibration_error(bins: &[ReliabilityBin]) -> f64 {
    let total: usize = bins.iter().map(|b| b.n).sum();
    if total == 0 {
        return 0.0;
    }
    bins.iter()
        .map(|b| b.n as f64 / total as f64 * (b.accuracy - b.confidence).abs())
        .sum()
}

/// Mean −ln softmax(z / t)[label], with log-sum-exp for stability; rows whose label has no
/// logit are skipped.
fn mean_nll(logits: &[Vec<f32>], labels: &[usize], t: f64) -> f64 {
    let (mut total, mut n) = (0.0, 0usize);
    for (z, &label) in logits.iter().zip(labels) {
        let Some(&target) = z.get(label) else {
            continue;
        };
        let max = z
            .iter()
            .map(|&v| f64::from(v) / t)
            .fold(f64::NEG_INFINITY, f64::max);
        let log_sum = z
            .iter()
            .map(|&v| (f64::from(v) / t - max).exp())
            .sum::<f64>()
            .ln()
            + max;
        total += log_sum - f64::from(target) / t;
        n += 1;
    }
    if n == 0 { 0.0 } else { total / n as f64 }
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;

    #[test]
    fn bins_cover_zero_to_one_and_keep_empty_ones() {
        let probs = vec![vec![1.0, 0.0], vec![0.55, 0.45], vec![0.3, 0.7]];
        let bins = reliability_bins(&probs, &[0, 1, 1], 4);
        assert_eq!(bins.len(), 4);
        assert_eq!((bins[0].lower, bins[3].upper), (0.0, 1.0));
        assert_eq!(bins.iter().map(|b| b.n).collect::<Vec<_>>(), [0, 0, 2, 1]);
        assert_eq!(bins[3].accuracy, 1.0);
        assert!((bins[2].confidence - 0.625).abs() < 1e-6);
        assert_eq!(bins[2].accuracy, 0.5);
        assert!(reliability_bins(&probs, &[0, 1, 1], 0).is_empty());
    }

    #[test]
    fn ece_is_zero_when_calibrated_and_large_when_overconfident() {
        // Confidence 0.8 and right four times in five; confidence 0.6 and right three in five.
        let mut probs = vec![vec![0.8, 0.2]; 5];
        probs.extend(vec![vec![0.6, 0.4]; 5]);
        let labels = [0, 0, 0, 0, 1, 0, 0, 0, 1, 1];
        assert!(expected_calibration_error(&probs, &labels, ECE_BINS) < 1e-6);
        // Confidence 0.99, right half the time.
        let probs = vec![vec![0.99, 0.01]; 10];
        let labels = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
        assert!((expected_calibration_error(&probs, &labels, ECE_BINS) - 0.49).abs() < 1e-6);
        assert_eq!(expected_calibration_error(&[], &[], ECE_BINS), 0.0);
    }

    #[test]
    fn chance_ece_is_the_bias_of_few_images_and_shrinks_with_more() {
        // One image at 0.5 is right or wrong, never half right: its ECE is always 0.5.
        assert!((chance_ece(&[vec![0.5, 0.5]], 50, 1) - 0.5).abs() < 1e-12);
        // A sure model is right every time it is calibrated: nothing to see by chance.
        assert_eq!(chance_ece(&vec![vec![1.0, 0.0]; 20], 50, 1), 0.0);
        // n images at 0.7: E|share right − 0.7| ≈ √(0.21 / n) · √(2/π), 0.067 at 30, 0.012 at 1000.
        let few = chance_ece(&vec![vec![0.7, 0.3]; 30], CHANCE_DRAWS, 1);
        let many = chance_ece(&vec![vec![0.7, 0.3]; 1000], CHANCE_DRAWS, 1);
        assert!((0.05..0.085).contains(&few), "30 images: {few}");
        assert!((0.008..0.016).contains(&many), "1000 images: {many}");
        assert_eq!(chance_ece(&[], 50, 1), 0.0);
    }

    #[test]
    fn softmax_is_stable_and_flattened_by_temperature() {
        let p = softmax_with_temperature(&[1000.0, 1000.0, -1000.0], 1.0);
        assert_eq!(p, vec![0.5, 0.5, 0.0]);
        let sharp = softmax_with_temperature(&[2.0, 0.0], 1.0);
        let flat = softmax_with_temperature(&[2.0, 0.0], 2.0);
        assert!(sharp[0] > flat[0] && flat[0] > 0.5);
        assert!((flat.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(softmax_with_temperature(&[], 1.0).is_empty());
    }

    #[test]
    fn fit_temperature_recovers_a_doubled_scale() {
        let mut rng = StdRng::seed_from_u64(7);
        let (mut logits, mut labels) = (Vec::new(), Vec::new());
        for _ in 0..2000 {
            let z: Vec<f32> = (0..7).map(|_| rng.random_range(-3.0..3.0)).collect();
            let p = softmax_with_temperature(&z, 1.0);
            let u: f32 = rng.random_range(0.0..1.0);
            let mut cumulative = 0.0;
            let label = p
                .iter()
                .position(|&q| {
                    cumulative += q;
                    u < cumulative
                })
                .unwrap_or(6);
            logits.push(z.iter().map(|v| 2.0 * v).collect());
            labels.push(label);
        }
        let t = fit_temperature(&logits, &labels);
        assert!((1.6..2.4).contains(&t), "fitted {t}");
        assert_eq!(fit_temperature(&[], &[]), 1.0);
    }
}
