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
