//! Biophysical re-toning: change the melanin in the skin of a photo so that its healthy skin
//! reaches a target ITA°, keeping everything else (haemoglobin, shading, the lesion's structure).
//! Past 500 lines only with its unit tests (the last 135 lines): the code is one model and its solver.
//!
//! The model (Tsumura et al. 2003, with a neutral surface term). A pixel's linear sRGB reflectance
//! is `R = s + B`: a spectrally flat surface (Fresnel) reflection `s` plus the body reflectance `B`
//! of light that went through the skin. In optical density `OD = −ln B`, pigments add:
//! `OD = m·MELANIN_OD + h·HAEMOGLOBIN_OD + shading·(1,1,1) + bias`. More melanin is therefore
//! `B' = B·exp(−Δ·MELANIN_OD)` per channel, the same offset `Δ` for every pixel, skin and lesion
//! alike: a darker-skinned person's lesion also sits on more melanin, and the lesion's own pigment
//! contrast (its OD difference from the skin) is kept. The surface term is why very dark skin
//! looks less saturated, and why dark pixels approach a dim, nearly grey floor instead of black.
//!
//! `Δ` is found by a bracketing search (regula falsi) on the ITA° *measured* as [`estimate_tone`]
//! measures it on the re-toned 8-bit skin, so the target is hit as the rest of dermtone sees it.

use std::fmt;

use image::RgbImage;

use crate::{Mask, estimate_tone, individual_typology_angle, srgb_to_lab};

/// Unit optical-density direction of melanin in linear sRGB (R, G, B): absorbs blue most and
/// red least.
///
/// Two estimates bracket it, 7.7° apart. Tsumura's independent component analysis (2003) of the
/// per-photo-centred optical densities of 1,408 HAM10000 and Fitzpatrick17k train photos gives
/// (0.205, 0.507, 0.837) (four disjoint folds within 2.8°); it learns melanin from pigment
/// *within* photos (naevi, freckles) and, used alone, turns darkened skin brick-red and lightened
/// skin olive. Eumelanin's published absorption spectrum (μa ∝ λ^−3.33, Jacques 1998) at the
/// channels' effective wavelengths gives (0.332, 0.468, 0.819), which leaves redness flat and
/// darkens some photos to khaki. This is the blend (35 % spectrum) that makes re-toned
/// Fitzpatrick17k train photos closest to real photos of the same ITA°: mean skin colour ΔE*ab
/// 2.8, against 4.8 for ICA and 4.6 for the spectrum alone. Reproduce with
/// `cargo test --release -p dermtone-train --test retone_on_ham -- --ignored --nocapture derive_pigment_directions`.
pub const MELANIN_OD: [f32; 3] = [0.250, 0.495, 0.832];

/// Unit optical-density direction of haemoglobin in linear sRGB, from the ICA described under
/// [`MELANIN_OD`]: green is absorbed most (haemoglobin's 540–580 nm bands). Re-toning leaves it
/// unchanged; it is published for models that vary redness.
pub const HAEMOGLOBIN_OD: [f32; 3] = [0.250, 0.740, 0.624];

/// Spectrally flat surface reflectance of skin (linear sRGB). Fitted with [`MELANIN_OD`] (same
/// command); it matches the Fresnel reflectance of a surface of refractive index ≈ 1.6,
/// ((n − 1)/(n + 1))² ≈ 0.05. Without it very dark results turn a saturated orange-red; at 0.085
/// and above they turn grey-mauve. Polarised dermoscopy removes most surface reflection; on
/// HAM10000 the term stands in for the dermoscope's flare.
pub const SURFACE_REFLECTANCE: f32 = 0.055;

/// Lowest target ITA° accepted: real skin spans about Monk 9 (−78°) to Monk 1 (83°), and photos
/// near either end clip.
pub const MIN_TARGET_ITA: f32 = -70.0;
/// Highest target ITA° accepted (see [`MIN_TARGET_ITA`]).
pub const MAX_TARGET_ITA: f32 = 80.0;

