//! The supervised training loop every dermtone classifier shares: AdamW with a cosine
//! schedule, class-weighted cross-entropy (hard or ordinal soft targets), and selection of the
//! epoch that scores best on val. Dataset-specific code only prepares images and picks options.

pub mod augment;
pub mod backend;
pub mod checkpoint;
pub mod fitted;
pub mod group_robust;
pub mod mixup;
pub mod options;
pub mod predict;
pub mod prepare;
pub mod progress;
pub mod sampling;
pub mod targets;
pub mod tone_augment;
pub mod train_loop;
pub mod weight_average;
