//! Training-time augmentation on already-resized images: the dihedral group (flips and 90°
//! rotations, which a skin photo has no preferred orientation against) and a mild
//! brightness/contrast jitter.

use image::RgbImage;
use image::imageops::{flip_horizontal, rotate90, rotate180, rotate270};
use rand::Rng;

/// A randomly flipped, rotated and jittered copy of `image`.
pub fn augment(image: &RgbImage, rng: &mut impl Rng) -> RgbImage {
    let mut out = dihedral(image, rng);
    let gain: f32 = rng.random_range(0.85..1.15);
    let offset: f32 = rng.random_range(-12.0..12.0);
    for pixel in out.pixels_mut() {
        for c in pixel.0.iter_mut() {
            *c = (f32::from(*c) * gain + offset).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// A randomly flipped and 90°-rotated copy of `image`, colours untouched: for tasks where
/// colour is the label (skin tone), brightness jitter would teach the wrong answer.
pub fn dihedral(image: &RgbImage, rng: &mut impl Rng) -> RgbImage {
    let rotated = match rng.random_range(0..4) {
        0 => image.clone(),
        1 => rotate90(image),
        2 => rotate180(image),
        _ => rotate270(image),
    };
    if rng.random_bool(0.5) {
        flip_horizontal(&rotated)
    } else {
        rotated
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn keeps_size_and_roughly_keeps_brightness() {
        let image = RgbImage::from_fn(8, 8, |x, y| {
            image::Rgb([(x * 30) as u8, (y * 30) as u8, 100])
        });
        let mut rng = StdRng::seed_from_u64(1);
        let mean = |im: &RgbImage| {
            im.as_raw().iter().map(|&v| f32::from(v)).sum::<f32>() / im.as_raw().len() as f32
        };
        for _ in 0..20 {
            let out = augment(&image, &mut rng);
            assert_eq!(out.dimensions(), (8, 8));
            assert!((mean(&out) - mean(&image)).abs() < 30.0);
        }
    }
}
