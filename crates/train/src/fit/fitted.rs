//! The epoch the loop selects: what [`fit`](super::train_loop::fit) returns and a checkpoint
//! keeps as its best epoch.

use crate::evaluation::metrics::ClassificationMetrics;

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