/// Lightening stops when the median skin would reflect more than this in any channel (linear):
/// the red channel of the lightest Monk swatch. Beyond it skin is not lighter, only overexposed.
const LIGHTEST_SKIN_REFLECTANCE: f32 = 0.92;
/// Largest melanin offset searched, in optical density: far darker than any real skin.
const MAX_OFFSET: f32 = 20.0;
/// Linear reflectance above which lightened channels are compressed smoothly instead of clipped.
const SHOULDER_KNEE: f32 = 0.8;
/// First step, in optical density, when bracketing the target around the guess.
const FIRST_STEP: f32 = 0.05;
/// The search stops once the measured ITA° is this close to the target.
const ITA_TOLERANCE: f32 = 0.05;
/// A result whose measured ITA° is further than this from the target is refused.
const SETTLE_TOLERANCE: f32 = 1.0;
/// At most this many ITA evaluations in the search.
const MAX_ITERATIONS: usize = 40;

/// A re-toned photo and what was done to it.
#[derive(Debug, Clone)]
pub struct Retoned {
    /// The photo with the melanin offset applied everywhere.
    pub image: RgbImage,
    /// Melanin optical-density offset along [`MELANIN_OD`]: positive darkens, negative lightens.
    pub melanin_offset: f32,
    /// Median ITA° of the healthy skin before.
    pub ita_before: f32,
    /// Median ITA° of the healthy skin after, measured with [`estimate_tone`].
    pub ita_after: f32,
}

/// Why a photo could not be re-toned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RetoneError {
    /// The skin mask is not the size of the image.
    MaskSize,
    /// The photo's skin tone is unknown: too little healthy skin, or a blue colour cast.
    UnknownTone {
        /// Healthy-skin pixels available.
        skin_pixels: usize,
        /// The skin looked blue rather than yellow (see [`crate::MIN_SKIN_B`]).
        colour_cast: bool,
    },
    /// The target is outside [`MIN_TARGET_ITA`]..=[`MAX_TARGET_ITA`] (or not a number).
    TargetOutOfRange {
        /// The target asked for.
        target: f32,
    },
    /// The photo cannot be taken to the target: its skin reaches only `darkest..=lightest`.
    Unreachable {
        /// The target asked for.
        target: f32,
        /// Darkest ITA° reachable.
        darkest: f32,
        /// Lightest ITA° reachable.
        lightest: f32,
    },
    /// The measured tone jumps instead of changing smoothly with melanin, so the target could not
    /// be hit (or the result could not be measured): typically the skin mask mixes skin with a
    /// large background region of another colour.
    NotSettled {
        /// The target asked for.
        target: f32,
        /// Median ITA° of the best attempt, `None` when its tone was unknown.
        measured: Option<f32>,
    },
}

impl fmt::Display for RetoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::MaskSize => write!(f, "the skin mask is not the size of the photo"),
            Self::UnknownTone {
                colour_cast: true, ..
            } => write!(
                f,
                "the skin looks blue (a colour cast), so its tone cannot be measured"
            ),
            Self::UnknownTone { skin_pixels, .. } => write!(
                f,
                "too little healthy skin to measure its tone ({skin_pixels} pixels)"
            ),
            Self::TargetOutOfRange { target } => write!(
                f,
                "target ITA {target}° is outside {MIN_TARGET_ITA}°..{MAX_TARGET_ITA}°"
            ),
            Self::Unreachable {
                target,
                darkest,
                lightest,
            } => write!(
                f,
                "target ITA {target:.1}° is out of reach for this photo: its skin can be taken \
                 from {darkest:.1}° to {lightest:.1}° only"
            ),
            Self::NotSettled { target, measured } => write!(
                f,
                "the skin's tone jumps rather than following the melanin change, so ITA \
                 {target:.1}° could not be hit (got {}); does the skin mask take in background?",
                measured.map_or("an unknown tone".into(), |m| format!("{m:.1}°"))
            ),
        }
    }
}

impl std::error::Error for RetoneError {}

