//! Skin colour science: CIELAB, ITA° and the skin-tone scales (ITA categories, Fitzpatrick,
//! Monk), and photo quality checks. No burn: plain colour maths that the engine, the training code and the tone audit share.

mod estimate;
mod lab;
mod mask;
mod quality;
mod skin;
mod tone;

pub use estimate::{
    ConfidenceLevel, HIGH_CONFIDENCE_IQR, LOW_CONFIDENCE_IQR, MIN_SKIN_FRACTION, MIN_SKIN_PIXELS,
    ToneConfidence, ToneEstimate, estimate_tone,
};
pub use lab::{Lab, individual_typology_angle, srgb_to_lab};
pub use mask::Mask;
pub use quality::{
    ANALYSIS_SIDE, MAX_BRIGHT_FRACTION, MAX_DARK_FRACTION, MIN_MEAN_LUMINANCE, MIN_SHARPNESS,
    MIN_SIDE, Problem, QualityMeasures, QualityReport, assess, measure,
};
pub use skin::skin_mask;
pub use tone::{ItaCategory, MONK_SWATCHES, fitzpatrick_from_ita, nearest_monk};
