//! Evaluation of the dermoscopy classifier as pure functions over calibrated probabilities and
//! labels: ranking (AUROC, ROC curves), the malignant operating point, calibration (ECE,
//! temperature scaling), bootstrap intervals, figures per skin-tone group, and the report as
//! JSON, Markdown and SVG. Reading images and running the network happen elsewhere, so every
//! figure here can be tested by hand.

pub mod bootstrap;
pub mod calibration;
pub mod curves;
pub mod evaluate;
pub mod markdown;
pub mod metrics;
pub mod report;
pub mod svg;

pub use bootstrap::bootstrap_ci;
pub use calibration::{
    ECE_BINS, ReliabilityBin, expected_calibration_error, fit_temperature, reliability_bins,
    softmax_with_temperature,
};
pub use curves::{auroc, roc_curve, sensitivity_specificity, threshold_for_sensitivity};
pub use evaluate::{EvalInput, evaluate, malignant_scores, roc_curves};
pub use markdown::{markdown_report, report_files};
pub use report::{
    ClassEval, EvalReport, LOW_EVIDENCE_N, MalignantEval, MelanomaEval, RocCurve, ToneEval,
};
pub use svg::{confusion_svg, reliability_svg, roc_svg};
