//! The tone generator end to end: a tiny two-stage training run (with the per-pixel gain) into a
//! copy of the models, reuse of finished stages, `synth` writing stamped PNGs (and refusing what
//! it must), and `validate-generator` reporting on held-out photos.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_of_models, dermtone, scratch, shared};
use dermtone_engine::{Manifest, read_provenance, sha256_hex};
use serde_json::Value;

fn train_tiny(models: &Path, checkpoint: &Path) -> std::process::Output {
    let data = shared("fitzpatrick17k_ajl_subset");
    let ham = shared("ham10000");
    dermtone(&[
        "train",
        "generator",
        "--data",
        data.to_str().unwrap(),
        "--ham10000",
        ham.to_str().unwrap(),
        "--out",
        models.to_str().unwrap(),
        "--checkpoint",
        checkpoint.to_str().unwrap(),
        "--id",
        "generator-tiny",
        "--limit",
        "24",
        "--val-limit",
        "4",
        "--batch-size",
        "4",
        "--supervised-steps",
        "3",
        "--refine-steps",
        "2",
        "--eval-every",
        "1",
        "--ita-weight",
        "2",
        "--edge-band-weight",
        "3",
        "--dermoscopy-diagnosis-weight",
        "1",
        "--skin-detail-weight",
        "4",
        "--tone-estimator-weight",
        "5",
        "--tone-estimator-from-type",
        "5",
        "--gain",
        "--keep-skin-variation",
        "8",
    ])
}

/// Runs `dermtone synth INPUT -o OUT [--models MODELS] EXTRA...`.
fn synth(input: &str, out: &str, models: Option<&str>, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["synth", input, "-o", out];
    if let Some(models) = models {
        args.extend(["--models", models]);
    }
    args.extend_from_slice(extra);
    dermtone(&args)
}

fn a_photo() -> PathBuf {
    let dir = shared("fitzpatrick17k_ajl_subset").join("images");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names.into_iter().next().unwrap()
}

