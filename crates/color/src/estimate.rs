//! Skin tone of a photo: ITA° over the healthy-skin mask with a robust statistic (the median),
//! mapped to ITA category, Fitzpatrick type and Monk swatch, with a confidence that says how
//! much skin there was and how uniform it was, and "unknown" when there is too little to judge.

use image::RgbImage;

use crate::{
    ItaCategory, Lab, Mask, fitzpatrick_from_ita, individual_typology_angle, nearest_monk,
    srgb_to_lab,
};

/// Fewer healthy-skin pixels than this and the tone is unknown.
pub const MIN_SKIN_PIXELS: usize = 300;
/// A smaller share of the image than this and the tone is unknown.
pub const MIN_SKIN_FRACTION: f32 = 0.03;
/// Skin always reflects more yellow than blue (b* > 0 under D65 light). A median b* at or below
/// this means a colour cast (e.g. a dermoscope's cold LED light): ITA would exceed 90° and read
/// as "very light" whatever the skin, so the tone is unknown instead.
pub const MIN_SKIN_B: f32 = 0.0;
/// Interquartile range of ITA° over the skin (degrees) up to which the estimate counts as high confidence.
pub const HIGH_CONFIDENCE_IQR: f32 = 12.0;
/// Interquartile range above which the estimate counts as low confidence.
pub const LOW_CONFIDENCE_IQR: f32 = 25.0;

/// How far to trust a tone estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConfidenceLevel {
    /// Too little healthy skin was visible: no tone is given.
    Unknown,
    /// Skin is visible but uneven (shadows, mixed lighting, redness).
    Low,
    /// A fair amount of fairly even skin.
    Medium,
    /// Plenty of even skin.
    High,
}

impl ConfidenceLevel {
    /// Stable name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// What a tone estimate rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToneConfidence {
    /// Overall judgement.
    pub level: ConfidenceLevel,
    /// Healthy-skin pixels measured.
    pub skin_pixels: usize,
    /// Their share of the image.
    pub skin_fraction: f32,
    /// Interquartile range of per-pixel ITA° (spread); `None` when unknown.
    pub ita_iqr: Option<f32>,
    /// The skin looked blue rather than yellow (median b* ≤ [`MIN_SKIN_B`]): a colour cast
    /// made the tone unknown.
    pub colour_cast: bool,
}

/// A photo's skin tone; every scale is `None` when the confidence is unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToneEstimate {
    /// Median ITA° of the healthy skin.
    pub ita: Option<f32>,
    /// Chardon category of that ITA.
    pub ita_category: Option<ItaCategory>,
    /// Fitzpatrick type 1–6 from ITA (Groh cut-offs).
    pub fitzpatrick: Option<u8>,
    /// Monk Skin Tone 1–10 nearest to the median skin colour.
    pub monk: Option<u8>,
    /// The median skin colour in CIELAB.
    pub skin_lab: Option<Lab>,
    /// How far to trust it.
    pub confidence: ToneConfidence,
}

/// Estimates the skin tone of `image` over the pixels set in `skin`.
pub fn estimate_tone(image: &RgbImage, skin: &Mask) -> ToneEstimate {
    assert_eq!(
        image.dimensions(),
        (skin.width(), skin.height()),
        "skin mask and image differ in size"
    );
    let labs: Vec<Lab> = image
        .pixels()
        .zip(skin.as_slice())
        .filter(|&(_, &on)| on)
        .map(|(p, _)| srgb_to_lab(p.0))
        .collect();
    let skin_fraction = skin.fraction();
    let unknown = ToneEstimate {
        ita: None,
        ita_category: None,
        fitzpatrick: None,
        monk: None,
        skin_lab: None,
        confidence: ToneConfidence {
            level: ConfidenceLevel::Unknown,
            skin_pixels: labs.len(),
            skin_fraction,
            ita_iqr: None,
            colour_cast: false,
        },
    };
    if labs.len() < MIN_SKIN_PIXELS || skin_fraction < MIN_SKIN_FRACTION {
        return unknown;
    }
    let mut itas: Vec<f32> = labs
        .iter()
        .map(|&lab| individual_typology_angle(lab))
        .collect();
    itas.sort_by(f32::total_cmp);
    let ita = quantile(&itas, 0.5);
    let iqr = quantile(&itas, 0.75) - quantile(&itas, 0.25);
    let median_of = |f: fn(&Lab) -> f32| {
        let mut v: Vec<f32> = labs.iter().map(f).collect();
        v.sort_by(f32::total_cmp);
        quantile(&v, 0.5)
    };
    let skin_lab = Lab {
        l: median_of(|c| c.l),
        a: median_of(|c| c.a),
        b: median_of(|c| c.b),
    };
    if skin_lab.b <= MIN_SKIN_B {
        return ToneEstimate {
            confidence: ToneConfidence {
                colour_cast: true,
                ..unknown.confidence
            },
            ..unknown
        };
    }
    let level = if iqr <= HIGH_CONFIDENCE_IQR && skin_fraction >= 0.15 {
        ConfidenceLevel::High
    } else if iqr <= LOW_CONFIDENCE_IQR {
        ConfidenceLevel::Medium
    } else {
        ConfidenceLevel::Low
    };
    ToneEstimate {
        ita: Some(ita),
        ita_category: Some(ItaCategory::from_ita(ita)),
        fitzpatrick: Some(fitzpatrick_from_ita(ita)),
        monk: Some(nearest_monk(skin_lab)),
        skin_lab: Some(skin_lab),
        confidence: ToneConfidence {
            level,
            ita_iqr: Some(iqr),
            colour_cast: false,
            ..unknown.confidence
        },
    }
}

