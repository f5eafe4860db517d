//! What `dermtone validate-generator` reports (`--json` prints it; a public interface: fields
//! are only ever added).

use dermtone_engine::ModelRef;
use serde::Serialize;

use super::border::BorderFigures;

/// The report (`--json` prints it; a public interface: fields are only ever added).
#[derive(Debug, Clone, Serialize)]
pub struct GeneratorValidation {
    /// Split measured.
    pub split: String,
    /// The generator measured.
    pub generator: ModelRef,
    /// The models whose readings make the figures, and which of them the generator was
    /// trained against.
    pub judges: Judges,
    /// Every figure here is about synthetic images.
    pub synthetic: bool,
    /// Photos used: Fitzpatrick17k (tone, realism, photo diagnosis) and HAM10000 (lesion SSIM,
    /// dermoscopy diagnosis).
    pub photos: PhotoCounts,
    /// Target ITA° per Fitzpatrick type, from the manifest.
    pub target_ita: [f32; 6],
    /// The learned estimator on the real photos of the split against their labels: the most a
    /// rendering's tone hit can be expected to reach.
    pub real_photos_tone: RealTone,
    /// Tone hit, diagnosis kept and lesion SSIM for the generator and the plain re-toning.
    pub methods: Vec<MethodFigures>,
    /// Realism at Fitzpatrick V–VI.
    pub realism: Realism,
    /// Frequency-spectrum artefact check at Fitzpatrick V–VI.
    pub artefacts: Artefacts,
    /// The targets, met or not.
    pub targets: Targets,
}

/// The models whose readings make the figures. A generator trained against one of them (its
/// card's `trained_against`) is judged by that model in its own favour: those figures are not
/// independent evidence, and a copy of the models folder with another estimator can judge
/// instead.
#[derive(Debug, Clone, Serialize)]
pub struct Judges {
    /// Photo classifier id (diagnosis kept on photos, the realism features).
    pub photo_classifier: String,
    /// Dermoscopy classifier id (diagnosis kept on dermoscopy).
    pub dermoscopy_classifier: String,
    /// Learned tone estimator id (tone hit).
    pub tone_estimator: String,
    /// Model ids the generator's stage 2 was trained against, from its card; `None` for a card
    /// written before cards recorded them (generator-v1 to v4: the photo classifier only).
    pub trained_against: Option<Vec<String>>,
}

/// Photos measured per dataset.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoCounts {
    /// Fitzpatrick17k photos whose skin tone could be measured (and so could be rendered).
    pub fitzpatrick17k: usize,
    /// Fitzpatrick17k photos left out: too little healthy skin to tell their tone.
    pub fitzpatrick17k_unmeasurable: usize,
    /// HAM10000 photos with lesion masks used.
    pub ham10000: usize,
}

/// The tone estimators on real photos with a labelled type.
#[derive(Debug, Clone, Serialize)]
pub struct RealTone {
    /// Labelled photos whose tone could be estimated.
    pub n: usize,
    /// Learned estimate in the labelled group.
    pub tone_group_hit: Option<f64>,
    /// Learned estimate exactly the labelled type.
    pub tone_exact_hit: Option<f64>,
    /// ITA-rule type in the labelled group.
    pub ita_group_hit: Option<f64>,
}

