//! What the HAM10000 tests share: the repository's paths and the shipped dermoscopy engine.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use dermtone_engine::{BackendInfo, Engine, Manifest, sha256_hex};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared HAM10000 folder.
pub fn shared_ham() -> PathBuf {
    root().join("../shared/data/ham10000")
}

/// The file's bytes; a test without its data fails naming the file.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The shipped dermoscopy engine on the CPU (no tone estimator or generator), or the same
/// network with `weights` in place of its own.
pub fn dermoscopy_engine(weights: Option<Vec<u8>>) -> Engine {
    let models = root().join("models");
    let mut manifest =
        Manifest::from_json(&String::from_utf8(read(&models.join("manifest.json"))).unwrap())
            .unwrap();
    let entry = manifest.model_for("dermoscopy").unwrap().clone();
    let weights = match weights {
        Some(weights) => {
            let slot = manifest
                .models
                .iter_mut()
                .find(|m| m.id == entry.id)
                .unwrap();
            slot.sha256 = sha256_hex(&weights);
            slot.bytes = weights.len() as u64;
            weights
        }
        None => read(&models.join(&entry.file)),
    };
    let backend = BackendInfo {
        name: "cpu".into(),
        reason: "test".into(),
    };
    Engine::new(
        &manifest,
        "dermoscopy",
        &weights,
        None,
        Device::flex(),
        backend,
    )
    .unwrap()
}
