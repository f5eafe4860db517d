//! `dermtone compare OLD NEW`: real photos against themselves, a darker re-toned copy and a
//! closer crop, and saved `analyze --json` results, through the built binary.

mod common;

use std::path::{Path, PathBuf};

use common::{dermtone, ham_test_photos, scratch, shared};
use image::RgbImage;
use serde_json::Value;

fn dermoscopy_photo() -> PathBuf {
    ham_test_photos(1).remove(0)
}

/// The first test photo whose lesion covers under 15 % of the frame, so that a closer crop
/// keeps all of it.
fn small_lesion_photo() -> PathBuf {
    ham_test_photos(20)
        .into_iter()
        .find(|photo| {
            let run = dermtone(&["analyze", "--json", photo.to_str().unwrap()]);
            let analysis: Value = serde_json::from_slice(&run.stdout).unwrap();
            analysis["lesion"]["frame_share"]
                .as_f64()
                .is_some_and(|share| share < 0.15)
        })
        .expect("a test photo with a small lesion")
}

fn compare(old: &Path, new: &Path, mode: &str) -> Value {
    let run = dermtone(&[
        "compare",
        "--json",
        "--mode",
        mode,
        old.to_str().unwrap(),
        new.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

fn measure<'a>(c: &'a Value, code: &str) -> &'a Value {
    c["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {c}"))
}

fn write_png(image: &RgbImage, path: &Path) {
    image.save(path).unwrap();
}

#[test]
fn a_photo_against_itself_shows_no_change_in_either_mode() {
    let fitzpatrick = shared("fitzpatrick17k_ajl_subset");
    let labels = std::fs::read_to_string(fitzpatrick.join("labels.csv")).unwrap();
    let clinical = labels
        .lines()
        .skip(1)
        .find(|l| l.contains(",test"))
        .and_then(|l| l.split(',').next())
        .map(|id| fitzpatrick.join("images").join(format!("{id}.jpg")))
        .unwrap();
    for (photo, mode) in [(dermoscopy_photo(), "dermoscopy"), (clinical, "photo")] {
        let c = compare(&photo, &photo, mode);
        assert_eq!(c["mode"], mode);
        assert_eq!(c["changed"], false, "{c}");
        let measures = c["measures"].as_array().unwrap();
        assert_eq!(measures.len(), 5, "{c}");
        for m in measures {
            assert_eq!(m["direction"], "same", "{c}");
            assert_eq!(m["change"], 0.0, "{c}");
        }
        assert_eq!(c["size_note"], "size_unmeasurable");
    }
}

#[test]
fn a_closer_crop_fills_more_of_the_frame_with_the_same_outline() {
    let dir = scratch("compare-crop");
    let original = small_lesion_photo();
    let photo = image::open(&original).unwrap().to_rgb8();
    let (w, h) = photo.dimensions();
    // The middle two thirds, at the photo's size: as if the camera had come closer.
    let middle = image::imageops::crop_imm(&photo, w / 6, h / 6, w * 2 / 3, h * 2 / 3).to_image();
    let crop = image::imageops::resize(&middle, w, h, image::imageops::FilterType::Triangle);
    let cropped = dir.join("closer.png");
    write_png(&crop, &cropped);
    let c = compare(&original, &cropped, "dermoscopy");
    let share = measure(&c, "frame_share");
    assert_eq!(share["direction"], "up", "{c}");
    assert!(
        share["new"].as_f64().unwrap() > share["old"].as_f64().unwrap() * 1.5,
        "{c}"
    );
    for code in ["asymmetry", "border_irregularity"] {
        assert_eq!(measure(&c, code)["large"], false, "{c}");
    }
}

#[test]
fn a_darker_retoned_copy_keeps_the_outline() {
    let dir = scratch("compare-retone");
    let photo = image::open(dermoscopy_photo()).unwrap().to_rgb8();
    let darker = dir.join("darker.png");
    write_png(&dermtone_color::add_melanin(&photo, 0.4), &darker);
    let c = compare(&dermoscopy_photo(), &darker, "dermoscopy");
    for code in ["asymmetry", "border_irregularity", "frame_share"] {
        assert_eq!(measure(&c, code)["large"], false, "{code}: {c}");
    }
}

#[test]
fn saved_results_compare_and_foreign_files_are_refused_in_words() {
    let dir = scratch("compare-saved");
    let analyze = dermtone(&["analyze", "--json", dermoscopy_photo().to_str().unwrap()]);
    assert!(analyze.status.success());
    let saved = dir.join("saved.json");
    std::fs::write(&saved, &analyze.stdout).unwrap();
    let c = compare(&saved, &dermoscopy_photo(), "dermoscopy");
    assert_eq!(c["changed"], false, "{c}");

    let foreign = dir.join("foreign.json");
    std::fs::write(&foreign, r#"{"hello": "world"}"#).unwrap();
    let refused = dermtone(&[
        "compare",
        foreign.to_str().unwrap(),
        saved.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("is not a saved dermtone analysis"),
        "{stderr}"
    );

    let mut photo_mode: Value = serde_json::from_slice(&analyze.stdout).unwrap();
    photo_mode["mode"] = "photo".into();
    let other = dir.join("other-mode.json");
    std::fs::write(&other, photo_mode.to_string()).unwrap();
    let mixed = dermtone(&["compare", saved.to_str().unwrap(), other.to_str().unwrap()]);
    assert_eq!(mixed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&mixed.stderr).contains("different modes"));
}
