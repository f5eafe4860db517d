//! The skin-tone step of an analysis: the ITA rule over the healthy-skin mask (colour crate),
//! and, where the manifest ships one, the learned estimator, which was kept only because it
//! agreed with labelled Fitzpatrick types better than ITA did. Both answers are reported.

use dermtone_color::{ConfidenceLevel, ToneEstimate, scale_to_short_side, skin_tone};
use image::RgbImage;
use serde::Serialize;

use crate::ModelRef;

/// Short side the tone is measured at: enough pixels for a stable median, fast everywhere.
pub const TONE_SHORT_SIDE: u32 = 200;

/// The estimated skin tone of a photo, as printed by `dermtone tone --json` and carried in
/// every analysis. Scales are `null` when there was too little healthy skin to judge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToneReport {
    /// Fitzpatrick type 1–6 the app uses (from `method`).
    pub fitzpatrick: Option<u8>,
    /// Its group: `I-II`, `III-IV`, `V-VI` or `unknown`.
    pub group: &'static str,
    /// Which estimator gave `fitzpatrick`: `learned` or `ita`.
    pub method: &'static str,
    /// Median ITA° of the healthy skin.
    pub ita: Option<f32>,
    /// Chardon category of that ITA (`very_light` … `dark`).
    pub ita_category: Option<&'static str>,
    /// Fitzpatrick type from ITA alone (Groh cut-offs), reported even when `method` is `learned`.
    pub ita_fitzpatrick: Option<u8>,
    /// Monk Skin Tone 1–10 nearest to the median skin colour.
    pub monk: Option<u8>,
    /// That Monk swatch's sRGB colour, for the page to show beside the number.
    pub monk_swatch: Option<[u8; 3]>,
    /// What the estimate rests on.
    pub confidence: ToneConfidence,
    /// The learned estimator's answer, when one is shipped.
    pub learned: Option<LearnedTone>,
}

/// How far to trust the tone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToneConfidence {
    /// `high`, `medium`, `low` or `unknown` (too little skin: no tone is given).
    pub level: &'static str,
    /// Healthy-skin pixels measured (at the tone measurement size).
    pub skin_pixels: usize,
    /// Their share of the photo.
    pub skin_fraction: f32,
    /// Interquartile range of per-pixel ITA° over the skin: the spread.
    pub ita_iqr: Option<f32>,
    /// The skin looked blue, not yellow (e.g. a dermoscope's cold light): the tone is unknown.
    pub colour_cast: bool,
}

/// The learned estimator's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LearnedTone {
    /// Most likely Fitzpatrick type.
    pub fitzpatrick: u8,
    /// Probability of types 1–6.
    pub probabilities: Vec<f32>,
    /// The estimator's weights.
    pub model: ModelRef,
}

/// DESIGN.md's tone groups.
pub fn fitzpatrick_group(fitzpatrick: Option<u8>) -> &'static str {
    match fitzpatrick {
        Some(1 | 2) => "I-II",
        Some(3 | 4) => "III-IV",
        Some(5 | 6) => "V-VI",
        _ => "unknown",
    }
}

/// The photo at the size tone is measured at (never enlarged).
pub fn tone_view(image: &RgbImage) -> RgbImage {
    scale_to_short_side(image, TONE_SHORT_SIDE, false)
}

/// The ITA rule's estimate of a photo.
pub fn ita_estimate(image: &RgbImage) -> ToneEstimate {
    skin_tone(&tone_view(image), None)
}

/// Combines the ITA estimate with the learned one, which wins where present unless too little
/// skin was visible: then nobody can tell, and the report says so. A colour cast alone does not
/// stop the learned estimator, which reads more than colour.
pub fn tone_report(ita: &ToneEstimate, learned: Option<LearnedTone>) -> ToneReport {
    let unknown = ita.confidence.level == ConfidenceLevel::Unknown && !ita.confidence.colour_cast;
    let (fitzpatrick, method) = match &learned {
        Some(l) if !unknown => (Some(l.fitzpatrick), "learned"),
        Some(_) => (None, "learned"),
        None => (ita.fitzpatrick, "ita"),
    };
    ToneReport {
        fitzpatrick,
        group: fitzpatrick_group(fitzpatrick),
        method,
        ita: ita.ita,
        ita_category: ita.ita_category.map(|c| c.as_str()),
        ita_fitzpatrick: ita.fitzpatrick,
        monk: ita.monk,
        monk_swatch: ita
            .monk
            .and_then(|m| dermtone_color::MONK_SWATCHES.get(usize::from(m).checked_sub(1)?))
            .copied(),
        confidence: ToneConfidence {
            level: ita.confidence.level.as_str(),
            skin_pixels: ita.confidence.skin_pixels,
            skin_fraction: ita.confidence.skin_fraction,
            ita_iqr: ita.confidence.ita_iqr,
            colour_cast: ita.confidence.colour_cast,
        },
        learned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn learned(fitzpatrick: u8) -> LearnedTone {
        LearnedTone {
            fitzpatrick,
            probabilities: vec![0.0; 6],
            model: ModelRef {
                id: "tone-test".into(),
                sha256: String::new(),
            },
        }
    }

    #[test]
    fn uniform_dark_skin_reads_as_type_vi_by_ita() {
        let photo = RgbImage::from_pixel(400, 300, Rgb([0x3a, 0x31, 0x2a]));
        let report = tone_report(&ita_estimate(&photo), None);
        assert_eq!(report.method, "ita");
        assert_eq!(report.fitzpatrick, Some(6));
        assert_eq!(report.group, "V-VI");
        assert_eq!(report.ita_category, Some("dark"));
        assert_eq!(report.monk, Some(9));
        assert_eq!(report.monk_swatch, Some(dermtone_color::MONK_SWATCHES[8]));
    }

    #[test]
    fn the_learned_answer_wins_but_ita_is_still_reported() {
        let photo = RgbImage::from_pixel(100, 100, Rgb([0x3a, 0x31, 0x2a]));
        let report = tone_report(&ita_estimate(&photo), Some(learned(5)));
        assert_eq!((report.fitzpatrick, report.method), (Some(5), "learned"));
        assert_eq!(report.ita_fitzpatrick, Some(6));
    }

    #[test]
    fn no_skin_means_no_tone_even_with_a_learned_estimator() {
        let photo = RgbImage::from_pixel(100, 100, Rgb([0, 0, 0]));
        let report = tone_report(&ita_estimate(&photo), Some(learned(2)));
        assert_eq!(report.fitzpatrick, None);
        assert_eq!(report.group, "unknown");
        assert_eq!(report.confidence.level, "unknown");
    }

    #[test]
    fn big_photos_are_measured_small() {
        let photo = RgbImage::new(4000, 3000);
        assert_eq!(tone_view(&photo).dimensions(), (267, 200));
        assert_eq!(
            tone_view(&RgbImage::new(300, 1000)).dimensions(),
            (200, 667)
        );
        assert_eq!(tone_view(&RgbImage::new(224, 159)).dimensions(), (224, 159));
        assert_eq!(tone_view(&RgbImage::new(200, 150)).dimensions(), (200, 150));
    }
}
