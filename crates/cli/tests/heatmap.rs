//! `dermtone analyze --heatmap OUT.png`: the photo with the map of where the model looked laid
//! over it, and the same map in the JSON; no file and a clear error when there is no map.

mod common;

use common::{dermtone, scratch, shared};
use serde_json::Value;

fn first_test_image() -> std::path::PathBuf {
    let ham = shared("ham10000");
    let split = std::fs::read_to_string(ham.join("split.csv")).expect("shared HAM10000 split.csv");
    let id = split
        .lines()
        .find(|l| l.ends_with(",test"))
        .and_then(|l| l.split(',').next())
        .expect("a test image");
    ham.join("images_200x150").join(format!("{id}.jpg"))
}

#[test]
fn the_overlay_is_the_photo_reddened_where_the_json_map_peaks() {
    let dir = scratch("heatmap-overlay");
    let photo = first_test_image();
    let out = dir.join("overlay.png");
    let run = dermtone(&[
        "analyze",
        photo.to_str().unwrap(),
        "--heatmap",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("where the model looked for"));

    let json = dermtone(&["analyze", "--json", photo.to_str().unwrap()]);
    let analysis: Value = serde_json::from_slice(&json.stdout).unwrap();
    let map = &analysis["heatmap"];
    assert_eq!(
        map["class"], analysis["classes"][0]["code"],
        "the map explains the top class"
    );
    let values: Vec<f64> = map["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(
        values.len() as u64,
        map["width"].as_u64().unwrap() * map["height"].as_u64().unwrap()
    );
    assert!(values.iter().all(|v| (0.0..=1.0).contains(v)));
    assert!(values.contains(&1.0), "scaled to its peak");
    assert_eq!(map["caveat"], "Where the model looked, not a diagnosis.");

    let original = image::open(&photo).unwrap().to_rgb8();
    let overlay = image::open(&out).unwrap().to_rgb8();
    assert_eq!(overlay.dimensions(), original.dimensions());
    let peak = map["peak"].as_array().unwrap();
    let at = |f: &Value, size: u32| ((f.as_f64().unwrap() * f64::from(size)) as u32).min(size - 1);
    let (x, y) = (
        at(&peak[0], original.width()),
        at(&peak[1], original.height()),
    );
    let (before, after) = (original.get_pixel(x, y), overlay.get_pixel(x, y));
    assert!(
        f32::from(after[1]) < 0.7 * f32::from(before[1]) && after[0] >= before[0].min(190),
        "at the peak the photo turns red: {before:?} -> {after:?}"
    );
}

#[test]
fn a_photo_that_fails_its_quality_check_gets_no_heatmap_file_and_says_why() {
    let dir = scratch("heatmap-retake");
    let black = dir.join("black.png");
    image::RgbImage::new(200, 150).save(&black).unwrap();
    let out = dir.join("overlay.png");
    let run = dermtone(&[
        "analyze",
        black.to_str().unwrap(),
        "--heatmap",
        out.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    assert_ne!(run.status.code(), Some(101), "an error, not a panic");
    assert!(String::from_utf8_lossy(&run.stderr).contains("failed its quality check"));
    assert!(!out.exists());
    let json = dermtone(&["analyze", "--json", black.to_str().unwrap()]);
    let analysis: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(analysis["heatmap"], Value::Null);
}
