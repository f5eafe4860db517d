//! Training, evaluation and export of dermtone's networks. Reads datasets where they lie
//! (`../shared/data`), never copies them, and writes weights plus model cards into `models/`.

pub mod ablation;
pub mod audit;
pub mod clinical;
pub mod datasets;
pub mod dermoscopy;
pub mod evaluation;
pub mod export;
pub mod fit;
pub mod generator;
pub mod parallel;
pub mod svg;
pub mod tone;

pub use dermoscopy::train::{TrainOptions, TrainReport, train_dermoscopy};
pub use dermtone_net::NetKind;
pub use fit::progress::TrainEvent;
