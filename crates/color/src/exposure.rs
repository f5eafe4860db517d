//! The biophysical re-toning as a camera would show it. More melanin scales the skin's
//! reflectance, so [`crate::retone`] darkens the skin's variation (shading, texture, redness) with
//! its tone. Real photos of dark skin do not look like that: cameras expose darker skin brighter,
//! and in the Fitzpatrick17k photos the skin labelled V–VI has the same luminance spectrum as the
//! skin labelled I–IV at every scale (`models/generator-experiments.md`, gain arm). This keeps the
//! re-toning's local mean on healthy skin and puts back the photo's own variation around it.

use image::RgbImage;

use crate::Mask;
use crate::morphology::Plane;

/// `retoned` (the re-toning of `original`, the same size) with the variation of `original`'s
/// healthy skin (`skin`) restored: on skin, each channel becomes the re-toning's local mean
/// plus the photo's difference from its own local mean; elsewhere (the lesion, background)
/// `retoned` is kept. Local means are taken over skin only (two passes of a box of
/// 2·`radius` + 1 pixels), so a dark lesion does not pull its neighbours' mean down and leave a
/// halo. `radius` 0, or images and mask of different sizes, return `retoned` unchanged.
pub fn keep_skin_variation(
    original: &RgbImage,
    retoned: &RgbImage,
    skin: &Mask,
    radius: u32,
) -> RgbImage {
    let (w, h) = original.dimensions();
    if radius == 0 || retoned.dimensions() != (w, h) || (skin.width(), skin.height()) != (w, h) {
        return retoned.clone();
    }
    let on = |x: u32, y: u32| if skin.get(x, y) { 1.0 } else { 0.0 };
    let weight = smooth(&Plane::from_fn(w, h, on), radius);
    let mut out = retoned.clone();
    for c in 0..3 {
        let channel = |image: &RgbImage| {
            Plane::from_fn(w, h, |x, y| f32::from(image.get_pixel(x, y)[c]) * on(x, y))
        };
        let photo_mean = smooth(&channel(original), radius);
        let retoned_mean = smooth(&channel(retoned), radius);
        for y in 0..h {
            for x in 0..w {
                let share = weight.get(x, y);
                if !skin.get(x, y) || share <= 0.0 {
                    continue;
                }
                let detail = f32::from(original.get_pixel(x, y)[c]) - photo_mean.get(x, y) / share;
                let value = retoned_mean.get(x, y) / share + detail;
                out.get_pixel_mut(x, y)[c] = value.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

/// Two passes of a box blur: a triangle kernel, smooth enough not to ring.
fn smooth(plane: &Plane, radius: u32) -> Plane {
    plane.box_blur(radius).box_blur(radius)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Skin with a vertical ramp and a fine checker, and a dark lesion in the middle.
    fn photo() -> (RgbImage, Mask) {
        let lesion = |x: u32, y: u32| (x as i32 - 24).pow(2) + (y as i32 - 24).pow(2) < 64;
        let image = RgbImage::from_fn(48, 48, |x, y| {
            if lesion(x, y) {
                image::Rgb([80, 50, 40])
            } else {
                let v = 150 + y as u8 + if (x + y) % 2 == 0 { 20 } else { 0 };
                image::Rgb([v + 30, v, v - 20])
            }
        });
        (image, Mask::from_fn(48, 48, |x, y| !lesion(x, y)))
    }

    /// Half the brightness everywhere: what more melanin does to variation, roughly.
    fn halved(image: &RgbImage) -> RgbImage {
        RgbImage::from_fn(image.width(), image.height(), |x, y| {
            image::Rgb(image.get_pixel(x, y).0.map(|v| v / 2))
        })
    }

    fn spread(image: &RgbImage, skin: &Mask) -> f32 {
        let values: Vec<f32> = (0..image.height())
            .flat_map(|y| (0..image.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| skin.get(x, y))
            .map(|(x, y)| f32::from(image.get_pixel(x, y)[1]))
            .collect();
        let mean = values.iter().sum::<f32>() / values.len() as f32;
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / values.len() as f32).sqrt()
    }

    fn skin_mean(image: &RgbImage, skin: &Mask) -> f32 {
        let (sum, n) = (0..image.height())
            .flat_map(|y| (0..image.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| skin.get(x, y))
            .fold((0.0, 0), |(s, n), (x, y)| {
                (s + f32::from(image.get_pixel(x, y)[1]), n + 1)
            });
        sum / n as f32
    }

    #[test]
    fn the_skin_keeps_its_darker_tone_and_gets_back_its_variation() {
        let (image, skin) = photo();
        let dark = halved(&image);
        let (photo, darker) = (spread(&image, &skin), spread(&dark, &skin));
        assert!(darker < 0.6 * photo);
        // A window as wide as the photo restores most of the ramp as well as the checker (edge
        // pixels are repeated, so not all of it); a small one restores the checker and leaves
        // the ramp, coarser than the window, darkened.
        let kept = keep_skin_variation(&image, &dark, &skin, 48);
        assert!((skin_mean(&kept, &skin) - skin_mean(&dark, &skin)).abs() < 2.0);
        let restored = spread(&kept, &skin);
        assert!(
            restored > 0.85 * photo && restored < 1.05 * photo,
            "{restored} {photo}"
        );
        let fine = spread(&keep_skin_variation(&image, &dark, &skin, 2), &skin);
        assert!(
            fine > darker + 0.5 && fine < 0.8 * photo,
            "{fine} {darker} {photo}"
        );
    }

    #[test]
    fn the_lesion_is_left_as_re_toned_and_skin_beside_it_gets_no_halo() {
        let (image, skin) = photo();
        let dark = halved(&image);
        let kept = keep_skin_variation(&image, &dark, &skin, 8);
        assert_eq!(kept.get_pixel(24, 24), dark.get_pixel(24, 24));
        // Just outside the lesion (radius 8) and far from it, on the same row and checker phase.
        let near = i32::from(kept.get_pixel(33, 24)[1]) - i32::from(dark.get_pixel(33, 24)[1]);
        let far = i32::from(kept.get_pixel(45, 24)[1]) - i32::from(dark.get_pixel(45, 24)[1]);
        assert!((near - far).abs() <= 2, "near {near}, far {far}");
    }

    #[test]
    fn radius_zero_or_a_mismatched_size_changes_nothing() {
        let (image, skin) = photo();
        let dark = halved(&image);
        assert_eq!(keep_skin_variation(&image, &dark, &skin, 0), dark);
        let small = Mask::filled(10, 10, true);
        assert_eq!(keep_skin_variation(&image, &dark, &small, 8), dark);
    }
}
