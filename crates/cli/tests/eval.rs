//! `dermtone eval` end to end on the shipped models and the shared HAM10000 and Fitzpatrick17k
//! folders, and its refusal of stamped synthetic images (in a temporary copy, never in the
//! repository).

mod common;

use std::path::PathBuf;

use common::{dermtone, repo, scratch, shared, synthetic_png};
use dermtone_train::export::{CARD_DIGITS, round_figures};
use serde_json::Value;

#[test]
fn eval_on_the_test_split_reproduces_the_model_card() {
    let report = eval_reproduces_the_card("ham10000", "dermoscopy");
    assert!(report.get("by_estimated_tone").is_none());
}

#[test]
fn eval_on_fitzpatrick17k_reproduces_the_photo_card_per_labelled_and_estimated_group() {
    let report = eval_reproduces_the_card("fitzpatrick17k_ajl_subset", "photo");
    let n = report["n"].as_u64().unwrap();
    let group_n = |map: &str, key: &str| report[map][key]["n"].as_u64().unwrap_or(0);
    for map in ["by_tone", "by_estimated_tone"] {
        let groups: u64 = ["I-II", "III-IV", "V-VI", "unknown"]
            .iter()
            .map(|g| group_n(map, g))
            .sum();
        assert_eq!(groups, n, "{map}");
        let types: u64 = ["1", "2", "3", "4", "5", "6", "unknown"]
            .iter()
            .map(|t| group_n(map, t))
            .sum();
        assert_eq!(types, n, "{map}");
    }
    // The labelled test split has 29 type V and 11 type VI photos (SOURCE.md).
    assert_eq!(group_n("by_tone", "V-VI"), 40);
    assert_eq!(report["by_tone"]["6"]["low_evidence"], true);
    let v_vi = &report["by_tone"]["V-VI"];
    assert!(v_vi["ci95"]["malignant_auroc"].is_array(), "{v_vi}");
    assert!(v_vi["malignant_specificity"].is_number());
}

/// Runs `eval --json --report` on the test split of `dataset` and checks the report against
/// the shipped card of `task`; returns the report.
fn eval_reproduces_the_card(dataset: &str, task: &str) -> Value {
    let report_dir = scratch(&format!("report-{task}"));
    let data = shared(dataset);
    let out = dermtone(&[
        "eval",
        "--data",
        data.to_str().unwrap(),
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
        "ece_at_chance",
        "per_class",
        "malignant",
        "by_tone",
        "ci95",
    ] {
        assert!(report.get(key).is_some(), "missing {key}");
    }
    assert_eq!(report["task"], task);

    let entry = common::manifest_entry(&repo().join("models"), task);
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
        "ece_at_chance",
        "malignant",
        "melanoma",
        "by_tone",
        "by_estimated_tone",
        "ci95",
    ] {
        // Cards keep CARD_DIGITS significant digits of each figure (the page downloads them).
        let [mut printed, mut carded] = [report[key].clone(), shipped[key].clone()];
        round_figures(&mut printed, CARD_DIGITS);
        round_figures(&mut carded, CARD_DIGITS);
        assert_eq!(printed, carded, "{key} differs from the model card");
    }

    for group in report["by_tone"].as_object().unwrap().values() {
        assert_eq!(group["low_evidence"], group["n"].as_u64().unwrap() < 30);
    }
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
    report
}

#[test]
fn eval_on_a_folder_that_is_not_ham10000_is_a_clear_error() {
    let empty = scratch("not-ham");
    let out = dermtone(&["eval", "--data", empty.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("split.csv"), "{stderr}");
    // A Fitzpatrick17k folder whose labels.csv is broken is read as one, and says what is wrong.
    std::fs::create_dir_all(empty.join("images")).unwrap();
    std::fs::write(empty.join("labels.csv"), "md5hash,label\n").unwrap();
    let out = dermtone(&["eval", "--data", empty.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("has no column"), "{stderr}");
}

/// A Fitzpatrick17k-layout copy of two train and two test rows of the shared subset, where the
/// first image of each split is replaced by a stamped synthetic PNG under the name `labels.csv`
/// expects (`<md5hash>.jpg`); returns the folder and the two replaced files.
fn subset_with_synthetic_images(name: &str) -> (PathBuf, Vec<PathBuf>) {
    let source = shared("fitzpatrick17k_ajl_subset");
    let dir = scratch(name);
    std::fs::create_dir(dir.join("images")).unwrap();
    let labels = std::fs::read_to_string(source.join("labels.csv")).unwrap();
    let mut lines = labels.lines();
    let header = lines.next().unwrap();
    let column = |name: &str| header.split(',').position(|c| c == name).unwrap();
    let (md5, split) = (column("md5hash"), column("split"));
    let mut kept = vec![header.to_string()];
    let mut stamped = Vec::new();
    for wanted in ["train", "test"] {
        let rows = lines
            .clone()
            .filter(|line| line.split(',').nth(split) == Some(wanted))
            .take(2);
        for (i, row) in rows.enumerate() {
            let file = format!("{}.jpg", row.split(',').nth(md5).unwrap());
            let (from, to) = (
                source.join("images").join(&file),
                dir.join("images").join(&file),
            );
            if i == 0 {
                std::fs::write(&to, synthetic_png(&from)).unwrap();
                stamped.push(to);
            } else {
                std::fs::copy(from, to).unwrap();
            }
            kept.push(row.to_string());
        }
    }
    std::fs::write(dir.join("labels.csv"), kept.join("\n") + "\n").unwrap();
    (dir, stamped)
}

#[test]
fn eval_refuses_a_stamped_synthetic_image_in_the_split_it_measures() {
    let (dir, stamped) = subset_with_synthetic_images("synthetic");
    for (split, file) in ["train", "test"].iter().zip(&stamped) {
        let out = dermtone(&["eval", "--data", dir.to_str().unwrap(), "--split", split]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let expected = format!(
            "dermtone: {} is a synthetic image (stamped by generator 0123abcd); synthetic images \
             are never allowed in a {split} split",
            file.display()
        );
        assert!(stderr.starts_with(&expected), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
