//! What an audit reads: the dataset layout found at a path, and the images (or label rows) it
//! lists, each with its class, split and labelled type where the layout gives them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use dermtone_color::Mask;

use crate::datasets::{fitzpatrick17k, ham10000, ham10000_masks};

/// Class of images that sit directly in a plain folder (no subfolder to name their class).
pub const UNKNOWN_CLASS: &str = "unknown";

/// File extensions a plain folder's images may have (case-insensitive).
const IMAGE_EXTENSIONS: [&str; 3] = ["jpg", "jpeg", "png"];

/// The dataset layouts an audit understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `split.csv` + `images_200x150/` (+ optional `masks_200x150.npz`).
    Ham10000,
    /// `labels.csv` + `images/`: clinical photos with labelled Fitzpatrick types.
    Fitzpatrick17kSubset,
    /// `fitzpatrick17k.csv`: labels only, no images.
    Fitzpatrick17kMetadata,
    /// Any folder of `.jpg`/`.jpeg`/`.png` files, searched recursively.
    ImageFolder,
}

impl Layout {
    /// Stable name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ham10000 => "ham10000",
            Self::Fitzpatrick17kSubset => "fitzpatrick17k_subset",
            Self::Fitzpatrick17kMetadata => "fitzpatrick17k_metadata",
            Self::ImageFolder => "image_folder",
        }
    }
}

/// A class as reported: its code and, where the dataset names it, a readable name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassInfo {
    /// Code as in the dataset (`mel`, `acne`, a folder name, `unknown`).
    pub code: String,
    /// Readable name, where the dataset has one.
    pub name: Option<String>,
}

/// One image to audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// File on disk.
    pub path: PathBuf,
    /// Class code.
    pub class: String,
    /// `train`, `val` or `test` where the layout has splits.
    pub split: Option<String>,
    /// Labelled Fitzpatrick type (1–6) where the layout has labels.
    pub label: Option<u8>,
    /// Key of its hand-drawn lesion mask, where one exists.
    pub mask_id: Option<String>,
}

/// One labelled row, with or without an image: what the labelled distribution counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelRow {
    /// Condition.
    pub class: String,
    /// `benign`, `malignant` or `non-neoplastic`.
    pub partition: String,
    /// Split, where the layout has one.
    pub split: Option<String>,
    /// Fitzpatrick type 1–6, `None` when unknown.
    pub fitzpatrick: Option<u8>,
}

/// Everything read from a dataset path before any image is decoded.
pub struct Source {
    /// The layout found.
    pub layout: Layout,
    /// Dataset root (folder, or the CSV for the label table).
    pub root: PathBuf,
    /// Classes in report order.
    pub classes: Vec<ClassInfo>,
    /// Images to audit (none for the label table).
    pub items: Vec<Item>,
    /// Labelled rows (none for unlabelled layouts).
    pub labels: Vec<LabelRow>,
    /// Hand-drawn lesion masks by `Item::mask_id`.
    pub masks: HashMap<String, Mask>,
}

/// Finds the layout at `path` and lists what it holds. The HAM10000 hand masks are loaded
/// here (only those of listed images).
pub fn read_source(path: &Path) -> Result<Source, String> {
    if path.is_file() {
        return if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            read_metadata(path)
        } else {
            Err(format!(
                "{} is a file: give a dataset folder or a Fitzpatrick17k label table (.csv)",
                path.display()
            ))
        };
    }
    if !path.is_dir() {
        return Err(format!("{} does not exist", path.display()));
    }
    let metadata_csv = path.join("fitzpatrick17k.csv");
    if path.join("split.csv").is_file() && path.join("images_200x150").is_dir() {
        read_ham(path)
    } else if fitzpatrick17k::is_subset_layout(path) {
        read_subset(path)
    } else if metadata_csv.is_file() {
        read_metadata(&metadata_csv)
    } else {
        read_folder(path)
    }
}

fn read_ham(dir: &Path) -> Result<Source, String> {
    let records = ham10000::read_split_csv(dir)?;
    let ids: HashSet<String> = records.iter().map(|r| r.image_id.clone()).collect();
    let masks = if dir.join(ham10000_masks::MASKS_FILE).is_file() {
        ham10000_masks::load_lesion_masks(dir, Some(&ids))?
    } else {
        HashMap::new()
    };
    let items = records
        .iter()
        .map(|r| Item {
            path: ham10000::image_path(dir, &r.image_id),
            class: ham10000::CLASSES[r.label].0.into(),
            split: Some(r.split.clone()),
            label: None,
            mask_id: masks.contains_key(&r.image_id).then(|| r.image_id.clone()),
        })
        .collect();
    let classes = ham10000::CLASSES
        .iter()
        .map(|(code, name)| ClassInfo {
            code: (*code).into(),
            name: Some((*name).into()),
        })
        .collect();
    Ok(Source {
        layout: Layout::Ham10000,
        root: dir.into(),
        classes,
        items,
        labels: Vec::new(),
        masks,
    })
}

