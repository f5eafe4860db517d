//! The supervised training loop every dermtone classifier shares: AdamW with a cosine
//! schedule, class-weighted cross-entropy (hard or ordinal soft targets), and selection of the
//! epoch that scores best on val. Dataset-specific code only prepares images and picks options.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use dermtone_engine::{InputSpec, class_probabilities, normalise_chw};
use dermtone_net::{Classifier, ClassifierConfig};
use image::RgbImage;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::path::Path;

use crate::checkpoint;
use crate::evaluation::metrics::{ClassificationMetrics, classification_metrics};
use crate::mixup;
use crate::weight_average::WeightAverage;

/// Resized images with a class index each.
pub struct Split {
    /// Images at the network input size.
    pub images: Vec<RgbImage>,
    /// Class index per image.
    pub labels: Vec<usize>,
}

/// What the loss compares the network's output with.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Targets {
    /// One-hot labels: plain (weighted) cross-entropy.
    Hard,
    /// Ordered classes (e.g. Fitzpatrick types): a Gaussian of width `sigma` classes around the
    /// label, so predicting a neighbour costs less than predicting a distant class.
    Ordinal { sigma: f32 },
}

/// Training-time augmentation: a randomised copy of training image `index`.
pub type Augment = dyn Fn(&RgbImage, usize, &mut StdRng) -> RgbImage;

/// A selection score (higher is better) from per-image probabilities and labels.
pub type Score = dyn Fn(&[Vec<f32>], &[usize]) -> f64;

/// How each epoch draws its training images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Every image once per epoch, shuffled; imbalance is left to the loss weights.
    Shuffle,
    /// As many draws as images, each from a class chosen with probability proportional to the
    /// square root of its size: rare classes are seen far more often than their share (their
    /// images repeat, with different augmentations) without starving the common class.
    Balanced,
}

impl std::str::FromStr for Sampling {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "shuffle" => Ok(Self::Shuffle),
            "balanced" => Ok(Self::Balanced),
            _ => Err(format!("unknown sampling {text:?} (shuffle or balanced)")),
        }
    }
}

/// Where per-epoch checkpoints go, and whether to continue from them.
pub struct Checkpoint<'a> {
    /// Folder for `last.bpk`, `best.bpk` and `state.json`.
    pub dir: &'a Path,
    /// Continue after the last finished epoch instead of starting afresh.
    pub resume: bool,
    /// The run's options as text; resuming a checkpoint saved with other options is refused.
    pub recipe: String,
}

/// Everything the loop needs besides the data.
pub struct FitOptions<'a> {
    /// Device the network trains on (autodiff is added here); val is always scored on the CPU.
    pub device: Device,
    /// Seed for initialisation, shuffling and augmentation.
    pub seed: u64,
    /// Passes over the training split.
    pub epochs: usize,
    /// Images per optimiser step.
    pub batch_size: usize,
    /// Peak learning rate (cosine-decayed to zero).
    pub learning_rate: f64,
    /// Network shape.
    pub config: ClassifierConfig,
    /// Input normalisation.
    pub input: InputSpec,
    /// Per-class loss weights.
    pub class_weights: Vec<f32>,
    /// Loss targets.
    pub targets: Targets,
    /// Training-time augmentation of one image.
    pub augment: &'a Augment,
    /// Selection score on val (higher is better).
    pub score: &'a Score,
    /// How epochs draw images.
    pub sampling: Sampling,
    /// Label smoothing of hard targets (0 = none).
    pub label_smoothing: f32,
    /// Stop after this many epochs without a better val score.
    pub patience: Option<usize>,
    /// Per-epoch checkpoints, for resuming an interrupted run.
    pub checkpoint: Option<Checkpoint<'a>>,
    /// What [`Sampling::Balanced`] balances, one stratum per training image; the class labels
    /// when `None`. (E.g. class × skin-tone group, so rare tones are drawn more often too.)
    pub strata: Option<&'a [usize]>,
    /// Group-robust loss over these groups instead of the plain mean; hard targets only.
    pub group_robust: Option<&'a GroupRobust>,
    /// f32 record of `config`'s shape to start from (transfer), instead of a random init.
    pub initial_record: Option<&'a [u8]>,
    /// Images drawn per epoch; all of the training split's when `None`. Runs whose splits differ
    /// in size (synthetic images added) keep the same budget of optimiser steps with it.
    pub draws_per_epoch: Option<usize>,
    /// Decay of an exponential moving average of the weights ([`WeightAverage`]); when set,
    /// the average, not the last step's weights, is scored on val and selected.
    pub weight_average: Option<f64>,
    /// Mixup's Beta(α, α) parameter ([`crate::mixup`]); hard targets without group DRO only.
    pub mixup: Option<f32>,
}

