//! Training the dermoscopy classifier on HAM10000: weighted cross-entropy against the class
//! imbalance, AdamW with a cosine schedule, selection on the val split by balanced accuracy.

use std::path::PathBuf;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::prelude::*;
use dermtone_engine::{InputSpec, class_probabilities, normalise_chw};
use dermtone_net::{Classifier, ClassifierConfig};
use image::RgbImage;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::augment::augment;
use crate::ham10000::{CLASSES, Split, load_split, read_split_csv};
use crate::metrics::{ClassificationMetrics, classification_metrics};

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
    /// Use at most this many images per split (for smoke tests), all when `None`.
    pub limit: Option<usize>,
}

/// What the CLI shows while training.
#[derive(Debug, Clone)]
pub enum TrainEvent {
    /// Images are being read and resized.
    Loading,
    /// An epoch begins with this many batches.
    EpochStarted {
        epoch: usize,
        epochs: usize,
        batches: usize,
    },
    /// One optimiser step finished with this loss.
    Batch { loss: f32 },
    /// An epoch ended; `best` when it is the new selection on val.
    EpochFinished {
        epoch: usize,
        train_loss: f32,
        val: ClassificationMetrics,
        best: bool,
    },
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
    /// Training images used.
    pub train_count: usize,
    /// Resized val and test images, kept for evaluating the exported weights.
    pub val_split: Split,
    /// Test split (evaluated only after selection).
    pub test_split: Split,
}

/// Trains a classifier and returns the one selected on val.
pub fn train_dermoscopy(
    options: &TrainOptions,
    on_event: &mut dyn FnMut(TrainEvent),
) -> Result<TrainReport, String> {
    on_event(TrainEvent::Loading);
    let records = read_split_csv(&options.data)?;
    let size = options.input_size;
    let train = load_split(&options.data, &records, "train", size, options.limit)?;
    let val = load_split(&options.data, &records, "val", size, options.limit)?;
    let test = load_split(&options.data, &records, "test", size, options.limit)?;
    let input = fit_normalisation(&train.images, size);

    let device = Device::flex().autodiff();
    device.seed(options.seed);
    let config = ClassifierConfig::new(CLASSES.len()).with_base_width(options.base_width);
    let mut model = config.init(&device);
    let mut optimizer = AdamWConfig::new().with_weight_decay(1e-4).init();
    let loss_fn = CrossEntropyLossConfig::new()
        .with_weights(Some(class_weights(&train.labels)))
        .init(&device);
    let mut rng = StdRng::seed_from_u64(options.seed);
    let batches = train.images.len().div_ceil(options.batch_size);
    let total_steps = (batches * options.epochs).max(1);
    let mut best: Option<(f64, usize, Vec<u8>, ClassificationMetrics)> = None;
    let mut order: Vec<usize> = (0..train.images.len()).collect();

    for epoch in 1..=options.epochs {
        on_event(TrainEvent::EpochStarted {
            epoch,
            epochs: options.epochs,
            batches,
        });
        order.shuffle(&mut rng);
        let mut loss_sum = 0f32;
        for (b, chunk) in order.chunks(options.batch_size).enumerate() {
            let step = (epoch - 1) * batches + b;
            let lr = options.learning_rate
                * 0.5
                * (1.0 + (std::f64::consts::PI * step as f64 / total_steps as f64).cos());
            let images: Vec<RgbImage> = chunk
                .iter()
                .map(|&i| augment(&train.images[i], &mut rng))
                .collect();
            let labels: Vec<i64> = chunk.iter().map(|&i| train.labels[i] as i64).collect();
            let inputs = batch_tensor(&images, &input, &device);
            let targets =
                Tensor::<1, Int>::from_data(TensorData::new(labels, [chunk.len()]), &device);
            let loss = loss_fn.forward(model.forward(inputs), targets);
            let loss_value = loss
                .clone()
                .into_data()
                .try_to_vec::<f32>()
                .map_err(|e| format!("{e:?}"))?[0];
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(lr, model, grads);
            loss_sum += loss_value;
            on_event(TrainEvent::Batch { loss: loss_value });
        }
        let record = model
            .clone()
            .into_record()
            .into_bytes()
            .map_err(|e| e.to_string())?
            .to_vec();
        let eval_model = load_record(&config, &record)?;
        let metrics = evaluate(&eval_model, &val, &input)?;
        let is_best = best
            .as_ref()
            .is_none_or(|(score, ..)| metrics.balanced_accuracy > *score);
        on_event(TrainEvent::EpochFinished {
            epoch,
            train_loss: loss_sum / batches as f32,
            val: metrics.clone(),
            best: is_best,
        });
        if is_best {
            best = Some((metrics.balanced_accuracy, epoch, record, metrics));
        }
    }
    let (_, best_epoch, best_record, val_metrics) =
        best.ok_or("no epoch was trained (epochs must be at least 1)")?;
    Ok(TrainReport {
        best_record,
        best_epoch,
        val: val_metrics,
        input,
        config,
        train_count: train.images.len(),
        val_split: val,
        test_split: test,
    })
}

