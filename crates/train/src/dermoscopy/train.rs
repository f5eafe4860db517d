//! Training the dermoscopy classifier on HAM10000: weighted cross-entropy or class-balanced
//! sampling against the class imbalance, random resized crops and colour jitter, selection (and
//! early stopping) on the val split by balanced accuracy.

use std::path::{Path, PathBuf};

use dermtone_engine::InputSpec;
use dermtone_net::{Classifier, ClassifierConfig, NetKind};

use crate::datasets::ham10000::{CLASSES, Record, load_split, read_split_csv};
use crate::dermoscopy::eval::load_shipped;
use crate::evaluation::metrics::{ClassificationMetrics, classification_metrics};
use crate::fit::augment::crop_and_jitter;
use crate::fit::backend::TrainBackend;
use crate::fit::checkpoint::Checkpoint;
use crate::fit::options::{FitOptions, Split};
use crate::fit::predict::predict;
use crate::fit::prepare::{class_weights, fit_normalisation};
use crate::fit::progress::TrainEvent;
use crate::fit::sampling::Sampling;
use crate::fit::targets::Targets;
use crate::fit::tone_augment::ToneAugment;
use crate::fit::train_loop::fit;

/// Everything that decides a training run; recorded in the model card.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrainOptions {
    /// HAM10000 folder.
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
    /// Each mobile block's hidden layer over its input; absent from the recipe at the default
    /// 4, so older checkpoints still resume.
    #[serde(skip_serializing_if = "dermtone_net::mobile::is_default_expansion")]
    pub expansion: usize,
    /// Network body.
    pub kind: NetKind,
    /// Where the network trains.
    pub backend: TrainBackend,
    /// How epochs draw images; with `balanced` the loss is unweighted.
    pub sampling: Sampling,
    /// Label smoothing of the targets.
    pub label_smoothing: f32,
    /// Stop after this many epochs without a better val balanced accuracy.
    pub patience: Option<usize>,
    /// Share of training draws re-toned to a random skin tone (0 = off; see [`ToneAugment`]).
    pub tone_augment: f64,
    /// Use at most this many images per split (for smoke tests), all when `None`.
    pub limit: Option<usize>,
    /// Decay of the weight average selected on val (off when `None`; absent from the recipe
    /// then, so older checkpoints still resume).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_average: Option<f64>,
    /// Mixup's α (off when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mixup: Option<f32>,
    /// Start from the dermoscopy model shipped in this models folder (its weights and input
    /// normalisation) instead of random weights: a warm restart with another recipe. Absent
    /// from the recipe when `None`, so older checkpoints still resume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continue_from: Option<PathBuf>,
}

/// The selected model and how it was measured.
pub struct TrainReport {
    /// f32 burnpack record of the epoch that was best on val.
    pub best_record: Vec<u8>,
    /// Epoch (1-based) of that record.
    pub best_epoch: usize,
    /// Val metrics of that record.
    pub val: ClassificationMetrics,
    /// Input normalisation fitted on the train split.
    pub input: InputSpec,
    /// Network shape.
    pub config: ClassifierConfig,
    /// Training images used, synthetic ones included.
    pub train_count: usize,
    /// Stamped synthetic images among them (val and test hold none).
    pub train_synthetic: usize,
    /// Resized val and test images, kept for evaluating the exported weights.
    pub val_split: Split,
    /// Test split (evaluated only after selection).
    pub test_split: Split,
}

