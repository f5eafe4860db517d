//! A photo at the working size with its CIELAB planes, and the two regions neither the lesion
//! mask nor the skin mask may count (the dermoscope's vignette, colours no skin has): shared by
//! the lesion segmentation, the healthy-skin mask and the quality check.

use image::RgbImage;

use crate::morphology::{Plane, connected_to_border, dilate, working_image};
use crate::{Lab, Mask, srgb_to_lab};

/// Pixels darker than this share of the central skin's lightness, grey, and connected to the
/// border are the dermoscope's vignette (or a dark background).
const VIGNETTE_RELATIVE_L: f32 = 0.6;
/// Chroma (C*ab) below which a dark border region counts as vignette rather than lesion.
const VIGNETTE_MAX_CHROMA: f32 = 25.0;
/// The vignette's soft edge, in pixels, excluded with it.
const VIGNETTE_MARGIN: f32 = 3.0;

/// A photo at the working size with its CIELAB planes, shared by the lesion and skin masks.
pub(crate) struct Working {
    pub rgb: RgbImage,
    pub l: Plane,
    pub a: Plane,
    pub b: Plane,
}

impl Working {
    /// `image` at the working size (see [`working_image`]) and its CIELAB planes.
    pub fn of(image: &RgbImage) -> Self {
        let rgb = working_image(image);
        let (w, h) = rgb.dimensions();
        let labs: Vec<Lab> = rgb.pixels().map(|p| srgb_to_lab(p.0)).collect();
        let plane = |channel: fn(&Lab) -> f32| Plane {
            width: w,
            height: h,
            data: labs.iter().map(channel).collect(),
        };
        Self {
            l: plane(|c| c.l),
            a: plane(|c| c.a),
            b: plane(|c| c.b),
            rgb,
        }
    }

    /// Chroma C*ab at (x, y).
    pub fn chroma(&self, x: u32, y: u32) -> f32 {
        self.a.get(x, y).hypot(self.b.get(x, y))
    }
}

/// The dermoscope's vignette, or any dark grey background reaching the border. Dark relative to
/// the central skin's lightness, so that very dark skin is never mistaken for it.
pub(crate) fn vignette(work: &Working) -> Mask {
    let (w, h) = work.rgb.dimensions();
    let mut central: Vec<f32> = (h / 4..h * 3 / 4)
        .flat_map(|y| (w / 4..w * 3 / 4).map(move |x| (x, y)))
        .map(|(x, y)| work.l.get(x, y))
        .collect();
    let rank = central.len() * 3 / 4;
    if rank >= central.len() {
        return Mask::filled(w, h, false);
    }
    let reference = *central.select_nth_unstable_by(rank, f32::total_cmp).1;
    let dark = Mask::from_fn(w, h, |x, y| {
        work.l.get(x, y) < VIGNETTE_RELATIVE_L * reference
            && work.chroma(x, y) < VIGNETTE_MAX_CHROMA
    });
    dilate(&connected_to_border(&dark), VIGNETTE_MARGIN)
}

/// Colours no skin has, under a gamut generous enough for Monk 1 to 10 and for the pink-violet
/// cast of polarised dermoscopy (HAM10000 skin: b* ≥ −21 and a* ≥ 0 at the 0.1st percentile).
pub(crate) fn non_skin_colour(work: &Working) -> Mask {
    Mask::from_fn(work.l.width, work.l.height, |x, y| {
        let (l, a, b) = (work.l.get(x, y), work.a.get(x, y), work.b.get(x, y));
        let black_or_white = !(8.0..=98.0).contains(&l);
        let green = a < -6.0;
        let blue = b < -25.0;
        let garish = a.hypot(b) > 70.0;
        black_or_white || green || blue || garish
    })
}
