//! Classification metrics over predicted probabilities.

use serde::{Deserialize, Serialize};

use super::curves::auroc;

/// Accuracy, balanced accuracy and per-class recall of argmax predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationMetrics {
    /// Number of images.
    pub n: usize,
    /// Fraction of images whose top class is right.
    pub accuracy: f64,
    /// Mean recall over classes present in the labels.
    pub balanced_accuracy: f64,
    /// Recall per class (None where the class has no images).
    pub recall: Vec<Option<f64>>,
    /// Images per class.
    pub support: Vec<usize>,
    /// `confusion[true][predicted]` counts.
    pub confusion: Vec<Vec<usize>>,
}

pub use dermtone_engine::argmax;

/// Metrics for `probabilities` (one row per image) against `labels`.
pub fn classification_metrics(
    probabilities: &[Vec<f32>],
    labels: &[usize],
    classes: usize,
) -> ClassificationMetrics {
    let mut confusion = vec![vec![0usize; classes]; classes];
    for (p, &label) in probabilities.iter().zip(labels) {
        confusion[label][argmax(p)] += 1;
    }
    let support: Vec<usize> = confusion.iter().map(|row| row.iter().sum()).collect();
    let recall: Vec<Option<f64>> = (0..classes)
        .map(|c| (support[c] > 0).then(|| confusion[c][c] as f64 / support[c] as f64))
        .collect();
    let present: Vec<f64> = recall.iter().flatten().copied().collect();
    let correct: usize = (0..classes).map(|c| confusion[c][c]).sum();
    let n = labels.len();
    ClassificationMetrics {
        n,
        accuracy: if n == 0 {
            0.0
        } else {
            correct as f64 / n as f64
        },
        balanced_accuracy: if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        },
        recall,
        support,
        confusion,
    }
}

/// Mean one-against-rest AUROC over the `classes` present among `rows` with both outcomes, so a
/// paired comparison or a bootstrap resample can ask for it over any subset of images. None
/// where no class has both.
pub fn macro_auroc(
    probabilities: &[Vec<f32>],
    labels: &[usize],
    rows: &[usize],
    classes: usize,
) -> Option<f64> {
    let aurocs: Vec<f64> = (0..classes)
        .filter_map(|c| {
            let (scores, truth) = one_vs_rest(probabilities, labels, c, rows);
            auroc(&scores, &truth)
        })
        .collect();
    (!aurocs.is_empty()).then(|| aurocs.iter().sum::<f64>() / aurocs.len() as f64)
}

/// Class `c`'s probability and whether the image is of class `c`, over `rows`.
pub(crate) fn one_vs_rest(
    probabilities: &[Vec<f32>],
    labels: &[usize],
    c: usize,
    rows: &[usize],
) -> (Vec<f32>, Vec<bool>) {
    rows.iter()
        .map(|&i| {
            let p = probabilities[i].get(c).copied().unwrap_or(0.0);
            (p, labels[i] == c)
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_accuracy_weights_classes_equally() {
        let probs = vec![
            vec![0.9, 0.1],
            vec![0.8, 0.2],
            vec![0.7, 0.3],
            vec![0.6, 0.4],
        ];
        let m = classification_metrics(&probs, &[0, 0, 0, 1], 2);
        assert_eq!(m.accuracy, 0.75);
        assert_eq!(m.balanced_accuracy, 0.5);
        assert_eq!(m.recall, vec![Some(1.0), Some(0.0)]);
        assert_eq!(m.confusion, vec![vec![3, 0], vec![1, 0]]);
    }

    #[test]
    fn macro_auroc_averages_the_classes_with_both_outcomes_among_the_rows() {
        let probs = vec![
            vec![0.8, 0.1, 0.1],
            vec![0.2, 0.7, 0.1],
            vec![0.3, 0.2, 0.5],
            vec![0.1, 0.6, 0.3],
        ];
        let labels = [0, 1, 2, 0];
        // Class 0: its positives score 0.8 and 0.1, its negatives 0.2 and 0.3 (2 of 4 pairs
        // right); classes 1 and 2 rank their one positive first.
        let all = macro_auroc(&probs, &labels, &[0, 1, 2, 3], 3).unwrap();
        assert!((all - (0.5 + 1.0 + 1.0) / 3.0).abs() < 1e-12, "{all}");
        // Rows 0 and 1 hold classes 0 and 1 only, each ranked right; class 2 has no positive.
        assert_eq!(macro_auroc(&probs, &labels, &[0, 1], 3), Some(1.0));
        assert_eq!(macro_auroc(&probs, &labels, &[0], 3), None);
    }
}