#[test]
fn a_tiny_generator_trains_renders_stamped_pngs_and_validates() {
    let dir = scratch("generator");
    let models = dir.join("models");
    std::fs::create_dir_all(&models).unwrap();
    copy_of_models(&models);
    let checkpoint = dir.join("checkpoint");
    let out = train_tiny(&models, &checkpoint);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("stage 2 step 2: val L1"), "{stderr}");

    let manifest =
        Manifest::from_json(&std::fs::read_to_string(models.join("manifest.json")).unwrap())
            .unwrap();
    let entry = manifest.model_for("generator").unwrap();
    assert_eq!(entry.id, "generator-tiny");
    let weights = std::fs::read(models.join(&entry.file)).unwrap();
    assert_eq!(sha256_hex(&weights), entry.sha256);
    assert!(weights.len() < 1_500_000, "{} bytes", weights.len());
    let spec = entry.generator.as_ref().unwrap();
    assert!(spec.target_ita.windows(2).all(|w| w[0] >= w[1]), "{spec:?}");
    assert!(spec.gain, "the tiny generator is trained with --gain");
    let card: Value =
        serde_json::from_str(&std::fs::read_to_string(models.join(&entry.card)).unwrap()).unwrap();
    assert_eq!(card["task"], "generator");
    assert_eq!(card["synthetic"], true);
    assert!(
        card["network"]["kind"]
            .as_str()
            .unwrap()
            .contains("per-pixel gain"),
        "{card}"
    );
    assert_eq!(card["training"]["shipped_stage"], "refined");
    assert!(
        card["training"]["targets"]
            .as_str()
            .unwrap()
            .contains("variation kept at scales finer than about 8 px"),
        "{card}"
    );
    assert_eq!(card["training"]["refine_loss_weights"]["ita"], 2.0);
    assert_eq!(card["training"]["refine_loss_weights"]["edge_band"], 3.0);
    assert_eq!(card["training"]["refine_loss_weights"]["skin_detail"], 4.0);
    assert_eq!(
        card["training"]["refine_loss_weights"]["dermoscopy_diagnosis"],
        1.0
    );
    assert_eq!(
        card["training"]["refine_loss_weights"]["tone_estimator"],
        5.0
    );
    assert_eq!(
        card["training"]["refine_loss_weights"]["tone_estimator_from_type"],
        5
    );
    let ids = |task: &str| manifest.model_for(task).unwrap().id.clone();
    let trained_against = [ids("photo"), ids("dermoscopy"), ids("tone")];
    assert_eq!(
        card["training"]["trained_against"],
        serde_json::json!(trained_against)
    );

    let again = train_tiny(&models, &checkpoint);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(
        stderr.contains("stage 1: reusing the saved record"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stage 2: reusing the saved record"),
        "{stderr}"
    );

    let photo = a_photo();
    let single = dir.join("tone6.png");
    let models_arg = models.to_str().unwrap();
    let out = synth(
        photo.to_str().unwrap(),
        single.to_str().unwrap(),
        Some(models_arg),
        &["--tone", "6"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&single).unwrap();
    let stamp = read_provenance(&bytes).expect("stamped");
    assert!(stamp.synthetic);
    assert_eq!(stamp.generator.as_deref(), Some(entry.sha256.as_str()));
    assert_eq!(stamp.target_tone.as_deref(), Some("6"));
    let cpu_pixels = image::load_from_memory(&bytes).unwrap().to_rgb8();

    let on_wgpu = dir.join("tone6-wgpu.png");
    let out = synth(
        photo.to_str().unwrap(),
        on_wgpu.to_str().unwrap(),
        Some(models_arg),
        &["--tone", "6", "--backend", "wgpu"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wgpu_pixels = image::open(&on_wgpu).unwrap().to_rgb8();
    assert_eq!(wgpu_pixels.dimensions(), cpu_pixels.dimensions());
    let worst = cpu_pixels
        .as_raw()
        .iter()
        .zip(wgpu_pixels.as_raw())
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(worst <= 1, "wgpu and CPU renderings differ by {worst}");

    let grid = dir.join("grid.png");
    let out = synth(
        photo.to_str().unwrap(),
        grid.to_str().unwrap(),
        Some(models_arg),
        &["--all-tones", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["provenance"]["target_tone"], "1-6");
    assert_eq!(printed["target_ita"].as_array().unwrap().len(), 6);
    let grid_image = image::open(&grid).unwrap();
    assert_eq!(grid_image.width(), 7 * dermtone_engine::TILE);

    let refused = synth(
        single.to_str().unwrap(),
        dir.join("again.png").to_str().unwrap(),
        Some(models_arg),
        &["--tone", "1"],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already a synthetic image"));
    let not_png = synth(
        photo.to_str().unwrap(),
        dir.join("out.jpg").to_str().unwrap(),
        Some(models_arg),
        &["--tone", "1"],
    );
    assert!(!not_png.status.success());
    assert!(String::from_utf8_lossy(&not_png.stderr).contains(".png"));

    let data = shared("fitzpatrick17k_ajl_subset");
    let ham = shared("ham10000");
    let validate = |split: &str| {
        dermtone(&[
            "validate-generator",
            "--data",
            data.to_str().unwrap(),
            "--ham10000",
            ham.to_str().unwrap(),
            "--models",
            models_arg,
            "--split",
            split,
            "--limit",
            "6",
            "--json",
        ])
    };
    let out = validate("val");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["synthetic"], true);
    assert_eq!(report["generator"]["sha256"], entry.sha256.as_str());
    let methods = report["methods"].as_array().unwrap();
    assert_eq!(methods[0]["method"], "generator");
    assert_eq!(methods[1]["method"], "retoning");
    assert!(methods[0]["renderings"].as_u64().unwrap() >= 6);
    // The worst renderings' edge bands sit beside the mean's, each side a number of levels.
    let worst = &methods[0]["border_excess"]["per_rendering_95th"];
    for side in ["top", "bottom", "left", "right"] {
        assert!(worst[side].as_f64().unwrap() >= 0.0, "{worst}");
    }
    assert_eq!(report["judges"]["tone_estimator"], ids("tone").as_str());
    assert_eq!(
        report["judges"]["trained_against"],
        serde_json::json!(trained_against)
    );
    let refused = validate("train");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("held-out"));
}

#[test]
fn negative_stage_two_weights_and_types_outside_i_to_vi_are_refused_before_any_work() {
    let data = shared("fitzpatrick17k_ajl_subset");
    let dir = scratch("generator-negative-weight");
    // The error `train generator` prints with `option` set to `value`; it must fail.
    let refusal = |option: &str, value: &str| {
        let out = dermtone(&[
            "train",
            "generator",
            "--data",
            data.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            &format!("{option}={value}"),
        ]);
        assert!(!out.status.success(), "{option}={value}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    for flag in [
        "--ita-weight",
        "--edge-band-weight",
        "--dermoscopy-diagnosis-weight",
        "--skin-detail-weight",
        "--tone-estimator-weight",
    ] {
        let stderr = refusal(flag, "-1");
        assert!(
            stderr.contains("must be finite and not negative"),
            "{flag}: {stderr}"
        );
    }
    for lightest in ["0", "7"] {
        let stderr = refusal("--tone-estimator-from-type", lightest);
        assert!(stderr.contains("not in 1..=6"), "type {lightest}: {stderr}");
    }
}

#[test]
fn the_shipped_generator_renders_type_vi_darker_than_type_i() {
    let dir = scratch("shipped-generator");
    let photo = a_photo();
    let ita_at = |tone: &str| -> f64 {
        let out_path = dir.join(format!("tone{tone}.png"));
        let out = synth(
            photo.to_str().unwrap(),
            out_path.to_str().unwrap(),
            None,
            &["--tone", tone],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let measured = dermtone(&["tone", out_path.to_str().unwrap(), "--json"]);
        assert!(measured.status.success());
        let report: Value = serde_json::from_slice(&measured.stdout).unwrap();
        report["ita"]
            .as_f64()
            .expect("the rendering's skin tone is measurable")
    };
    let (light, dark) = (ita_at("1"), ita_at("6"));
    assert!(
        light - dark > 30.0,
        "type I ITA {light:.1}°, type VI ITA {dark:.1}°"
    );
}