/// Re-tones `image` so that the median ITA° of its healthy skin (`skin`, e.g. from
/// [`crate::skin_mask`]) becomes `target_ita`, by one melanin offset over the whole photo.
pub fn retone(image: &RgbImage, skin: &Mask, target_ita: f32) -> Result<Retoned, RetoneError> {
    if image.dimensions() != (skin.width(), skin.height()) {
        return Err(RetoneError::MaskSize);
    }
    if !(MIN_TARGET_ITA..=MAX_TARGET_ITA).contains(&target_ita) {
        return Err(RetoneError::TargetOutOfRange { target: target_ita });
    }
    let before = estimate_tone(image, skin);
    let ita_before = before.ita.ok_or(RetoneError::UnknownTone {
        skin_pixels: before.confidence.skin_pixels,
        colour_cast: before.confidence.colour_cast,
    })?;
    let skin_pixels = linear_pixels(image, skin);
    let median_colour = channel_medians(&skin_pixels);
    let lightest = lightest_offset(median_colour);
    let search = OffsetSearch {
        skin: &skin_pixels,
        target: target_ita,
    };
    let guess = colour_offset(median_colour, target_ita, lightest);
    let melanin_offset = search.solve(ita_before, lightest, guess)?;
    let out = add_melanin(image, melanin_offset);
    let measured = estimate_tone(&out, skin).ita;
    let ita_after = measured
        .filter(|m| (m - target_ita).abs() <= SETTLE_TOLERANCE)
        .ok_or(RetoneError::NotSettled {
            target: target_ita,
            measured,
        })?;
    Ok(Retoned {
        image: out,
        melanin_offset,
        ita_before,
        ita_after,
    })
}

/// The pixels set in `mask`, as linear RGB.
fn linear_pixels(image: &RgbImage, mask: &Mask) -> Vec<[f32; 3]> {
    let linear = linear_table();
    image
        .pixels()
        .zip(mask.as_slice())
        .filter(|&(_, &on)| on)
        .map(|(p, _)| p.0.map(|c| linear[usize::from(c)]))
        .collect()
}

/// Per-channel median of non-empty pixels.
fn channel_medians(pixels: &[[f32; 3]]) -> [f32; 3] {
    std::array::from_fn(|c| {
        let mut channel: Vec<f32> = pixels.iter().map(|p| p[c]).collect();
        median(&mut channel)
    })
}

/// Adds `offset` of melanin optical density (along [`MELANIN_OD`]) to every pixel: positive
/// darkens, negative lightens. Lightened channels near white are compressed smoothly.
pub fn add_melanin(image: &RgbImage, offset: f32) -> RgbImage {
    let linear = linear_table();
    let gains = melanin_gains(offset);
    let mut out = image.clone();
    for p in out.pixels_mut() {
        p.0 = retone_pixel(p.0.map(|c| linear[usize::from(c)]), gains);
    }
    out
}

/// Optical density `−ln R` of an sRGB colour's linear reflectance per channel (0 for white),
/// with reflectance floored at 1/1024 so that black stays finite.
pub fn optical_density(rgb: [u8; 3]) -> [f32; 3] {
    rgb.map(|c| -srgb_to_linear(c).max(1.0 / 1024.0).ln())
}

/// The ITA° search over melanin offsets on the skin pixels (linear RGB).
struct OffsetSearch<'a> {
    skin: &'a [[f32; 3]],
    target: f32,
}

