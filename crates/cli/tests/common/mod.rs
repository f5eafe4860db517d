//! Helpers shared by the CLI's end-to-end tests: where the repository and the shared data are,
//! running the built binary, and a fresh scratch folder per test.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A dataset folder under `../shared/data`.
pub fn shared(name: &str) -> PathBuf {
    repo().join("../shared/data").join(name)
}

/// The entry for `task` in the manifest of the models folder `models`.
pub fn manifest_entry(models: &Path, task: &str) -> serde_json::Value {
    let path = models.join("manifest.json");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    manifest["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["task"] == task)
        .unwrap_or_else(|| panic!("{} lists no {task} model", path.display()))
        .clone()
}

/// The first `count` HAM10000 test-split photos, in split.csv order: dermoscopy photos with the
/// lesion in the middle.
pub fn ham_test_photos(count: usize) -> Vec<PathBuf> {
    let ham = shared("ham10000");
    let split = std::fs::read_to_string(ham.join("split.csv")).expect("shared HAM10000 split.csv");
    split
        .lines()
        .filter(|l| l.ends_with(",test"))
        .filter_map(|l| l.split(',').next())
        .take(count)
        .map(|id| ham.join("images_200x150").join(format!("{id}.jpg")))
        .collect()
}

/// Runs the built `dermtone` binary from the repository root.
pub fn dermtone(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dermtone"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run dermtone")
}

/// An empty folder under the system temp dir, unique to this test binary, `name` and process.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dermtone-{}-{name}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A copy of the shipped models folder's files into `dir`, for tests that alter it (folders such
/// as the git-ignored validation grids are left out).
pub fn copy_of_models(dir: &Path) {
    for entry in std::fs::read_dir(repo().join("models")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// The photo at `path` re-encoded as a PNG stamped synthetic by generator `0123abcd`.
pub fn synthetic_png(path: &Path) -> Vec<u8> {
    let image = dermtone_engine::decode_image(&std::fs::read(path).unwrap()).unwrap();
    let provenance = dermtone_engine::Provenance {
        synthetic: true,
        generator: Some("0123abcd".into()),
        source_tone: Some("2".into()),
        target_tone: Some("5".into()),
    };
    dermtone_engine::stamped_png(&image, &provenance).unwrap()
}

/// The smallest training run that still exercises a whole code path: one epoch over at most 48
/// photos per split, in batches of 16.
pub const TINY_RUN: [&str; 6] = ["--limit", "48", "--batch-size", "16", "--epochs", "1"];

/// Runs `dermtone train clinical` on the shared Fitzpatrick17k subset with the model written to
/// `out` and checkpoints to `checkpoints`, plus `extra`.
pub fn train_clinical(out: &Path, checkpoints: &Path, extra: &[&str]) -> Output {
    let data = shared("fitzpatrick17k_ajl_subset");
    let mut args = vec![
        "train",
        "clinical",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--checkpoint",
        checkpoints.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    dermtone(&args)
}

/// `kind` ("real" or "synthetic") training photos a photo model's card counts in tone `group`.
pub fn composition(card: &serde_json::Value, group: &str, kind: &str) -> u64 {
    card["data"]["training_composition_by_tone"][group][kind]
        .as_u64()
        .unwrap()
}

/// The real training photos a photo model's card counts over every tone group.
pub fn real_training_photos(card: &serde_json::Value) -> u64 {
    ["I-II", "III-IV", "V-VI", "unknown"]
        .iter()
        .map(|g| composition(card, g, "real"))
        .sum()
}
