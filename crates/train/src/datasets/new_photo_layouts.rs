//! The two ways newly labelled photos can arrive for `train clinical --add`: the Fitzpatrick17k
//! layout (labels.csv + images/), or what a clinic is likelier to have, a folder per condition
//! (`melanoma/`, `dermatofibroma/`, ...) beside a `tones.csv` giving each file's Fitzpatrick
//! type. Both become the same list of labelled files; nothing in a folder goes unlisted.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::datasets::fitzpatrick17k::{
    image_path, is_subset_layout, parse_fitzpatrick, read_labels,
};
use crate::datasets::table::Table;

/// The tone table of the folder-per-condition layout: columns `file` (relative to the folder,
/// e.g. `melanoma/IMG_0012.jpg`) and `fitzpatrick` (1–6; −1 or empty for unknown).
pub const TONES_CSV: &str = "tones.csv";

/// Image file extensions looked for in condition folders.
const IMAGE_EXTENSIONS: [&str; 3] = ["jpg", "jpeg", "png"];

/// One newly labelled photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecord {
    /// Its identity: the Fitzpatrick17k md5hash, or the file stem in condition folders (so a
    /// copied dataset photo keeps the name the test-split check knows).
    pub id: String,
    /// The image file.
    pub path: PathBuf,
    /// Condition, as the Fitzpatrick17k labels name it (`melanoma`, `dermatofibroma`, ...).
    pub label: String,
    /// Fitzpatrick type 1–6, None when unknown.
    pub fitzpatrick: Option<u8>,
}

/// The labelled photos of `dir`, in either layout.
pub fn read_new_records(dir: &Path) -> Result<Vec<NewRecord>, String> {
    if is_subset_layout(dir) {
        return Ok(read_labels(dir)?
            .into_iter()
            .map(|r| NewRecord {
                path: image_path(dir, &r.md5hash),
                id: r.md5hash,
                label: r.label,
                fitzpatrick: r.fitzpatrick,
            })
            .collect());
    }
    if dir.join(TONES_CSV).is_file() {
        return read_condition_folders(dir);
    }
    Err(format!(
        "{} is neither a Fitzpatrick17k-layout folder (labels.csv + images/) nor a folder per \
         condition with a {TONES_CSV} (columns file,fitzpatrick)",
        dir.display()
    ))
}

/// The folder-per-condition layout: every row of `tones.csv` names an existing file inside a
/// condition folder, and every image in a condition folder has a row.
fn read_condition_folders(dir: &Path) -> Result<Vec<NewRecord>, String> {
    let table = Table::read(&dir.join(TONES_CSV))?;
    let (file, tone) = (table.column("file")?, table.column("fitzpatrick")?);
    let mut records = Vec::new();
    for (i, row) in table.rows().iter().enumerate() {
        let relative = Path::new(row[file].trim());
        let mut parts = relative.components();
        let (Some(folder), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(table.error(
                i,
                &format!(
                    "file {:?} is not <condition folder>/<image>",
                    row[file].trim()
                ),
            ));
        };
        let path = dir.join(relative);
        if !path.is_file() {
            return Err(table.error(i, &format!("{} does not exist", path.display())));
        }
        let field = row[tone].trim();
        let fitzpatrick = if field.is_empty() {
            None
        } else {
            parse_fitzpatrick(field).map_err(|e| table.error(i, &e))?
        };
        let name = Path::new(name.as_os_str());
        records.push(NewRecord {
            id: name
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            label: folder.as_os_str().to_string_lossy().into_owned(),
            path,
            fitzpatrick,
        });
    }
    let listed: HashSet<&Path> = records.iter().map(|r| r.path.as_path()).collect();
    if let Some(unlisted) = condition_images(dir)?
        .into_iter()
        .find(|p| !listed.contains(p.as_path()))
    {
        return Err(format!(
            "{} has no row in {} (every photo needs its Fitzpatrick type; −1 when unknown)",
            unlisted.display(),
            dir.join(TONES_CSV).display()
        ));
    }
    Ok(records)
}

/// The image files one level down in `dir`'s subfolders.
fn condition_images(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let read = |d: &Path| {
        std::fs::read_dir(d)
            .map_err(|e| format!("cannot read {}: {e}", d.display()))
            .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())))
    };
    let mut images = Vec::new();
    for folder in read(dir)?.filter(|p| p.is_dir()) {
        images.extend(read(&folder)?.filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        }));
    }
    Ok(images)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, files: &[&str], tones: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("dermtone-layout-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for file in files {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, b"not decoded here").unwrap();
        }
        std::fs::write(dir.join(TONES_CSV), tones).unwrap();
        dir
    }

    #[test]
    fn condition_folders_give_label_tone_and_stem() {
        let dir = folder(
            "ok",
            &["melanoma/a1.jpg", "dermatofibroma/b2.PNG"],
            "file,fitzpatrick\nmelanoma/a1.jpg,5\ndermatofibroma/b2.PNG,-1\n",
        );
        let records = read_new_records(&dir).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(
            (records[0].id.as_str(), records[0].label.as_str()),
            ("a1", "melanoma")
        );
        assert_eq!(records[0].fitzpatrick, Some(5));
        assert_eq!(records[1].fitzpatrick, None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unlisted_missing_misplaced_and_badly_toned_photos_are_errors() {
        let cases = [
            (
                "unlisted",
                "file,fitzpatrick\nmelanoma/a1.jpg,5\n",
                "has no row",
            ),
            (
                "missing",
                "file,fitzpatrick\nmelanoma/a1.jpg,5\nmelanoma/zz.jpg,2\nmelanoma/c3.jpg,1\n",
                "does not exist",
            ),
            (
                "flat",
                "file,fitzpatrick\na1.jpg,5\n",
                "is not <condition folder>/<image>",
            ),
            (
                "tone",
                "file,fitzpatrick\nmelanoma/a1.jpg,7\nmelanoma/c3.jpg,1\n",
                "not 1–6",
            ),
        ];
        for (name, tones, expected) in cases {
            let dir = folder(name, &["melanoma/a1.jpg", "melanoma/c3.jpg"], tones);
            let error = read_new_records(&dir).unwrap_err();
            assert!(error.contains(expected), "{name}: {error}");
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn a_folder_in_neither_layout_is_named() {
        let dir = std::env::temp_dir().join(format!("dermtone-layout-none-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(read_new_records(&dir).unwrap_err().contains("neither"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
