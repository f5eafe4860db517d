//! `dermtone tone` and the tone inside `dermtone analyze`, end to end on real images.

mod common;

use std::path::PathBuf;

use common::{dermtone, repo, scratch, shared};
use image::{Rgb, RgbImage};
use serde_json::Value;

fn ham_image(nth: usize) -> PathBuf {
    let split = std::fs::read_to_string(shared("ham10000/split.csv")).expect("HAM10000 split.csv");
    let id = split
        .lines()
        .filter(|l| l.ends_with(",val"))
        .nth(nth)
        .and_then(|l| l.split(',').next())
        .expect("a val image");
    shared("ham10000/images_200x150").join(format!("{id}.jpg"))
}

fn json_of(args: &[&str]) -> Value {
    let out = dermtone(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Groh et al.'s cut-offs, restated here so the test checks the binary against the table.
fn groh(ita: f64) -> u64 {
    match ita {
        x if x > 40.0 => 1,
        x if x > 23.0 => 2,
        x if x > 12.0 => 3,
        x if x > 0.0 => 4,
        x if x > -25.0 => 5,
        _ => 6,
    }
}

fn shipped_tone_model() -> Option<Value> {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("models/manifest.json")).unwrap(),
    )
    .unwrap();
    manifest["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["task"] == "tone")
        .cloned()
}

fn check_tone(tone: &Value) {
    if let Some(ita) = tone["ita"].as_f64() {
        assert_eq!(tone["ita_fitzpatrick"].as_u64(), Some(groh(ita)), "{tone}");
        assert!((1..=10).contains(&tone["monk"].as_u64().unwrap()));
        assert!(["high", "medium", "low"].contains(&tone["confidence"]["level"].as_str().unwrap()));
    } else {
        assert_eq!(tone["confidence"]["level"], "unknown");
    }
    match shipped_tone_model() {
        Some(model) => {
            assert_eq!(tone["method"], "learned");
            let learned = &tone["learned"];
            assert_eq!(learned["model"]["sha256"], model["sha256"]);
            let p: Vec<f64> = learned["probabilities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert_eq!(p.len(), 6);
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-4);
            assert_eq!(tone["fitzpatrick"], learned["fitzpatrick"]);
        }
        None => {
            assert_eq!(tone["method"], "ita");
            assert_eq!(tone["fitzpatrick"], tone["ita_fitzpatrick"]);
        }
    }
    let group = match tone["fitzpatrick"].as_u64() {
        Some(1 | 2) => "I-II",
        Some(3 | 4) => "III-IV",
        Some(5 | 6) => "V-VI",
        _ => "unknown",
    };
    assert_eq!(tone["group"], group, "{tone}");
}

fn clinical_images(n: usize) -> Vec<PathBuf> {
    let labels = std::fs::read_to_string(shared("fitzpatrick17k_ajl_subset/labels.csv")).unwrap();
    labels
        .lines()
        .filter(|l| l.contains(",val,"))
        .take(n)
        .map(|l| {
            let md5 = l.split(',').next().unwrap();
            shared("fitzpatrick17k_ajl_subset/images").join(format!("{md5}.jpg"))
        })
        .collect()
}

#[test]
fn tone_json_is_complete_and_consistent_on_real_photos() {
    let photos = clinical_images(3)
        .into_iter()
        .chain([0, 7, 21].map(ham_image));
    for image in photos {
        let tone = json_of(&["tone", "--json", image.to_str().unwrap()]);
        check_tone(&tone);
        for key in ["ita_category", "colour_cast", "skin_pixels"] {
            assert!(
                tone.get(key).is_some() || tone["confidence"].get(key).is_some(),
                "missing {key}"
            );
        }
        let analysis = json_of(&["analyze", "--json", image.to_str().unwrap()]);
        if analysis["quality"]["ok"] == true {
            assert_eq!(analysis["tone"], tone, "analyze and tone disagree");
        } else {
            assert_eq!(analysis["tone"], Value::Null);
        }
    }
}

#[test]
fn deep_skin_around_a_darker_spot_reads_dark_and_a_photo_without_skin_is_unknown() {
    let dir = scratch("synthetic");
    let deep = dir.join("deep.png");
    RgbImage::from_fn(240, 180, |x, y| {
        let v = ((x * 7 + y * 13) % 9) as u8;
        let (dx, dy) = (x as i32 - 120, y as i32 - 90);
        if dx * dx + dy * dy < 35 * 35 {
            Rgb([0x18 + v, 0x12 + v, 0x10 + v])
        } else {
            Rgb([0x3a + v, 0x31 + v, 0x2a + v])
        }
    })
    .save(&deep)
    .unwrap();
    let tone = json_of(&["tone", "--json", deep.to_str().unwrap()]);
    assert_eq!(tone["ita_fitzpatrick"], 6, "{tone}");
    assert_eq!(tone["ita_category"], "dark");

    let black = dir.join("black.png");
    RgbImage::from_pixel(240, 180, Rgb([0, 0, 0]))
        .save(&black)
        .unwrap();
    let tone = json_of(&["tone", "--json", black.to_str().unwrap()]);
    assert_eq!(tone["fitzpatrick"], Value::Null);
    assert_eq!(tone["group"], "unknown");
    assert_eq!(tone["confidence"]["level"], "unknown");
    let text = dermtone(&["tone", black.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("couldn't tell"));
}

#[test]
fn tone_of_a_text_file_is_a_clear_error() {
    let dir = scratch("text");
    let file = dir.join("notes.txt");
    std::fs::write(&file, "not a photo").unwrap();
    let out = dermtone(&["tone", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("could not be read as a JPEG, PNG or WebP")
    );
}

#[test]
fn a_tiny_tone_training_run_reports_itself_against_ita() {
    let out_dir = scratch("train");
    let checkpoint = out_dir.join("ck");
    let out = dermtone(&[
        "train",
        "tone",
        "--data",
        shared("fitzpatrick17k_ajl_subset").to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--id",
        "tiny-tone",
        "--limit",
        "40",
        "--epochs",
        "1",
        "--size",
        "32",
        "--width",
        "4",
        "--batch-size",
        "16",
        "--ema",
        "0.9",
        "--checkpoint",
        checkpoint.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(checkpoint.join("history.jsonl").is_file());
    let card: Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("tiny-tone.card.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(card["task"], "tone");
    assert_eq!(card["metrics"]["test_int8"]["n"], 40);
    assert!(card["metrics"]["test_ita_rule"]["n"].as_u64().unwrap() > 0);
    assert!(
        card["data"]["licence"]
            .as_str()
            .unwrap()
            .contains("CC BY-NC-SA")
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("test, ITA rule"), "{stdout}");
    assert!(out_dir.join("tiny-tone.md").is_file());
}