fn read_subset(dir: &Path) -> Result<Source, String> {
    let records = fitzpatrick17k::read_labels(dir)?;
    let items = records
        .iter()
        .map(|r| Item {
            path: fitzpatrick17k::image_path(dir, &r.md5hash),
            class: r.label.clone(),
            split: Some(r.split.clone()),
            label: r.fitzpatrick,
            mask_id: None,
        })
        .collect();
    let labels = records
        .iter()
        .map(|r| LabelRow {
            class: r.label.clone(),
            partition: r.three_partition.clone(),
            split: Some(r.split.clone()),
            fitzpatrick: r.fitzpatrick,
        })
        .collect();
    Ok(Source {
        layout: Layout::Fitzpatrick17kSubset,
        root: dir.into(),
        classes: sorted_classes(records.iter().map(|r| r.label.as_str())),
        items,
        labels,
        masks: HashMap::new(),
    })
}

fn read_metadata(csv: &Path) -> Result<Source, String> {
    let records = fitzpatrick17k::read_metadata(csv)?;
    let labels = records
        .iter()
        .map(|r| LabelRow {
            class: r.label.clone(),
            partition: r.three_partition.clone(),
            split: None,
            fitzpatrick: r.fitzpatrick,
        })
        .collect();
    Ok(Source {
        layout: Layout::Fitzpatrick17kMetadata,
        root: csv.into(),
        classes: sorted_classes(records.iter().map(|r| r.label.as_str())),
        items: Vec::new(),
        labels,
        masks: HashMap::new(),
    })
}

/// A plain folder: every image below it, classed by the first subfolder it sits in (images
/// directly in the folder are of class `unknown`). Hidden entries are skipped and symbolic links
/// to folders are not followed, so a link loop cannot trap the walk.
fn read_folder(dir: &Path) -> Result<Source, String> {
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "{} is not a HAM10000 folder (split.csv + images_200x150/), a Fitzpatrick17k subset \
             (labels.csv + images/) or label table (fitzpatrick17k.csv), and holds no .jpg, .jpeg \
             or .png images",
            dir.display()
        ));
    }
    let items: Vec<Item> = files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(dir).unwrap_or(&path);
            let class = match relative.components().count() {
                1 => UNKNOWN_CLASS.to_string(),
                _ => relative
                    .components()
                    .next()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .unwrap_or_else(|| UNKNOWN_CLASS.into()),
            };
            Item {
                path,
                class,
                split: None,
                label: None,
                mask_id: None,
            }
        })
        .collect();
    Ok(Source {
        layout: Layout::ImageFolder,
        root: dir.into(),
        classes: sorted_classes(items.iter().map(|i| i.class.as_str())),
        items,
        labels: Vec::new(),
        masks: HashMap::new(),
    })
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if kind.is_dir() {
            walk(&path, files)?;
        } else if is_image_name(&path) {
            files.push(path);
        }
    }
    Ok(())
}

fn is_image_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn sorted_classes<'a>(codes: impl Iterator<Item = &'a str>) -> Vec<ClassInfo> {
    codes
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|code| ClassInfo {
            code: code.into(),
            name: None,
        })
        .collect()
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
    fn recognises_each_shared_layout() {
        let subset = read_source(&shared("fitzpatrick17k_ajl_subset")).unwrap();
        assert_eq!(subset.layout, Layout::Fitzpatrick17kSubset);
        assert_eq!((subset.items.len(), subset.classes.len()), (3684, 21));
        let table = read_source(&shared("fitzpatrick17k_metadata")).unwrap();
        assert_eq!(table.layout, Layout::Fitzpatrick17kMetadata);
        assert_eq!((table.items.len(), table.labels.len()), (0, 16577));
        let same = read_source(&shared("fitzpatrick17k_metadata/fitzpatrick17k.csv")).unwrap();
        assert_eq!(same.labels, table.labels);
    }

    #[test]
    fn a_plain_folder_is_walked_and_classed_by_subfolder() {
        let dir = std::env::temp_dir().join(format!("dermtone-source-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["mel/deeper", ".hidden"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        for file in ["a.JPG", "notes.txt", "mel/deeper/b.png", ".hidden/c.jpg"] {
            std::fs::write(dir.join(file), b"x").unwrap();
        }
        let source = read_source(&dir).unwrap();
        let found: Vec<(String, String)> = source
            .items
            .iter()
            .map(|i| {
                (
                    i.path.strip_prefix(&dir).unwrap().display().to_string(),
                    i.class.clone(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("a.JPG".into(), "unknown".into()),
                ("mel/deeper/b.png".into(), "mel".into())
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_folder_without_images_names_every_layout() {
        let dir = std::env::temp_dir().join(format!("dermtone-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = read_source(&dir).err().unwrap();
        assert!(err.contains("HAM10000") && err.contains("no .jpg"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(read_source(&dir).err().unwrap().contains("does not exist"));
    }
}