/// Loads an f32 record into a fresh inference (non-autodiff) CPU model.
pub fn load_record(config: &ClassifierConfig, record: &[u8]) -> Result<Classifier, String> {
    let record = burn::store::ModuleRecord::from_bytes(burn_pack_bytes(record))
        .map_err(|e| e.to_string())?;
    config
        .init(&Device::flex())
        .try_load_record(record)
        .map_err(|e| e.to_string())
}

fn burn_pack_bytes(bytes: &[u8]) -> burn::tensor::Bytes {
    burn::tensor::Bytes::from_bytes_vec(bytes.to_vec())
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

/// Class probabilities for resized images, computed by the engine's own code path.
pub fn predict(
    model: &Classifier,
    images: &[RgbImage],
    input: &InputSpec,
) -> Result<Vec<Vec<f32>>, String> {
    let device = Device::flex();
    let mut out = Vec::with_capacity(images.len());
    for chunk in images.chunks(128) {
        let batch = batch_tensor(chunk, input, &device);
        out.extend(
            pollster::block_on(class_probabilities(model, batch)).map_err(|e| e.to_string())?,
        );
    }
    Ok(out)
}

fn batch_tensor(images: &[RgbImage], input: &InputSpec, device: &Device) -> Tensor<4> {
    let side = input.size as usize;
    let data: Vec<f32> = images
        .iter()
        .flat_map(|im| normalise_chw(im, input))
        .collect();
    Tensor::from_data(TensorData::new(data, [images.len(), 3, side, side]), device)
}

/// Per-channel mean and standard deviation of `x/255` over the training images.
fn fit_normalisation(images: &[RgbImage], size: u32) -> InputSpec {
    let mut sum = [0f64; 3];
    let mut sum_sq = [0f64; 3];
    let mut n = 0f64;
    for image in images {
        for pixel in image.pixels() {
            for c in 0..3 {
                let v = f64::from(pixel[c]) / 255.0;
                sum[c] += v;
                sum_sq[c] += v * v;
            }
            n += 1.0;
        }
    }
    let mean = sum.map(|s| s / n.max(1.0));
    let std = [0, 1, 2].map(|c| {
        (sum_sq[c] / n.max(1.0) - mean[c] * mean[c])
            .max(1e-6)
            .sqrt() as f32
    });
    InputSpec {
        size,
        mean: mean.map(|m| m as f32),
        std,
    }
}

/// Inverse-square-root-frequency class weights, normalised to mean 1: rare classes count more
/// without letting seven-image classes dominate.
fn class_weights(labels: &[usize]) -> Vec<f32> {
    let mut counts = vec![0usize; CLASSES.len()];
    for &l in labels {
        counts[l] += 1;
    }
    let raw: Vec<f32> = counts
        .iter()
        .map(|&c| 1.0 / (c.max(1) as f32).sqrt())
        .collect();
    let mean = raw.iter().sum::<f32>() / raw.len() as f32;
    raw.iter().map(|w| w / mean).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_classes_weigh_more() {
        let w = class_weights(&[5, 5, 5, 5, 0]);
        assert!(w[0] > w[5]);
        assert!((w.iter().sum::<f32>() / w.len() as f32 - 1.0).abs() < 1e-5);
    }
}
