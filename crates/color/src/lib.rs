//! Skin colour science: CIELAB, ITA° and the skin-tone scales (ITA categories, Fitzpatrick,
//! Monk), and photo quality checks. No burn: plain colour maths that the engine, the training code and the tone audit share.

mod estimate;
mod exposure;
mod lab;
mod lesion;
mod mask;
mod morphology;
mod quality;
mod resize;
mod retone;
mod shape;
mod skin;
mod ssim;
mod tone;
mod working;

pub use estimate::{
    ConfidenceLevel, HIGH_CONFIDENCE_IQR, LOW_CONFIDENCE_IQR, MIN_SKIN_B, MIN_SKIN_FRACTION,
    MIN_SKIN_PIXELS, ToneConfidence, ToneEstimate, estimate_tone, skin_tone,
};
pub use exposure::keep_skin_variation;
pub use lab::{Lab, individual_typology_angle, srgb_to_lab};
pub use lesion::segment_lesion;
pub use mask::Mask;
pub use quality::{
    MAX_BRIGHT_FRACTION, MAX_DARK_FRACTION, MAX_FAINT_FRACTION, MAX_LESION_OFFSET,
    MIN_LESION_CONTRAST, MIN_LESION_FRACTION, MIN_MEAN_LUMINANCE, MIN_SHARPNESS, MIN_SIDE, Problem,
    QualityMeasures, QualityReport, assess, measure,
};
pub use resize::{ANALYSIS_SIDE, scale_to_short_side};
pub use retone::{
    HAEMOGLOBIN_OD, MAX_TARGET_ITA, MELANIN_OD, MIN_TARGET_ITA, RetoneError, Retoned,
    SURFACE_REFLECTANCE, add_melanin, optical_density, retone,
};
pub use shape::{LesionShape, measure_lesion};
pub use skin::skin_mask;
pub use ssim::{SsimScores, ssim_luminance_masked, ssim_scores_masked};
pub use tone::{ItaCategory, MONK_SWATCHES, fitzpatrick_from_ita, nearest_monk};
