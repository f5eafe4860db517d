//! Classification metrics over predicted probabilities.

use serde::{Deserialize, Serialize};

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
}
