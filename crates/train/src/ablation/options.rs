//! What an ablation report measures: which runs, on which photos, against which arm.

use std::path::PathBuf;

/// What to measure.
#[derive(Debug, Clone)]
pub struct AblationOptions {
    /// Folder of run folders (`<arm>-s<seed>`).
    pub runs: PathBuf,
    /// Fitzpatrick17k-layout folder whose val and test splits measure every run.
    pub data: PathBuf,
    /// Folder whose manifest names the tone generator that renders the synthetic test sets.
    pub models: PathBuf,
    /// The arm every other arm is compared with.
    pub baseline: String,
    /// Use at most this many photos per split (smoke runs).
    pub limit: Option<usize>,
}
