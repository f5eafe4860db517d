//! The automatic lesion mask, the healthy-skin mask and the "lesion not framed" check against
//! HAM10000's hand-drawn lesion masks, on the first 200 val images. The segmentation was tuned
//! on train and val; its test-split figures are in `crates/color/src/lesion.rs`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use dermtone_color::{Mask, Problem, assess, segment_lesion, skin_mask};
use dermtone_train::datasets::ham10000::{image_path, read_split_csv};
use dermtone_train::datasets::ham10000_masks::load_lesion_masks;
use image::RgbImage;
use image::imageops::{FilterType, crop_imm, resize};

const CASES: usize = 200;

struct Case {
    image: RgbImage,
    lesion: Mask,
}

fn shared_ham() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ham10000")
}

/// The first [`CASES`] val images with their hand-drawn masks, loaded once for all tests.
fn cases() -> &'static [Case] {
    static CACHE: OnceLock<Vec<Case>> = OnceLock::new();
    CACHE.get_or_init(|| {
        let dir = shared_ham();
        let ids: Vec<String> = read_split_csv(&dir)
            .unwrap()
            .into_iter()
            .filter(|r| r.split == "val")
            .take(CASES)
            .map(|r| r.image_id)
            .collect();
        let wanted: HashSet<String> = ids.iter().cloned().collect();
        let mut masks = load_lesion_masks(&dir, Some(&wanted)).unwrap();
        ids.iter()
            .map(|id| Case {
                image: image::open(image_path(&dir, id)).unwrap().to_rgb8(),
                lesion: masks.remove(id).expect("every HAM10000 image has a mask"),
            })
            .collect()
    })
}

fn mean(values: &[f32]) -> f32 {
    values.iter().sum::<f32>() / values.len() as f32
}

fn median(values: &[f32]) -> f32 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    sorted[sorted.len() / 2]
}

#[test]
fn automatic_lesion_masks_match_the_hand_drawn_ones() {
    let cases = cases();
    let start = Instant::now();
    let found: Vec<Mask> = cases.iter().map(|c| segment_lesion(&c.image)).collect();
    let per_image = start.elapsed().as_secs_f64() * 1e3 / cases.len() as f64;
    let dice: Vec<f32> = found
        .iter()
        .zip(cases)
        .map(|(f, c)| f.dice(&c.lesion))
        .collect();
    let iou: Vec<f32> = found
        .iter()
        .zip(cases)
        .map(|(f, c)| f.iou(&c.lesion))
        .collect();
    eprintln!(
        "segment_lesion on {} val images: Dice mean {:.3} median {:.3}, IoU mean {:.3} median {:.3}, {per_image:.1} ms per image",
        cases.len(),
        mean(&dice),
        median(&dice),
        mean(&iou),
        median(&iou)
    );
    assert!(mean(&dice) >= 0.82, "mean Dice {}", mean(&dice));
    assert!(median(&dice) >= 0.88, "median Dice {}", median(&dice));
}

#[test]
fn skin_masks_avoid_the_lesion_and_keep_most_of_the_skin() {
    let cases = cases();
    let start = Instant::now();
    let automatic: Vec<f32> = cases
        .iter()
        .map(|c| skin_mask(&c.image, None).fraction())
        .collect();
    let per_image = start.elapsed().as_secs_f64() * 1e3 / cases.len() as f64;
    let mut kept = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let skin = skin_mask(&case.image, Some(&case.lesion));
        let overlap = skin.and(&case.lesion).count() as f32 / case.lesion.count().max(1) as f32;
        assert!(
            overlap < 0.01,
            "image {i}: skin covers {overlap} of the lesion"
        );
        kept.push(skin.fraction());
    }
    eprintln!(
        "skin_mask keeps {:.3} of the image (median {:.3}) with the hand-drawn lesion, {:.3} (median {:.3}) with the automatic one, {per_image:.1} ms per image",
        mean(&kept),
        median(&kept),
        mean(&automatic),
        median(&automatic)
    );
    assert!(mean(&kept) >= 0.55, "mean kept {}", mean(&kept));
    assert!(mean(&automatic) >= 0.55, "mean kept {}", mean(&automatic));
}

/// A corner crop (half, then two fifths, then a third of each side) holding no lesion pixel,
/// enlarged back to full size: a photo of healthy skin only.
fn healthy_skin_crop(case: &Case) -> Option<RgbImage> {
    let (w, h) = case.image.dimensions();
    [(1, 2), (2, 5), (1, 3)].into_iter().find_map(|(num, den)| {
        let (cw, ch) = (w * num / den, h * num / den);
        [(0, 0), (w - cw, 0), (0, h - ch), (w - cw, h - ch)]
            .into_iter()
            .find(|&(x0, y0)| (y0..y0 + ch).all(|y| (x0..x0 + cw).all(|x| !case.lesion.get(x, y))))
            .map(|(x0, y0)| {
                let crop = crop_imm(&case.image, x0, y0, cw, ch).to_image();
                resize(&crop, w, h, FilterType::Triangle)
            })
    })
}

#[test]
fn photos_of_healthy_skin_only_are_called_not_framed() {
    let crops: Vec<RgbImage> = cases().iter().filter_map(healthy_skin_crop).collect();
    let flagged = crops
        .iter()
        .filter(|crop| assess(crop).problems.contains(&Problem::LesionNotFramed))
        .count() as f32
        / crops.len() as f32;
    eprintln!(
        "{flagged:.3} of {} healthy-skin crops called not framed",
        crops.len()
    );
    assert!(crops.len() >= 50, "only {} crops", crops.len());
    assert!(flagged >= 0.3, "only {flagged} called not framed");
}
