//! Photo quality: is this photo good enough to analyse at all? Each problem has a stable code and
//! a message a patient understands, so the page can ask for a retake before showing any result.

use image::{GrayImage, RgbImage};

use crate::Mask;
use crate::lesion::lesion_at_working_size;
use crate::morphology::dilate;
use crate::resize::at_analysis_size;
use crate::shape::shape_of_lesion;
use crate::working::{Working, non_skin_colour, vignette};

/// Measurements behind a quality verdict, kept so thresholds can be audited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityMeasures {
    /// Variance of the 4-neighbour Laplacian of luminance (0–255) at a short side of
    /// [`ANALYSIS_SIDE`](crate::ANALYSIS_SIDE) pixels: low means blurry.
    pub sharpness: f32,
    /// Fraction of pixels with luminance ≤ 8.
    pub dark_fraction: f32,
    /// Fraction of pixels with luminance ≥ 247.
    pub bright_fraction: f32,
    /// Mean luminance, 0–255.
    pub mean_luminance: f32,
    /// Share of the image covered by the automatic lesion mask ([`crate::segment_lesion`]).
    pub lesion_fraction: f32,
    /// Distance of that lesion's centroid from the image centre, as a share of the
    /// half-diagonal: 0 centred, 1 in a corner (1 when no lesion was found).
    pub lesion_offset: f32,
    /// Colour difference ΔE*ab between the lesion's median colour and that of the skin just
    /// around it: how much the lesion stands out (0 when none was found).
    pub lesion_contrast: f32,
    /// Share of the photo (inside the dermoscope's field, where there is one) in colours skin
    /// can have: low for a photo of anything but skin.
    pub skin_colour_fraction: f32,
    /// The lesion's shape and colour measures ([`crate::measure_lesion`]), taken from the same
    /// mask so that an analysis segments once; `None` when no lesion large enough was found.
    pub lesion_shape: Option<crate::LesionShape>,
}

/// Luminance (BT.601) of each pixel.
fn luminance(image: &RgbImage) -> GrayImage {
    GrayImage::from_fn(image.width(), image.height(), |x, y| {
        let p = image.get_pixel(x, y);
        let l = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
        image::Luma([l.round().clamp(0.0, 255.0) as u8])
    })
}

/// Sharpness, exposure and framing measurements of a photo.
pub fn measure(image: &RgbImage) -> QualityMeasures {
    let small = at_analysis_size(image);
    let gray = luminance(&small);
    let (w, h) = gray.dimensions();
    let mut laplacians = Vec::with_capacity((w.saturating_sub(2) * h.saturating_sub(2)) as usize);
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let v = |dx: i32, dy: i32| {
                f32::from(gray.get_pixel((x as i32 + dx) as u32, (y as i32 + dy) as u32)[0])
            };
            laplacians.push(v(-1, 0) + v(1, 0) + v(0, -1) + v(0, 1) - 4.0 * v(0, 0));
        }
    }
    let n = laplacians.len().max(1) as f32;
    let mean = laplacians.iter().sum::<f32>() / n;
    let sharpness = laplacians.iter().map(|l| (l - mean).powi(2)).sum::<f32>() / n;
    let pixels = gray.as_raw();
    let total = pixels.len().max(1) as f32;
    let work = Working::of(&small);
    let framing = framing(&work);
    QualityMeasures {
        sharpness,
        dark_fraction: pixels.iter().filter(|&&p| p <= 8).count() as f32 / total,
        bright_fraction: pixels.iter().filter(|&&p| p >= 247).count() as f32 / total,
        mean_luminance: pixels.iter().map(|&p| f32::from(p)).sum::<f32>() / total,
        lesion_fraction: framing.fraction,
        lesion_offset: framing.offset,
        lesion_contrast: framing.contrast,
        skin_colour_fraction: skin_colour_fraction(&work),
        lesion_shape: framing.shape,
    }
}

/// Share of the pixels inside the dermoscope's field whose colour skin can have.
fn skin_colour_fraction(work: &Working) -> f32 {
    let field = vignette(work).not();
    let inside = field.count();
    if inside == 0 {
        return 0.0;
    }
    field.minus(&non_skin_colour(work)).count() as f32 / inside as f32
}

/// Where the automatically found lesion sits in the photo (see the `lesion_*` measures).
struct Framing {
    fraction: f32,
    offset: f32,
    contrast: f32,
    shape: Option<crate::LesionShape>,
}

/// Width, in working-size pixels, of the ring of skin around the lesion it is compared with.
const SKIN_RING: f32 = 10.0;

