//! Sanity checks of the heatmap (the class activation map of the top class) on the first 200
//! HAM10000 test images with their hand-drawn lesion masks, for the shipped dermoscopy model:
//!
//! - the pointing game: the map's peak falls inside the lesion far more often than a point
//!   drawn uniformly over the photo would (the masks' mean area); the always-the-centre
//!   pointer is printed beside it, since most lesions sit in the middle of the frame;
//! - the model-randomisation check (Adebayo et al., "Sanity Checks for Saliency Maps",
//!   NeurIPS 2018): the same network with random weights draws different maps, so the maps
//!   depend on what the model learned and not only on the image.

mod common;

use std::collections::HashSet;

use burn::tensor::Device;

use common::{dermoscopy_engine as engine, read, root, shared_ham};
use dermtone_color::Mask;
use dermtone_engine::{Engine, Heatmap, Manifest, decode_image};
use dermtone_net::int8::quantize;
use dermtone_train::datasets::ham10000::{image_path, read_split_csv};
use dermtone_train::datasets::ham10000_masks::load_lesion_masks;
use image::RgbImage;

const CASES: usize = 200;
/// Seed of the randomised network's weights.
const RANDOM_SEED: u64 = 42;

/// The first [`CASES`] test images with their lesion masks.
fn cases() -> Vec<(RgbImage, Mask)> {
    let dir = shared_ham();
    let ids: Vec<String> = read_split_csv(&dir)
        .unwrap()
        .into_iter()
        .filter(|r| r.split == "test")
        .take(CASES)
        .map(|r| r.image_id)
        .collect();
    let wanted: HashSet<String> = ids.iter().cloned().collect();
    let mut masks = load_lesion_masks(&dir, Some(&wanted)).unwrap();
    ids.iter()
        .map(|id| {
            let image = decode_image(&read(&image_path(&dir, id))).unwrap();
            (
                image,
                masks.remove(id).expect("every test image has a mask"),
            )
        })
        .collect()
}

fn heatmaps(engine: &Engine, cases: &[(RgbImage, Mask)]) -> Vec<Heatmap> {
    cases
        .iter()
        .map(|(image, _)| {
            pollster::block_on(engine.classify_explained(image))
                .unwrap()
                .1
        })
        .collect()
}

/// Share of `cases` whose lesion mask holds the point at fractions `point(i)` of the photo.
fn hit_rate(cases: &[(RgbImage, Mask)], point: impl Fn(usize) -> [f32; 2]) -> f64 {
    let hits = cases
        .iter()
        .enumerate()
        .filter(|(i, (_, mask))| {
            let [x, y] = point(*i);
            let px = ((x * mask.width() as f32) as u32).min(mask.width() - 1);
            let py = ((y * mask.height() as f32) as u32).min(mask.height() - 1);
            mask.get(px, py)
        })
        .count();
    hits as f64 / cases.len() as f64
}

fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let mean = |v: &[f32]| v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64;
    let (ma, mb) = (mean(a), mean(b));
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        let (dx, dy) = (f64::from(x) - ma, f64::from(y) - mb);
        ab += dx * dy;
        aa += dx * dx;
        bb += dy * dy;
    }
    if aa == 0.0 || bb == 0.0 {
        0.0
    } else {
        ab / (aa * bb).sqrt()
    }
}

#[test]
fn the_heatmap_points_at_the_lesion_and_depends_on_the_learned_weights() {
    let cases = cases();
    let shipped = engine(None);
    let maps = heatmaps(&shipped, &cases);

    let pointing = hit_rate(&cases, |i| maps[i].peak);
    let centre = hit_rate(&cases, |_| [0.5, 0.5]);
    let chance = cases
        .iter()
        .map(|(_, mask)| mask.count() as f64 / (mask.width() * mask.height()) as f64)
        .sum::<f64>()
        / cases.len() as f64;

    let entry = Manifest::from_json(
        &String::from_utf8(read(&root().join("models/manifest.json"))).unwrap(),
    )
    .unwrap()
    .model_for("dermoscopy")
    .unwrap()
    .clone();
    // Seeded, so that the check is the same on every run.
    let device = Device::flex();
    device.seed(RANDOM_SEED);
    let random = entry
        .architecture
        .config()
        .init(&device)
        .record_bytes()
        .unwrap();
    let random_maps = heatmaps(&engine(Some(quantize(&random).unwrap())), &cases);
    let random_pointing = hit_rate(&cases, |i| random_maps[i].peak);
    let similarity = maps
        .iter()
        .zip(&random_maps)
        .map(|(a, b)| correlation(&a.values, &b.values))
        .sum::<f64>()
        / cases.len() as f64;

    println!(
        "heatmap sanity, {} on {} HAM10000 test images ({}×{} maps): pointing game {pointing:.3} \
         (uniform chance {chance:.3}, always the centre {centre:.3}); random weights: pointing \
         {random_pointing:.3}, mean correlation with the trained maps {similarity:.3}",
        entry.id,
        cases.len(),
        maps[0].width,
        maps[0].height,
    );
    assert!(
        pointing > chance + 0.15,
        "the peak lands in the lesion {pointing:.3} of the time; a random point would {chance:.3}"
    );
    assert!(
        similarity < 0.5,
        "maps with random weights correlate {similarity:.3} with the trained ones"
    );
}
