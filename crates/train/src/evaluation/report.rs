//! The public JSON of `dermtone eval`: overall and per-class figures, the malignant operating
//! point the app uses, the same figures per skin-tone group (the point of the project),
//! bootstrap intervals, the confusion matrix and reliability bins, as
//! [`evaluate`](super::evaluate::evaluate) fills them. Field names are a public interface:
//! renaming one breaks readers of old reports.

use std::collections::BTreeMap;

use serde::Serialize;

use super::calibration::ReliabilityBin;

/// Tone groups with fewer images are flagged: their figures swing too much to compare.
pub const LOW_EVIDENCE_N: usize = 30;

/// One ROC curve for a chart: its name, (false-positive rate, true-positive rate) points and
/// AUROC.
pub type RocCurve = (String, Vec<(f64, f64)>, Option<f64>);

/// Everything `dermtone eval` reports about one model on one split.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// What the model does, e.g. "dermoscopy".
    pub task: String,
    /// Which model was evaluated.
    pub model: String,
    /// Which split it was evaluated on.
    pub split: String,
    /// Images evaluated.
    pub n: usize,
    /// Share of images whose top class is right.
    pub accuracy: f64,
    /// Mean recall over the classes present, so rare classes count as much as common ones.
    pub balanced_accuracy: f64,
    /// Mean one-vs-rest AUROC over the classes where it is defined.
    pub macro_auroc: Option<f64>,
    /// Expected calibration error of the top label over
    /// [`ECE_BINS`](super::calibration::ECE_BINS) bins.
    pub ece: f64,
    /// The ECE a perfectly calibrated model would show on as many images with these
    /// probabilities ([`chance_ece`](super::calibration::chance_ece)): ECE's bias on few images.
    pub ece_at_chance: f64,
    /// The temperature the probabilities were scaled with (recorded, not applied here).
    pub temperature: f32,
    /// Figures per class, keyed by class code.
    pub per_class: BTreeMap<String, ClassEval>,
    /// The malignant-vs-benign operating point the app uses.
    pub malignant: MalignantEval,
    /// How melanoma fares at that operating point.
    pub melanoma: MelanomaEval,
    /// Figures per skin-tone group, keyed by group name.
    pub by_tone: BTreeMap<String, ToneEval>,
    /// The same figures per *estimated* tone group (the `color` crate's ITA rule), where the
    /// images also carry labelled tones, so the two groupings can be compared. Absent otherwise.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_estimated_tone: BTreeMap<String, ToneEval>,
    /// 95% bootstrap intervals, keyed by figure; a figure without one is left out.
    pub ci95: BTreeMap<String, [f64; 2]>,
    /// `confusion[true][predicted]` counts, classes in network order.
    pub confusion: Vec<Vec<usize>>,
    /// Top-label reliability bins behind `ece`.
    pub reliability: Vec<ReliabilityBin>,
    /// Class codes in network order, naming the rows and columns of `confusion` for charts and
    /// tables. Not serialised: `per_class` already carries the codes.
    #[serde(skip)]
    pub class_codes: Vec<String>,
}

/// One class against the rest, with the argmax prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassEval {
    /// Images of the class.
    pub n: usize,
    /// Share of the class's images predicted as it (recall).
    pub sensitivity: Option<f64>,
    /// Share of the other images not predicted as it.
    pub specificity: Option<f64>,
    /// One-vs-rest AUROC of the class's probability.
    pub auroc: Option<f64>,
}

/// Malignant (sum of the malignant classes' probabilities) against benign, at the threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MalignantEval {
    /// Codes of the classes counted as malignant.
    pub classes: Vec<String>,
    /// Malignant images.
    pub n: usize,
    /// AUROC of the malignant score.
    pub auroc: Option<f64>,
    /// Share of malignant images at or above the threshold.
    pub sensitivity: Option<f64>,
    /// Share of benign images below it.
    pub specificity: Option<f64>,
    /// The malignant-score threshold (the operating point).
    pub threshold: f32,
}

/// Melanoma, the deadliest class, judged by the app's own rule: caught when the malignant
/// score reaches the malignant threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MelanomaEval {
    /// Melanoma images.
    pub n: usize,
    /// Share of melanoma images flagged.
    pub sensitivity: Option<f64>,
    /// Share of the other images not flagged.
    pub specificity: Option<f64>,
}

/// The headline figures within one skin-tone group, to expose gaps between groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToneEval {
    /// Images in the group.
    pub n: usize,
    /// True below [`LOW_EVIDENCE_N`] images.
    pub low_evidence: bool,
    /// Share of the group's images whose top class is right.
    pub accuracy: f64,
    /// Mean recall over the classes present in the group.
    pub balanced_accuracy: f64,
    /// AUROC of the malignant score within the group.
    pub malignant_auroc: Option<f64>,
    /// Share of the group's malignant images flagged at the threshold.
    pub malignant_sensitivity: Option<f64>,
    /// Share of the group's other images not flagged.
    pub malignant_specificity: Option<f64>,
    /// Expected calibration error within the group.
    pub ece: f64,
    /// The ECE a perfectly calibrated model would show on the group's images by chance alone:
    /// on a small group it is far above 0 (about 0.17 on 40 photos).
    pub ece_at_chance: f64,
    /// 95% bootstrap intervals of the group's figures (resampling within the group), keyed like
    /// the figures; a figure without one is left out.
    pub ci95: BTreeMap<String, [f64; 2]>,
}
