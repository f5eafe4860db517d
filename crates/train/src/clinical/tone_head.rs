//! The photo model with a head for the crowd-labelled Fitzpatrick type beside its condition
//! head (issue 19's "tone labels as a third head", here as the second on the photo body): the
//! body learns to tell skin tones apart from the same training photos, through a head of six
//! classes of its own (see [`crate::fit::auxiliary`]). The model exported is the condition model
//! alone. Only training photos with a labelled type feed the tone head.

use image::RgbImage;

use crate::clinical::split::ClinicalSplit;

/// The tone task trained beside the condition task.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ToneHead {
    /// Labelled photos in each batch, beside the batch's photos.
    pub per_batch: usize,
    /// Weight of the tone loss beside the condition loss.
    pub weight: f32,
}

impl ToneHead {
    /// Classes of the tone head: Fitzpatrick types I–VI.
    pub const CLASSES: usize = 6;

    /// The dataset photos of `train` with a labelled Fitzpatrick type, and the type's index
    /// (type − 1); renderings and added photos, which come after the dataset's records, are
    /// left out.
    pub fn labelled(train: &ClinicalSplit) -> (Vec<RgbImage>, Vec<usize>) {
        train
            .records
            .iter()
            .zip(&train.split.images)
            .filter_map(|(record, image)| {
                let fitzpatrick = record.fitzpatrick.filter(|t| (1..=6).contains(t))?;
                Some((image.clone(), usize::from(fitzpatrick - 1)))
            })
            .unzip()
    }
}
