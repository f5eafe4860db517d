//! What the loss compares the network's output with: one-hot labels (optionally smoothed) or
//! ordinal soft targets, each scaled by the label's class weight.

/// What the loss compares the network's output with.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Targets {
    /// One-hot labels: plain (weighted) cross-entropy.
    Hard,
    /// Ordered classes (e.g. Fitzpatrick types): a Gaussian of width `sigma` classes around the
    /// label, so predicting a neighbour costs less than predicting a distant class.
    Ordinal { sigma: f32 },
}

/// One-hot targets with `smoothing` spread over all classes, scaled by the label's class
/// weight (what burn's weighted, smoothed cross-entropy compares with).
pub(super) fn smoothed_targets(
    labels: &[usize],
    classes: usize,
    smoothing: f32,
    weights: &[f32],
) -> Vec<f32> {
    labels
        .iter()
        .flat_map(|&label| {
            (0..classes).map(move |c| {
                let hot = if c == label { 1.0 - smoothing } else { 0.0 };
                (hot + smoothing / classes as f32) * weights[label]
            })
        })
        .collect()
}

/// Soft targets: a Gaussian over classes around each label, scaled by the label's class weight.
pub(super) fn ordinal_targets(
    labels: &[usize],
    classes: usize,
    sigma: f32,
    weights: &[f32],
) -> Vec<f32> {
    labels
        .iter()
        .flat_map(|&label| {
            let raw: Vec<f32> = (0..classes)
                .map(|c| (-((c as f32 - label as f32) / sigma).powi(2) / 2.0).exp())
                .collect();
            let total: f32 = raw.iter().sum();
            raw.into_iter().map(move |v| v / total * weights[label])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothed_targets_sum_to_the_class_weight() {
        let t = smoothed_targets(&[1], 4, 0.2, &[1.0, 2.0, 1.0, 1.0]);
        assert!((t.iter().sum::<f32>() - 2.0).abs() < 1e-6);
        assert!((t[1] - 1.7).abs() < 1e-6 && (t[0] - 0.1).abs() < 1e-6);
    }

    #[test]
    fn ordinal_targets_peak_at_the_label_and_fall_off() {
        let t = ordinal_targets(&[2], 6, 0.75, &[1.0; 6]);
        assert!((t.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(t[2] > t[1] && t[1] > t[0]);
        assert!((t[1] - t[3]).abs() < 1e-6);
        assert!(t[5] < 0.01);
    }
}
