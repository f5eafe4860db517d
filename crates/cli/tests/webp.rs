//! WebP photos (as Android phones and chat apps save them) through `analyze` and `tone`: a
//! lossless WebP made here from real HAM10000 pixels gives exactly the PNG of the same pixels'
//! answer. No dataset image is committed: both files are written at test time.

mod common;

use std::path::{Path, PathBuf};

use common::{dermtone, ham_test_photos, scratch};
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageFormat, RgbImage};
use serde_json::Value;

/// `photo`'s pixels written as a PNG and as a lossless WebP into `dir`.
fn png_and_webp(photo: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let pixels: RgbImage = image::open(photo).unwrap().to_rgb8();
    let stem = photo.file_stem().unwrap().to_str().unwrap();
    let png = dir.join(format!("{stem}.png"));
    pixels.save_with_format(&png, ImageFormat::Png).unwrap();
    let mut bytes = Vec::new();
    WebPEncoder::new_lossless(&mut bytes)
        .encode(
            pixels.as_raw(),
            pixels.width(),
            pixels.height(),
            ExtendedColorType::Rgb8,
        )
        .unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WEBP");
    let webp = dir.join(format!("{stem}.webp"));
    std::fs::write(&webp, bytes).unwrap();
    (png, webp)
}

fn json(args: &[&str]) -> Value {
    let out = dermtone(args);
    assert!(
        out.status.success(),
        "dermtone {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn a_lossless_webp_gives_the_same_analysis_and_tone_as_the_png_of_its_pixels() {
    let dir = scratch("webp");
    for photo in ham_test_photos(2) {
        let (png, webp) = png_and_webp(&photo, &dir);
        let (png, webp) = (png.to_str().unwrap(), webp.to_str().unwrap());
        for mode in ["dermoscopy", "photo"] {
            let from_png = json(&["analyze", "--json", "--mode", mode, png]);
            let from_webp = json(&["analyze", "--json", "--mode", mode, webp]);
            assert!(
                !from_png["classes"].as_array().unwrap().is_empty(),
                "{png}: the photo should pass its quality check"
            );
            // Lossless: the same pixels, so every figure is identical, probabilities included.
            assert_eq!(from_webp, from_png, "{webp} --mode {mode}");
        }
        let tone_png = json(&["tone", "--json", png]);
        let tone_webp = json(&["tone", "--json", webp]);
        assert_eq!(tone_webp, tone_png, "{webp}: tone");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_damaged_webp_is_refused_in_one_sentence_naming_webp() {
    let dir = scratch("webp-cut");
    let [photo] = ham_test_photos(1).try_into().unwrap();
    let (_, webp) = png_and_webp(&photo, &dir);
    let bytes = std::fs::read(&webp).unwrap();
    let cut = dir.join("cut.webp");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = dermtone(&["analyze", cut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "could not be read as a JPEG, PNG or WebP photo (it is damaged or incomplete)"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}
