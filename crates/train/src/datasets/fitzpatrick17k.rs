//! The Fitzpatrick17k layouts: the image subset (`labels.csv` + `classes.txt` + `images/`) and
//! the full label-only table (`fitzpatrick17k.csv`). Fitzpatrick types are crowd labels and noisy;
//! −1 (unknown) becomes `None`.

use std::path::{Path, PathBuf};

use crate::datasets::synthetic::{Loaded, load_image};
use crate::datasets::table::Table;

/// One labelled photo of the subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Image file stem.
    pub md5hash: String,
    /// Condition, lowercase with hyphens.
    pub label: String,
    /// `benign`, `malignant` or `non-neoplastic`.
    pub three_partition: String,
    /// Fitzpatrick type 1–6 (Scale AI crowd label), `None` when unknown.
    pub fitzpatrick: Option<u8>,
    /// `train`, `val` or `test`.
    pub split: String,
    /// Near-duplicate group (`dup_group`: photos that look alike share one); the md5hash where
    /// the table has no such column. Whatever splits the photos keeps a group together.
    pub dup_group: String,
}

/// One row of the full label table (no image).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataRecord {
    /// Condition (114 of them, with spaces).
    pub label: String,
    /// `benign`, `malignant` or `non-neoplastic`.
    pub three_partition: String,
    /// Fitzpatrick type 1–6, `None` when unknown.
    pub fitzpatrick: Option<u8>,
}

/// Whether `dir` looks like the image subset.
pub fn is_subset_layout(dir: &Path) -> bool {
    dir.join("labels.csv").is_file() && dir.join("images").is_dir()
}

/// Reads the subset's `labels.csv`.
pub fn read_labels(dir: &Path) -> Result<Vec<Record>, String> {
    let table = Table::read(&dir.join("labels.csv"))?;
    let [md5, label, three, fitz, split] = [
        "md5hash",
        "label",
        "three_partition_label",
        "fitzpatrick_scale",
        "split",
    ]
    .map(|c| table.column(c));
    let (md5, label, three, fitz, split) = (md5?, label?, three?, fitz?, split?);
    let dup_group = table.column("dup_group").ok();
    table
        .rows()
        .iter()
        .enumerate()
        .map(|(i, row)| {
            Ok(Record {
                md5hash: row[md5].clone(),
                label: row[label].clone(),
                three_partition: row[three].clone(),
                fitzpatrick: parse_fitzpatrick(&row[fitz]).map_err(|e| table.error(i, &e))?,
                split: row[split].clone(),
                dup_group: dup_group
                    .map(|c| row[c].clone())
                    .filter(|group| !group.is_empty())
                    .unwrap_or_else(|| row[md5].clone()),
            })
        })
        .collect()
}

/// Reads the full label-only table (`fitzpatrick17k.csv`).
pub fn read_metadata(path: &Path) -> Result<Vec<MetadataRecord>, String> {
    let table = Table::read(path)?;
    let (label, three, fitz) = (
        table.column("label")?,
        table.column("three_partition_label")?,
        table.column("fitzpatrick_scale")?,
    );
    table
        .rows()
        .iter()
        .enumerate()
        .map(|(i, row)| {
            Ok(MetadataRecord {
                label: row[label].clone(),
                three_partition: row[three].clone(),
                fitzpatrick: parse_fitzpatrick(&row[fitz]).map_err(|e| table.error(i, &e))?,
            })
        })
        .collect()
}

/// Path of a subset image.
pub fn image_path(dir: &Path, md5hash: &str) -> PathBuf {
    dir.join("images").join(format!("{md5hash}.jpg"))
}

/// The decoded photo of a record and its synthetic stamp, if any, with the path in any error.
pub fn read_image(dir: &Path, record: &Record) -> Result<Loaded, String> {
    load_image(&image_path(dir, &record.md5hash))
}

/// A Fitzpatrick type field: 1–6, or −1 for unknown (None).
pub(crate) fn parse_fitzpatrick(field: &str) -> Result<Option<u8>, String> {
    match field.trim().parse::<i8>() {
        Ok(-1) => Ok(None),
        Ok(t @ 1..=6) => Ok(Some(t as u8)),
        _ => Err(format!("Fitzpatrick type {field:?} is not 1–6 or −1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data")
            .join(name)
    }

    #[test]
    fn subset_labels_match_its_source_counts() {
        let dir = shared("fitzpatrick17k_ajl_subset");
        assert!(is_subset_layout(&dir));
        let records = read_labels(&dir).unwrap();
        assert_eq!(records.len(), 3684);
        let count = |split: &str| records.iter().filter(|r| r.split == split).count();
        assert_eq!(
            (count("train"), count("val"), count("test")),
            (2852, 412, 420)
        );
        let test_vi = records
            .iter()
            .filter(|r| r.split == "test" && r.fitzpatrick == Some(6))
            .count();
        assert_eq!(test_vi, 11);
        assert!(image_path(&dir, &records[0].md5hash).is_file());
    }

    #[test]
    fn full_metadata_has_every_row() {
        let path = shared("fitzpatrick17k_metadata/fitzpatrick17k.csv");
        let records = read_metadata(&path).unwrap();
        assert_eq!(records.len(), 16577);
        assert_eq!(
            records.iter().filter(|r| r.fitzpatrick.is_none()).count(),
            565
        );
    }

    #[test]
    fn a_stamped_png_under_a_record_name_is_read_as_synthetic() {
        use crate::datasets::synthetic::tests::{photo, scratch};
        use image::ImageFormat;

        let dir = scratch("f17k-synthetic");
        std::fs::create_dir(dir.join("images")).unwrap();
        let record = |md5: &str| Record {
            md5hash: md5.into(),
            label: "melanoma".into(),
            three_partition: "malignant".into(),
            fitzpatrick: Some(5),
            split: "test".into(),
            dup_group: md5.into(),
        };
        for (md5, bytes) in [
            ("stamped", photo(ImageFormat::Png, true)),
            ("plain", photo(ImageFormat::Png, false)),
            ("photo", photo(ImageFormat::Jpeg, false)),
        ] {
            std::fs::write(image_path(&dir, md5), bytes).unwrap();
            let loaded = read_image(&dir, &record(md5)).unwrap();
            assert_eq!(loaded.synthetic.is_some(), md5 == "stamped", "{md5}");
        }
        let err = read_image(&dir, &record("stamped"))
            .unwrap()
            .real("test")
            .unwrap_err();
        assert!(err.contains("stamped.jpg is a synthetic image"), "{err}");
    }

    #[test]
    fn a_bad_type_names_the_line() {
        assert!(parse_fitzpatrick("7").is_err());
        assert_eq!(parse_fitzpatrick("-1"), Ok(None));
        assert_eq!(parse_fitzpatrick("3"), Ok(Some(3)));
    }
}