/// Segments the lesion and measures its size, position and contrast.
fn framing(work: &Working) -> Framing {
    let lesion = lesion_at_working_size(work);
    let Some(offset) = centroid_offset(&lesion) else {
        return Framing {
            fraction: 0.0,
            offset: 1.0,
            contrast: 0.0,
            shape: None,
        };
    };
    let around = dilate(&lesion, SKIN_RING).minus(&lesion);
    let skin_around = around.minus(&vignette(work)).minus(&non_skin_colour(work));
    // A lesion that reaches the background everywhere is compared with that background.
    let ring = if skin_around.count() > 0 {
        skin_around
    } else {
        around
    };
    Framing {
        fraction: lesion.fraction(),
        offset,
        contrast: median_lab_distance(work, &lesion, &ring),
        shape: shape_of_lesion(work, &lesion),
    }
}

/// Distance of the mask's centroid from the image centre as a share of the half-diagonal;
/// `None` for an empty mask.
fn centroid_offset(mask: &Mask) -> Option<f32> {
    let (w, h) = (mask.width() as usize, mask.height() as usize);
    let (mut n, mut sx, mut sy) = (0.0f32, 0.0f32, 0.0f32);
    for (i, _) in mask.as_slice().iter().enumerate().filter(|&(_, &on)| on) {
        n += 1.0;
        sx += (i % w) as f32 + 0.5;
        sy += (i / w) as f32 + 0.5;
    }
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    (n > 0.0).then(|| (sx / n - cx).hypot(sy / n - cy) / cx.hypot(cy))
}

/// ΔE*ab between the per-channel medians of two sets of pixels (0 when either is empty).
fn median_lab_distance(work: &Working, a: &Mask, b: &Mask) -> f32 {
    let medians = |mask: &Mask| {
        [&work.l, &work.a, &work.b].map(|plane| {
            let mut v: Vec<f32> = plane
                .data
                .iter()
                .zip(mask.as_slice())
                .filter(|&(_, &on)| on)
                .map(|(&c, _)| c)
                .collect();
            let mid = v.len() / 2;
            (!v.is_empty()).then(|| *v.select_nth_unstable_by(mid, f32::total_cmp).1)
        })
    };
    match (medians(a), medians(b)) {
        ([Some(l1), Some(a1), Some(b1)], [Some(l2), Some(a2), Some(b2)]) => {
            ((l1 - l2).powi(2) + (a1 - a2).powi(2) + (b1 - b2).powi(2)).sqrt()
        }
        _ => 0.0,
    }
}

/// Below this share of skin-coloured pixels the photo shows something other than skin.
/// Checked on real photos in `tests/quality_on_real_images.rs` (HAM10000 and Fitzpatrick17k
/// train photos, where it must flag at most 1 %).
pub const MIN_SKIN_COLOUR_FRACTION: f32 = 0.3;
/// Below this short side a photo has too few pixels to judge.
pub const MIN_SIDE: u32 = 120;
/// Sharpness below this is blurry. Calibrated on 300 HAM10000 val images: 1st percentile of the
/// originals 9.8; 95th percentile of copies blurred with σ = 1.5 px, 8.6.
pub const MIN_SHARPNESS: f32 = 8.0;
/// More than this fraction of black-clipped pixels, or a mean luminance below
/// [`MIN_MEAN_LUMINANCE`], is under-exposed (HAM10000 val: 99th percentile 0.45 %, mean ≥ 111).
pub const MAX_DARK_FRACTION: f32 = 0.25;
/// Mean luminance (0–255) below which a photo is too dark.
pub const MIN_MEAN_LUMINANCE: f32 = 50.0;
/// More than this fraction of white-clipped pixels is over-exposed (HAM10000 val: 99th percentile 0.02 %).
pub const MAX_BRIGHT_FRACTION: f32 = 0.25;
/// A lesion that differs from the skin around it by less than this ΔE*ab is no lesion: the
/// photo shows plain skin. Calibrated with the three below on HAM10000 (every 7th train and
/// every 2nd val image, 1,510 photos) and 585 Fitzpatrick17k train photos: together they flag
/// 0.3 % of the HAM photos and 1.5 % of the clinical ones, against 45 % of crops of healthy skin
/// only, 39 % of crops with a small lesion in a corner and 13 % of copies zoomed out to a third.
/// Over whole splits they flag 0.3 % of HAM train and 0.5 % of HAM val photos, and 1.9 % of the
/// 2,852 train and 2.2 % of the 412 val Fitzpatrick17k photos. The segmentation is made for dermoscopy
/// and often outlines a body part in clinical photos, so the rules only catch clear cases.
pub const MIN_LESION_CONTRAST: f32 = 3.0;
/// A faint region covering more of the photo than this is a body part or shading, not a sign of
/// plain skin, and is not flagged (it was most of the clinical photos flagged otherwise).
pub const MAX_FAINT_FRACTION: f32 = 0.5;
/// A lesion covering less of the photo than this is too small to examine (HAM10000: 1st
/// percentile 2.1 %).
pub const MIN_LESION_FRACTION: f32 = 0.015;
/// A lesion whose centre lies farther from the photo's centre than this share of the
/// half-diagonal is not centred (HAM10000: 99th percentile 0.43).
pub const MAX_LESION_OFFSET: f32 = 0.6;

