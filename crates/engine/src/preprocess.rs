//! Image → network input. Training and analysis both call these, so the model sees the same
//! pixels in the page, in the CLI and while it learns.

use image::RgbImage;
use image::imageops::{FilterType, resize};

use crate::InputSpec;

/// Resizes to the square network input (aspect ratio is not kept, as in training).
pub fn resize_for_model(image: &RgbImage, size: u32) -> RgbImage {
    if image.dimensions() == (size, size) {
        return image.clone();
    }
    resize(image, size, size, FilterType::Triangle)
}

/// Channel-major `[3, h, w]` floats, `(x/255 - mean) / std` per channel.
pub fn normalise_chw(image: &RgbImage, spec: &InputSpec) -> Vec<f32> {
    let plane = (image.width() * image.height()) as usize;
    let mut out = vec![0f32; 3 * plane];
    for (i, pixel) in image.pixels().enumerate() {
        for c in 0..3 {
            out[c * plane + i] = (f32::from(pixel[c]) / 255.0 - spec.mean[c]) / spec.std[c];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_is_channel_major() {
        let spec = InputSpec {
            size: 2,
            mean: [0.0, 0.5, 1.0],
            std: [1.0, 0.5, 0.25],
        };
        let image = RgbImage::from_fn(2, 1, |x, _| {
            image::Rgb([255, 255, if x == 0 { 0 } else { 255 }])
        });
        let v = normalise_chw(&image, &spec);
        assert_eq!(v, vec![1.0, 1.0, 1.0, 1.0, -4.0, 0.0]);
    }

    #[test]
    fn resize_gives_the_input_size() {
        let image = RgbImage::new(200, 150);
        assert_eq!(resize_for_model(&image, 64).dimensions(), (64, 64));
    }
}
