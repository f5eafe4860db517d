//! The learned skin-tone estimator: dermtone's classifier network trained to read the labelled
//! Fitzpatrick type (1–6) of a clinical photo from Fitzpatrick17k. ITA on photos is known to read
//! dark skin as lighter (lighting, white balance); this estimator is scored against the ITA rule
//! on the same images and the engine uses whichever agrees better with the labels.

use std::path::{Path, PathBuf};

use dermtone_engine::{InputSpec, resize_for_model};
use dermtone_net::{Classifier, ClassifierConfig};

use crate::datasets::fitzpatrick17k::{Record, read_image, read_labels};
use crate::evaluation::metrics::argmax;
use crate::fit::augment::dihedral;
use crate::fit::checkpoint::Checkpoint;
use crate::fit::options::{FitOptions, Split};
use crate::fit::predict::predict;
use crate::fit::prepare::{class_weights, fit_normalisation};
use crate::fit::progress::TrainEvent;
use crate::fit::sampling::Sampling;
use crate::fit::targets::Targets;
use crate::fit::train_loop::fit;
use crate::parallel::map_on_all_cores;
use crate::tone::agreement::{Agreement, agreement};

/// Everything that decides a training run; recorded in the model card.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ToneTrainOptions {
    /// Fitzpatrick17k subset folder.
    pub data: PathBuf,
    /// Seed for initialisation, shuffling and augmentation.
    pub seed: u64,
    /// Passes over the training split.
    pub epochs: usize,
    /// Images per optimiser step.
    pub batch_size: usize,
    /// Peak learning rate (cosine-decayed to zero).
    pub learning_rate: f64,
    /// Side of the square network input.
    pub input_size: u32,
    /// Channels of the first conv block.
    pub base_width: usize,
    /// Width (in types) of the ordinal soft targets; 0 for plain one-hot targets.
    pub ordinal_sigma: f32,
    /// Use at most this many images per split (for smoke tests), all when `None`.
    pub limit: Option<usize>,
    /// Decay of the weight average selected on val (off when `None`; absent from the recipe
    /// and the card then, so tone-v1's card regenerates unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_average: Option<f64>,
}

/// The selected estimator, its data and how it was measured.
pub struct ToneTrainReport {
    /// f32 burnpack record of the epoch that was best on val.
    pub best_record: Vec<u8>,
    /// Epoch (1-based) of that record.
    pub best_epoch: usize,
    /// Selection score on val (within-±1 agreement + 0.1 × exact agreement).
    pub val_score: f64,
    /// Input normalisation fitted on the train split.
    pub input: InputSpec,
    /// Network shape.
    pub config: ClassifierConfig,
    /// Training images used (real photos with a labelled type).
    pub train_count: usize,
    /// Val images, resized, with their records.
    pub val: LabelledSplit,
    /// Test images, resized (evaluated only after selection).
    pub test: LabelledSplit,
}

/// A split's resized images with their records (for the ITA comparison on the originals).
pub struct LabelledSplit {
    /// Images at the network input size; labels are Fitzpatrick type − 1.
    pub split: Split,
    /// The records, in the same order.
    pub records: Vec<Record>,
}

/// Selection score: the target metric (within ±1) with exact agreement as a tie-breaker.
fn selection_score(probabilities: &[Vec<f32>], labels: &[usize]) -> f64 {
    let pairs = estimate_pairs(probabilities, labels);
    let a = agreement(&pairs);
    a.within_one.unwrap_or(0.0) + 0.1 * a.exact.unwrap_or(0.0)
}

/// (labelled type, estimated type) pairs from probabilities over types 1–6.
pub fn estimate_pairs(probabilities: &[Vec<f32>], labels: &[usize]) -> Vec<(u8, Option<u8>)> {
    probabilities
        .iter()
        .zip(labels)
        .map(|(p, &l)| (l as u8 + 1, Some(argmax(p) as u8 + 1)))
        .collect()
}

