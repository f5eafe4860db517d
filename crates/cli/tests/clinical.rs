//! The photo (clinical) classifier end to end: a tiny training run with every fairness option,
//! its card, and the analyser loading what it wrote.

mod common;

use std::path::Path;
use std::process::Output;

use common::{
    TINY_RUN, composition, dermtone, manifest_entry, real_training_photos, repo, scratch, shared,
};
use serde_json::Value;

#[test]
fn a_tiny_clinical_run_with_every_fairness_option_writes_a_card_with_per_group_evidence() {
    let out_dir = scratch("clinical");
    let models = repo().join("models");
    let card = trained_card(
        &out_dir,
        "tiny-photo",
        &[
            "--limit",
            "64",
            "--batch-size",
            "16",
            "--epochs",
            "1",
            "--size",
            "32",
            "--init-from",
            models.to_str().unwrap(),
            "--tone-balanced",
            "--tone-augment",
            "0.5",
            "--group-robust",
            "0.05",
        ],
        "",
    );
    assert_eq!(card["task"], "photo");
    let options = &card["training"]["options"];
    assert_eq!(options["tone_balanced"], true);
    assert_eq!(options["tone_augment"], 0.5);
    assert!(options["init_from"].as_str().unwrap().ends_with("models"));
    let dermoscopy = manifest_entry(&models, "dermoscopy");
    let started = &card["training"]["initialised_from"];
    assert_eq!(started["id"], dermoscopy["id"]);
    assert_eq!(started["sha256"], dermoscopy["sha256"]);
    assert!(
        card["data"]["licence"]
            .as_str()
            .unwrap()
            .contains(dermoscopy["id"].as_str().unwrap())
    );
    assert_eq!(card["labels"].as_array().unwrap().len(), 12);
    for group in ["I-II", "III-IV", "V-VI", "unknown"] {
        assert_eq!(composition(&card, group, "synthetic"), 0, "{group}");
    }
    assert_eq!(real_training_photos(&card), 64);
    let evidence = &card["evidence"]["groups"];
    for group in ["I-II", "III-IV", "V-VI"] {
        let row = &evidence[group];
        assert!(row["n"].as_u64().unwrap() > 0, "{group}");
        assert_eq!(row["low_evidence"], row["n"].as_u64().unwrap() < 30);
    }
    let threshold = card["operating_point"]["threshold"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&threshold), "{threshold}");
    assert!(card["watermark_check"]["test"]["corners_masked"]["accuracy"].is_number());
    let markdown = std::fs::read_to_string(out_dir.join("tiny-photo.md")).unwrap();
    assert!(markdown.contains("By estimated skin tone"), "{markdown}");
    assert!(markdown.contains("Watermark shortcut check"));

    let photo = manifest_entry(&out_dir, "photo");
    assert_eq!(photo["id"], "tiny-photo");
    assert_eq!(
        photo["operating_point"]["classes"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
}

#[test]
fn synthetic_renderings_join_the_train_split_counted_as_synthetic_at_darker_tones() {
    let models = repo().join("models");
    for method in ["generator", "retoning"] {
        let out_dir = scratch(&format!("clinical-synthetic-{method}"));
        let mut args = vec![
            "--size",
            "32",
            "--synthetic",
            "2",
            "--synthetic-method",
            method,
            "--synthetic-from",
            models.to_str().unwrap(),
        ];
        args.extend(TINY_RUN);
        let card = trained_card(&out_dir, "tiny-synthetic", &args, method);
        let synthesis = &card["training"]["options"]["synthesis"];
        assert_eq!(synthesis["per_photo"], 2, "{method}");
        let count = |group: &str, kind: &str| composition(&card, group, kind);
        assert_eq!(
            real_training_photos(&card),
            48,
            "{method}: every real photo counted once, as real"
        );
        // Renderings go to types IV-VI only: none is counted as light or unknown skin, and
        // V-VI gets two of every three. Each light photo gives at most two, and most give two.
        assert_eq!(count("I-II", "synthetic"), 0, "{method}");
        assert_eq!(count("unknown", "synthetic"), 0, "{method}");
        let darker = count("III-IV", "synthetic") + count("V-VI", "synthetic");
        let light = light_training_photos(48);
        assert!(
            light < darker && darker <= 2 * light,
            "{method}: {darker} renderings of {light} light photos"
        );
        assert!(
            count("V-VI", "synthetic") > count("III-IV", "synthetic"),
            "{method}"
        );
    }
}

/// A one-epoch run of `id` going on from the shipped photo model at a learning rate too small
/// to move the weights, with `extra` options: what the export measures is then the shipped
/// network, which must rank val far better than the chance a fresh network (or a fresh head)
/// gets in one epoch. Returns its card.
fn frozen_continuation(id: &str, extra: &[&str]) -> Value {
    frozen_continuation_in(&scratch(&format!("clinical-{id}")), id, extra)
}

/// [`frozen_continuation`] into `out_dir`, for a test that reads the model it wrote.
fn frozen_continuation_in(out_dir: &Path, id: &str, extra: &[&str]) -> Value {
    let models = repo().join("models");
    let mut args = vec![
        "--limit",
        "64",
        "--batch-size",
        "16",
        "--epochs",
        "1",
        "--lr",
        "1e-9",
        "--continue-from",
        models.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let card = trained_card(out_dir, id, &args, "");
    let auroc = card["metrics"]["val"]["malignant"]["auroc"]
        .as_f64()
        .unwrap();
    assert!(auroc > 0.7, "val malignant AUROC {auroc}");
    card
}

#[test]
fn continuing_from_the_shipped_photo_model_starts_from_its_weights_and_names_them() {
    let card = frozen_continuation("tiny-continued", &[]);
    let photo = manifest_entry(&repo().join("models"), "photo");
    assert_eq!(card["input"]["size"], photo["input"]["size"]);
    let continued = &card["training"]["continued_from"];
    assert_eq!(continued["id"], photo["id"]);
    assert_eq!(continued["sha256"], photo["sha256"]);
    let licence = card["data"]["licence"].as_str().unwrap();
    assert!(
        licence.contains(&format!(
            "continued from the photo model {}",
            photo["id"].as_str().unwrap()
        )),
        "{licence}"
    );
    assert!(licence.contains("HAM10000"), "{licence}");
}

#[test]
fn a_body_shared_with_dermoscopy_exports_the_photo_model_it_started_from() {
    // The photo model cut back out of the shared one must still be the shipped one: its trained
    // head kept beside the new dermoscopy head.
    let ham = repo().join("../shared/data/ham10000");
    let card = frozen_continuation(
        "tiny-shared",
        &[
            "--shared-with-dermoscopy",
            ham.to_str().unwrap(),
            "--shared-per-batch",
            "8",
        ],
    );
    assert_eq!(card["labels"].as_array().unwrap().len(), 12);
    assert_eq!(card["training"]["options"]["shared_body"]["per_batch"], 8);
    let licence = card["data"]["licence"].as_str().unwrap();
    assert!(
        licence.contains(
            "HAM10000's dermoscopy images (CC BY-NC 4.0, non-commercial) trained the same body"
        ),
        "{licence}"
    );
}

#[test]
fn a_tone_head_beside_the_condition_head_exports_the_photo_model_it_started_from() {
    let card = frozen_continuation(
        "tiny-tone-head",
        &["--tone-head-weight", "0.5", "--tone-head-per-batch", "8"],
    );
    assert_eq!(card["labels"].as_array().unwrap().len(), 12);
    assert_eq!(card["training"]["options"]["tone_head"]["per_batch"], 8);
    assert_eq!(card["training"]["options"]["tone_head"]["weight"], 0.5);
}

#[test]
fn distilling_from_the_shipped_photo_model_names_the_teacher_in_the_card() {
    let models = repo().join("models");
    let card = frozen_continuation(
        "tiny-distilled",
        &[
            "--distil-from",
            models.to_str().unwrap(),
            "--distil-weight",
            "0.75",
        ],
    );
    let photo = manifest_entry(&models, "photo");
    let distillation = &card["training"]["options"]["distillation"];
    assert_eq!(distillation["weight"], 0.75);
    assert_eq!(
        distillation["teacher_models"][0].as_str().unwrap(),
        format!(
            "{} (sha256 {})",
            photo["id"].as_str().unwrap(),
            photo["sha256"].as_str().unwrap()
        )
    );
    let licence = card["data"]["licence"].as_str().unwrap();
    assert!(
        licence.contains("(distillation), whose terms apply"),
        "{licence}"
    );
}

#[test]
fn cross_fitted_teachers_record_their_fold_and_teach_together_but_not_beside_a_full_teacher() {
    let models = repo().join("models");
    let teachers: Vec<_> = (1..=2)
        .map(|k| {
            let dir = scratch(&format!("clinical-fold-{k}"));
            let fold = format!("{k}/2");
            let card = frozen_continuation_in(
                &dir,
                &format!("tiny-fold-{k}"),
                &["--hold-out-fold", &fold],
            );
            let held_out = &card["training"]["options"]["held_out_fold"];
            assert_eq!(
                (held_out["index"].as_u64(), held_out["of"].as_u64()),
                (Some(k), Some(2))
            );
            dir
        })
        .collect();
    let [one, two] = [&teachers[0], &teachers[1]].map(|d| d.to_str().unwrap());
    let student = frozen_continuation(
        "tiny-cross-fitted",
        &["--distil-from", one, "--distil-from", two],
    );
    let distillation = &student["training"]["options"]["distillation"];
    for (i, k) in [(0, 1), (1, 2)] {
        let named = distillation["teacher_models"][i].as_str().unwrap();
        assert!(
            named.ends_with(&format!("trained without fold {k}/2)")),
            "{named}"
        );
    }
    assert_eq!(distillation["held_out_folds"][1]["index"], 2);

    let mixed = train_clinical(
        &scratch("clinical-mixed-teachers"),
        &[
            "--distil-from",
            one,
            "--distil-from",
            models.to_str().unwrap(),
        ],
    );
    assert!(!mixed.status.success());
    let stderr = String::from_utf8_lossy(&mixed.stderr);
    assert!(
        stderr.contains("some teachers were trained without a fold"),
        "{stderr}"
    );
    let bad = train_clinical(&scratch("clinical-bad-fold"), &["--hold-out-fold", "3/2"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("K/N"));
}

#[test]
fn continuing_cannot_also_start_from_a_dermoscopy_body() {
    let out_dir = scratch("clinical-continue-conflict");
    let models = repo().join("models");
    let out = train_clinical(
        &out_dir,
        &[
            "--continue-from",
            models.to_str().unwrap(),
            "--init-from",
            models.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--init-from"), "{stderr}");
    assert!(!out_dir.join("manifest.json").exists());
}

#[test]
fn a_wider_network_starts_from_the_dermoscopy_body_widened() {
    let out_dir = scratch("clinical-wider");
    let models = repo().join("models");
    let card = trained_card(
        &out_dir,
        "tiny-wide-photo",
        &[
            "--limit",
            "16",
            "--batch-size",
            "8",
            "--epochs",
            "1",
            "--size",
            "32",
            "--expansion",
            "6",
            "--init-from",
            models.to_str().unwrap(),
        ],
        "hidden layers six times their input from the dermoscopy body's four",
    );
    assert_eq!(card["architecture"]["expansion"], 6);
    assert_eq!(card["training"]["options"]["expansion"], 6);
    let dermoscopy = manifest_entry(&models, "dermoscopy");
    assert_eq!(card["training"]["initialised_from"]["id"], dermoscopy["id"]);
    let photo = manifest_entry(&out_dir, "photo");
    assert_eq!(photo["architecture"]["expansion"], 6);
    assert!(card["metrics"]["quantisation"]["test_accuracy_int8"].is_number());
}

#[test]
fn starting_from_a_wider_dermoscopy_model_is_refused() {
    let out_dir = scratch("clinical-width");
    let models = repo().join("models");
    let out = train_clinical(
        &out_dir,
        &[
            "--limit",
            "16",
            "--width",
            "8",
            "--init-from",
            models.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("width 16"), "{stderr}");
    assert!(!out_dir.join("manifest.json").exists());
}

#[test]
fn bad_fairness_options_are_refused_before_any_work() {
    let data = shared("fitzpatrick17k_ajl_subset");
    let ham = shared("ham10000");
    for (bad, named) in [
        (&["--group-robust", "2"][..], "--group-robust"),
        (
            &[
                "--shared-with-dermoscopy",
                ham.to_str().unwrap(),
                "--shared-weight",
                "0",
            ],
            "--shared-weight",
        ),
        (&["--shared-weight", "0.5"], "--shared-with-dermoscopy"),
        (
            &[
                "--distil-from",
                "/no/such/teacher",
                "--distil-weight",
                "1.5",
            ],
            "--distil-weight",
        ),
        (&["--distil-weight", "0.5"], "--distil-from"),
        (&["--tone-head-weight", "0"], "--tone-head-weight"),
        (&["--tone-head-per-batch", "8"], "--tone-head-weight"),
        (&["--distil-from", "/no/such/teacher"], "/no/such/teacher"),
    ] {
        let mut args = vec!["train", "clinical", "--data", data.to_str().unwrap()];
        args.extend_from_slice(bad);
        let out = dermtone(&args);
        assert!(!out.status.success(), "{bad:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(named), "{bad:?}: {stderr}");
    }
}

/// How many of the subset's first `limit` training photos are labelled Fitzpatrick I–III.
fn light_training_photos(limit: usize) -> u64 {
    let text =
        std::fs::read_to_string(shared("fitzpatrick17k_ajl_subset").join("labels.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let (split, fitzpatrick) = (column("split"), column("fitzpatrick_scale"));
    lines
        .map(|line| line.split(',').collect::<Vec<_>>())
        .filter(|row| row[split] == "train")
        .take(limit)
        .filter(|row| matches!(row[fitzpatrick], "1" | "2" | "3"))
        .count() as u64
}

/// Runs `dermtone train clinical` on the shared subset, writing into `out_dir`, with `extra`.
fn train_clinical(out_dir: &Path, extra: &[&str]) -> Output {
    common::train_clinical(out_dir, &out_dir.join("checkpoints"), extra)
}

/// The card of model `id` trained into `out_dir` with `extra` options; the run must succeed
/// (`context` names the case in the failure message).
fn trained_card(out_dir: &Path, id: &str, extra: &[&str], context: &str) -> Value {
    let mut args = vec!["--id", id];
    args.extend_from_slice(extra);
    let out = train_clinical(out_dir, &args);
    assert!(
        out.status.success(),
        "{context}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out_dir.join(format!("{id}.card.json"))).unwrap())
        .unwrap()
}
