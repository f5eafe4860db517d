//! Broken model folders: a truncated, oversized, wrong-shape or wrong-format weight file, a
//! manifest of an unknown version, one naming a missing file or with a wrong sha256. Each is one
//! clear sentence and exit code 1, never a panic, and a mode whose model is fine still works.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_of_models, dermtone, manifest_entry, repo, scratch, shared};
use serde_json::Value;

fn photo() -> PathBuf {
    shared("ham10000/images_200x150/ISIC_0024306.jpg")
}

fn read_manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn write_manifest(dir: &Path, manifest: &Value) {
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(manifest).unwrap(),
    )
    .unwrap();
}

/// The manifest entry of `task`, to change in place.
fn entry<'a>(manifest: &'a mut Value, task: &str) -> &'a mut Value {
    manifest["models"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|m| m["task"] == task)
        .unwrap()
}

/// Replaces `task`'s weight file with `bytes` and, when `vouch`, updates the manifest's size and
/// sha256 to match, so that the loader itself meets the broken file.
fn replace_weights(dir: &Path, task: &str, bytes: &[u8], vouch: bool) {
    let mut manifest = read_manifest(dir);
    let model = entry(&mut manifest, task);
    std::fs::write(dir.join(model["file"].as_str().unwrap()), bytes).unwrap();
    if vouch {
        model["bytes"] = bytes.len().into();
        model["sha256"] = dermtone_engine::sha256_hex(bytes).into();
    }
    write_manifest(dir, &manifest);
}

fn weights_of(dir: &Path, task: &str) -> Vec<u8> {
    let mut manifest = read_manifest(dir);
    std::fs::read(dir.join(entry(&mut manifest, task)["file"].as_str().unwrap())).unwrap()
}

/// `analyze` in `mode` with the models in `dir`: (exit code, stderr).
fn analyze(dir: &Path, mode: &str) -> (Option<i32>, String) {
    let out = dermtone(&[
        "analyze",
        "--json",
        "--mode",
        mode,
        "--models",
        dir.to_str().unwrap(),
        photo().to_str().unwrap(),
    ]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The id of the dermoscopy model shipped in `models/`, which each refusal of its file names.
fn dermoscopy_id() -> String {
    manifest_entry(&repo().join("models"), "dermoscopy")["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The dermoscopy mode is refused with one line matching `words`; the photo mode still works
/// when `photo_still_works`.
fn refused(dir: &Path, words: &[&str], photo_still_works: bool) {
    let (code, stderr) = analyze(dir, "dermoscopy");
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for word in words {
        assert!(stderr.contains(word), "{word:?} not in: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    if photo_still_works {
        let (code, stderr) = analyze(dir, "photo");
        assert_eq!(code, Some(0), "the photo mode's model is fine: {stderr}");
    }
}

#[test]
fn a_truncated_weight_file_is_refused_even_when_the_manifest_vouches_for_it() {
    let dir = scratch("truncated");
    copy_of_models(&dir);
    let bytes = weights_of(&dir, "dermoscopy");
    replace_weights(&dir, "dermoscopy", &bytes[..bytes.len() / 2], false);
    refused(&dir, &[dermoscopy_id().as_str(), "bytes"], true);
    replace_weights(&dir, "dermoscopy", &bytes[..bytes.len() / 2], true);
    refused(&dir, &[dermoscopy_id().as_str()], true);
    replace_weights(&dir, "dermoscopy", &bytes[..16], true);
    refused(&dir, &[dermoscopy_id().as_str()], true);
    replace_weights(&dir, "dermoscopy", &[], true);
    refused(&dir, &[dermoscopy_id().as_str()], true);
}

#[test]
fn an_oversized_weight_file_is_refused() {
    let dir = scratch("oversized");
    copy_of_models(&dir);
    let mut bytes = weights_of(&dir, "dermoscopy");
    bytes.extend(std::iter::repeat_n(0u8, 9_000_000));
    replace_weights(&dir, "dermoscopy", &bytes, false);
    refused(&dir, &[dermoscopy_id().as_str(), "bytes"], true);
    replace_weights(&dir, "dermoscopy", &bytes, true);
    refused(&dir, &[dermoscopy_id().as_str(), "more than"], true);
}

#[test]
fn weights_of_another_network_shape_are_refused() {
    let dir = scratch("shape");
    copy_of_models(&dir);
    let tone = weights_of(&dir, "tone");
    replace_weights(&dir, "dermoscopy", &tone, true);
    refused(&dir, &[dermoscopy_id().as_str()], true);
}

#[test]
fn an_unknown_weight_format_or_manifest_version_is_refused() {
    let dir = scratch("format");
    copy_of_models(&dir);
    let mut manifest = read_manifest(&dir);
    entry(&mut manifest, "dermoscopy")["format"] = "int4-per-block-v7".into();
    write_manifest(&dir, &manifest);
    refused(&dir, &[dermoscopy_id().as_str(), "int4-per-block-v7"], true);

    copy_of_models(&dir);
    let mut manifest = read_manifest(&dir);
    manifest["version"] = 99.into();
    write_manifest(&dir, &manifest);
    refused(&dir, &["version 99"], false);

    copy_of_models(&dir);
    std::fs::write(dir.join("manifest.json"), "{\"version\": 1, \"models\": [").unwrap();
    refused(&dir, &["manifest.json"], false);
}

#[test]
fn a_missing_file_or_a_wrong_sha256_is_refused() {
    let dir = scratch("missing");
    copy_of_models(&dir);
    let mut manifest = read_manifest(&dir);
    entry(&mut manifest, "dermoscopy")["file"] = "nowhere.int8.bpk".into();
    write_manifest(&dir, &manifest);
    refused(&dir, &["nowhere.int8.bpk"], true);

    copy_of_models(&dir);
    let mut manifest = read_manifest(&dir);
    entry(&mut manifest, "dermoscopy")["sha256"] = "00".repeat(32).into();
    write_manifest(&dir, &manifest);
    refused(&dir, &["integrity check"], true);
}
