//! The photo model with a head for the crowd-labelled Fitzpatrick type beside its condition
//! head (issue 19's "tone labels as a third head", here as the second on the photo body): the
//! body learns to tell skin tones apart from the same training photos, through a head of six
//! classes of its own (see [`crate::fit::auxiliary`]). The model exported is the condition model
//! alone. Only training photos with a labelled type feed the tone head.

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

    /// For each training image of `train`, its labelled Fitzpatrick type's index (type − 1),
    /// `None` where the type is unknown and for renderings and added photos, which come after
    /// the dataset's records: the tone head's labels over the condition task's own images.
    pub fn types(train: &ClinicalSplit) -> Vec<Option<usize>> {
        let dataset = train.records.iter().map(|record| {
            let fitzpatrick = record.fitzpatrick.filter(|t| (1..=6).contains(t))?;
            Some(usize::from(fitzpatrick - 1))
        });
        let images = train.split.images.len();
        dataset
            .chain(std::iter::repeat(None))
            .take(images)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use image::RgbImage;

    use super::*;
    use crate::datasets::fitzpatrick17k::Record;
    use crate::fit::options::Split;

    fn record(fitzpatrick: Option<u8>) -> Record {
        Record {
            md5hash: String::new(),
            label: "melanoma".into(),
            three_partition: "malignant".into(),
            fitzpatrick,
            split: "train".into(),
            dup_group: String::new(),
        }
    }

    #[test]
    fn types_label_the_dataset_photos_and_leave_renderings_and_unknowns_out() {
        let train = ClinicalSplit {
            split: Split {
                images: vec![RgbImage::new(1, 1); 5],
                labels: vec![0; 5],
            },
            tones: vec![0; 5],
            synthetic: vec![false, false, false, true, true],
            records: vec![record(Some(6)), record(None), record(Some(1))],
        };
        assert_eq!(
            ToneHead::types(&train),
            [Some(5), None, Some(0), None, None]
        );
    }
}
