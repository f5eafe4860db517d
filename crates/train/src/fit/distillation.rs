//! Knowledge distillation (Hinton et al., 2015): each training image's target mixes its label
//! with what a teacher — several trained models, their calibrated probabilities averaged — says
//! of it. An ensemble can score better on val than any one member while the shipped student
//! keeps one network's size and speed; soft targets are the usual way to pass some of that gain
//! on (in a warm restart of the photo model they passed none: run D1 in
//! `models/experiments.md`).
//!
//! The teacher's probabilities are computed once per training image, on the whole photo, before
//! training ("offline"), so a step costs what it cost without; the augmented crop a step sees is
//! given the whole photo's soft target.

/// Per training image, the teacher's probabilities, and how much they weigh against the label.
pub struct Teacher {
    probabilities: Vec<Vec<f32>>,
    weight: f32,
}

impl Teacher {
    /// A teacher of one probability row per training image (in the train split's order), each
    /// summing to 1, mixed into the targets with `weight` in (0, 1] (1: the label is ignored).
    pub fn new(probabilities: Vec<Vec<f32>>, weight: f32) -> Result<Self, String> {
        if !(weight > 0.0 && weight <= 1.0) {
            return Err(format!("distillation weight {weight} is not in (0, 1]"));
        }
        let classes = probabilities.first().map_or(0, Vec::len);
        if classes == 0 {
            return Err("the teacher has no probabilities".into());
        }
        for row in &probabilities {
            let total: f32 = row.iter().sum();
            let outside = row.iter().any(|p| !(0.0..=1.0).contains(p));
            if row.len() != classes || outside || (total - 1.0).abs() >= 1e-3 {
                return Err(format!(
                    "a teacher row of {} values sums to {total}, not a distribution over {classes} classes",
                    row.len()
                ));
            }
        }
        Ok(Self {
            probabilities,
            weight,
        })
    }

    /// Training images it has probabilities for.
    pub fn images(&self) -> usize {
        self.probabilities.len()
    }

    /// Targets of the training images `indices` with `labels` and their one-hot `hard` rows
    /// (already smoothed, `classes` values each): `(1 − w) · hard + w · teacher`, the teacher's
    /// row scaled by the label's class weight as the hard row already is.
    pub(super) fn mix(
        &self,
        indices: &[usize],
        labels: &[usize],
        hard: &[f32],
        classes: usize,
        class_weights: &[f32],
    ) -> Vec<f32> {
        indices
            .iter()
            .zip(labels)
            .enumerate()
            .flat_map(|(row, (&image, &label))| {
                let teacher = &self.probabilities[image];
                (0..classes).map(move |c| {
                    (1.0 - self.weight) * hard[row * classes + c]
                        + self.weight * teacher[c] * class_weights[label]
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_mix_the_label_with_the_teacher() {
        let teacher = Teacher::new(vec![vec![0.5, 0.5], vec![0.9, 0.1]], 0.25).unwrap();
        let hard = [0.0, 1.0, 0.0, 2.0];
        let t = teacher.mix(&[1, 0], &[1, 1], &hard, 2, &[1.0, 2.0]);
        // Image 1 (teacher 0.9 / 0.1) has label 1, whose class weight is 2.
        assert!((t[0] - 0.25 * 0.9 * 2.0).abs() < 1e-6);
        assert!((t[1] - (0.75 + 0.25 * 0.1 * 2.0)).abs() < 1e-6);
        // Image 0 (teacher 0.5 / 0.5), weighted alike, sums to its class weight.
        assert!((t[2] + t[3] - 2.0).abs() < 1e-6);
    }

    #[test]
    fn a_teacher_must_hold_distributions_and_a_weight_in_range() {
        assert!(Teacher::new(vec![vec![0.5, 0.5]], 0.0).is_err());
        assert!(Teacher::new(vec![vec![0.5, 0.5]], 1.5).is_err());
        assert!(Teacher::new(vec![vec![0.5, 0.6]], 0.5).is_err());
        assert!(Teacher::new(vec![vec![0.5, 0.5], vec![1.0]], 0.5).is_err());
        assert!(Teacher::new(vec![vec![f32::NAN, 1.0]], 0.5).is_err());
        assert!(Teacher::new(Vec::new(), 0.5).is_err());
        assert_eq!(Teacher::new(vec![vec![1.0, 0.0]], 1.0).unwrap().images(), 1);
    }
}