/// Trains the estimator on the train split's labelled images and selects on val. With
/// `checkpoint`, every epoch is saved there and an interrupted run can resume.
pub fn train_tone_estimator(
    options: &ToneTrainOptions,
    checkpoint: Option<Checkpoint>,
    on_event: &mut dyn FnMut(TrainEvent),
) -> Result<ToneTrainReport, String> {
    on_event(TrainEvent::Loading);
    let records = read_labels(&options.data)?;
    let size = options.input_size;
    let load = |split: &str| load_labelled(&options.data, &records, split, size, options.limit);
    let (train, val, test) = (load("train")?, load("val")?, load("test")?);
    let input = fit_normalisation(&train.split.images, size);
    let config = ClassifierConfig::new(6).with_base_width(options.base_width);
    let targets = if options.ordinal_sigma > 0.0 {
        Targets::Ordinal {
            sigma: options.ordinal_sigma,
        }
    } else {
        Targets::Hard
    };
    let fitted = fit(
        &train.split,
        &val.split,
        &FitOptions {
            device: burn::tensor::Device::flex(),
            seed: options.seed,
            epochs: options.epochs,
            batch_size: options.batch_size,
            learning_rate: options.learning_rate,
            config: config.clone(),
            input: input.clone(),
            class_weights: class_weights(&train.split.labels, 6),
            targets,
            augment: &|image, _, rng| dihedral(image, rng),
            score: &selection_score,
            sampling: Sampling::Shuffle,
            label_smoothing: 0.0,
            patience: None,
            checkpoint,
            strata: None,
            group_robust: None,
            initial_record: None,
            draws_per_epoch: None,
            weight_average: options.weight_average,
            mixup: None,
            auxiliary: None,
            teacher: None,
        },
        on_event,
    )?;
    Ok(ToneTrainReport {
        best_record: fitted.record,
        best_epoch: fitted.epoch,
        val_score: fitted.score,
        input,
        config,
        train_count: train.split.images.len(),
        val,
        test,
    })
}

/// Agreement of a trained estimator with the labels of a split.
pub fn evaluate_estimator(
    model: &Classifier,
    split: &Split,
    input: &InputSpec,
) -> Result<Agreement, String> {
    let probabilities = predict(model, &split.images, input)?;
    Ok(agreement(&estimate_pairs(&probabilities, &split.labels)))
}

/// The labelled (type known) images of one split for training, resized, read on all cores.
/// Stamped synthetic images are refused in every split: a re-toned photo no longer has the
/// tone its label gives, so it would teach the estimator wrong answers.
pub fn load_labelled(
    dir: &Path,
    records: &[Record],
    split: &str,
    size: u32,
    limit: Option<usize>,
) -> Result<LabelledSplit, String> {
    let chosen: Vec<Record> = records
        .iter()
        .filter(|r| r.split == split && r.fitzpatrick.is_some())
        .take(limit.unwrap_or(usize::MAX))
        .cloned()
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "split {split:?} has no labelled images in {}",
            dir.display()
        ));
    }
    let images = map_on_all_cores(&chosen, |r| {
        Ok(resize_for_model(&read_image(dir, r)?.real(split)?, size))
    })?;
    Ok(LabelledSplit {
        split: Split {
            images,
            labels: chosen
                .iter()
                .map(|r| usize::from(r.fitzpatrick.unwrap_or(1)) - 1)
                .collect(),
        },
        records: chosen,
    })
}

/// Agreement of the ITA rule (skin mask, median ITA, Groh cut-offs) with the labels of
/// `records`, measured by the engine's own tone step on the original photos (real ones only).
pub fn ita_agreement(dir: &Path, records: &[Record]) -> Result<Agreement, String> {
    let pairs = map_on_all_cores(records, |r| {
        let estimate = dermtone_engine::ita_estimate(&read_image(dir, r)?.real(&r.split)?);
        Ok((r.fitzpatrick.unwrap_or(0), estimate.fitzpatrick))
    })?;
    Ok(agreement(&pairs))
}
