//! Training, evaluation and export of dermtone's networks. Reads datasets where they lie
//! (`../shared/data`), never copies them, and writes weights plus model cards into `models/`.

pub mod augment;
pub mod dermoscopy;
pub mod export;
pub mod fitzpatrick17k;
pub mod ham10000;
pub mod ham10000_masks;
pub mod metrics;
pub mod table;

pub use dermoscopy::{TrainEvent, TrainOptions, TrainReport, train_dermoscopy};
