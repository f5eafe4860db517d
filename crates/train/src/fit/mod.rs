//! The supervised training loop every dermtone classifier shares: AdamW with a cosine
//! schedule, class-weighted cross-entropy (hard or ordinal soft targets), and selection of the
//! epoch that scores best on val. Dataset-specific code only prepares images and picks options.
//!
//! Why our own loop rather than burn-train's `Learner` / `SupervisedTraining` (weighed for issue
//! 21): that loop brings metric logging, metric-based checkpoints, early stopping and training on
//! several devices at once, and the last is what it would take to train past one GPU. What ours
//! must do sits between its steps: sampling balanced over condition × skin-tone strata with a
//! fixed number of draws an epoch (so synthetic renderings change what an epoch sees, never how
//! many steps it takes), group-DRO weights updated from each batch's tone groups, mixup from a
//! stream seeded per epoch and the main stream's position kept so that `--resume` replays
//! nothing, a weight average resumed with its batch-norm statistics matched by visit order,
//! selection on a score over the whole val split (the worst tone group's malignant AUROC), and a
//! recipe check that refuses to resume with other options. Each could be bent into its
//! callbacks and metrics, but the exact resumption and the per-epoch val score would be rebuilt
//! around it, for a gain (several devices) that this project's machines (two cores, at most one
//! lent GPU) cannot use. Revisit if training moves to several GPUs.

pub mod augment;
pub mod auxiliary;
pub mod backend;
pub mod checkpoint;
pub mod distillation;
pub mod fitted;
pub mod group_robust;
pub mod mixup;
pub mod options;
pub mod predict;
pub mod prepare;
pub mod progress;
pub mod sampling;
pub mod stream;
pub mod targets;
pub mod tone_augment;
pub mod train_loop;
pub mod weight_average;