/// One way of changing tone, measured.
#[derive(Debug, Clone, Serialize)]
pub struct MethodFigures {
    /// `generator` or `retoning` (the `color` crate's biophysical re-toning).
    pub method: String,
    /// Renderings made (photos × six types; the re-toning skips photos it cannot settle).
    pub renderings: usize,
    /// Share whose learned tone estimate is in the target's group (I-II, III-IV, V-VI).
    pub tone_group_hit: Option<f64>,
    /// Share whose learned estimate is exactly the target type.
    pub tone_exact_hit: Option<f64>,
    /// Share whose ITA-rule type is in the target's group.
    pub ita_group_hit: Option<f64>,
    /// Mean |ITA° of the rendering's healthy skin − target ITA°|.
    pub ita_error_mean: Option<f64>,
    /// Mean signed (ITA° − target): positive when renderings come out lighter than asked.
    pub ita_bias_mean: Option<f64>,
    /// Per target type.
    pub by_target: Vec<TargetFigures>,
    /// Photo classifier top-1 unchanged (Fitzpatrick17k renderings).
    pub photo_top1_kept: Option<f64>,
    /// Photo classifier's screening decision (malignancy at or above its operating point)
    /// unchanged: the answer the app acts on.
    pub photo_flag_kept: Option<f64>,
    /// Dermoscopy classifier top-1 unchanged (HAM10000 renderings).
    pub dermoscopy_top1_kept: Option<f64>,
    /// Mean SSIM of luminance inside the HAM10000 lesion mask, rendering vs original.
    pub lesion_ssim: Option<f64>,
    /// Bands along the edges of the Fitzpatrick17k renderings (`None` when none could be
    /// measured).
    pub border_excess: Option<BorderFigures>,
}

/// Figures for renderings at one Fitzpatrick type.
#[derive(Debug, Clone, Serialize)]
pub struct TargetFigures {
    /// Target type 1–6.
    pub fitzpatrick: u8,
    /// Renderings.
    pub n: usize,
    /// Learned estimate in the target's group.
    pub tone_group_hit: Option<f64>,
    /// Learned estimate exactly the target type.
    pub tone_exact_hit: Option<f64>,
    /// Mean learned Fitzpatrick estimate.
    pub mean_estimated_type: Option<f64>,
    /// Mean |ITA° − target|.
    pub ita_error_mean: Option<f64>,
    /// Mean signed (ITA° − target): positive when lighter than asked.
    pub ita_bias_mean: Option<f64>,
    /// Photo classifier top-1 unchanged.
    pub photo_top1_kept: Option<f64>,
}

/// Fréchet distances to real Fitzpatrick V–VI photos of the split.
#[derive(Debug, Clone, Serialize)]
pub struct Realism {
    /// Feature extractor.
    pub features: String,
    /// Real V–VI photos.
    pub real_n: usize,
    /// Sources rendered (Fitzpatrick17k photos labelled I–IV), each at V and VI.
    pub rendered_sources: usize,
    /// Generator renderings at V and VI.
    pub generator: Option<f64>,
    /// Re-toned to V and VI.
    pub retoning: Option<f64>,
    /// The same source photos untouched.
    pub untouched: Option<f64>,
    /// How to read the figures.
    pub note: String,
}

/// Radially averaged log10 power spectra of skin patches.
#[derive(Debug, Clone, Serialize)]
pub struct Artefacts {
    /// Patch side in pixels (at the generator's size).
    pub patch: u32,
    /// One entry per image set.
    pub sets: Vec<SpectrumFigures>,
}

/// The spectrum statistics of one set of skin patches.
#[derive(Debug, Clone, Serialize)]
pub struct SpectrumFigures {
    /// `real V-VI`, `generator`, `retoning` or `untouched`.
    pub set: String,
    /// Patches (images with a 32 px window that is ≥ 90 % healthy skin).
    pub patches: usize,
    /// Mean share of power above a quarter of the sampling rate.
    pub high_frequency_share: Option<f64>,
    /// Mean log10 power per radial bin (1..23 cycles per patch).
    pub mean_log_power: Vec<f64>,
    /// Root-mean-square difference of `mean_log_power` from real V–VI skin's.
    pub distance_to_real: Option<f64>,
}

/// The acceptance targets.
#[derive(Debug, Clone, Serialize)]
pub struct Targets {
    /// Tone group hit ≥ 90 % (learned estimator).
    pub tone_hit_90: bool,
    /// Photo classifier top-1 kept ≥ 95 %.
    pub diagnosis_kept_95: bool,
    /// Generator's Fréchet distance below the re-toning's.
    pub beats_retoning: bool,
}
