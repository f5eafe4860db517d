//! Photo-quality thresholds checked on real HAM10000 images (train split, not the val images the
//! thresholds were calibrated on) and on degraded copies made here.

use dermtone_color::{Problem, assess, measure};
use image::RgbImage;
use image::imageops::{FilterType, blur, resize};

fn train_images(count: usize) -> Vec<RgbImage> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ham10000");
    let split = std::fs::read_to_string(dir.join("split.csv")).expect("shared HAM10000 split.csv");
    split
        .lines()
        .filter(|l| l.ends_with(",train"))
        .take(count)
        .map(|l| {
            let id = l.split(',').next().unwrap();
            image::open(dir.join("images_200x150").join(format!("{id}.jpg")))
                .unwrap()
                .to_rgb8()
        })
        .collect()
}

fn share(images: &[RgbImage], degrade: impl Fn(&RgbImage) -> RgbImage, problem: Problem) -> f32 {
    let hits = images
        .iter()
        .filter(|im| assess(&degrade(im)).problems.contains(&problem))
        .count();
    hits as f32 / images.len() as f32
}

fn scale(image: &RgbImage, gain: f32, offset: f32) -> RgbImage {
    let mut out = image.clone();
    for p in out.pixels_mut() {
        for c in p.0.iter_mut() {
            *c = (f32::from(*c) * gain + offset).clamp(0.0, 255.0) as u8;
        }
    }
    out
}

#[test]
fn real_dermoscopy_photos_mostly_pass() {
    let images = train_images(200);
    let passed = images.iter().filter(|im| assess(im).ok).count() as f32 / images.len() as f32;
    assert!(passed >= 0.97, "only {passed} of real photos passed");
}

#[test]
fn blurred_copies_are_called_blurry() {
    let images = train_images(200);
    assert!(share(&images, |im| blur(im, 3.0), Problem::Blurry) >= 0.99);
    assert!(share(&images, |im| blur(im, 1.5), Problem::Blurry) >= 0.85);
    assert!(share(&images, RgbImage::clone, Problem::Blurry) <= 0.03);
}

#[test]
fn darkened_and_washed_out_copies_are_caught() {
    let images = train_images(100);
    assert!(share(&images, |im| scale(im, 0.2, 0.0), Problem::TooDark) >= 0.99);
    assert!(share(&images, |im| scale(im, 1.0, 140.0), Problem::TooBright) >= 0.95);
    assert_eq!(share(&images, RgbImage::clone, Problem::TooDark), 0.0);
    assert_eq!(share(&images, RgbImage::clone, Problem::TooBright), 0.0);
}

/// The same scene (a sinusoidal texture, 10 px period at the analysis size) as cameras of
/// different resolutions would capture it.
fn rendered_scene(width: u32, height: u32) -> RgbImage {
    let scale = 150.0 / height as f32;
    RgbImage::from_fn(width, height, |x, y| {
        let (u, v) = ((x as f32 + 0.5) * scale, (y as f32 + 0.5) * scale);
        let l = 128.0
            + 60.0
                * (u * std::f32::consts::TAU / 10.0).sin()
                * (v * std::f32::consts::TAU / 10.0).sin();
        image::Rgb([l as u8; 3])
    })
}

#[test]
fn sharpness_does_not_depend_on_resolution() {
    let base = measure(&rendered_scene(200, 150)).sharpness;
    for (w, h) in [(400, 300), (800, 600), (1600, 1200)] {
        let ratio = measure(&rendered_scene(w, h)).sharpness / base;
        assert!(
            (0.8..=1.2).contains(&ratio),
            "{w}x{h}: sharpness {ratio:.3} of the 200x150 capture"
        );
    }
}

#[test]
fn photos_too_small_to_judge_are_refused() {
    let image = &train_images(1)[0];
    let tiny = resize(image, 100, 75, FilterType::Triangle);
    assert_eq!(assess(&tiny).problems, vec![Problem::TooSmall]);
    assert!(!Problem::Blurry.message().is_empty() && Problem::Blurry.code() == "blurry");
}