impl OffsetSearch<'_> {
    /// The offset, between `lightest` (≤ 0) and [`MAX_OFFSET`], whose measured ITA° is closest
    /// to the target: brackets the target starting from `guess`, then regula falsi. ITA° falls
    /// as melanin is added.
    fn solve(&self, ita_now: f32, lightest: f32, guess: f32) -> Result<f32, RetoneError> {
        let origin = (0.0, ita_now - self.target);
        if origin.1.abs() <= ITA_TOLERANCE {
            return Ok(0.0);
        }
        let limit = if origin.1 > 0.0 { MAX_OFFSET } else { lightest };
        match self.bracket(origin, guess, limit) {
            Some([a, b]) => Ok(self.illinois(a, b)),
            None => Err(self.unreachable(ita_now, lightest)),
        }
    }

    /// Two (offset, error) points with errors of opposite sign (or one within tolerance, twice),
    /// found by steps that double from `guess`: away from 0 while the error keeps the sign it has
    /// at `origin`, towards 0 once it has flipped. `None` when `limit` is reached first.
    fn bracket(&self, origin: (f32, f32), guess: f32, limit: f32) -> Option<[(f32, f32); 2]> {
        let first = (guess, self.error(guess));
        if first.1.abs() <= ITA_TOLERANCE {
            return Some([first, first]);
        }
        let outward = first.1 * origin.1 > 0.0;
        let end = if outward { limit } else { origin.0 };
        let mut last = first;
        let mut step = FIRST_STEP * (end - guess).signum();
        while last.0 != end {
            let x = if (end - last.0).abs() <= step.abs() {
                end
            } else {
                last.0 + step
            };
            let next = (
                x,
                if x == origin.0 {
                    origin.1
                } else {
                    self.error(x)
                },
            );
            if next.1 * last.1 <= 0.0 {
                return Some([last, next]);
            }
            last = next;
            step *= 2.0;
        }
        (!outward).then_some([origin, last])
    }

    /// Regula falsi with the Illinois fix, from a bracket of (offset, error) pairs; returns the
    /// offset with the smallest error seen.
    fn illinois(&self, mut a: (f32, f32), mut b: (f32, f32)) -> f32 {
        let mut best = if a.1.abs() < b.1.abs() { a } else { b };
        for _ in 0..MAX_ITERATIONS {
            if best.1.abs() <= ITA_TOLERANCE || (b.0 - a.0).abs() < 1e-4 {
                break;
            }
            let x = b.0 - b.1 * (b.0 - a.0) / (b.1 - a.1);
            let e = self.error(x);
            if e.abs() < best.1.abs() {
                best = (x, e);
            }
            if e * b.1 > 0.0 {
                a.1 *= 0.5;
            } else {
                a = b;
            }
            b = (x, e);
        }
        best.0
    }

    /// The error for a target out of reach, with the range this skin can reach.
    fn unreachable(&self, ita_now: f32, lightest: f32) -> RetoneError {
        RetoneError::Unreachable {
            target: self.target,
            darkest: self.ita(MAX_OFFSET).min(ita_now),
            lightest: self.ita(lightest).max(ita_now),
        }
    }

    /// Measured ITA° at `offset` minus the target.
    fn error(&self, offset: f32) -> f32 {
        self.ita(offset) - self.target
    }

    /// Median ITA° of the skin re-toned by `offset`, quantised to 8 bits as the output will be,
    /// with the same statistic as [`estimate_tone`].
    fn ita(&self, offset: f32) -> f32 {
        let gains = melanin_gains(offset);
        let mut itas: Vec<f32> = self
            .skin
            .iter()
            .map(|&p| individual_typology_angle(srgb_to_lab(retone_pixel(p, gains))))
            .collect();
        median(&mut itas)
    }
}

/// Most negative offset (most melanin removed) at which the median skin colour is still skin:
/// not bluish (b* ≥ 0), not greenish (a* ≥ 0) and no brighter than the lightest real skin
/// ([`LIGHTEST_SKIN_REFLECTANCE`]). Past it there is no melanin left to remove and the colour
/// only turns blue-grey or overexposed. 0 when the skin is already outside that range.
fn lightest_offset(median_colour: [f32; 3]) -> f32 {
    let still_skin = |offset: f32| {
        let rgb = retone_linear(median_colour, melanin_gains(offset));
        let lab = srgb_to_lab(rgb.map(linear_to_srgb));
        lab.a >= 0.0 && lab.b >= 0.0 && rgb.iter().all(|&r| r <= LIGHTEST_SKIN_REFLECTANCE)
    };
    if !still_skin(0.0) {
        return 0.0;
    }
    if still_skin(-MAX_OFFSET) {
        return -MAX_OFFSET;
    }
    let (mut skin_like, mut not_skin) = (0.0f32, -MAX_OFFSET);
    for _ in 0..30 {
        let mid = 0.5 * (skin_like + not_skin);
        if still_skin(mid) {
            skin_like = mid;
        } else {
            not_skin = mid;
        }
    }
    skin_like
}

/// The offset that takes one colour (linear RGB) to `target` ITA°, between `lightest` and
/// [`MAX_OFFSET`] (bisection). For the median skin colour it is a close first guess for the
/// median ITA° of the skin.
fn colour_offset(colour: [f32; 3], target: f32, lightest: f32) -> f32 {
    let ita = |offset: f32| {
        let rgb = retone_pixel(colour, melanin_gains(offset));
        individual_typology_angle(srgb_to_lab(rgb))
    };
    let (mut light, mut dark) = (lightest, MAX_OFFSET);
    for _ in 0..40 {
        let mid = 0.5 * (light + dark);
        if ita(mid) > target {
            light = mid;
        } else {
            dark = mid;
        }
    }
    0.5 * (light + dark)
}

