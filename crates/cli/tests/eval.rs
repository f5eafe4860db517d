//! `dermtone eval` end to end on the shipped model and the shared HAM10000 folder.

mod common;

use common::{dermtone, repo, scratch, shared};
use serde_json::Value;

#[test]
fn eval_on_the_test_split_reproduces_the_model_card() {
    let report_dir = scratch("report");
    let ham = shared("ham10000");
    let out = dermtone(&[
        "eval",
        "--data",
        ham.to_str().unwrap(),
        "--split",
        "test",
        "--json",
        "--report",
        report_dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "task",
        "model",
        "n",
        "accuracy",
        "balanced_accuracy",
        "macro_auroc",
        "ece",
        "per_class",
        "malignant",
        "by_tone",
        "ci95",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    assert_eq!(report["task"], "dermoscopy");

    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("models/manifest.json")).unwrap(),
    )
    .unwrap();
    let entry = manifest["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["task"] == "dermoscopy")
        .unwrap();
    assert_eq!(report["model"], entry["id"]);
    let card: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("models").join(entry["card"].as_str().unwrap()))
            .unwrap(),
    )
    .unwrap();
    let shipped = &card["metrics"]["test"];
    for key in [
        "n",
        "accuracy",
        "balanced_accuracy",
        "macro_auroc",
        "ece",
        "malignant",
        "melanoma",
        "by_tone",
        "ci95",
    ] {
        assert_eq!(
            report[key], shipped[key],
            "{key} differs from the model card"
        );
    }

    let n = report["n"].as_u64().unwrap();
    let tone_total: u64 = report["by_tone"]
        .as_object()
        .unwrap()
        .values()
        .map(|group| {
            let group_n = group["n"].as_u64().unwrap();
            assert_eq!(group["low_evidence"], group_n < 30);
            group_n
        })
        .sum();
    assert_eq!(tone_total, n);
    let [lo, hi] = [0, 1].map(|i| report["ci95"]["accuracy"][i].as_f64().unwrap());
    let accuracy = report["accuracy"].as_f64().unwrap();
    assert!(lo <= accuracy && accuracy <= hi, "{lo} {accuracy} {hi}");
    for file in [
        "report.md",
        "eval.json",
        "confusion.svg",
        "roc.svg",
        "reliability.svg",
    ] {
        assert!(report_dir.join(file).is_file(), "{file} not written");
    }
}

#[test]
fn eval_on_a_folder_that_is_not_ham10000_is_a_clear_error() {
    let empty = scratch("not-ham");
    let out = dermtone(&["eval", "--data", empty.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("split.csv"), "{stderr}");
}