/// Trains a classifier and returns the one selected on val. With `checkpoint`, every epoch is
/// saved there and `resume` continues an interrupted run.
pub fn train_dermoscopy(
    options: &TrainOptions,
    checkpoint: Option<Checkpoint>,
    on_event: &mut dyn FnMut(TrainEvent),
) -> Result<TrainReport, String> {
    on_event(TrainEvent::Loading);
    let records = read_split_csv(&options.data)?;
    let size = options.input_size;
    // Crops are taken from a slightly larger copy, so a full-area crop still has detail to lose.
    let source_size = size + size / 4;
    let (train, train_synthetic) =
        load_split(&options.data, &records, "train", source_size, options.limit)?;
    let (val, _) = load_split(&options.data, &records, "val", size, options.limit)?;
    let (test, _) = load_split(&options.data, &records, "test", size, options.limit)?;
    let config = ClassifierConfig::new(CLASSES.len())
        .with_base_width(options.base_width)
        .with_expansion(options.expansion)
        .with_kind(options.kind);
    let (input, initial_record) = match &options.continue_from {
        Some(dir) => {
            let (input, record) = shipped_to_continue(dir, &config, size)?;
            (input, Some(record))
        }
        None => (fit_normalisation(&train.images, size), None),
    };
    let tone_augment = if options.tone_augment > 0.0 {
        let train_records: Vec<&Record> = records
            .iter()
            .filter(|r| r.split == "train")
            .take(options.limit.unwrap_or(usize::MAX))
            .collect();
        Some(ToneAugment::prepare(
            &options.data,
            &train_records,
            &train.images,
            options.tone_augment,
        )?)
    } else {
        None
    };
    let weights = match options.sampling {
        Sampling::Shuffle => class_weights(&train.labels, CLASSES.len()),
        Sampling::Balanced => vec![1.0; CLASSES.len()],
    };
    let fitted = fit(
        &train,
        &val,
        &FitOptions {
            device: options.backend.device()?,
            seed: options.seed,
            epochs: options.epochs,
            batch_size: options.batch_size,
            learning_rate: options.learning_rate,
            config: config.clone(),
            input: input.clone(),
            class_weights: weights,
            targets: Targets::Hard,
            augment: &move |image, index, rng| {
                let retoned = tone_augment
                    .as_ref()
                    .and_then(|tone| tone.apply(index, image, rng));
                crop_and_jitter(retoned.as_ref().unwrap_or(image), size, rng)
            },
            score: &|probabilities, labels| {
                classification_metrics(probabilities, labels, CLASSES.len()).balanced_accuracy
            },
            sampling: options.sampling,
            label_smoothing: options.label_smoothing,
            patience: options.patience,
            checkpoint,
            strata: None,
            group_robust: None,
            initial_record: initial_record.as_deref(),
            draws_per_epoch: None,
            weight_average: options.weight_average,
            mixup: options.mixup,
            auxiliary: None,
            teacher: None,
        },
        on_event,
    )?;
    Ok(TrainReport {
        best_record: fitted.record,
        best_epoch: fitted.epoch,
        val: fitted.val,
        input,
        config,
        train_count: train.images.len(),
        train_synthetic,
        val_split: val,
        test_split: test,
    })
}

/// The input normalisation (at `size` px) and f32 record of the dermoscopy model shipped in
/// `dir`, which must have the shape of `config` (a warm restart changes the recipe, not the
/// network), except that a mobile network may have wider hidden layers: it then starts from the
/// shipped one widened without changing what it computes (see
/// [`dermtone_net::MobileNet::widened`]). The input size may differ: a convolutional body reads
/// any size, and the normalisation is per channel.
fn shipped_to_continue(
    dir: &Path,
    config: &ClassifierConfig,
    size: u32,
) -> Result<(InputSpec, Vec<u8>), String> {
    let (entry, model) = load_shipped(dir)?;
    let shipped = entry.architecture.config();
    let wider = config.expansion > shipped.expansion;
    if shipped.base_width != config.base_width
        || shipped.kind != config.kind
        || config.expansion < shipped.expansion
        || (wider && config.kind != NetKind::Mobile)
    {
        return Err(format!(
            "--continue-from: the shipped model {} is a {:?} network of width {} and expansion \
             {}, not {:?} of width {} and expansion {}: pass its --arch and --width, and an \
             --expansion no smaller",
            entry.id,
            shipped.kind,
            shipped.base_width,
            shipped.expansion,
            config.kind,
            config.base_width,
            config.expansion,
        ));
    }
    let model = if wider { model.widened(config)? } else { model };
    let input = InputSpec {
        size,
        ..entry.input
    };
    Ok((input, model.record_bytes()?))
}

/// Top-class metrics of `model` on a resized split, in batches of 128.
pub fn evaluate(
    model: &Classifier,
    split: &Split,
    input: &InputSpec,
) -> Result<ClassificationMetrics, String> {
    let probabilities = predict(model, &split.images, input)?;
    Ok(classification_metrics(
        &probabilities,
        &split.labels,
        CLASSES.len(),
    ))
}
