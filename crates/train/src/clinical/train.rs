//! Training the photo (clinical) classifier on the Fitzpatrick17k subset: 12 condition groups
//! (see [`crate::clinical::taxonomy`]) whose malignant groups sum to the triage score. The
//! fairness-aware options — tone-balanced sampling, melanin re-toning, a group-robust loss —
//! are off by default, so each one is measured on val per Fitzpatrick group before it is kept.

use dermtone_engine::InputSpec;
use dermtone_net::ClassifierConfig;

use crate::clinical::dark_synthesis::{Synthesis, synthesize};
pub use crate::clinical::options::ClinicalTrainOptions;
use crate::clinical::shared_body::SharedBody;
pub use crate::clinical::split::{ClinicalSplit, load_clinical_split};
use crate::clinical::starting_point::{
    dermoscopy_body, shipped_photo_record, shipped_to_fine_tune,
};
use crate::clinical::taxonomy::{GROUPS, malignant_group_indices};
use crate::clinical::tone_groups::{TONE_GROUPS, UNKNOWN_TONE, in_tone};
use crate::clinical::tone_head::ToneHead;
use crate::datasets::fitzpatrick17k::{Record, read_labels};
use crate::evaluation::metrics::{ClassificationMetrics, classification_metrics};
use crate::evaluation::{auroc, malignant_scores};
use crate::fit::augment::crop_and_jitter;
use crate::fit::auxiliary::Auxiliary;
use crate::fit::checkpoint::Checkpoint;
use crate::fit::group_robust::GroupRobust;
use crate::fit::options::FitOptions;
use crate::fit::prepare::fit_normalisation;
use crate::fit::progress::TrainEvent;
use crate::fit::sampling::Sampling;
use crate::fit::targets::Targets;
use crate::fit::tone_augment::ToneAugment;
use crate::fit::train_loop::fit;

/// The selected model and how it was measured.
pub struct ClinicalTrainReport {
    /// f32 burnpack record of the epoch that was best on val.
    pub best_record: Vec<u8>,
    /// Epoch (1-based) of that record.
    pub best_epoch: usize,
    /// Val metrics of that record.
    pub val: ClassificationMetrics,
    /// Its selection score on val (see [`selection_score`]).
    pub val_score: f64,
    /// Input normalisation fitted on the train split.
    pub input: InputSpec,
    /// Network shape.
    pub config: ClassifierConfig,
    /// Real training images per tone group (`TONE_GROUPS` then unknown).
    pub train_by_tone: [usize; 4],
    /// Stamped synthetic training images per tone group, by their labelled type.
    pub train_synthetic_by_tone: [usize; 4],
    /// Val images at the input size.
    pub val_split: ClinicalSplit,
    /// Test images at the input size (evaluated only after selection).
    pub test_split: ClinicalSplit,
}

/// The val selection score: the mean of the malignant-vs-rest AUROC over all images and the
/// lowest malignant AUROC among the labelled Fitzpatrick groups — a model is chosen for how
/// well it triages *and* how well it triages the skin it serves worst.
pub fn selection_score(probabilities: &[Vec<f32>], labels: &[usize], tones: &[usize]) -> f64 {
    let malignant = malignant_group_indices();
    let scores = malignant_scores(probabilities, &malignant);
    let truth: Vec<bool> = labels.iter().map(|l| malignant.contains(l)).collect();
    let overall = auroc(&scores, &truth).unwrap_or(0.5);
    let worst = (0..TONE_GROUPS.len())
        .filter_map(|t| {
            let (s, y) = in_tone(&scores, &truth, tones, t);
            auroc(&s, &y)
        })
        .fold(overall, f64::min);
    (overall + worst) / 2.0
}

