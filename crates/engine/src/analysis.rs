//! The result of one analysis: plain data, serialised as the public JSON of
//! `dermtone analyze --json` and handed to the page as a JS object. Extend, never rename.

use serde::Serialize;

/// Everything the CLI prints and the page draws for one photo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Which burn backend ran the networks (`cpu` or `webgpu`/`wgpu`).
    pub backend: String,
    /// Why that backend ran (and, after a fallback, why the other one did not).
    pub backend_reason: String,
    /// Capture mode the classifier was trained for (`photo` or `dermoscopy`).
    pub mode: String,
    /// The model that produced this result.
    pub model: ModelRef,
    /// Is the photo good enough to analyse? When not, `classes` is empty: retake first.
    pub quality: Quality,
    /// Estimated skin tone of the healthy skin around the lesion; `None` when the photo failed
    /// its quality check.
    pub tone: Option<crate::ToneReport>,
    /// Every class with its probability, most likely first; probabilities sum to 1.
    /// Empty when the photo failed its quality check.
    pub classes: Vec<ClassProbability>,
    /// Where in the photo the model looked for its most likely class: a coarse map to draw over
    /// the photo, never a diagnosis. `None` when the photo failed its quality check.
    pub heatmap: Option<crate::Heatmap>,
    /// The lesion's asymmetry, border, colours and share of the frame, for comparing photos of
    /// one mark over time (`dermtone compare`). `None` when the photo failed its quality check
    /// or no lesion was outlined.
    pub lesion: Option<crate::LesionMeasures>,
    /// Summed probability of the malignant classes against the model's operating point; `None`
    /// when the photo failed its quality check or the model card sets no operating point.
    pub malignancy: Option<Malignancy>,
    /// The photo re-rendered at Fitzpatrick I–VI by the generator and classified again, each
    /// beside the model card's evidence on real photos of that type. Every rendering is
    /// synthetic. Empty without a generator, after a failed quality check, or when the photo's
    /// own tone cannot be told.
    pub per_tone: Vec<crate::ToneResult>,
    /// Whether the screening decision is the same at every tone; `Some(false)` means the result
    /// depends on skin tone, so show a clinician. `None` without per-tone results.
    pub consistent: Option<bool>,
    /// What to do next (low concern / show a clinician / see a clinician soon) and why; `None`
    /// without a screening decision.
    pub triage: Option<crate::Triage>,
    /// Always shown with results: this is a screening aid, not a diagnosis.
    pub disclaimer: &'static str,
}

/// The device an engine runs on, as reported to people: its name and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackendInfo {
    /// `cpu`, `wgpu` or `webgpu`.
    pub name: String,
    /// Why it was chosen, e.g. "WebGPU is not available (…); using the CPU".
    pub reason: String,
}

impl BackendInfo {
    /// Whether the device is the CPU, where the engine runs the direct kernels of
    /// `dermtone_kernels` instead of burn for the networks that have them.
    pub fn is_cpu(&self) -> bool {
        self.name == "cpu"
    }
}

/// The photo-quality verdict shown before any result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quality {
    /// No reason to retake the photo.
    pub ok: bool,
    /// Reasons to retake it, each with a stable code and advice in plain words.
    pub problems: Vec<QualityProblem>,
}

/// One reason to retake a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualityProblem {
    /// Stable code: `too_small`, `blurry`, `too_dark`, `too_bright`, `lesion_not_framed`, `no_skin`.
    pub code: &'static str,
    /// Advice for the person taking the photo.
    pub message: &'static str,
}

impl From<dermtone_color::QualityReport> for Quality {
    fn from(report: dermtone_color::QualityReport) -> Self {
        Self {
            ok: report.ok,
            problems: report
                .problems
                .iter()
                .map(|p| QualityProblem {
                    code: p.code(),
                    message: p.message(),
                })
                .collect(),
        }
    }
}

/// Which model file produced a result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelRef {
    /// Model id from the manifest.
    pub id: String,
    /// sha256 of the weight file that was verified and loaded.
    pub sha256: String,
}

/// One class and the model's probability for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassProbability {
    /// Short dataset code, e.g. `mel`.
    pub code: String,
    /// Plain-language name.
    pub name: String,
    /// Softmax probability, calibrated by the model card's temperature where it has one.
    pub probability: f32,
}

/// The screening decision: is this result above the threshold at which the app says "see a
/// clinician"? The threshold was chosen on val for high sensitivity, so many flagged results
/// are benign; an unflagged result is not an all-clear.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Malignancy {
    /// Label codes whose probabilities are summed.
    pub classes: Vec<String>,
    /// Their summed calibrated probability.
    pub probability: f32,
    /// The operating point from the model card.
    pub threshold: f32,
    /// `probability >= threshold`: advise seeing a clinician.
    pub flagged: bool,
}

/// The wording every result carries.
pub const DISCLAIMER: &str = "dermtone is a screening aid, not a diagnosis. If a mark is new, changing, bleeding, itchy or worries you, see a clinician.";
