//! What the training loop is given: the resized splits, the augmentation and selection score
//! callbacks, and every option of a run.

use burn::prelude::*;
use dermtone_engine::InputSpec;
use dermtone_net::ClassifierConfig;
use image::RgbImage;

use super::augment::Augment;
use super::auxiliary::Auxiliary;
use super::checkpoint::Checkpoint;
use super::distillation::Teacher;
use super::group_robust::GroupRobust;
use super::sampling::Sampling;
use super::targets::Targets;

/// Resized images with a class index each.
pub struct Split {
    /// Images at the network input size.
    pub images: Vec<RgbImage>,
    /// Class index per image.
    pub labels: Vec<usize>,
}

/// A selection score (higher is better) from per-image probabilities and labels.
pub type Score = dyn Fn(&[Vec<f32>], &[usize]) -> f64;

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
    /// Decay of an exponential moving average of the weights
    /// ([`WeightAverage`](super::weight_average::WeightAverage)); when set, the average, not the
    /// last step's weights, is scored on val and selected.
    pub weight_average: Option<f64>,
    /// Mixup's Beta(α, α) parameter ([`crate::fit::mixup`]); hard targets without group DRO only.
    pub mixup: Option<f32>,
    /// A second task trained beside this one on the same body ([`Auxiliary`]); what is scored
    /// and selected stays this task's model alone.
    pub auxiliary: Option<&'a Auxiliary<'a>>,
    /// Soft targets from a teacher mixed into the labels ([`Teacher`]); hard targets without
    /// group DRO only.
    pub teacher: Option<&'a Teacher>,
}
