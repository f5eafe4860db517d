//! Training-time augmentation: the dihedral group (flips and 90° rotations, which a skin photo
//! has no preferred orientation against), random resized crops and colour jitter.

use image::RgbImage;
use image::imageops::{
    FilterType, crop_imm, flip_horizontal, resize, rotate90, rotate180, rotate270,
};
use rand::Rng;

use super::stream::TrainRng;

/// Training-time augmentation: a randomised copy of training image `index`.
pub type Augment = dyn Fn(&RgbImage, usize, &mut TrainRng) -> RgbImage;

/// Smallest share of the source area a random crop keeps.
const MIN_CROP_AREA: f32 = 0.45;

/// The dermoscopy recipe: a random crop of 45–100 % of the area (aspect 3:4 to 4:3) resized to
/// `size`, a random flip/rotation, then brightness, contrast and per-channel colour jitter (the
/// colour of a dermatoscope's light varies from device to device).
pub fn crop_and_jitter(image: &RgbImage, size: u32, rng: &mut impl Rng) -> RgbImage {
    let (w, h) = image.dimensions();
    let area = w as f32 * h as f32 * rng.random_range(MIN_CROP_AREA..1.0);
    let aspect = rng.random_range((0.75f32).ln()..(4.0f32 / 3.0).ln()).exp();
    let cw = ((area * aspect).sqrt().round() as u32).clamp(1, w);
    let ch = ((area / aspect).sqrt().round() as u32).clamp(1, h);
    let x = rng.random_range(0..=w - cw);
    let y = rng.random_range(0..=h - ch);
    let cropped = resize(
        &*crop_imm(image, x, y, cw, ch),
        size,
        size,
        FilterType::Triangle,
    );
    let mut out = dihedral(&cropped, rng);
    let contrast: f32 = rng.random_range(0.8..1.2);
    let brightness: f32 = rng.random_range(-20.0..20.0);
    let channel_gain: [f32; 3] = std::array::from_fn(|_| rng.random_range(0.92..1.08));
    let mean =
        out.as_raw().iter().map(|&v| f32::from(v)).sum::<f32>() / out.as_raw().len().max(1) as f32;
    for pixel in out.pixels_mut() {
        for (c, v) in pixel.0.iter_mut().enumerate() {
            let jittered =
                ((f32::from(*v) - mean) * contrast + mean + brightness) * channel_gain[c];
            *v = jittered.round().clamp(0.0, 255.0) as u8;
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
    fn crops_come_out_at_the_input_size_and_vary() {
        let image = RgbImage::from_fn(40, 30, |x, y| {
            image::Rgb([(x * 6) as u8, (y * 8) as u8, 90])
        });
        let mut rng = StdRng::seed_from_u64(2);
        let a = crop_and_jitter(&image, 16, &mut rng);
        let b = crop_and_jitter(&image, 16, &mut rng);
        assert_eq!(a.dimensions(), (16, 16));
        assert_eq!(b.dimensions(), (16, 16));
        assert_ne!(a, b);
    }
}