/// Group DRO (Sagawa et al., ICLR 2020): the loss is a weighted sum of per-group mean losses,
/// and after every step each group's weight grows with its loss, so training keeps pushing on
/// whichever group (e.g. a skin-tone group) it currently serves worst.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRobust {
    /// Group index per training image.
    pub groups: Vec<usize>,
    /// Step size of the exponentiated-gradient update of the group weights.
    pub step: f32,
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
        score: f64,
        best: bool,
    },
    /// A checkpoint was found and training continues after `epoch`.
    Resumed { epoch: usize },
    /// Val has not improved for `patience` epochs; training ends after `epoch`.
    StoppedEarly { epoch: usize, patience: usize },
}

/// The selected epoch.
pub struct Fitted {
    /// f32 burnpack record of the epoch that was best on val.
    pub record: Vec<u8>,
    /// Epoch (1-based) of that record.
    pub epoch: usize,
    /// Val metrics of that record.
    pub val: ClassificationMetrics,
    /// Its selection score on val.
    pub score: f64,
}

/// Trains a classifier on `train` and returns the epoch that scored best on `val`. With a
/// checkpoint folder, every epoch is saved there and `resume` continues after the last one: the
/// weights, the best epoch so far and the random stream (replayed) are restored, so a resumed run
/// draws the same batches as an uninterrupted one; AdamW's moment estimates (and group DRO's
/// group weights) restart.
pub fn fit(
    train: &Split,
    val: &Split,
    options: &FitOptions,
    on_event: &mut dyn FnMut(TrainEvent),
) -> Result<Fitted, String> {
    let device = options.device.clone().autodiff();
    device.seed(options.seed);
    let num_classes = options.config.num_classes;
    let mut model = match options.initial_record {
        Some(record) => options.config.load_record(record, &device)?,
        None => options.config.init(&device),
    };
    let mut optimizer = AdamWConfig::new().with_weight_decay(1e-4).init();
    let hard_loss = CrossEntropyLossConfig::new()
        .with_weights(Some(options.class_weights.clone()))
        .with_smoothing((options.label_smoothing > 0.0).then_some(options.label_smoothing))
        .init(&device);
    let mut rng = StdRng::seed_from_u64(options.seed);
    let draws = options.draws_per_epoch.unwrap_or(train.images.len()).max(1);
    let batches = draws.div_ceil(options.batch_size);
    let total_steps = (batches * options.epochs).max(1);
    let mut best: Option<Fitted> = None;
    let mut first_epoch = 1;
    let mut order: Vec<usize> = (0..train.images.len()).collect();
    let strata = options.strata.unwrap_or(&train.labels);
    let mut group_weights = options.group_robust.map(GroupWeights::new);
    if options.mixup.is_some()
        && (options.group_robust.is_some() || options.targets != Targets::Hard)
    {
        return Err("mixup works with hard targets and without group DRO only".into());
    }
    let mut average = options
        .weight_average
        .map(|decay| WeightAverage::new(&model, decay));
    if let Some(Checkpoint {
        dir,
        resume: true,
        recipe,
    }) = &options.checkpoint
        && let Some(saved) = checkpoint::load(dir, recipe)?
    {
        model = options
            .config
            .load_record(&saved.last, &device)
            .map_err(|e| format!("checkpoint in {}: {e}", dir.display()))?;
        // A run that already stopped early (or finished) stays stopped: resuming only re-exports.
        let stopped = saved.state.epoch >= options.epochs
            || options
                .patience
                .is_some_and(|p| saved.state.epoch - saved.state.best_epoch >= p);
        if stopped {
            first_epoch = options.epochs + 1;
        } else {
            for _ in 1..=saved.state.epoch {
                next_order(&mut order, strata, options.sampling, draws, &mut rng);
                for &i in order.iter().take(draws) {
                    (options.augment)(&train.images[i], i, &mut rng);
                }
            }
            first_epoch = saved.state.epoch + 1;
        }
        if let Some(decay) = options.weight_average {
            average = Some(match saved.average {
                Some((record, updates)) => {
                    let inner = options
                        .config
                        .load_record(&record, &options.device)
                        .map_err(|e| format!("weight average in {}: {e}", dir.display()))?;
                    WeightAverage::resume(inner, decay, updates)
                }
                None => WeightAverage::new(&model, decay),
            });
        }
        best = Some(Fitted {
            record: saved.best,
            epoch: saved.state.best_epoch,
            val: saved.state.best_val,
            score: saved.state.best_score,
        });
        on_event(TrainEvent::Resumed {
            epoch: saved.state.epoch,
        });
    }

    for epoch in first_epoch..=options.epochs {
        on_event(TrainEvent::EpochStarted {
            epoch,
            epochs: options.epochs,
            batches,
        });
        next_order(&mut order, strata, options.sampling, draws, &mut rng);
        // Mixup draws from its own stream, seeded per epoch, so resuming needs no replay of it.
        let mut mixup_rng = StdRng::seed_from_u64(
            options.seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let mut loss_sum = 0f32;
        for (b, chunk) in order[..draws.min(order.len())]
            .chunks(options.batch_size)
            .enumerate()
        {
            let step = (epoch - 1) * batches + b;
            let lr = options.learning_rate
                * 0.5
                * (1.0 + (std::f64::consts::PI * step as f64 / total_steps as f64).cos());
            let images: Vec<RgbImage> = chunk
                .iter()
                .map(|&i| (options.augment)(&train.images[i], i, &mut rng))
                .collect();
            let labels: Vec<usize> = chunk.iter().map(|&i| train.labels[i]).collect();
            let inputs = batch_tensor(&images, &options.input, &device);
            let loss = if let Some(alpha) = options.mixup {
                let blend = mixup::draw(chunk.len(), alpha, &mut mixup_rng);
                let partners = Tensor::<1, Int>::from_data(
                    TensorData::new(
                        blend.partners.iter().map(|&i| i as i64).collect::<Vec<_>>(),
                        [chunk.len()],
                    ),
                    &device,
                );
                let mixed = inputs.clone() * blend.lambda
                    + inputs.select(0, partners) * (1.0 - blend.lambda);
                let soft = smoothed_targets(
                    &labels,
                    num_classes,
                    options.label_smoothing,
                    &options.class_weights,
                );
                let soft = Tensor::<2>::from_data(
                    TensorData::new(
                        mixup::blend_targets(&soft, num_classes, &blend),
                        [chunk.len(), num_classes],
                    ),
                    &device,
                );
                (log_softmax(model.forward(mixed), 1) * soft).sum().neg() / chunk.len() as f32
            } else {
                let logits = model.forward(inputs);
                match (options.targets, &mut group_weights) {
                    (Targets::Hard, Some(weights)) => {
                        let soft = smoothed_targets(
                            &labels,
                            num_classes,
                            options.label_smoothing,
                            &options.class_weights,
                        );
                        let soft = Tensor::<2>::from_data(
                            TensorData::new(soft, [chunk.len(), num_classes]),
                            &device,
                        );
                        let per_image: Tensor<1> = (log_softmax(logits, 1) * soft)
                            .sum_dim(1)
                            .neg()
                            .flatten(0, 1);
                        let losses = per_image
                            .clone()
                            .into_data()
                            .try_to_vec::<f32>()
                            .map_err(|e| format!("{e:?}"))?;
                        let scale = weights.step(chunk, &losses);
                        per_image
                            .mul(Tensor::from_data(
                                TensorData::new(scale, [chunk.len()]),
                                &device,
                            ))
                            .sum()
                    }
                    (Targets::Hard, None) => {
                        let targets = labels.iter().map(|&l| l as i64).collect::<Vec<_>>();
                        let targets = Tensor::<1, Int>::from_data(
                            TensorData::new(targets, [chunk.len()]),
                            &device,
                        );
                        hard_loss.forward(logits, targets)
                    }
                    (Targets::Ordinal { sigma }, _) => {
                        let soft =
                            ordinal_targets(&labels, num_classes, sigma, &options.class_weights);
                        let soft = Tensor::<2>::from_data(
                            TensorData::new(soft, [chunk.len(), num_classes]),
                            &device,
                        );
                        (log_softmax(logits, 1) * soft).sum().neg() / chunk.len() as f32
                    }
                }
            };
            let loss_value = loss
                .clone()
                .into_data()
                .try_to_vec::<f32>()
                .map_err(|e| format!("{e:?}"))?[0];
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(lr, model, grads);
            if let Some(average) = &mut average {
                average.update(&model);
            }
            loss_sum += loss_value;
            on_event(TrainEvent::Batch { loss: loss_value });
        }
        let record = model.valid().record_bytes()?;
        let averaged = match &average {
            Some(average) => Some((average.model().clone().record_bytes()?, average.updates())),
            None => None,
        };
        let selectable = averaged.as_ref().map_or(&record, |(bytes, _)| bytes);
        let probabilities = predict(
            &load_record(&options.config, selectable)?,
            &val.images,
            &options.input,
        )?;
        let score = (options.score)(&probabilities, &val.labels);
        let metrics = classification_metrics(&probabilities, &val.labels, num_classes);
        let history = checkpoint::EpochRecord {
            epoch,
            train_loss: loss_sum / batches as f32,
            val_score: score,
            val_accuracy: metrics.accuracy,
            val_balanced_accuracy: metrics.balanced_accuracy,
        };
        let is_best = best.as_ref().is_none_or(|b| score > b.score);
        on_event(TrainEvent::EpochFinished {
            epoch,
            train_loss: loss_sum / batches as f32,
            val: metrics.clone(),
            score,
            best: is_best,
        });
        if is_best {
            best = Some(Fitted {
                record: selectable.clone(),
                epoch,
                val: metrics,
                score,
            });
        }
        let best_so_far = best.as_ref().expect("set above on the first epoch");
        if let Some(Checkpoint { dir, recipe, .. }) = &options.checkpoint {
            checkpoint::append_history(dir, &history)?;
            let average = averaged
                .as_ref()
                .map(|(bytes, updates)| (bytes.as_slice(), *updates));
            checkpoint::save(dir, recipe, epoch, &record, best_so_far, average)?;
        }
        if let Some(patience) = options.patience
            && epoch - best_so_far.epoch >= patience
        {
            on_event(TrainEvent::StoppedEarly { epoch, patience });
            break;
        }
    }
    best.ok_or_else(|| "no epoch was trained (epochs must be at least 1)".into())
}

/// The group weights of [`GroupRobust`] as training moves them.
struct GroupWeights<'a> {
    groups: &'a [usize],
    step: f32,
    weights: Vec<f32>,
}