/// The skin tone of a photo in one call: builds the healthy-skin mask (excluding `lesion` where
/// the dataset gives one, an automatic segmentation otherwise) and estimates over it.
pub fn skin_tone(image: &RgbImage, lesion: Option<&Mask>) -> ToneEstimate {
    estimate_tone(image, &crate::skin_mask(image, lesion))
}

/// Linear-interpolated quantile of sorted, non-empty values.
fn quantile(sorted: &[f32], q: f32) -> f32 {
    let pos = q * (sorted.len() - 1) as f32;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MONK_SWATCHES;
    use image::Rgb;

    #[test]
    fn uniform_skin_reads_as_its_swatch_with_high_confidence() {
        for (i, swatch) in MONK_SWATCHES.iter().enumerate() {
            let image = RgbImage::from_pixel(60, 40, Rgb(*swatch));
            let tone = estimate_tone(&image, &Mask::filled(60, 40, true));
            assert_eq!(tone.monk, Some(i as u8 + 1));
            assert_eq!(tone.confidence.level, ConfidenceLevel::High);
            let expected = individual_typology_angle(srgb_to_lab(*swatch));
            assert!((tone.ita.unwrap() - expected).abs() < 1e-3);
        }
    }

    #[test]
    fn masked_out_pixels_do_not_count() {
        let image = RgbImage::from_fn(100, 100, |x, _| {
            if x < 50 {
                Rgb([240, 215, 195])
            } else {
                Rgb([20, 10, 10])
            }
        });
        let skin = Mask::from_fn(100, 100, |x, _| x < 50);
        let tone = estimate_tone(&image, &skin);
        assert!(tone.ita.unwrap() > 41.0, "{tone:?}");
        assert_eq!(tone.confidence.skin_pixels, 5000);
    }

    #[test]
    fn too_little_skin_is_unknown() {
        let image = RgbImage::from_pixel(100, 100, Rgb([200, 160, 130]));
        let skin = Mask::from_fn(100, 100, |x, y| x < 10 && y < 10);
        let tone = estimate_tone(&image, &skin);
        assert_eq!(tone.confidence.level, ConfidenceLevel::Unknown);
        assert_eq!(tone.fitzpatrick, None);
        assert_eq!(tone.ita, None);
    }

    #[test]
    fn a_blue_colour_cast_is_unknown_not_very_light() {
        let image = RgbImage::from_pixel(100, 100, Rgb([200, 200, 230]));
        let tone = estimate_tone(&image, &Mask::filled(100, 100, true));
        assert_eq!(tone.confidence.level, ConfidenceLevel::Unknown);
        assert!(tone.confidence.colour_cast);
        assert_eq!(tone.ita_category, None);
    }

    #[test]
    fn uneven_skin_lowers_confidence() {
        let image = RgbImage::from_fn(100, 100, |x, _| {
            if x % 2 == 0 {
                Rgb([245, 225, 205])
            } else {
                Rgb([110, 70, 50])
            }
        });
        let tone = estimate_tone(&image, &Mask::filled(100, 100, true));
        assert_eq!(tone.confidence.level, ConfidenceLevel::Low);
    }
}
