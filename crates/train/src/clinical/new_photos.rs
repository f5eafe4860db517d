//! New real photos for `train clinical --add`: where they are, which shipped model they update,
//! and the photos decoded for training, refused if any is synthetic, off the taxonomy or in the
//! fixed test split.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use dermtone_engine::resize_for_model;
use image::RgbImage;

use crate::clinical::taxonomy::group_of;
use crate::clinical::tone_groups::tone_index;
use crate::datasets::new_photo_layouts::read_new_records;
use crate::datasets::synthetic::load_image;
use crate::parallel::map_on_all_cores;

/// Where the new photos are and which model they update.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AddPhotos {
    /// A folder of newly labelled real photos: the Fitzpatrick17k layout (labels.csv +
    /// images/; every row is used, whatever its split column says) or a folder per condition
    /// with a tones.csv ([`crate::datasets::new_photo_layouts`]).
    pub new_photos: PathBuf,
    /// The folder of the shipped photo model that is fine-tuned (its manifest's `photo` entry).
    pub shipped: PathBuf,
}

/// New photos decoded for training.
pub struct NewPhotos {
    /// Each photo at the training size.
    pub images: Vec<RgbImage>,
    /// Condition-group index per photo.
    pub labels: Vec<usize>,
    /// Tone group index per photo.
    pub tones: Vec<usize>,
}

/// The photos of `dir` (either layout of [`read_new_records`]) at `size`. A stamped synthetic
/// file, a condition outside the taxonomy or a photo of the fixed test split (`test_ids`, which
/// must stay unseen) is an error naming it.
pub fn load_new_photos(
    dir: &Path,
    test_ids: &HashSet<String>,
    size: u32,
) -> Result<NewPhotos, String> {
    let records = read_new_records(dir)?;
    if records.is_empty() {
        return Err(format!("{} lists no photos", dir.display()));
    }
    if let Some(seen) = records.iter().find(|r| test_ids.contains(&r.id)) {
        return Err(format!(
            "{}: photo {} is in the fixed test split, which measures every model and must stay \
             unseen in training",
            dir.display(),
            seen.id
        ));
    }
    let labels = records
        .iter()
        .map(|r| group_of(&r.label).map_err(|e| format!("{}: {e}", r.path.display())))
        .collect::<Result<Vec<_>, _>>()?;
    let images = map_on_all_cores(&records, |record| {
        let photo = load_image(&record.path)?.real("new photos")?;
        Ok(resize_for_model(&photo, size))
    })?;
    Ok(NewPhotos {
        images,
        labels,
        tones: records.iter().map(|r| tone_index(r.fitzpatrick)).collect(),
    })
}