impl<'a> GroupWeights<'a> {
    fn new(robust: &'a GroupRobust) -> Self {
        let count = robust.groups.iter().max().map_or(1, |g| g + 1);
        Self {
            groups: &robust.groups,
            step: robust.step,
            weights: vec![1.0 / count as f32; count],
        }
    }

    /// The factor of each image's loss in this batch (its group's weight over the group's
    /// images in the batch), then the update of the weights by the batch's group losses.
    fn step(&mut self, batch: &[usize], losses: &[f32]) -> Vec<f32> {
        let mut count = vec![0usize; self.weights.len()];
        let mut total = vec![0f32; self.weights.len()];
        for (&i, &loss) in batch.iter().zip(losses) {
            count[self.groups[i]] += 1;
            total[self.groups[i]] += loss;
        }
        let present: f32 = (0..self.weights.len())
            .filter(|&g| count[g] > 0)
            .map(|g| self.weights[g])
            .sum();
        let scale = batch
            .iter()
            .map(|&i| self.weights[self.groups[i]] / present / count[self.groups[i]] as f32)
            .collect();
        for g in (0..self.weights.len()).filter(|&g| count[g] > 0) {
            self.weights[g] *= (self.step * total[g] / count[g] as f32).exp();
        }
        let sum: f32 = self.weights.iter().sum();
        self.weights.iter_mut().for_each(|w| *w /= sum);
        scale
    }
}

