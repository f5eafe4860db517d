//! What decides a photo-model training run, recorded in its card and checked when a run
//! resumes: apart from the training code so that the modules that pick where training starts
//! can read it without importing the training itself.

use std::path::PathBuf;

use dermtone_net::NetKind;

use crate::clinical::cross_fit::Fold;
use crate::clinical::dark_synthesis::Synthesis;
use crate::clinical::distillation::Distillation;
use crate::clinical::new_photos::AddPhotos;
use crate::clinical::shared_body::SharedBody;
use crate::clinical::tone_head::ToneHead;
use crate::fit::backend::TrainBackend;

/// Everything that decides a training run; recorded in the model card.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClinicalTrainOptions {
    /// Fitzpatrick17k subset folder.
    pub data: PathBuf,
    /// Seed for initialisation, shuffling and augmentation.
    pub seed: u64,
    /// Passes over the training split (at most; see `patience`).
    pub epochs: usize,
    /// Images per optimiser step.
    pub batch_size: usize,
    /// Peak learning rate (cosine-decayed to zero).
    pub learning_rate: f64,
    /// Side of the square network input.
    pub input_size: u32,
    /// Channels of the first block.
    pub base_width: usize,
    /// A mobile block's hidden layers against its input (see [`dermtone_net::ClassifierConfig`]);
    /// left out of the recipe at the default, so older checkpoints still resume.
    #[serde(skip_serializing_if = "dermtone_net::mobile::is_default_expansion")]
    pub expansion: usize,
    /// Network body.
    pub kind: NetKind,
    /// Where the network trains.
    pub backend: TrainBackend,
    /// Label smoothing of the targets.
    pub label_smoothing: f32,
    /// Stop after this many epochs without a better val score.
    pub patience: Option<usize>,
    /// Balance sampling over condition group × Fitzpatrick group (square-root weights) instead
    /// of condition group alone, so darker skin is drawn more often than its share.
    pub tone_balanced: bool,
    /// Share of training draws re-toned to a random skin tone (0 = off; see
    /// [`crate::fit::tone_augment::ToneAugment`]).
    pub tone_augment: f64,
    /// Step size of the group-robust (group DRO) loss over Fitzpatrick groups (0 = plain loss).
    pub group_robust: f32,
    /// Start from the body of the dermoscopy model shipped in this folder (its manifest's
    /// `dermoscopy` entry; a fresh head), instead of random weights: transfer from HAM10000.
    pub init_from: Option<PathBuf>,
    /// Start from the whole photo model shipped in this folder (body, head and input
    /// normalisation): a warm restart of the cosine schedule, so a model's training can go on
    /// in a later run, session-sized. Left out of the recipe when off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continue_from: Option<PathBuf>,
    /// Use at most this many images per split (for smoke tests), all when `None`.
    pub limit: Option<usize>,
    /// Synthetic darker renderings of the light training photos added to the train split (see
    /// [`crate::clinical::dark_synthesis`]); none when `None`. Left out of the recipe when off,
    /// so older checkpoints still resume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synthesis: Option<Synthesis>,
    /// Fine-tune the shipped photo model with new real photos (see [`crate::clinical::add`])
    /// instead of training from `init_from` or random weights. Left out of the recipe when off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add: Option<AddPhotos>,
    /// Decay of the weight average selected on val (off when `None`; left out of the recipe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_average: Option<f64>,
    /// Mixup's α (off when `None`; left out of the recipe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mixup: Option<f32>,
    /// HAM10000's dermoscopy trained beside the photos on the same body (off when `None`; left
    /// out of the recipe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_body: Option<SharedBody>,
    /// Soft targets from an ensemble of trained photo models (off when `None`; left out of the
    /// recipe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distillation: Option<Distillation>,
    /// A Fitzpatrick-type head trained beside the condition head on the same photos (off when
    /// `None`; left out of the recipe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tone_head: Option<ToneHead>,
    /// Train without this fold of the train split, as a cross-fitted teacher of its photos
    /// (see [`crate::clinical::cross_fit`]); every train photo when `None` (left out of the
    /// recipe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_out_fold: Option<Fold>,
}
