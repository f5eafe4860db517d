//! The dermtone analysis pipeline, written once and run by both the CLI (native) and the page
//! (wasm): decode → photo quality (retake advice, stop) → skin tone (ITA rule and, where shipped,
//! the learned estimator) → resize/normalise → classify → calibrated softmax → malignancy
//! operating point (with a class activation heatmap) → per-tone renderings → triage → [`Analysis`].
//!
//! Everything here is generic over the burn [`burn::tensor::Device`] it is handed, and reads
//! results asynchronously, because synchronous reads panic in the browser on WebGPU.

mod analysis;
mod compare;
mod cost;
mod decode;
mod engine;
mod error;
mod explain;
mod grid;
mod heatmap;
mod lesion;
mod loaded;
mod manifest;
#[cfg(feature = "burn-forward")]
mod on_device;
#[cfg(not(feature = "burn-forward"))]
#[path = "cpu_only.rs"]
mod on_device;
mod per_tone;
mod prepared;
mod preprocess;
mod provenance;
mod render;
mod tone;
mod triage;

pub use analysis::{
    Analysis, BackendInfo, ClassProbability, Malignancy, ModelRef, Quality, QualityProblem,
};
pub use compare::{
    AnalysisSummary, CHANGE_NOTE, CompareError, Comparison, MeasureChange, ModelId, Probability,
    SIZE_NOTE, SavedTriage, compare,
};
pub use cost::NetworkFlops;
pub use decode::{UNSUPPORTED_FORMAT, check_image_size, decode_image, rgba_to_image};
pub use engine::{Engine, ToneRenderings, argmax};
pub use error::EngineError;
pub use grid::{TILE, tone_grid};
pub use heatmap::{HEATMAP_CAVEAT, Heatmap};
pub use lesion::LesionMeasures;
pub use manifest::{
    Architecture, Calibration, GeneratorSpec, InputSpec, Label, MANIFEST_VERSION, Manifest,
    ModelEntry, OperatingPoint, WEIGHT_FORMAT, sha256_hex,
};
#[cfg(feature = "burn-forward")]
pub use on_device::class_probabilities;
pub use per_tone::{Evidence, ToneResult, consistent, evidence_from_card};
pub use prepared::Network;
pub use preprocess::{normalise_chw, resize_for_model};
pub use provenance::{Provenance, ensure_real, read_provenance, stamp_provenance, stamped_png};
pub use render::{Rendering, ToneRenderer};
pub use tone::{
    LearnedTone, TONE_SHORT_SIDE, ToneConfidence, ToneReport, fitzpatrick_group, ita_estimate,
    tone_report, tone_view,
};
pub use triage::{SOON_PROBABILITY, Triage, TriageLevel, triage};