/// Turns `order` (the previous epoch's) into the image indices the next epoch visits.
/// The next epoch's order: every image shuffled (of which the first `draws` are used), or
/// `draws` balanced draws.
fn next_order(
    order: &mut Vec<usize>,
    strata: &[usize],
    sampling: Sampling,
    draws: usize,
    rng: &mut StdRng,
) {
    match sampling {
        Sampling::Shuffle => order.shuffle(rng),
        Sampling::Balanced => *order = balanced_order(strata, draws, rng),
    }
}

/// `draws` indices, drawn stratum-first with square-root stratum weights.
fn balanced_order(labels: &[usize], draws: usize, rng: &mut StdRng) -> Vec<usize> {
    let classes = labels.iter().max().map_or(0, |l| l + 1);
    let mut by_class = vec![Vec::new(); classes];
    for (i, &label) in labels.iter().enumerate() {
        by_class[label].push(i);
    }
    let present: Vec<&Vec<usize>> = by_class.iter().filter(|c| !c.is_empty()).collect();
    let weights: Vec<f64> = present.iter().map(|c| (c.len() as f64).sqrt()).collect();
    let total: f64 = weights.iter().sum();
    (0..draws)
        .map(|_| {
            let mut draw = rng.random_range(0.0..total);
            let mut class = present[present.len() - 1];
            for (members, weight) in present.iter().zip(&weights) {
                if draw < *weight {
                    class = members;
                    break;
                }
                draw -= weight;
            }
            class[rng.random_range(0..class.len())]
        })
        .collect()
}

