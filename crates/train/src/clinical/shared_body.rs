//! The photo model trained on one body with HAM10000's dermoscopy (issue 19's shared body): the
//! photo task has 2,852 training photos, and beside them the body also learns from HAM10000's
//! lesion-level train split through a dermoscopy head of its own (see [`crate::fit::auxiliary`]).
//! The model exported is the photo model alone; its card carries HAM10000's terms too.

use std::path::PathBuf;

use crate::datasets::ham10000::{CLASSES, load_split, read_split_csv};
use crate::fit::options::Split;

/// The dermoscopy task trained beside the photo task.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SharedBody {
    /// HAM10000 folder whose train split is the second task.
    pub dermoscopy: PathBuf,
    /// Dermoscopy images in each batch, beside the batch's photos.
    pub per_batch: usize,
    /// Weight of the dermoscopy loss beside the photo loss.
    pub weight: f32,
}

impl SharedBody {
    /// Classes of the dermoscopy head.
    pub const CLASSES: usize = CLASSES.len();

    /// The train split (its first `limit` images when set), resized to `size` for cropping.
    pub fn load(&self, size: u32, limit: Option<usize>) -> Result<Split, String> {
        let records = read_split_csv(&self.dermoscopy)?;
        let (split, _) = load_split(&self.dermoscopy, &records, "train", size, limit)?;
        Ok(split)
    }
}