/// One reason to retake a photo. `code` is stable; `message` is for the person holding the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    /// Too few pixels to judge.
    TooSmall,
    /// Out of focus or shaken.
    Blurry,
    /// Under-exposed.
    TooDark,
    /// Over-exposed or washed out.
    TooBright,
    /// No lesion near the middle: plain skin, the lesion off to one side, or too far away.
    LesionNotFramed,
    /// Hardly any colour in the photo is a skin colour: a photo of something else.
    NoSkin,
}

impl Problem {
    /// Stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooSmall => "too_small",
            Self::Blurry => "blurry",
            Self::TooDark => "too_dark",
            Self::TooBright => "too_bright",
            Self::LesionNotFramed => "lesion_not_framed",
            Self::NoSkin => "no_skin",
        }
    }

    /// Plain-language advice.
    pub fn message(self) -> &'static str {
        match self {
            Self::TooSmall => {
                "The photo is too small to check. Use the full-size photo, or take it closer to the mark."
            }
            Self::Blurry => {
                "The photo is blurry. Hold the phone steady, tap the mark to focus, and retake it."
            }
            Self::TooDark => "The photo is too dark. Move to better light and retake it.",
            Self::TooBright => {
                "The photo is too bright or washed out. Avoid direct flash or sunlight and retake it."
            }
            Self::LesionNotFramed => {
                "We can't find the spot in the middle of the photo. Centre the spot and come close enough that it fills about a third of the frame."
            }
            Self::NoSkin => {
                "We can't see skin in this photo. Photograph the mark on your skin, close up, and retake it."
            }
        }
    }
}

/// The verdict on one photo: `ok` when there is nothing to retake.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityReport {
    /// No problems found.
    pub ok: bool,
    /// Every problem found, most fundamental first.
    pub problems: Vec<Problem>,
    /// The measurements the verdict came from (absent for a photo too small to measure).
    pub measures: Option<QualityMeasures>,
}

/// Checks size, exposure, sharpness and whether a lesion is framed in the middle.
pub fn assess(image: &RgbImage) -> QualityReport {
    if image.width().min(image.height()) < MIN_SIDE {
        return QualityReport {
            ok: false,
            problems: vec![Problem::TooSmall],
            measures: None,
        };
    }
    let m = measure(image);
    let mut problems = Vec::new();
    if m.dark_fraction > MAX_DARK_FRACTION || m.mean_luminance < MIN_MEAN_LUMINANCE {
        problems.push(Problem::TooDark);
    }
    if m.bright_fraction > MAX_BRIGHT_FRACTION {
        problems.push(Problem::TooBright);
    }
    if m.skin_colour_fraction < MIN_SKIN_COLOUR_FRACTION {
        problems.push(Problem::NoSkin);
    }
    if m.sharpness < MIN_SHARPNESS {
        problems.push(Problem::Blurry);
    }
    if lesion_not_framed(&m) {
        problems.push(Problem::LesionNotFramed);
    }
    QualityReport {
        ok: problems.is_empty(),
        problems,
        measures: Some(m),
    }
}

/// No lesion stands out, or it is tiny, or it sits far from the centre.
fn lesion_not_framed(m: &QualityMeasures) -> bool {
    (m.lesion_contrast < MIN_LESION_CONTRAST && m.lesion_fraction <= MAX_FAINT_FRACTION)
        || m.lesion_fraction < MIN_LESION_FRACTION
        || m.lesion_offset > MAX_LESION_OFFSET
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    /// Textured light skin (so that it is sharp) with a brown disc of radius `r` at (cx, cy).
    fn photo(cx: f32, cy: f32, r: f32) -> RgbImage {
        RgbImage::from_fn(200, 150, |x, y| {
            if (x as f32 - cx).hypot(y as f32 - cy) < r {
                Rgb([120, 80, 60])
            } else {
                let grain = ((x * 7 + y * 13) % 5) as u8 * 6;
                Rgb([205 + grain, 165 + grain, 145 + grain])
            }
        })
    }

    fn not_framed(image: &RgbImage) -> bool {
        assess(image).problems.contains(&Problem::LesionNotFramed)
    }

    #[test]
    fn a_centred_mole_is_framed() {
        let report = assess(&photo(100.0, 75.0, 30.0));
        assert!(report.ok, "{report:?}");
        let m = report.measures.unwrap();
        assert!(m.lesion_offset < 0.05 && m.lesion_contrast > 20.0, "{m:?}");
    }

    #[test]
    fn plain_skin_a_cornered_mole_and_a_tiny_mole_are_not_framed() {
        assert!(not_framed(&photo(100.0, 75.0, 0.0)));
        assert!(not_framed(&photo(20.0, 18.0, 15.0)));
        assert!(not_framed(&photo(100.0, 75.0, 3.0)));
        assert_eq!(Problem::LesionNotFramed.code(), "lesion_not_framed");
    }
}
