//! Seed inputs per target, made here or read from the shipped models (no dataset file is needed).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

/// The repository's `models/` folder.
pub fn models() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")
}

fn read(name: &str) -> Result<Vec<u8>, String> {
    let path = models().join(name);
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Light skin with a brown mark: a photo the quality check passes, so mutants reach the model.
fn skin(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let (dx, dy) = (
            x as f32 - width as f32 / 2.0,
            y as f32 - height as f32 / 2.0,
        );
        let grain = ((x * 7 + y * 13) % 5) as u8 * 5;
        if dx.hypot(dy) < width.min(height) as f32 * 0.22 {
            Rgb([110 + grain, 72 + grain, 55 + grain])
        } else {
            Rgb([205 + grain, 162 + grain, 140 + grain])
        }
    })
}

fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("encoding a seed");
    out
}

/// The seeds of `target` (`image`, `manifest` or `weights`).
pub fn for_target(target: &str) -> Result<Vec<Vec<u8>>, String> {
    Ok(match target {
        "image" => {
            let photo = DynamicImage::ImageRgb8(skin(128, 128));
            let mut seeds = vec![
                encode(photo.clone(), ImageFormat::Jpeg),
                encode(photo.clone(), ImageFormat::Png),
                encode(DynamicImage::ImageLuma8(photo.to_luma8()), ImageFormat::Png),
                encode(
                    DynamicImage::ImageRgba16(photo.to_rgba16()),
                    ImageFormat::Png,
                ),
                encode(DynamicImage::ImageRgb8(skin(24, 16)), ImageFormat::Jpeg),
            ];
            // Where this build decodes WebP (the CLI's does), its decoder is fuzzed too.
            if ImageFormat::WebP.reading_enabled() && ImageFormat::WebP.writing_enabled() {
                seeds.push(encode(photo, ImageFormat::WebP));
            }
            seeds
        }
        "manifest" => {
            let manifest = read("manifest.json")?;
            let text = String::from_utf8_lossy(&manifest);
            let cards: Vec<Vec<u8>> = ["\"card\": \""]
                .iter()
                .flat_map(|key| text.match_indices(key).map(|(at, _)| at + key.len()))
                .filter_map(|start| text[start..].split('"').next().map(String::from))
                .filter_map(|name| read(&name).ok())
                .collect();
            [vec![manifest], cards].concat()
        }
        "weights" => {
            // The shipped file is format version 1 (f32 scales); the same weights written now
            // are version 2 (f16 scales), so both readers' paths are fuzzed.
            let shipped = read(&tone_entry()?.file)?;
            let record = dermtone_net::int8::dequantize(&shipped).map_err(|e| e.to_string())?;
            let current = dermtone_net::int8::quantize(&record).map_err(|e| e.to_string())?;
            vec![shipped, current]
        }
        other => {
            return Err(format!(
                "unknown target {other} (image, manifest or weights)"
            ));
        }
    })
}

/// The shipped tone estimator's manifest entry: the smallest classifier, so parses are quick.
pub fn tone_entry() -> Result<dermtone_engine::ModelEntry, String> {
    let text = String::from_utf8(read("manifest.json")?).map_err(|e| e.to_string())?;
    let manifest = dermtone_engine::Manifest::from_json(&text).map_err(|e| e.to_string())?;
    manifest
        .model_for("tone")
        .cloned()
        .map_err(|e| e.to_string())
}
