//! What the training loop reports while it runs, for a caller's progress bar.

use crate::evaluation::metrics::ClassificationMetrics;

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
