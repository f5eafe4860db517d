//! Paired differences between two arms on the same images: each bootstrap resample draws one
//! set of images and measures both arms on it, so the interval reflects how the arms differ on
//! a photo, not how much two independent samples would differ.

use serde::Serialize;

use crate::evaluation::{auroc, bootstrap_ci, sensitivity_specificity};

/// One model's malignant scores on an evaluated set, with its own operating point.
#[derive(Debug, Clone)]
pub struct Scored {
    /// Malignant score (summed malignant probability) per image.
    pub malignant: Vec<f32>,
    /// The model's val-chosen threshold.
    pub threshold: f32,
}

/// The figures a paired difference is taken of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// AUROC of the malignant score.
    MalignantAuroc,
    /// Share of malignant images at or above the model's threshold.
    MalignantSensitivity,
}

impl Figure {
    /// Both figures, in table order.
    pub const ALL: [Figure; 2] = [Figure::MalignantAuroc, Figure::MalignantSensitivity];

    /// The figure's name in reports (as in `dermtone eval`'s `ci95` keys).
    pub fn key(self) -> &'static str {
        match self {
            Figure::MalignantAuroc => "malignant_auroc",
            Figure::MalignantSensitivity => "malignant_sensitivity",
        }
    }

    /// The figure of `scored` over the images `idx` (truth per image: malignant or not).
    pub fn of(self, scored: &Scored, truth: &[bool], idx: &[usize]) -> Option<f64> {
        let scores: Vec<f32> = idx.iter().map(|&i| scored.malignant[i]).collect();
        let positives: Vec<bool> = idx.iter().map(|&i| truth[i]).collect();
        match self {
            Figure::MalignantAuroc => auroc(&scores, &positives),
            Figure::MalignantSensitivity => {
                sensitivity_specificity(&scores, &positives, scored.threshold).0
            }
        }
    }
}

/// Mean over seed pairs of (arm − baseline) on a group's images, each pair defined there, with
/// its 95% paired bootstrap interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// Arm − baseline per seed pair, in pair order (None where undefined).
    pub per_seed: Vec<Option<f64>>,
    /// Their mean over the pairs where defined.
    pub mean: Option<f64>,
    /// 95% interval of that mean, resampling `members` (the same draw for every model).
    pub ci95: Option<[f64; 2]>,
}

/// The paired difference of `figure` between each (arm, baseline) pair in `pairs`, over a
/// group's images given as `clusters` (images that share a source photo, e.g. its renderings at
/// several tones; one image each for real photos), in a set whose malignant truth is `truth`.
/// The bootstrap resamples clusters, so correlated renderings do not narrow the interval.
pub fn paired_difference(
    pairs: &[(&Scored, &Scored)],
    truth: &[bool],
    clusters: &[Vec<usize>],
    figure: Figure,
    (resamples, seed): (usize, u64),
) -> Difference {
    let mean_difference = |idx: &[usize]| {
        let differences: Vec<f64> = pairs
            .iter()
            .filter_map(|(arm, base)| {
                Some(figure.of(arm, truth, idx)? - figure.of(base, truth, idx)?)
            })
            .collect();
        (!differences.is_empty())
            .then(|| differences.iter().sum::<f64>() / differences.len() as f64)
    };
    let members: Vec<usize> = clusters.iter().flatten().copied().collect();
    let per_seed = pairs
        .iter()
        .map(|(arm, base)| {
            Some(figure.of(arm, truth, &members)? - figure.of(base, truth, &members)?)
        })
        .collect();
    let ci95 = bootstrap_ci(clusters.len(), resamples, seed, |picks| {
        let idx: Vec<usize> = picks
            .iter()
            .flat_map(|&p| clusters[p].iter().copied())
            .collect();
        mean_difference(&idx)
    });
    Difference {
        per_seed,
        mean: mean_difference(&members),
        ci95,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(malignant: &[f32], threshold: f32) -> Scored {
        Scored {
            malignant: malignant.to_vec(),
            threshold,
        }
    }

    #[test]
    fn a_model_against_itself_differs_by_nothing() {
        let truth = [true, false, true, false, true, false];
        let model = scored(&[0.9, 0.2, 0.4, 0.6, 0.7, 0.1], 0.5);
        let members: Vec<Vec<usize>> = (0..truth.len()).map(|i| vec![i]).collect();
        let same = paired_difference(
            &[(&model, &model)],
            &truth,
            &members,
            Figure::MalignantAuroc,
            (200, 1),
        );
        assert_eq!(same.mean, Some(0.0));
        assert_eq!(same.ci95, Some([0.0, 0.0]));
    }

    #[test]
    fn a_better_ranking_shows_a_positive_difference_and_only_members_count() {
        let truth = [true, false, true, false, true, false, true];
        let base = scored(&[0.4, 0.6, 0.3, 0.5, 0.8, 0.2, 0.0], 0.5);
        let arm = scored(&[0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.0], 0.5);
        let members: Vec<Vec<usize>> = (0..6).map(|i| vec![i]).collect();
        let auroc = paired_difference(
            &[(&arm, &base), (&arm, &base)],
            &truth,
            &members,
            Figure::MalignantAuroc,
            (300, 2),
        );
        // Base ranks 5 of 9 malignant-benign pairs right (AUROC 5/9), the arm all 9.
        let expected = 1.0 - 5.0 / 9.0;
        assert!((auroc.mean.unwrap() - expected).abs() < 1e-9);
        assert_eq!(auroc.per_seed.len(), 2);
        let [lo, hi] = auroc.ci95.unwrap();
        assert!(
            lo <= expected && expected <= hi && lo >= 0.0,
            "[{lo}, {hi}]"
        );
        let sensitivity = paired_difference(
            &[(&arm, &base)],
            &truth,
            &members,
            Figure::MalignantSensitivity,
            (300, 2),
        );
        // Flagged at 0.5: the arm 3 of 3 malignant, the base 1 of 3.
        assert!((sensitivity.mean.unwrap() - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn renderings_of_one_photo_resample_together() {
        // Three photos, each rendered four times: as wide an interval as the three photos
        // alone, not the narrower one of twelve independent images.
        let truth: Vec<bool> = (0..12).map(|i| i / 4 != 1).collect();
        let base = scored(&[0.6; 12], 0.5);
        let arm = scored(
            &(0..12)
                .map(|i| if i / 4 == 0 { 0.9 } else { 0.2 })
                .collect::<Vec<_>>(),
            0.5,
        );
        let photos: Vec<Vec<usize>> = (0..3).map(|p| (4 * p..4 * p + 4).collect()).collect();
        let singles: Vec<Vec<usize>> = (0..12).map(|i| vec![i]).collect();
        let figure = Figure::MalignantSensitivity;
        let clustered = paired_difference(&[(&arm, &base)], &truth, &photos, figure, (400, 3));
        let independent = paired_difference(&[(&arm, &base)], &truth, &singles, figure, (400, 3));
        assert_eq!(clustered.mean, independent.mean);
        let width = |d: &Difference| d.ci95.map(|[lo, hi]| hi - lo).unwrap();
        assert!(
            width(&clustered) > width(&independent),
            "{clustered:?} {independent:?}"
        );
    }
}