/// One-hot targets with `smoothing` spread over all classes, scaled by the label's class
/// weight (what burn's weighted, smoothed cross-entropy compares with).
fn smoothed_targets(labels: &[usize], classes: usize, smoothing: f32, weights: &[f32]) -> Vec<f32> {
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
fn ordinal_targets(labels: &[usize], classes: usize, sigma: f32, weights: &[f32]) -> Vec<f32> {
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

/// Loads an f32 record into a fresh inference (non-autodiff) CPU model.
pub fn load_record(config: &ClassifierConfig, record: &[u8]) -> Result<Classifier, String> {
    config.load_record(record, &Device::flex())
}

/// Class probabilities for resized images, computed by the engine's own code path.
pub fn predict(
    model: &Classifier,
    images: &[RgbImage],
    input: &InputSpec,
) -> Result<Vec<Vec<f32>>, String> {
    predict_calibrated(model, images, input, 1.0)
}

/// [`predict`] with the logits divided by a calibration `temperature`, as the app does.
pub fn predict_calibrated(
    model: &Classifier,
    images: &[RgbImage],
    input: &InputSpec,
    temperature: f32,
) -> Result<Vec<Vec<f32>>, String> {
    let device = Device::flex();
    let mut out = Vec::with_capacity(images.len());
    for chunk in images.chunks(128) {
        let batch = batch_tensor(chunk, input, &device);
        out.extend(
            pollster::block_on(class_probabilities(model, batch, temperature))
                .map_err(|e| e.to_string())?,
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
pub fn fit_normalisation(images: &[RgbImage], size: u32) -> InputSpec {
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
/// without letting classes of a few images dominate.
pub fn class_weights(labels: &[usize], classes: usize) -> Vec<f32> {
    let mut counts = vec![0usize; classes];
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
        let w = class_weights(&[5, 5, 5, 5, 0], 7);
        assert!(w[0] > w[5]);
        assert!((w.iter().sum::<f32>() / w.len() as f32 - 1.0).abs() < 1e-5);
    }

    #[test]
    fn balanced_sampling_favours_rare_classes() {
        let labels: Vec<usize> = (0..1000).map(|i| usize::from(i % 100 == 0)).collect();
        let mut rng = StdRng::seed_from_u64(3);
        let mut order: Vec<usize> = (0..labels.len()).collect();
        next_order(
            &mut order,
            &labels,
            Sampling::Balanced,
            labels.len(),
            &mut rng,
        );
        assert_eq!(order.len(), labels.len());
        // sqrt(10) / (sqrt(10) + sqrt(990)) ≈ 9 % of draws, against 1 % of images.
        let rare = order.iter().filter(|&&i| labels[i] == 1).count();
        assert!((60..130).contains(&rare), "{rare}");
        next_order(&mut order, &labels, Sampling::Balanced, 64, &mut rng);
        assert_eq!(order.len(), 64, "an epoch draws as many as it is told");
        let mut shuffled: Vec<usize> = (0..labels.len()).collect();
        next_order(
            &mut shuffled,
            &labels,
            Sampling::Shuffle,
            labels.len(),
            &mut rng,
        );
        assert_eq!(shuffled.iter().filter(|&&i| labels[i] == 1).count(), 10);
    }

    #[test]
    fn group_weights_grow_for_the_group_with_the_higher_loss() {
        let robust = GroupRobust {
            groups: vec![0, 0, 1, 1, 1, 1],
            step: 0.5,
        };
        let mut weights = GroupWeights::new(&robust);
        let scale = weights.step(&[0, 1, 2, 3, 4, 5], &[2.0, 2.0, 0.1, 0.1, 0.1, 0.1]);
        // Equal group weights at first: each group's images share half of the loss.
        assert_eq!(scale, [0.25, 0.25, 0.125, 0.125, 0.125, 0.125]);
        assert!(weights.weights[0] > weights.weights[1]);
        assert!((weights.weights.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        // A batch with one group only gives that group's images the whole loss.
        let scale = weights.step(&[2, 3], &[1.0, 1.0]);
        assert_eq!(scale, [0.5, 0.5]);
    }

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
