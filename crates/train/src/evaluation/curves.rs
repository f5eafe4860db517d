//! One binary score against binary truth: the threshold-free view (AUROC, the ROC curve) and
//! the view at an operating point (sensitivity, specificity, and the threshold that reaches a
//! sensitivity target). Scores and truth are paired by position; extra items of the longer
//! slice are ignored.

use std::cmp::Ordering;

/// Area under the ROC curve, as the Mann–Whitney probability that a random positive outscores a
/// random negative (ties count half, through average ranks). It needs no threshold, so it
/// compares models before an operating point is chosen. None without positives or negatives.
pub fn auroc(scores: &[f32], positives: &[bool]) -> Option<f64> {
    let mut pairs: Vec<(f32, bool)> = scores
        .iter()
        .copied()
        .zip(positives.iter().copied())
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (p, n) = counts(&pairs);
    if p == 0 || n == 0 {
        return None;
    }
    let mut positive_ranks = 0.0;
    let mut start = 0;
    for group in tie_groups(&pairs) {
        // Ranks start + 1 ..= start + len share their average.
        let rank = start as f64 + (group.len() as f64 + 1.0) / 2.0;
        positive_ranks += rank * group.iter().filter(|x| x.1).count() as f64;
        start += group.len();
    }
    let (p, n) = (p as f64, n as f64);
    Some((positive_ranks - p * (p + 1.0) / 2.0) / (p * n))
}

/// The ROC curve as (false-positive rate, true-positive rate) points from (0, 0) to (1, 1), one
/// per distinct score, so a chart shows every trade-off a threshold can make. Tied scores move
/// together (a diagonal step). Empty without positives or negatives, where a rate is undefined.
pub fn roc_curve(scores: &[f32], positives: &[bool]) -> Vec<(f64, f64)> {
    let mut pairs: Vec<(f32, bool)> = scores
        .iter()
        .copied()
        .zip(positives.iter().copied())
        .collect();
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (p, n) = counts(&pairs);
    if p == 0 || n == 0 {
        return Vec::new();
    }
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut curve = vec![(0.0, 0.0)];
    for group in tie_groups(&pairs) {
        let hits = group.iter().filter(|x| x.1).count();
        tp += hits;
        fp += group.len() - hits;
        curve.push((fp as f64 / n as f64, tp as f64 / p as f64));
    }
    curve
}

/// Sensitivity (share of positives caught) and specificity (share of negatives cleared) when a
/// score at or above `threshold` counts as positive: the two numbers an operating point is
/// judged by. Each is None where its group is empty.
pub fn sensitivity_specificity(
    scores: &[f32],
    positives: &[bool],
    threshold: f32,
) -> (Option<f64>, Option<f64>) {
    let (mut tp, mut p, mut tn, mut n) = (0usize, 0usize, 0usize, 0usize);
    for (&score, &positive) in scores.iter().zip(positives) {
        let flagged = score >= threshold;
        if positive {
            p += 1;
            tp += usize::from(flagged);
        } else {
            n += 1;
            tn += usize::from(!flagged);
        }
    }
    (ratio(tp, p), ratio(tn, n))
}

/// The highest threshold whose sensitivity (share of positives scoring at or above it) is at
/// least `target`: the most specific operating point that still meets a screening target.
/// A `target` of 0 or below asks for the top positive score. None without positives or for a
/// target above 1, which no threshold reaches.
pub fn threshold_for_sensitivity(scores: &[f32], positives: &[bool], target: f64) -> Option<f32> {
    let mut caught: Vec<f32> = scores
        .iter()
        .zip(positives)
        .filter(|(_, positive)| **positive)
        .map(|(score, _)| *score)
        .collect();
    let p = caught.len();
    if p == 0 || target > 1.0 || target.is_nan() {
        return None;
    }
    caught.sort_by(|a, b| b.total_cmp(a));
    // The fewest positives k with k / p >= target, found with the same division the definition
    // uses so rounding cannot shift it; the k-th highest positive score is then the threshold.
    let mut k = ((target * p as f64).ceil() as usize).clamp(1, p);
    while k > 1 && (k - 1) as f64 / p as f64 >= target {
        k -= 1;
    }
    while k < p && (k as f64 / p as f64) < target {
        k += 1;
    }
    Some(caught[k - 1])
}

