//! Photo-quality thresholds checked on real HAM10000 images (train split, not the val images the
//! thresholds were calibrated on), on degraded copies made here, and on plain clinical photos
//! from Fitzpatrick17k. Copies that need the hand-drawn lesion masks (crops of healthy skin only)
//! are checked in `crates/train/tests/masks_on_ham.rs`, where the mask loader lives.

use dermtone_color::{Problem, assess, measure};
use image::imageops::{FilterType, blur, crop_imm, resize};
use image::{Rgb, RgbImage};

fn shared_data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(name)
}

fn train_images(count: usize) -> Vec<RgbImage> {
    let dir = shared_data("ham10000");
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

/// The first `count` train-split photos of the Fitzpatrick17k subset (plain clinical photos).
fn clinical_train_images(count: usize) -> Vec<RgbImage> {
    let dir = shared_data("fitzpatrick17k_ajl_subset");
    let labels = std::fs::read_to_string(dir.join("labels.csv")).expect("shared labels.csv");
    let mut lines = labels.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let split = header.iter().position(|&c| c == "split").unwrap();
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[split] == "train")
        .take(count)
        .map(|f| {
            image::open(dir.join("images").join(format!("{}.jpg", f[0])))
                .unwrap()
                .to_rgb8()
        })
        .collect()
}

#[test]
fn real_dermoscopy_photos_mostly_pass() {
    let images = train_images(200);
    let passed = images.iter().filter(|im| assess(im).ok).count() as f32 / images.len() as f32;
    assert!(passed >= 0.97, "only {passed} of real photos passed");
    let not_framed = share(&images, RgbImage::clone, Problem::LesionNotFramed);
    eprintln!("HAM10000 train: {passed:.3} pass, {not_framed:.3} called not framed");
    assert!(
        not_framed <= 0.02,
        "{not_framed} of real photos called not framed"
    );
}

/// The bottom-right quarter of the photo, enlarged back to full size: the photo's centre, where
/// HAM10000 lesions sit, is now its top-left corner.
fn lesion_in_corner(image: &RgbImage) -> RgbImage {
    let (w, h) = image.dimensions();
    let quarter = crop_imm(image, w / 2, h / 2, w - w / 2, h - h / 2).to_image();
    resize(&quarter, w, h, FilterType::Triangle)
}

/// The photo shrunk to a third and centred on a border of its median colour (the skin's, as
/// lesions cover less than half of it): the lesion seen from too far away.
fn zoomed_out(image: &RgbImage) -> RgbImage {
    let (w, h) = image.dimensions();
    let median = [0, 1, 2].map(|c| {
        let mut v: Vec<u8> = image.pixels().map(|p| p[c]).collect();
        v.sort_unstable();
        v[v.len() / 2]
    });
    let mut out = RgbImage::from_pixel(w, h, Rgb(median));
    let small = resize(image, w / 3, h / 3, FilterType::Triangle);
    image::imageops::replace(&mut out, &small, i64::from(w / 3), i64::from(h / 3));
    out
}

#[test]
fn lesions_in_a_corner_or_too_far_away_are_called_not_framed() {
    let images = train_images(200);
    let cornered = share(&images, lesion_in_corner, Problem::LesionNotFramed);
    let zoomed = share(&images, zoomed_out, Problem::LesionNotFramed);
    eprintln!("called not framed: lesion in a corner {cornered:.3}, zoomed out {zoomed:.3}");
    assert!(cornered >= 0.2, "lesion in a corner: only {cornered}");
    assert!(zoomed >= 0.1, "zoomed out: only {zoomed}");
}

#[test]
fn plain_clinical_photos_are_rarely_called_not_framed() {
    let images = clinical_train_images(200);
    let not_framed = share(&images, RgbImage::clone, Problem::LesionNotFramed);
    eprintln!("Fitzpatrick17k train: {not_framed:.3} called not framed");
    assert!(
        not_framed <= 0.04,
        "{not_framed} of clinical photos called not framed"
    );
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

/// Sky over foliage, a grey wall, a printed page: photos of something other than skin.
fn non_skin_scenes() -> Vec<RgbImage> {
    let grain = |x: u32, y: u32| ((x * 11 + y * 3) % 7) as u8 * 6;
    vec![
        RgbImage::from_fn(240, 180, |x, y| {
            if y < 90 {
                Rgb([60 + grain(x, y), 120 + grain(x, y), 220])
            } else {
                Rgb([30 + grain(x, y), 140 + grain(x, y), 40 + grain(x, y)])
            }
        }),
        RgbImage::from_fn(240, 180, |x, y| Rgb([40, 90 + grain(x, y), 200])),
        RgbImage::from_fn(240, 180, |x, y| {
            if (x / 12 + y / 12) % 2 == 0 {
                Rgb([250, 250, 250])
            } else {
                Rgb([5, 5, 5])
            }
        }),
    ]
}

#[test]
fn real_photos_are_rarely_called_no_skin_and_other_scenes_are() {
    let dermoscopy = train_images(200);
    let clinical = clinical_train_images(200);
    let mut fractions: Vec<f32> = dermoscopy
        .iter()
        .chain(&clinical)
        .map(|im| measure(im).skin_colour_fraction)
        .collect();
    fractions.sort_by(f32::total_cmp);
    eprintln!(
        "skin colour fraction of real photos: min {:.3}, 1st percentile {:.3}, median {:.3}",
        fractions[0],
        fractions[fractions.len() / 100],
        fractions[fractions.len() / 2]
    );
    let ham = share(&dermoscopy, RgbImage::clone, Problem::NoSkin);
    let photos = share(&clinical, RgbImage::clone, Problem::NoSkin);
    assert!(ham <= 0.01, "{ham} of HAM10000 photos called no skin");
    assert!(photos <= 0.01, "{photos} of clinical photos called no skin");
    for scene in non_skin_scenes() {
        let report = assess(&scene);
        assert!(
            report.problems.contains(&Problem::NoSkin),
            "{:?}",
            report.measures
        );
    }
}