/// Per-channel factor on the body reflectance for a melanin offset.
fn melanin_gains(offset: f32) -> [f32; 3] {
    MELANIN_OD.map(|d| (-offset * d).exp())
}

/// One pixel (linear RGB) with its body reflectance scaled by `gains`, back to sRGB.
fn retone_pixel(linear: [f32; 3], gains: [f32; 3]) -> [u8; 3] {
    retone_linear(linear, gains).map(linear_to_srgb)
}

/// One pixel (linear RGB) with its body reflectance scaled by `gains`, in linear RGB.
fn retone_linear(linear: [f32; 3], gains: [f32; 3]) -> [f32; 3] {
    let s = surface(linear);
    [0, 1, 2].map(|c| shoulder(s + (linear[c] - s) * gains[c], gains[c]))
}

/// The surface reflection of a pixel: [`SURFACE_REFLECTANCE`], but never more than half its
/// darkest channel, because a neutral reflection cannot exceed any channel and in shadow, hair
/// or dark pigment the light (and so its reflection) is dimmer. This keeps dark pixels from
/// turning lighter when melanin is added.
fn surface(linear: [f32; 3]) -> f32 {
    let darkest = linear[0].min(linear[1]).min(linear[2]);
    SURFACE_REFLECTANCE.min(0.5 * darkest)
}

/// Compresses `r` ∈ [0, gain] into [0, 1] when a channel was brightened by `gain` > 1:
/// identity up to [`SHOULDER_KNEE`], then a rational curve with matching slope that reaches 1 at
/// `gain`, so highlights roll off to white without flat clipped bands. Identity when `gain` ≤ 1.
fn shoulder(r: f32, gain: f32) -> f32 {
    const K: f32 = SHOULDER_KNEE;
    if gain <= 1.0 || r <= K {
        return r.min(1.0);
    }
    let over = r - K;
    K + over / (1.0 + over * (gain - 1.0) / ((1.0 - K) * (gain - K)))
}

/// The 256 sRGB codes decoded to linear reflectance.
fn linear_table() -> [f32; 256] {
    std::array::from_fn(|c| srgb_to_linear(c as u8))
}