/// Trains the photo classifier and returns the epoch selected on val.
pub fn train_clinical(
    options: &ClinicalTrainOptions,
    checkpoint: Option<Checkpoint>,
    on_event: &mut dyn FnMut(TrainEvent),
) -> Result<ClinicalTrainReport, String> {
    on_event(TrainEvent::Loading);
    let records = read_labels(&options.data)?;
    let size = options.input_size;
    // A cross-fitted teacher never sees the photos of the fold it will teach.
    let train_records: Vec<Record> = match options.held_out_fold {
        Some(fold) => records
            .iter()
            .filter(|r| !fold.holds_out(r))
            .cloned()
            .collect(),
        None => records.clone(),
    };
    // Crops are taken from a slightly larger copy, so a full-area crop still has detail to lose.
    let train = load_clinical_split(
        &options.data,
        &train_records,
        "train",
        size + size / 4,
        options.limit,
    )?;
    let val = load_clinical_split(&options.data, &records, "val", size, options.limit)?;
    let test = load_clinical_split(&options.data, &records, "test", size, options.limit)?;
    let mut train = train;
    let shipped = match (&options.add, &options.continue_from) {
        (Some(add), _) => Some(shipped_to_fine_tune(options, add, &records, &mut train)?),
        (None, Some(dir)) => Some(shipped_photo_record(options, dir, "--continue-from")?),
        (None, None) => None,
    };
    // A fine-tuned or continued network keeps the input normalisation it learned with.
    let input = match &shipped {
        Some((input, _)) => input.clone(),
        None => fit_normalisation(&train.split.images, size),
    };
    let real_photos = train.split.images.len();
    if let Some(synthesis) = &options.synthesis {
        add_synthetic(&mut train, synthesis)?;
    }
    let tone_augment = (options.tone_augment > 0.0)
        .then(|| ToneAugment::without_lesion_masks(&train.split.images, options.tone_augment))
        .transpose()?;
    let config = ClassifierConfig::new(GROUPS.len())
        .with_base_width(options.base_width)
        .with_expansion(options.expansion)
        .with_kind(options.kind);
    let strata: Vec<usize> = train
        .split
        .labels
        .iter()
        .zip(&train.tones)
        .map(|(&label, &tone)| label * (UNKNOWN_TONE + 1) + tone)
        .collect();
    let group_robust = GroupRobust {
        groups: train.tones.clone(),
        step: options.group_robust,
    };
    let initial_record = match shipped {
        Some((_, record)) => Some(record),
        None => options
            .init_from
            .as_deref()
            .map(|dir| dermoscopy_body(dir, &config))
            .transpose()?,
    };
    let val_tones = val.tones.clone();
    let dermoscopy = options
        .shared_body
        .as_ref()
        .map(|shared| shared.load(size + size / 4, options.limit))
        .transpose()?;
    let crop = move |image: &image::RgbImage, _: usize, rng: &mut crate::fit::stream::TrainRng| {
        crop_and_jitter(image, size, rng)
    };
    let typed = options.tone_head.as_ref().map(|_| ToneHead::types(&train));
    let auxiliary = match (
        &options.shared_body,
        &dermoscopy,
        &options.tone_head,
        &typed,
    ) {
        (Some(_), _, Some(_), _) => {
            return Err("the body is shared with dermoscopy or a tone head, not both".into());
        }
        (Some(shared), Some(split), _, _) => Some(Auxiliary::new(
            &split.images,
            &split.labels.iter().copied().map(Some).collect::<Vec<_>>(),
            SharedBody::CLASSES,
            &crop,
            shared.per_batch,
            shared.weight,
        )?),
        (_, _, Some(head), Some(types)) => Some(Auxiliary::new(
            &train.split.images,
            types,
            ToneHead::CLASSES,
            &crop,
            head.per_batch,
            head.weight,
        )?),
        _ => None,
    };
    // The teacher sees the training photos as they are, before any crop or re-toning.
    let teacher = options
        .distillation
        .as_ref()
        .map(|distillation| distillation.teacher(&train.split.images, &train.records))
        .transpose()?;
    let fitted = fit(
        &train.split,
        &val.split,
        &FitOptions {
            device: options.backend.device()?,
            seed: options.seed,
            epochs: options.epochs,
            batch_size: options.batch_size,
            learning_rate: options.learning_rate,
            config: config.clone(),
            input: input.clone(),
            class_weights: vec![1.0; GROUPS.len()],
            targets: Targets::Hard,
            augment: &move |image, index, rng| {
                let retoned = tone_augment
                    .as_ref()
                    .and_then(|tone| tone.apply(index, image, rng));
                crop_and_jitter(retoned.as_ref().unwrap_or(image), size, rng)
            },
            score: &move |probabilities, labels| selection_score(probabilities, labels, &val_tones),
            sampling: Sampling::Balanced,
            label_smoothing: options.label_smoothing,
            patience: options.patience,
            checkpoint,
            strata: options.tone_balanced.then_some(&strata[..]),
            group_robust: (options.group_robust > 0.0).then_some(&group_robust),
            initial_record: initial_record.as_deref(),
            // Synthetic images change what an epoch draws, not how much: every arm of an
            // ablation gets the same optimiser steps.
            draws_per_epoch: Some(real_photos),
            weight_average: options.weight_average,
            mixup: options.mixup,
            auxiliary: auxiliary.as_ref(),
            teacher: teacher.as_ref(),
        },
        on_event,
    )?;
    let mut train_by_tone = [0usize; 4];
    let mut train_synthetic_by_tone = [0usize; 4];
    for (&tone, &synthetic) in train.tones.iter().zip(&train.synthetic) {
        let counts = if synthetic {
            &mut train_synthetic_by_tone
        } else {
            &mut train_by_tone
        };
        counts[tone] += 1;
    }
    Ok(ClinicalTrainReport {
        best_record: fitted.record,
        best_epoch: fitted.epoch,
        val: fitted.val,
        val_score: fitted.score,
        input,
        config,
        train_by_tone,
        train_synthetic_by_tone,
        val_split: val,
        test_split: test,
    })
}

