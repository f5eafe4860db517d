//! One way to bring a photo to a working size: every measure in this crate (and the engine's
//! tone step) looks at a copy whose short side is fixed, so results do not depend on resolution
//! and a 12-megapixel photo costs no more than a thumbnail.

use image::RgbImage;
use image::imageops::{FilterType, resize};

/// `image` scaled (aspect ratio kept, triangle filter) so that its short side is `side`.
/// Smaller images are enlarged only when `enlarge` is set; otherwise they are returned as they are.
pub fn scale_to_short_side(image: &RgbImage, side: u32, enlarge: bool) -> RgbImage {
    let (w, h) = image.dimensions();
    let short = w.min(h).max(1);
    if short == side || (short < side && !enlarge) {
        return image.clone();
    }
    let scale = side as f32 / short as f32;
    let (tw, th) = (
        ((w as f32 * scale).round() as u32).max(1),
        ((h as f32 * scale).round() as u32).max(1),
    );
    resize(image, tw, th, FilterType::Triangle)
}

/// Short side, in pixels, at which a photo's quality and its lesion's shape are measured, so that
/// neither depends on the camera's resolution.
pub const ANALYSIS_SIDE: u32 = 150;

/// `image` resized so its short side is [`ANALYSIS_SIDE`]: every measure is taken on this one
/// copy, so a 12-megapixel photo is resized once.
pub(crate) fn at_analysis_size(image: &RgbImage) -> RgbImage {
    scale_to_short_side(image, ANALYSIS_SIDE, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_side_lands_on_the_target_and_small_images_stay_unless_asked() {
        let big = RgbImage::new(4000, 3000);
        assert_eq!(
            scale_to_short_side(&big, 150, false).dimensions(),
            (200, 150)
        );
        let small = RgbImage::new(100, 80);
        assert_eq!(
            scale_to_short_side(&small, 150, false).dimensions(),
            (100, 80)
        );
        assert_eq!(
            scale_to_short_side(&small, 160, true).dimensions(),
            (200, 160)
        );
    }
}
