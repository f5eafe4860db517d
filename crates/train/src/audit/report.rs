//! The audit report: plain data, serialised as the stable `dermtone audit --json` interface
//! (fields are added over time, never renamed).

use dermtone_engine::Provenance;
use serde::Serialize;

use super::counts::{ToneCounts, TypeCounts};
use crate::tone::agreement::Agreement;

/// Everything an audit found.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// The path audited, as given.
    pub dataset: String,
    /// `ham10000`, `fitzpatrick17k_subset`, `fitzpatrick17k_metadata` or `image_folder`.
    pub layout: &'static str,
    /// How tones were estimated; `null` when the layout has no images.
    pub estimator: Option<Estimator>,
    /// How many images there were and what became of them.
    pub images: ImageCounts,
    /// Unreadable images.
    pub errors: Vec<ImageError>,
    /// Estimated tones of all real images.
    pub overall: ToneCounts,
    /// Estimated tones of the real images per class, in class order.
    pub by_class: Vec<ClassTones>,
    /// Estimated tones of the real images per split (empty without splits).
    pub by_split: Vec<SplitTones>,
    /// ITA° histograms of the real images.
    pub tone_histogram: ItaHistogram,
    /// Stamped synthetic images, never part of the figures above.
    pub synthetic: SyntheticReport,
    /// The dataset's own Fitzpatrick labels, where it has them.
    pub labelled: Option<Labelled>,
    /// Agreement of the estimate with those labels (layouts with images and labels).
    pub agreement: Option<AgreementReport>,
    /// One entry per real image.
    pub per_image: Vec<ImageTone>,
}

/// The tone estimator behind the figures.
#[derive(Debug, Clone, Serialize)]
pub struct Estimator {
    /// What is measured.
    pub method: &'static str,
    /// How ITA° becomes a Fitzpatrick type.
    pub fitzpatrick_from_ita: &'static str,
    /// Photos with a longer short side are shrunk to this before estimating.
    pub short_side: u32,
    /// Images estimated with a hand-drawn lesion mask excluded, and with the automatic one.
    pub lesion_masks: LesionMasks,
}

/// Which lesion mask the healthy-skin pixels were taken around.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LesionMasks {
    /// The dataset's hand-drawn mask.
    pub hand: usize,
    /// The automatic segmentation.
    pub automatic: usize,
}

/// Image totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImageCounts {
    /// Images the dataset lists (or the folder holds).
    pub listed: usize,
    /// Readable real photos.
    pub real: usize,
    /// Readable stamped synthetic images.
    pub synthetic: usize,
    /// Unreadable files.
    pub errors: usize,
    /// Real photos with a tone estimate.
    pub tone_known: usize,
    /// Real photos without one: too little visible skin, or a colour cast.
    pub tone_unknown: usize,
    /// Of those, photos whose skin looked blue (a cold light source such as a dermoscope's).
    pub colour_cast: usize,
}

/// An unreadable image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageError {
    /// Path relative to the dataset.
    pub path: String,
    /// Why.
    pub message: String,
}

/// Tones of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassTones {
    /// Class code.
    pub class: String,
    /// Readable class name, where the dataset has one.
    pub name: Option<String>,
    /// The tallies.
    #[serde(flatten)]
    pub tones: ToneCounts,
}

/// Tones of one split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitTones {
    /// `train`, `val`, `test` …
    pub split: String,
    /// The tallies.
    #[serde(flatten)]
    pub tones: ToneCounts,
}

/// ITA° histograms: `counts[i]` covers `[from + i·bin_width, from + (i+1)·bin_width)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItaHistogram {
    /// Lower edge of the first bin (degrees).
    pub from: f64,
    /// Upper edge of the last bin (degrees).
    pub to: f64,
    /// Width of a bin (degrees).
    pub bin_width: f64,
    /// All real images.
    pub all: Vec<usize>,
    /// Per class, in class order.
    pub by_class: Vec<ClassHistogram>,
}

/// One class's ITA° histogram.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassHistogram {
    /// Class code.
    pub class: String,
    /// Images per bin.
    pub counts: Vec<usize>,
}

/// The stamped synthetic images, counted apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyntheticReport {
    /// How many.
    pub n: usize,
    /// Their estimated tones per class.
    pub by_class: Vec<ClassTones>,
    /// Each one, with its provenance.
    pub images: Vec<SyntheticImage>,
}

/// One synthetic image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyntheticImage {
    /// Its tone estimate.
    #[serde(flatten)]
    pub image: ImageTone,
    /// What its PNG chunks say.
    pub provenance: Provenance,
}

/// One image's tone estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageTone {
    /// Path relative to the dataset.
    pub path: String,
    /// Class code.
    pub class: String,
    /// Split, where the dataset has one.
    pub split: Option<String>,
    /// Labelled Fitzpatrick type, where the dataset has one.
    pub label: Option<u8>,
    /// Median ITA° of the healthy skin.
    pub ita: Option<f64>,
    /// Chardon category of that ITA.
    pub ita_category: Option<&'static str>,
    /// Fitzpatrick type 1–6 from ITA.
    pub fitzpatrick: Option<u8>,
    /// Monk swatch 1–10.
    pub monk: Option<u8>,
    /// `unknown`, `low`, `medium` or `high`.
    pub confidence: &'static str,
    /// Healthy skin's share of the image.
    pub skin_fraction: f64,
    /// Interquartile range of the skin's ITA° (degrees).
    pub ita_iqr: Option<f64>,
    /// The skin looked blue (a cold light source): tone unknown rather than "very light".
    pub colour_cast: bool,
    /// `hand` or `automatic`.
    pub lesion_mask: &'static str,
}

/// The dataset's labelled Fitzpatrick types.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Labelled {
    /// Which column the labels come from.
    pub source: &'static str,
    /// All rows.
    pub overall: TypeCounts,
    /// Per class (condition), in class order.
    pub by_class: Vec<LabelledGroup>,
    /// Per three-partition label (`benign`, `malignant`, `non-neoplastic`).
    pub by_partition: Vec<LabelledGroup>,
    /// Per split (empty without splits).
    pub by_split: Vec<LabelledGroup>,
}

/// Labelled types of one class, partition or split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelledGroup {
    /// The class, partition or split.
    pub group: String,
    /// The tallies.
    #[serde(flatten)]
    pub types: TypeCounts,
}

/// The estimate against the labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementReport {
    /// The labels compared against.
    pub label: &'static str,
    /// The estimate compared.
    pub estimate: &'static str,
    /// All labelled real images.
    pub overall: SplitAgreement,
    /// Per split.
    pub by_split: Vec<SplitAgreement>,
}

/// Agreement over one split (`all` for the whole dataset).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitAgreement {
    /// Split name, or `all`.
    pub split: String,
    /// Exact, within-one, Spearman and the confusion matrix.
    #[serde(flatten)]
    pub agreement: Agreement,
    /// Spearman correlation of the label with ITA° itself (negative when lighter labels have
    /// higher ITA, as they should).
    pub spearman_ita: Option<f64>,
}