/// IEC 61966-2-1 decoding of one 8-bit sRGB code.
fn srgb_to_linear(c: u8) -> f32 {
    let c = f32::from(c) / 255.0;
    if c <= 0.040_45 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// IEC 61966-2-1 encoding of a linear reflectance to an 8-bit sRGB code.
fn linear_to_srgb(r: f32) -> u8 {
    let r = r.clamp(0.0, 1.0);
    let v = if r <= 0.003_130_8 {
        12.92 * r
    } else {
        1.055 * r.powf(1.0 / 2.4) - 0.055
    };
    (v * 255.0).round() as u8
}

/// Median (mean of the two middle values for an even count) of non-empty values; reorders them.
fn median(values: &mut [f32]) -> f32 {
    let n = values.len();
    let (_, &mut upper, _) = values.select_nth_unstable_by(n / 2, f32::total_cmp);
    if n % 2 == 1 {
        upper
    } else {
        let lower = values[..n / 2].iter().copied().fold(f32::MIN, f32::max);
        0.5 * (lower + upper)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn skin_patch(rgb: [u8; 3]) -> (RgbImage, Mask) {
        (
            RgbImage::from_pixel(40, 30, Rgb(rgb)),
            Mask::filled(40, 30, true),
        )
    }

    fn ita_of(rgb: [u8; 3]) -> f32 {
        individual_typology_angle(srgb_to_lab(rgb))
    }

    #[test]
    fn srgb_codes_survive_the_round_trip() {
        for c in 0..=255u8 {
            assert_eq!(linear_to_srgb(srgb_to_linear(c)), c);
        }
    }

    #[test]
    fn zero_offset_changes_nothing() {
        let image = RgbImage::from_fn(16, 16, |x, y| Rgb([(x * 16) as u8, (y * 16) as u8, 200]));
        assert_eq!(add_melanin(&image, 0.0), image);
    }

    #[test]
    fn melanin_darkens_blue_most_and_approaches_the_surface_floor() {
        let light = [230u8, 200, 180];
        let dark = add_melanin(&RgbImage::from_pixel(1, 1, Rgb(light)), 3.0)
            .get_pixel(0, 0)
            .0;
        assert!(dark.iter().zip(light).all(|(d, l)| *d < l), "{dark:?}");
        assert!(
            dark[0] > dark[1] && dark[1] > dark[2],
            "not brown: {dark:?}"
        );
        let floor = add_melanin(&RgbImage::from_pixel(1, 1, Rgb(light)), 40.0)
            .get_pixel(0, 0)
            .0;
        let code = linear_to_srgb(SURFACE_REFLECTANCE);
        assert!(floor.iter().all(|&c| c.abs_diff(code) <= 1), "{floor:?}");
    }

    #[test]
    fn dark_pixels_never_lighten_when_melanin_is_added() {
        for v in [0u8, 5, 20, 40, 60] {
            for rgb in [[v, v, v], [v.saturating_add(30), v, v / 2]] {
                let out = add_melanin(&RgbImage::from_pixel(1, 1, Rgb(rgb)), 2.0)
                    .get_pixel(0, 0)
                    .0;
                assert!(
                    out.iter().zip(rgb).all(|(o, i)| *o <= i),
                    "{rgb:?} → {out:?}"
                );
            }
        }
    }

    #[test]
    fn lightening_rolls_off_smoothly_to_white() {
        let ramp = RgbImage::from_fn(256, 1, |x, _| Rgb([x as u8; 3]));
        let out = add_melanin(&ramp, -1.5);
        let row: Vec<[u8; 3]> = out.pixels().map(|p| p.0).collect();
        for pair in row.windows(2) {
            assert!(
                (0..3).all(|c| pair[1][c] >= pair[0][c]),
                "not monotone: {pair:?}"
            );
        }
        let largest_step = row
            .windows(2)
            .flat_map(|pair| (0..3).map(move |c| pair[1][c] - pair[0][c]))
            .max();
        assert!(largest_step <= Some(5), "a jump of {largest_step:?} codes");
        let saturated = row.iter().filter(|p| p[2] == 255).count();
        assert!(saturated <= 20, "{saturated} codes clipped to white");
        assert_eq!(row[255], [255, 255, 255]);
    }

    #[test]
    fn hits_the_target_on_uniform_skin() {
        let (image, skin) = skin_patch([225, 190, 165]);
        for target in [60.0, 41.0, 20.0, 0.0, -30.0, -55.0] {
            let out = retone(&image, &skin, target).unwrap();
            assert!((out.ita_after - target).abs() < 1.0, "{target}: {out:?}");
            let colour = out.image.get_pixel(0, 0).0;
            assert!((ita_of(colour) - out.ita_after).abs() < 1e-3);
            assert!(
                colour[0] >= colour[1] && colour[1] >= colour[2],
                "{colour:?}"
            );
        }
    }

    #[test]
    fn refuses_what_it_cannot_do() {
        let (image, skin) = skin_patch([225, 190, 165]);
        assert_eq!(
            retone(&image, &skin, 95.0).unwrap_err(),
            RetoneError::TargetOutOfRange { target: 95.0 }
        );
        assert!(matches!(
            retone(&image, &skin, f32::NAN),
            Err(RetoneError::TargetOutOfRange { .. })
        ));
        let few = Mask::from_fn(40, 30, |x, y| x < 5 && y < 5);
        let err = retone(&image, &few, 20.0).unwrap_err();
        assert_eq!(
            err,
            RetoneError::UnknownTone {
                skin_pixels: 25,
                colour_cast: false
            }
        );
        assert!(err.to_string().contains("too little"), "{err}");
        let (cold, skin) = skin_patch([200, 200, 230]);
        let err = retone(&cold, &skin, 20.0).unwrap_err();
        assert!(err.to_string().contains("colour cast"), "{err}");
        assert_eq!(
            retone(&image, &Mask::filled(4, 4, true), 20.0).unwrap_err(),
            RetoneError::MaskSize
        );
        let (very_dark, skin) = skin_patch([45, 30, 25]);
        let err = retone(&very_dark, &skin, 75.0).unwrap_err();
        let RetoneError::Unreachable { lightest, .. } = err else {
            panic!("{err:?}");
        };
        assert!(lightest < 75.0);
        assert!(err.to_string().contains("out of reach"), "{err}");
    }
}
