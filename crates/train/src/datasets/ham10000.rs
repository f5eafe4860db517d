//! The HAM10000 layout as shared: `split.csv` (image_id, lesion_id, dx, label, split) and
//! `images_200x150/<image_id>.jpg`. The split is lesion-level, so no lesion crosses splits.

use std::path::{Path, PathBuf};

use dermtone_engine::{Label, resize_for_model};

use crate::datasets::synthetic::{Loaded, load_image};
use crate::fit::options::Split;
use crate::parallel::map_on_all_cores;

/// Class codes and names in label order (the DermaMNIST order used by `split.csv`).
pub const CLASSES: [(&str, &str); 7] = [
    ("akiec", "Actinic keratosis / intraepithelial carcinoma"),
    ("bcc", "Basal cell carcinoma"),
    ("bkl", "Benign keratosis-like lesion"),
    ("df", "Dermatofibroma"),
    ("mel", "Melanoma"),
    ("nv", "Melanocytic nevus (mole)"),
    ("vasc", "Vascular lesion"),
];

/// The labels in network order, as written into the manifest.
pub fn labels() -> Vec<Label> {
    CLASSES
        .iter()
        .map(|(code, name)| Label {
            code: (*code).into(),
            name: (*name).into(),
        })
        .collect()
}

/// One row of `split.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// ISIC image id, also the file stem.
    pub image_id: String,
    /// Lesion id; several images may show one lesion.
    pub lesion_id: String,
    /// Class index into [`CLASSES`].
    pub label: usize,
    /// `train`, `val` or `test`.
    pub split: String,
}

/// Reads `split.csv` from a HAM10000 folder.
pub fn read_split_csv(dir: &Path) -> Result<Vec<Record>, String> {
    let path = dir.join("split.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {}: {e} (is --data a HAM10000 folder?)",
            path.display()
        )
    })?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    if header.trim() != "image_id,lesion_id,dx,label,split" {
        return Err(format!(
            "{} has an unexpected header: {header}",
            path.display()
        ));
    }
    lines
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let fields: Vec<&str> = line.trim().split(',').collect();
            let bad = || format!("{} line {}: cannot parse {line:?}", path.display(), i + 2);
            if fields.len() != 5 {
                return Err(bad());
            }
            let label: usize = fields[3].parse().map_err(|_| bad())?;
            if label >= CLASSES.len() || CLASSES[label].0 != fields[2] {
                return Err(bad());
            }
            Ok(Record {
                image_id: fields[0].into(),
                lesion_id: fields[1].into(),
                label,
                split: fields[4].into(),
            })
        })
        .collect()
}

/// Path of an image file.
pub fn image_path(dir: &Path, image_id: &str) -> PathBuf {
    dir.join("images_200x150").join(format!("{image_id}.jpg"))
}

/// The decoded image of a record and its synthetic stamp, if any, with the path in any error.
pub fn read_image(dir: &Path, record: &Record) -> Result<Loaded, String> {
    load_image(&image_path(dir, &record.image_id))
}

/// Loads the first `limit` images of `split` (all when `None`) for training, resized to `size`,
/// on all cores, with how many of them are stamped synthetic (refused outside train).
pub fn load_split(
    dir: &Path,
    records: &[Record],
    split: &str,
    size: u32,
    limit: Option<usize>,
) -> Result<(Split, usize), String> {
    let chosen: Vec<&Record> = records
        .iter()
        .filter(|r| r.split == split)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "split {split:?} has no images in {}",
            dir.display()
        ));
    }
    let loaded = map_on_all_cores(&chosen, |r| {
        let (image, synthetic) = read_image(dir, r)?.for_training(split)?;
        Ok((resize_for_model(&image, size), synthetic))
    })?;
    let (images, synthetic): (Vec<_>, Vec<bool>) = loaded.into_iter().unzip();
    let labels = chosen.iter().map(|r| r.label).collect();
    Ok((
        Split { images, labels },
        synthetic.iter().filter(|&&s| s).count(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_ham() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ham10000")
    }

    #[test]
    fn shared_split_is_lesion_level_and_complete() {
        let records = read_split_csv(&shared_ham()).unwrap();
        assert_eq!(records.len(), 9010);
        let mut split_of = std::collections::HashMap::new();
        for r in &records {
            let previous = split_of.insert(r.lesion_id.clone(), r.split.clone());
            assert!(
                previous.is_none_or(|s| s == r.split),
                "lesion {} crosses splits",
                r.lesion_id
            );
        }
        for split in ["train", "val", "test"] {
            assert!(records.iter().any(|r| r.split == split));
        }
    }

    #[test]
    fn loads_resized_images_with_labels() {
        let dir = shared_ham();
        let records = read_split_csv(&dir).unwrap();
        let (split, synthetic) = load_split(&dir, &records, "val", 32, Some(5)).unwrap();
        assert_eq!(split.images.len(), 5);
        assert!(split.images.iter().all(|im| im.dimensions() == (32, 32)));
        assert_eq!(split.labels.len(), 5);
        assert_eq!(synthetic, 0);
    }

    #[test]
    fn synthetic_images_are_counted_in_train_and_refused_in_test() {
        use crate::datasets::synthetic::tests::{photo, scratch};
        use image::ImageFormat;

        let dir = scratch("ham-synthetic");
        std::fs::create_dir(dir.join("images_200x150")).unwrap();
        let mut records = Vec::new();
        for (id, split, stamped) in [
            ("ISIC_a", "train", true),
            ("ISIC_b", "train", false),
            ("ISIC_c", "test", false),
            ("ISIC_d", "test", true),
        ] {
            std::fs::write(image_path(&dir, id), photo(ImageFormat::Png, stamped)).unwrap();
            records.push(Record {
                image_id: id.into(),
                lesion_id: id.into(),
                label: 4,
                split: split.into(),
            });
        }
        let (train, synthetic) = load_split(&dir, &records, "train", 8, None).unwrap();
        assert_eq!((train.images.len(), synthetic), (2, 1));
        let err = load_split(&dir, &records, "test", 8, None).err().unwrap();
        assert!(err.contains("ISIC_d.jpg is a synthetic image"), "{err}");
        assert!(err.contains("never allowed in a test split"), "{err}");
    }

    #[test]
    fn a_folder_without_split_csv_is_a_clear_error() {
        let err = read_split_csv(Path::new("/nonexistent")).unwrap_err();
        assert!(err.contains("HAM10000"), "{err}");
    }
}
