//! `train dermoscopy --continue-from`: a warm restart of the shipped dermoscopy model starts from
//! its weights and input normalisation, names them in the card, widens its hidden layers or
//! reads another input size when asked, and refuses another width.

mod common;

use std::path::{Path, PathBuf};

use common::{dermtone, manifest_entry, repo, scratch};
use serde_json::Value;

/// `train dermoscopy` on 64 images per split of HAM10000 going on from the shipped models, with
/// `extra` options: its output and the folder it wrote into.
fn continued(id: &str, extra: &[&str]) -> (std::process::Output, PathBuf) {
    let out_dir = scratch(&format!("dermoscopy-{id}"));
    let data = repo().join("../shared/data/ham10000");
    let models = repo().join("models");
    let checkpoints = out_dir.join("ck");
    let mut args = vec![
        "train",
        "dermoscopy",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--checkpoint",
        checkpoints.to_str().unwrap(),
        "--id",
        id,
        "--limit",
        "64",
        "--batch-size",
        "16",
        "--epochs",
        "1",
        "--continue-from",
        models.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    (dermtone(&args), out_dir)
}

/// The card of a run that must have succeeded, and its val balanced accuracy.
fn card_of_success(out: &std::process::Output, out_dir: &Path, id: &str) -> (Value, f64) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let card_path = out_dir.join(format!("{id}.card.json"));
    let card: Value = serde_json::from_str(&std::fs::read_to_string(card_path).unwrap()).unwrap();
    let balanced = card["metrics"]["val"]["balanced_accuracy"]
        .as_f64()
        .unwrap();
    (card, balanced)
}

/// The error of a run that must have failed before writing a card.
fn refusal(out: &std::process::Output, out_dir: &Path, id: &str) -> String {
    assert!(!out.status.success());
    assert!(!out_dir.join(format!("{id}.card.json")).exists());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn continuing_from_the_shipped_dermoscopy_model_starts_from_its_weights_and_names_them() {
    let shipped = manifest_entry(&repo().join("models"), "dermoscopy");
    let size = shipped["input"]["size"].as_u64().unwrap().to_string();
    // A learning rate too small to move the weights: what the export measures is the shipped
    // network, far above the 1/7 balanced accuracy a fresh network gets in one epoch.
    let (out, out_dir) = continued("tiny-continued", &["--size", &size, "--lr", "1e-9"]);
    let (card, balanced) = card_of_success(&out, &out_dir, "tiny-continued");
    assert!(balanced > 0.5, "val balanced accuracy {balanced}");
    assert_eq!(
        manifest_entry(&out_dir, "dermoscopy")["input"],
        shipped["input"]
    );
    let continued = &card["training"]["continued_from"];
    assert_eq!(continued["id"], shipped["id"]);
    assert_eq!(continued["sha256"], shipped["sha256"]);
}

#[test]
fn continuing_at_another_input_size_reads_the_shipped_network_at_that_size() {
    let shipped = manifest_entry(&repo().join("models"), "dermoscopy");
    let larger = (shipped["input"]["size"].as_u64().unwrap() + 32).to_string();
    let (out, out_dir) = continued("tiny-larger", &["--size", &larger, "--lr", "1e-9"]);
    let (_, balanced) = card_of_success(&out, &out_dir, "tiny-larger");
    assert!(balanced > 0.5, "val balanced accuracy {balanced}");
    let input = &manifest_entry(&out_dir, "dermoscopy")["input"];
    assert_eq!(input["size"].to_string(), larger);
    assert_eq!(input["mean"], shipped["input"]["mean"]);
    assert_eq!(input["std"], shipped["input"]["std"]);
}

#[test]
fn continuing_at_another_width_is_refused_before_training() {
    let (out, out_dir) = continued("tiny-wrong-width", &["--width", "24"]);
    let stderr = refusal(&out, &out_dir, "tiny-wrong-width");
    assert!(
        stderr.contains("--continue-from") && stderr.contains("--width"),
        "{stderr}"
    );
}

#[test]
fn continuing_with_wider_hidden_layers_starts_from_the_shipped_network_widened() {
    let shipped = manifest_entry(&repo().join("models"), "dermoscopy");
    let size = shipped["input"]["size"].as_u64().unwrap().to_string();
    // As in the first test, weights that do not move: the widened network must still compute
    // the shipped one's function, which a fresh wide network (1/7 balanced accuracy in one
    // epoch) does not.
    let (out, out_dir) = continued(
        "tiny-widened",
        &["--size", &size, "--lr", "1e-9", "--expansion", "6"],
    );
    let (_, balanced) = card_of_success(&out, &out_dir, "tiny-widened");
    let entry = manifest_entry(&out_dir, "dermoscopy");
    assert_eq!(entry["architecture"]["expansion"], 6);
    assert!(balanced > 0.5, "val balanced accuracy {balanced}");
}

#[test]
fn continuing_with_narrower_hidden_layers_is_refused_before_training() {
    let shipped = manifest_entry(&repo().join("models"), "dermoscopy");
    let size = shipped["input"]["size"].as_u64().unwrap().to_string();
    let (out, out_dir) = continued("tiny-narrowed", &["--size", &size, "--expansion", "3"]);
    let stderr = refusal(&out, &out_dir, "tiny-narrowed");
    assert!(
        stderr.contains("--continue-from") && stderr.contains("--expansion"),
        "{stderr}"
    );
}
