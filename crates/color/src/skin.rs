//! Healthy-skin mask: which pixels of a photo show skin that is neither lesion, hair,
//! dermoscope vignette, specular highlight nor background — the pixels a tone estimate may use.

use image::RgbImage;

use crate::{Mask, srgb_to_lab};

/// Pixels of healthy skin in `image`. `lesion`, where the dataset gives one, is excluded as is;
/// otherwise nothing is excluded as lesion.
pub fn skin_mask(image: &RgbImage, lesion: Option<&Mask>) -> Mask {
    let (w, h) = image.dimensions();
    let plausible = Mask::from_fn(w, h, |x, y| {
        let lab = srgb_to_lab(image.get_pixel(x, y).0);
        lab.l > 8.0 && lab.l < 97.0
    });
    match lesion {
        Some(lesion) => plausible.minus(lesion),
        None => plausible,
    }
}