/// Positives and negatives among the pairs.
fn counts(pairs: &[(f32, bool)]) -> (usize, usize) {
    let p = pairs.iter().filter(|x| x.1).count();
    (p, pairs.len() - p)
}

/// Runs of equal scores in sorted pairs.
fn tie_groups(pairs: &[(f32, bool)]) -> impl Iterator<Item = &[(f32, bool)]> {
    pairs.chunk_by(|a, b| a.0.total_cmp(&b.0) == Ordering::Equal)
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUTH: [bool; 4] = [false, false, true, true];

    #[test]
    fn auroc_is_one_for_perfect_zero_for_inverted_and_half_for_ties() {
        assert_eq!(auroc(&[0.1, 0.2, 0.8, 0.9], &TRUTH), Some(1.0));
        assert_eq!(auroc(&[0.9, 0.8, 0.2, 0.1], &TRUTH), Some(0.0));
        assert_eq!(auroc(&[0.5; 4], &TRUTH), Some(0.5));
    }

    #[test]
    fn auroc_matches_a_hand_count_of_pairs() {
        // Positives 0.8 and 0.4; negatives 0.6, 0.4 and 0.1. Of the six pairs the positive wins
        // 3 (0.8) + 1 (0.4 > 0.1) and ties 1 (0.4 = 0.4): (4 + 0.5) / 6.
        let scores = [0.8, 0.6, 0.4, 0.4, 0.1];
        let truth = [true, false, true, false, false];
        assert_eq!(auroc(&scores, &truth), Some(4.5 / 6.0));
    }

    #[test]
    fn auroc_and_roc_need_both_groups() {
        assert_eq!(auroc(&[0.1, 0.2], &[true, true]), None);
        assert_eq!(auroc(&[], &[]), None);
        assert!(roc_curve(&[0.1, 0.2], &[false, false]).is_empty());
    }

    #[test]
    fn roc_curve_steps_once_per_distinct_score() {
        let scores = [0.8, 0.6, 0.4, 0.4, 0.1];
        let truth = [true, false, true, false, false];
        assert_eq!(
            roc_curve(&scores, &truth),
            vec![
                (0.0, 0.0),
                (0.0, 0.5),
                (1.0 / 3.0, 0.5),
                (2.0 / 3.0, 1.0),
                (1.0, 1.0)
            ]
        );
    }

    #[test]
    fn sensitivity_and_specificity_count_ties_as_positive() {
        let (sens, spec) = sensitivity_specificity(&[0.1, 0.5, 0.5, 0.9], &TRUTH, 0.5);
        assert_eq!((sens, spec), (Some(1.0), Some(0.5)));
        assert_eq!(sensitivity_specificity(&[], &[], 0.5), (None, None));
    }

    #[test]
    fn threshold_meets_the_target_and_is_the_highest_that_does() {
        let scores = [0.95, 0.9, 0.7, 0.7, 0.6, 0.3, 0.2, 0.5, 0.4, 0.1];
        let truth = [
            true, true, true, true, true, true, true, false, false, false,
        ];
        for target in [0.1, 0.5, 0.8, 0.85, 0.95, 1.0] {
            let t = threshold_for_sensitivity(&scores, &truth, target).unwrap();
            let sens = sensitivity_specificity(&scores, &truth, t).0.unwrap();
            assert!(sens >= target, "target {target}: {sens} at {t}");
            let above = f32::from_bits(t.to_bits() + 1);
            let higher = sensitivity_specificity(&scores, &truth, above).0.unwrap();
            assert!(higher < target, "target {target}: {above} also reaches it");
        }
        assert_eq!(threshold_for_sensitivity(&scores, &truth, 0.7), Some(0.6));
        assert_eq!(threshold_for_sensitivity(&scores, &truth, 0.8), Some(0.3));
        assert_eq!(threshold_for_sensitivity(&scores, &truth, 1.5), None);
        assert_eq!(threshold_for_sensitivity(&[0.3], &[false], 0.9), None);
    }
}
