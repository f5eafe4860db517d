//! One split of the Fitzpatrick17k subset as training reads it: resized photos with their
//! condition groups, labelled tone groups, synthetic stamps and dataset records.

use std::path::Path;

use dermtone_engine::resize_for_model;

use crate::clinical::taxonomy::group_of;
use crate::clinical::tone_groups::tone_index;
use crate::datasets::fitzpatrick17k::{Record, read_image};
use crate::fit::options::Split;
use crate::parallel::map_on_all_cores;

/// A split's resized images with their condition groups and labelled tones.
pub struct ClinicalSplit {
    /// Images and condition-group indices.
    pub split: Split,
    /// Tone group index per image ([`crate::clinical::tone_groups::TONE_GROUPS`], or
    /// [`crate::clinical::tone_groups::UNKNOWN_TONE`]).
    pub tones: Vec<usize>,
    /// Whether each image is stamped synthetic (only a train split may hold any).
    pub synthetic: Vec<bool>,
    /// The dataset records, in the same order; renderings added by
    /// [`crate::clinical::dark_synthesis`] and new photos added by [`crate::clinical::add`] come
    /// after them and have none.
    pub records: Vec<Record>,
}

/// One split of a Fitzpatrick17k-layout folder for training (its first `limit` images when
/// set), decoded and resized to `size` on all cores, with condition groups, labelled tones and
/// which images are stamped synthetic (refused outside train).
pub fn load_clinical_split(
    dir: &Path,
    records: &[Record],
    split: &str,
    size: u32,
    limit: Option<usize>,
) -> Result<ClinicalSplit, String> {
    let (chosen, labels) = split_records(dir, records, split, limit)?;
    let loaded = map_on_all_cores(&chosen, |r| {
        let (image, synthetic) = read_image(dir, r)?.for_training(split)?;
        Ok((resize_for_model(&image, size), synthetic))
    })?;
    let (images, synthetic) = loaded.into_iter().unzip();
    Ok(ClinicalSplit {
        split: Split { images, labels },
        tones: chosen.iter().map(|r| tone_index(r.fitzpatrick)).collect(),
        synthetic,
        records: chosen,
    })
}

/// The records of `split` (its first `limit` when set) with their condition groups: the
/// selection training and evaluation share. An empty split or an unknown label is an error.
pub fn split_records(
    dir: &Path,
    records: &[Record],
    split: &str,
    limit: Option<usize>,
) -> Result<(Vec<Record>, Vec<usize>), String> {
    let chosen: Vec<Record> = records
        .iter()
        .filter(|r| r.split == split)
        .take(limit.unwrap_or(usize::MAX))
        .cloned()
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "split {split:?} has no images in {}",
            dir.display()
        ));
    }
    let labels = chosen
        .iter()
        .map(|r| group_of(&r.label))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((chosen, labels))
}