/// Adds `synthesis`'s renderings of the split's light real dataset photos (those with a record:
/// not photos added by --add) to it, marked synthetic.
fn add_synthetic(train: &mut ClinicalSplit, synthesis: &Synthesis) -> Result<(), String> {
    let real = train.records.len();
    let fitzpatrick: Vec<Option<u8>> = train
        .records
        .iter()
        .zip(&train.synthetic)
        .map(|(r, &synthetic)| if synthetic { None } else { r.fitzpatrick })
        .collect();
    let made = synthesize(
        synthesis,
        &train.split.images[..real],
        &train.split.labels[..real],
        &fitzpatrick,
    )?;
    let added = made.images.len();
    train.split.images.extend(made.images);
    train.split.labels.extend(made.labels);
    train.tones.extend(made.tones);
    train.synthetic.extend(std::iter::repeat_n(true, added));
    Ok(())
}

/// Top-group metrics of the condition head on resized images.
pub fn group_metrics(probabilities: &[Vec<f32>], labels: &[usize]) -> ClassificationMetrics {
    classification_metrics(probabilities, labels, GROUPS.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinical::tone_groups::tone_index;

    #[test]
    fn the_score_is_pulled_down_by_the_worst_tone_group() {
        let malignant = [0.9f32, 0.1];
        let benign = [0.1f32, 0.9];
        let rows = |m: bool| {
            let mut p = vec![0.0f32; GROUPS.len()];
            let (hi, lo) = if m {
                (malignant[0], malignant[1])
            } else {
                (benign[0], benign[1])
            };
            p[0] = hi;
            p[8] = lo;
            p
        };
        // Group 0 ranks perfectly; group 1 ranks backwards.
        let probabilities = vec![rows(true), rows(false), rows(false), rows(true)];
        let labels = [0, 8, 0, 8];
        let tones = [0, 0, 1, 1];
        let score = selection_score(&probabilities, &labels, &tones);
        assert!((score - 0.25).abs() < 1e-9, "{score}");
        assert_eq!(tone_index(Some(5)), 2);
        assert_eq!(tone_index(None), UNKNOWN_TONE);
    }
}
