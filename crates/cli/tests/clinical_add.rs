//! `dermtone train clinical --add DIR`: the shipped photo model fine-tuned with "new" real photos
//! (here the first val photos of the shared subset, in a folder of their own), measured before
//! and after on the whole test split, refused when a Fitzpatrick group got worse beyond its
//! interval and installed with --force; synthetic files and test photos are refused up front.

mod common;

use std::path::{Path, PathBuf};

use common::{
    TINY_RUN, copy_of_models, real_training_photos, scratch, shared, synthetic_png, train_clinical,
};

/// Rows of the subset's labels.csv: the header and the first `n` of `split`.
fn subset_rows(split: &str, n: usize) -> (String, Vec<String>) {
    let text =
        std::fs::read_to_string(shared("fitzpatrick17k_ajl_subset").join("labels.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let column = header.split(',').position(|c| c == "split").unwrap();
    let rows = lines
        .filter(|l| l.split(',').nth(column) == Some(split))
        .take(n)
        .map(str::to_string)
        .collect();
    (header, rows)
}

/// A Fitzpatrick17k-layout folder holding `rows` (their images linked from the shared subset).
fn new_photos(dir: &Path, header: &str, rows: &[String]) -> PathBuf {
    let images = dir.join("images");
    std::fs::create_dir_all(&images).unwrap();
    let source = shared("fitzpatrick17k_ajl_subset").join("images");
    for row in rows {
        let name = format!("{}.jpg", row.split(',').next().unwrap());
        std::os::unix::fs::symlink(source.join(&name), images.join(&name)).unwrap();
    }
    std::fs::write(
        dir.join("labels.csv"),
        format!("{header}\n{}\n", rows.join("\n")),
    )
    .unwrap();
    dir.to_path_buf()
}

/// A copy of the shipped models in `dir`/models, which a test may replace the photo model in.
fn models_copy(dir: &Path) -> PathBuf {
    let models = dir.join("models");
    std::fs::create_dir_all(&models).unwrap();
    copy_of_models(&models);
    models
}

/// The file named under `key` ("file", "card") by the photo model's entry in `models`'
/// manifest.
fn photo_file(models: &Path, key: &str) -> PathBuf {
    models.join(
        common::manifest_entry(models, "photo")[key]
            .as_str()
            .unwrap(),
    )
}

/// `train clinical --add photos` against `models`, one epoch on 48 train and val photos (the
/// test split that decides is always whole).
fn add(models: &Path, photos: &Path, checkpoints: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--add", photos.to_str().unwrap()];
    args.extend(TINY_RUN);
    args.extend_from_slice(extra);
    train_clinical(models, checkpoints, &args)
}

#[test]
fn a_model_made_worse_is_refused_and_the_shipped_one_kept_unless_forced() {
    let dir = scratch("clinical-add");
    let models = models_copy(&dir);
    let (header, rows) = subset_rows("val", 32);
    let photos = new_photos(&dir.join("new"), &header, &rows);
    let checkpoints = dir.join("checkpoints");
    let manifest_before = std::fs::read(models.join("manifest.json")).unwrap();
    let weights_before = std::fs::read(photo_file(&models, "file")).unwrap();

    // A learning rate far too high for fine-tuning wrecks the model.
    let refused = add(&models, &photos, &checkpoints, &["--lr", "3"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(stderr.contains("the shipped model"), "{stderr}");
    assert!(stderr.contains("| I-II | malignant_auroc |"), "{stderr}");
    assert!(stderr.contains("| yes |"), "{stderr}");
    assert_eq!(
        std::fs::read(models.join("manifest.json")).unwrap(),
        manifest_before
    );
    assert_eq!(
        std::fs::read(photo_file(&models, "file")).unwrap(),
        weights_before
    );

    // --force installs the same run (resumed from its checkpoint, not trained again), and the
    // card counts the new photos among the real training photos.
    let forced = add(
        &models,
        &photos,
        &checkpoints,
        &["--lr", "3", "--force", "--resume"],
    );
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    let stdout = String::from_utf8_lossy(&forced.stdout);
    assert!(
        stdout.contains("| V-VI | malignant_sensitivity |"),
        "{stdout}"
    );
    assert_ne!(
        std::fs::read(models.join("manifest.json")).unwrap(),
        manifest_before
    );
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(photo_file(&models, "card")).unwrap())
            .unwrap();
    assert_eq!(
        real_training_photos(&card),
        48 + 32,
        "the limited train split and every new photo"
    );
    assert!(card["training"]["options"]["add"]["new_photos"].is_string());
}

#[test]
fn test_photos_and_synthetic_files_are_refused_before_any_training() {
    let dir = scratch("clinical-add-refused");
    let models = models_copy(&dir);
    let (header, rows) = subset_rows("test", 2);
    let leaked = new_photos(&dir.join("leaked"), &header, &rows);
    let out = add(&models, &leaked, &dir.join("checkpoints"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("is in the fixed test split"), "{stderr}");

    // A photo stamped synthetic, named like a real one.
    let (header, rows) = subset_rows("val", 1);
    let stamped = dir.join("stamped");
    std::fs::create_dir_all(stamped.join("images")).unwrap();
    let md5 = rows[0].split(',').next().unwrap();
    let source = shared("fitzpatrick17k_ajl_subset").join(format!("images/{md5}.jpg"));
    std::fs::write(
        stamped.join(format!("images/{md5}.jpg")),
        synthetic_png(&source),
    )
    .unwrap();
    std::fs::write(
        stamped.join("labels.csv"),
        format!("{header}\n{}\n", rows[0]),
    )
    .unwrap();
    let out = add(&models, &stamped, &dir.join("checkpoints-stamped"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("synthetic image"), "{stderr}");
    assert!(
        !dir.join("checkpoints-stamped").exists(),
        "nothing was trained"
    );
}

/// The first `n` val photos as a folder per condition with a tones.csv.
fn condition_folders(dir: &Path, n: usize) -> PathBuf {
    let (header, rows) = subset_rows("val", n);
    let columns: Vec<&str> = header.split(',').collect();
    let at = |row: &str, name: &str| {
        let i = columns.iter().position(|c| *c == name).unwrap();
        row.split(',').nth(i).unwrap().to_string()
    };
    let source = shared("fitzpatrick17k_ajl_subset").join("images");
    let mut tones = String::from("file,fitzpatrick\n");
    for row in &rows {
        let (md5, label) = (at(row, "md5hash"), at(row, "label"));
        std::fs::create_dir_all(dir.join(&label)).unwrap();
        let file = format!("{label}/{md5}.jpg");
        std::os::unix::fs::symlink(source.join(format!("{md5}.jpg")), dir.join(&file)).unwrap();
        tones.push_str(&format!("{file},{}\n", at(row, "fitzpatrick_scale")));
    }
    std::fs::write(dir.join("tones.csv"), tones).unwrap();
    dir.to_path_buf()
}

#[test]
fn a_folder_per_condition_with_a_tone_table_is_learnt_from() {
    let dir = scratch("clinical-add-folders");
    let models = models_copy(&dir);
    let photos = condition_folders(&dir.join("new"), 24);

    // A condition the model does not know is named before any training.
    let unknown = dir.join("unknown");
    std::fs::create_dir_all(unknown.join("sunburn")).unwrap();
    std::fs::copy(
        photos.join(
            std::fs::read_to_string(photos.join("tones.csv"))
                .unwrap()
                .lines()
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap(),
        ),
        unknown.join("sunburn/a.jpg"),
    )
    .unwrap();
    std::fs::write(
        unknown.join("tones.csv"),
        "file,fitzpatrick\nsunburn/a.jpg,6\n",
    )
    .unwrap();
    let out = add(&models, &unknown, &dir.join("checkpoints-unknown"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("\"sunburn\" is not in the photo model's taxonomy"),
        "{stderr}"
    );

    let out = add(&models, &photos, &dir.join("checkpoints"), &["--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(photo_file(&models, "card")).unwrap())
            .unwrap();
    assert_eq!(real_training_photos(&card), 48 + 24);
}
