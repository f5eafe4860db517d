//! The `dermtone` binary end to end, on real HAM10000 images and the shipped model.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_of_models, dermtone, repo, scratch, shared};
use serde_json::Value;

fn ham() -> PathBuf {
    shared("ham10000")
}

fn first_test_image() -> PathBuf {
    let split =
        std::fs::read_to_string(ham().join("split.csv")).expect("shared HAM10000 split.csv");
    let id = split
        .lines()
        .find(|l| l.ends_with(",test"))
        .and_then(|l| l.split(',').next())
        .expect("a test image");
    ham().join("images_200x150").join(format!("{id}.jpg"))
}

fn analyze_json(image: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["analyze", "--json", image.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = dermtone(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("analysis JSON")
}

fn shipped_manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo().join("models/manifest.json")).unwrap())
        .unwrap()
}

fn model_entry<'a>(manifest: &'a Value, task: &str) -> &'a Value {
    manifest["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["task"] == task)
        .unwrap_or_else(|| panic!("a {task} model in the manifest"))
}

fn probabilities(analysis: &Value) -> Vec<(String, f64)> {
    analysis["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_string(),
                c["probability"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn analyze_json_gives_seven_sorted_probabilities_summing_to_one() {
    let analysis = analyze_json(&first_test_image(), &[]);
    let probs = probabilities(&analysis);
    assert_eq!(probs.len(), 7);
    assert!((probs.iter().map(|p| p.1).sum::<f64>() - 1.0).abs() < 1e-4);
    assert!(
        probs.windows(2).all(|w| w[0].1 >= w[1].1),
        "sorted most likely first"
    );
    assert_eq!(analysis["backend"], "cpu");
    assert_eq!(analysis["backend_reason"], "--backend cpu was requested");
    assert_eq!(
        analysis["model"]["sha256"],
        model_entry(&shipped_manifest(), "dermoscopy")["sha256"]
    );
    assert!(
        analysis["disclaimer"]
            .as_str()
            .unwrap()
            .contains("not a diagnosis")
    );
}

#[test]
fn a_blurred_photo_gets_retake_advice_instead_of_probabilities() {
    let dir = scratch("blurred");
    let blurred = dir.join("blurred.png");
    let photo = image::open(first_test_image()).unwrap().to_rgb8();
    image::imageops::blur(&photo, 3.0).save(&blurred).unwrap();
    let analysis = analyze_json(&blurred, &[]);
    assert_eq!(analysis["quality"]["ok"], false);
    assert_eq!(analysis["quality"]["problems"][0]["code"], "blurry");
    assert_eq!(analysis["classes"].as_array().unwrap().len(), 0);
    assert_eq!(analysis["per_tone"].as_array().unwrap().len(), 0);
    assert!(analysis["consistent"].is_null());
    assert!(analysis["triage"].is_null());
    let original = analyze_json(&first_test_image(), &[]);
    assert_eq!(original["quality"]["ok"], true);

    let text = dermtone(&["analyze", blurred.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("retake"));
}

#[test]
fn wgpu_and_cpu_agree_within_1e_4() {
    let image = first_test_image();
    let cpu = probabilities(&analyze_json(&image, &[]));
    let wgpu = analyze_json(&image, &["--backend", "wgpu"]);
    assert_eq!(wgpu["backend"], "wgpu");
    for ((code_a, a), (code_b, b)) in cpu.iter().zip(probabilities(&wgpu)) {
        assert_eq!(*code_a, code_b);
        assert!((a - b).abs() < 1e-4, "{code_a}: cpu {a} vs wgpu {b}");
    }
}

#[test]
fn a_text_file_is_a_clear_error() {
    let dir = scratch("text");
    let file = dir.join("notes.txt");
    std::fs::write(&file, "not a photo").unwrap();
    let out = dermtone(&["analyze", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("could not be read as a JPEG, PNG or WebP")
    );
}

#[test]
fn tampered_weights_are_refused() {
    let dir = scratch("tampered");
    copy_of_models(&dir);
    let weights = dir.join(
        model_entry(&shipped_manifest(), "dermoscopy")["file"]
            .as_str()
            .unwrap(),
    );
    let mut bytes = std::fs::read(&weights).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(&weights, bytes).unwrap();
    let out = dermtone(&[
        "analyze",
        first_test_image().to_str().unwrap(),
        "--models",
        dir.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("integrity check"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn mode_picks_the_manifest_model_for_the_capture_and_defaults_to_dermoscopy() {
    let image = first_test_image();
    let manifest = shipped_manifest();
    let photo = analyze_json(&image, &["--mode", "photo"]);
    let dermoscopy = analyze_json(&image, &["--mode", "dermoscopy"]);
    for (analysis, mode) in [(&photo, "photo"), (&dermoscopy, "dermoscopy")] {
        let entry = model_entry(&manifest, mode);
        assert_eq!(analysis["mode"], mode);
        assert_eq!(analysis["model"]["id"], entry["id"]);
        assert_eq!(analysis["model"]["sha256"], entry["sha256"]);
        assert_eq!(
            analysis["classes"].as_array().unwrap().len(),
            entry["labels"].as_array().unwrap().len()
        );
    }
    assert_ne!(photo["model"]["id"], dermoscopy["model"]["id"]);
    assert_eq!(analyze_json(&image, &[])["model"], dermoscopy["model"]);

    let text = dermtone(&["analyze", image.to_str().unwrap(), "--mode", "photo"]);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("photo model"));
}

#[test]
fn an_unknown_mode_is_refused_with_the_valid_ones() {
    let image = first_test_image();
    for command in ["analyze", "tone"] {
        let out = dermtone(&[command, image.to_str().unwrap(), "--mode", "dermatoscope"]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("invalid value 'dermatoscope'")
                && stderr.contains("photo")
                && stderr.contains("dermoscopy"),
            "{stderr}"
        );
    }
}

#[test]
fn a_manifest_without_a_model_for_the_mode_is_a_clear_error() {
    let dir = scratch("no-photo-model");
    copy_of_models(&dir);
    let mut manifest = shipped_manifest();
    manifest["models"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["task"] != "photo");
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    let image = first_test_image();
    let models = dir.to_str().unwrap();
    for command in ["analyze", "tone"] {
        let out = dermtone(&[
            command,
            image.to_str().unwrap(),
            "--mode",
            "photo",
            "--models",
            models,
        ]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("the manifest lists no photo model"),
            "{stderr}"
        );
    }
    let dermoscopy = analyze_json(&image, &["--mode", "dermoscopy", "--models", models]);
    assert_eq!(dermoscopy["mode"], "dermoscopy");
}

#[test]
fn a_tiny_training_run_writes_a_calibrated_model_the_analyzer_loads_and_resumes() {
    let out_dir = scratch("train");
    let checkpoints = out_dir.join("checkpoints");
    let data = ham();
    let run = |extra: &[&str]| {
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
            "tiny",
            "--limit",
            "48",
            "--width",
            "8",
            "--batch-size",
            "16",
        ];
        args.extend_from_slice(extra);
        dermtone(&args)
    };
    let train = |extra: &[&str]| {
        let out = run(extra);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    train(&["--epochs", "1", "--size", "32"]);
    let card: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("tiny.card.json")).unwrap())
            .unwrap();
    assert_eq!(card["training"]["seed"], 42);
    assert!(
        card["training"]["command"]
            .as_str()
            .unwrap()
            .contains("--limit 48")
    );
    assert_eq!(card["architecture"]["kind"], "mobile");
    assert_eq!(card["metrics"]["test"]["n"], 48);
    assert!(card["calibration"]["temperature"].as_f64().unwrap() > 0.0);
    let threshold = card["operating_point"]["threshold"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&threshold), "{threshold}");
    assert!(
        card["weights"]["int8_bytes"].as_u64().unwrap()
            < card["weights"]["f32_bytes"].as_u64().unwrap()
    );
    assert!(out_dir.join("tiny.md").is_file());
    assert!(out_dir.join("tiny.reliability.svg").is_file());
    let analysis = analyze_json(
        &first_test_image(),
        &["--models", out_dir.to_str().unwrap()],
    );
    assert_eq!(analysis["model"]["id"], "tiny");
    assert_eq!(
        analysis["malignancy"]["threshold"].as_f64().unwrap() as f32,
        threshold as f32
    );

    let log = train(&["--epochs", "2", "--size", "32", "--resume"]);
    assert!(log.contains("resuming after epoch 1"), "{log}");
    assert!(log.contains("epoch 2:"), "{log}");

    let other_recipe = run(&["--epochs", "2", "--size", "48", "--resume"]);
    assert!(!other_recipe.status.success());
    let stderr = String::from_utf8_lossy(&other_recipe.stderr);
    assert!(stderr.contains("other options"), "{stderr}");
}

#[test]
fn a_photo_analysis_has_six_synthetic_per_tone_results_beside_the_cards_real_evidence() {
    let photo = std::fs::read_dir(shared("fitzpatrick17k_ajl_subset").join("images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    let analysis = analyze_json(&photo, &["--mode", "photo"]);
    let card: Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo().join("models").join(
                model_entry(&shipped_manifest(), "photo")["card"]
                    .as_str()
                    .unwrap(),
            ),
        )
        .unwrap(),
    )
    .unwrap();
    let per_tone = analysis["per_tone"].as_array().unwrap();
    assert_eq!(per_tone.len(), 6);
    let threshold = analysis["malignancy"]["threshold"].as_f64().unwrap();
    for (i, result) in per_tone.iter().enumerate() {
        let t = i + 1;
        assert_eq!(result["fitzpatrick"], t);
        assert_eq!(result["synthetic"], true);
        let p = result["malignancy"].as_f64().unwrap();
        assert_eq!(result["flagged"], p >= threshold);
        assert_eq!(result["top_classes"].as_array().unwrap().len(), 3);
        let real = &card["evidence"]["groups"][t.to_string()];
        assert_eq!(result["evidence"]["real_n"], real["n"]);
        assert_eq!(result["evidence"]["low_evidence"], real["low_evidence"]);
    }
    let flags: Vec<&Value> = per_tone.iter().map(|r| &r["flagged"]).collect();
    assert_eq!(analysis["consistent"], flags.iter().all(|f| *f == flags[0]));
    let flagged = analysis["malignancy"]["flagged"].as_bool().unwrap();
    let probability = analysis["malignancy"]["probability"].as_f64().unwrap();
    let expected = if flagged && probability >= 0.5 {
        "see_clinician_soon"
    } else if flagged || analysis["consistent"] == false {
        "show_clinician"
    } else {
        "low_concern"
    };
    assert_eq!(analysis["triage"]["level"], expected);

    let dermoscopy = analyze_json(&first_test_image(), &["--mode", "dermoscopy"]);
    let per_tone = dermoscopy["per_tone"].as_array().unwrap();
    assert_eq!(per_tone.len(), 6);
    assert!(per_tone.iter().all(|r| r["evidence"].is_null()));

    let text = dermtone(&["analyze", photo.to_str().unwrap(), "--mode", "photo"]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("SYNTHETIC"));
    assert!(stdout.contains("triage: "), "{stdout}");
}
