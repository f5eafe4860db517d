//! Shipping a trained dermoscopy classifier: quantise to int8, fit the calibration temperature
//! and choose the malignancy operating point on val (with the int8 network, as shipped), install
//! it in the manifest, then measure the installed files exactly as `dermtone eval` does and write
//! the model cards and report charts from those measurements.

use std::path::Path;

use burn::module::Module;
use burn::prelude::*;
use dermtone_engine::{Calibration, ModelEntry, OperatingPoint};
use serde_json::json;

use crate::datasets::ham10000::{CLASSES, labels};
use crate::dermoscopy::eval::{Evaluated, MALIGNANT_CODES, evaluate_shipped};
use crate::dermoscopy::train::{TrainOptions, TrainReport};
use crate::evaluation::metrics::classification_metrics;
use crate::evaluation::{
    ECE_BINS, EvalReport, expected_calibration_error, fit_temperature, malignant_scores,
    report_files, threshold_for_sensitivity,
};
use crate::export::{
    Quantised, calibration_card, install_model, int8_entry, manifest_entry, quantise, weights_card,
};
use crate::fit::predict::{predict, predict_calibrated};

/// Malignant sensitivity the operating point is chosen to reach on val.
pub const TARGET_SENSITIVITY: f64 = 0.95;

/// Headline figures of an export.
pub struct DermoscopyExport {
    /// Written weight file.
    pub weights_file: String,
    /// int8 weight bytes.
    pub int8_bytes: usize,
    /// f32 weight bytes before quantisation.
    pub f32_bytes: usize,
    /// Test report of the installed model.
    pub test: EvalReport,
    /// Val report of the installed model.
    pub val: EvalReport,
    /// Test accuracy of the f32 weights (same temperature), for the quantisation gap.
    pub test_accuracy_f32: f64,
}

/// Quantises, calibrates, installs and measures model `id` in `out_dir` (its manifest updated).
pub fn export_dermoscopy(
    report: &TrainReport,
    options: &TrainOptions,
    id: &str,
    command: &str,
    out_dir: &Path,
) -> Result<DermoscopyExport, String> {
    let Quantised {
        int8_bytes,
        int8_model,
        f32_model,
    } = quantise(&report.config, &report.best_record)?;

    let val_labels = &report.val_split.labels;
    let val_raw = predict(&int8_model, &report.val_split.images, &report.input)?;
    let log_probabilities: Vec<Vec<f32>> = val_raw
        .iter()
        .map(|row| row.iter().map(|p| p.max(1e-12).ln()).collect())
        .collect();
    let temperature = fit_temperature(&log_probabilities, val_labels);
    let val_calibrated = predict_calibrated(
        &int8_model,
        &report.val_split.images,
        &report.input,
        temperature,
    )?;
    let malignant: Vec<usize> = MALIGNANT_CODES
        .iter()
        .filter_map(|code| CLASSES.iter().position(|(c, _)| c == code))
        .collect();
    let positives: Vec<bool> = val_labels.iter().map(|l| malignant.contains(l)).collect();
    let threshold = threshold_for_sensitivity(
        &malignant_scores(&val_calibrated, &malignant),
        &positives,
        TARGET_SENSITIVITY,
    )
    .ok_or("the val split has no malignant images to choose an operating point on")?;

    let mut entry = int8_entry(
        id,
        "dermoscopy",
        &int8_bytes,
        &report.config,
        &report.input,
        labels(),
    );
    entry.calibration = Some(Calibration { temperature });
    entry.operating_point = Some(OperatingPoint {
        classes: MALIGNANT_CODES.map(String::from).to_vec(),
        threshold,
        target_sensitivity: TARGET_SENSITIVITY,
    });
    // Install first, so what is measured below is the installed file, loaded as the app loads it.
    install_model(out_dir, entry.clone(), &int8_bytes, &json!({}), "", true)?;
    let test = evaluate_shipped(&options.data, "test", out_dir, options.limit)?;
    let val = evaluate_shipped(&options.data, "val", out_dir, options.limit)?;

    let test_f32 = predict_calibrated(
        &f32_model,
        &report.test_split.images,
        &report.input,
        temperature,
    )?;
    let test_accuracy_f32 =
        classification_metrics(&test_f32, &report.test_split.labels, CLASSES.len()).accuracy;
    let gap_points = 100.0 * (test.report.accuracy - test_accuracy_f32);
    let targets = target_rows(int8_bytes.len(), gap_points, &test.report);
    let continued = options
        .continue_from
        .as_deref()
        .map(|dir| manifest_entry(dir, "dermoscopy"))
        .transpose()?
        .map(|started| json!({ "id": started.id, "sha256": started.sha256 }));
    let mut card = json!({
        "id": id,
        "task": "dermoscopy",
        "status": status(&targets),
        "intended_use": "Screening aid for dermoscopic photos of skin lesions (phone dermatoscope or clinic dermatoscope). Not a diagnosis: a flagged result means 'see a clinician', and an unflagged result is not an all-clear.",
        "data": {
            "name": "HAM10000 (Tschandl, Rosendahl, Kittler, Sci Data 5:180161, 2018)",
            "licence": "CC BY-NC 4.0 (non-commercial); these weights are derived from it and carry the same terms",
            "split": "lesion-level split.csv from ../shared/data/ham10000 (half of its test lesions withheld for independent evaluation)",
            "skin_tone": "no tone labels; by ITA on the skin around the lesion almost every image is light (see by_tone). Performance on darker skin is essentially unmeasured.",
            "images": { "train": report.train_count, "train_synthetic": report.train_synthetic, "val": val_labels.len(), "test": report.test_split.labels.len() },
        },
        "training": {
            "command": command,
            "seed": options.seed,
            "options": options,
            "selected_epoch": report.best_epoch,
            "selection": "highest val balanced accuracy (early stopping on it)",
            "backend": "burn 0.22.1 flex (CPU) with autodiff; no pretrained or downloaded weights",
        },
        "architecture": entry.architecture,
        "parameters": report.config.init(&Device::flex()).num_params(),
        "input": entry.input,
        "labels": entry.labels,
        "weights": weights_card(&entry, report.best_record.len()),
        "calibration": calibration_card(
            temperature,
            expected_calibration_error(&val_raw, val_labels, ECE_BINS),
            val.report.ece,
        ),
        "operating_point": {
            "classes": MALIGNANT_CODES,
            "threshold": threshold,
            "target_sensitivity": TARGET_SENSITIVITY,
            "chosen_on": "val (int8 weights, calibrated)",
        },
        "metrics": {
            "test": as_printed(&test.report)?,
            "val": as_printed(&val.report)?,
            "quantisation": {
                "test_accuracy_f32": test_accuracy_f32,
                "test_accuracy_int8": test.report.accuracy,
                "difference_points": gap_points,
            },
        },
        "known_limits": KNOWN_LIMITS,
        "disclaimer": "dermtone is a screening aid, not a diagnosis.",
    });
    if let Some(started) = continued {
        card["training"]["continued_from"] = started;
    }
    let markdown = markdown_card(&entry, &card, &test, &targets);
    install_model(out_dir, entry.clone(), &int8_bytes, &card, &markdown, true)?;
    for (name, text) in report_files(&test.report, &test.roc) {
        if let Some(chart) = name.strip_suffix(".svg") {
            let path = out_dir.join(format!("{id}.{chart}.svg"));
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    Ok(DermoscopyExport {
        weights_file: entry.file,
        int8_bytes: int8_bytes.len(),
        f32_bytes: report.best_record.len(),
        test: test.report,
        val: val.report,
        test_accuracy_f32,
    })
}

/// A report as JSON exactly as `dermtone eval --json` prints it (going through text keeps f32
/// fields at their short printed value instead of their f64 widening).
pub(crate) fn as_printed(report: &EvalReport) -> Result<serde_json::Value, String> {
    let text = serde_json::to_string(report).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// What the card says about itself: where it stands against the targets.
pub(crate) fn status(rows: &[TargetRow]) -> String {
    if rows.iter().all(|row| row.met) {
        "Meets every accuracy, calibration and size target on the test split".into()
    } else {
        let missed: Vec<&str> = rows.iter().filter(|r| !r.met).map(|r| r.target).collect();
        format!(
            "Best model trained here so far; it does not meet these targets: {}. See metrics",
            missed.join("; ")
        )
    }
}

/// One target and what the model reached.
pub(crate) struct TargetRow {
    pub target: &'static str,
    pub reached: String,
    pub met: bool,
}

/// The targets this model was built against, beside what it reached on test.
fn target_rows(int8_bytes: usize, gap_points: f64, test: &EvalReport) -> Vec<TargetRow> {
    let figure = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.3}"));
    let row = |target, reached, met| TargetRow {
        target,
        reached,
        met,
    };
    vec![
        row(
            "accuracy ≥ 0.85",
            format!("{:.3}", test.accuracy),
            test.accuracy >= 0.85,
        ),
        row(
            "balanced accuracy ≥ 0.75",
            format!("{:.3}", test.balanced_accuracy),
            test.balanced_accuracy >= 0.75,
        ),
        row(
            "macro AUROC ≥ 0.95",
            figure(test.macro_auroc),
            test.macro_auroc.is_some_and(|a| a >= 0.95),
        ),
        row(
            "melanoma sensitivity ≥ 0.90 at the app's operating point",
            format!(
                "{} (specificity {})",
                figure(test.melanoma.sensitivity),
                figure(test.melanoma.specificity)
            ),
            test.melanoma.sensitivity.is_some_and(|s| s >= 0.90),
        ),
        row(
            "ECE ≤ 0.05 after temperature scaling",
            format!(
                "{:.3} (a perfectly calibrated model by chance: {:.3})",
                test.ece, test.ece_at_chance
            ),
            test.ece <= 0.05,
        ),
        row(
            "int8 weights ≤ 1 MB",
            format!("{int8_bytes} bytes"),
            int8_bytes <= 1_000_000,
        ),
        row(
            "int8 vs f32 accuracy within 0.5 points",
            format!("{gap_points:+.2} points"),
            gap_points.abs() <= 0.5,
        ),
    ]
}

/// The target rows as a Markdown table.
pub(crate) fn targets_table(rows: &[TargetRow]) -> String {
    let mut table = String::from("| target | reached | |\n|---|---|---|\n");
    for row in rows {
        let mark = if row.met { "met" } else { "not met" };
        table.push_str(&format!("| {} | {} | {mark} |\n", row.target, row.reached));
    }
    table
}

/// Limits every reader of the card should know.
const KNOWN_LIMITS: [&str; 5] = [
    "HAM10000 holds almost no dermoscopy of dark skin: the per-tone table has no usable evidence for Fitzpatrick V-VI, and the tone groups themselves come from ITA, which a dermatoscope's light shifts.",
    "Trained and tested on one dataset (Austrian and Australian clinics); other dermatoscopes, phone attachments and populations may do worse.",
    "The operating point favours sensitivity: most flagged lesions are benign.",
    "Seven HAM10000 classes only: any other condition (including amelanotic or acral melanoma patterns rare in the data) is forced into one of them.",
    "Trained on two CPU cores without pretrained weights: accuracy is well below published ImageNet-pretrained models.",
];

/// The Markdown card: what it is, how it was made, then the test report.
fn markdown_card(
    entry: &ModelEntry,
    card: &serde_json::Value,
    test: &Evaluated,
    targets: &[TargetRow],
) -> String {
    let id = &entry.id;
    let report = report_files(&test.report, &test.roc)
        .into_iter()
        .find(|(name, _)| *name == "report.md")
        .map(|(_, text)| text)
        .unwrap_or_default();
    let report = ["confusion", "roc", "reliability"]
        .iter()
        .fold(report, |text, chart| {
            text.replace(&format!("({chart}.svg)"), &format!("({id}.{chart}.svg)"))
        });
    let limits: String = KNOWN_LIMITS.iter().map(|l| format!("- {l}\n")).collect();
    let targets = targets_table(targets);
    let quantisation = &card["metrics"]["quantisation"];
    format!(
        "# Model card: {id}\n\n\
         **A screening aid, not a diagnosis.** {status}.\n\n\
         ## Intended use\n{intended}\n\n\
         ## Data\n{data_name}. Licence: {licence}. Split: {split}.\n\n\
         Skin tone: {tone}\n\n\
         ## How it was made\n```\n{command}\n```\nSeed {seed}; epoch {epoch} selected by {selection}. \
         {kind:?} network, input {size}×{size} px, {params} parameters. {backend}.\n\n\
         ## Size\nint8 weights: {int8} bytes (f32: {f32} bytes). sha256 `{sha}`. \
         Test accuracy f32 {f32acc:.4}, int8 {int8acc:.4} ({diff:+.2} points).\n\n\
         ## Calibration and operating point (both chosen on val)\n\
         Temperature {temperature:.3} (val ECE {before:.3} before, {after:.3} after). \
         A result is flagged \"see a clinician\" when P(akiec) + P(bcc) + P(mel) ≥ {threshold:.3}, \
         the highest threshold that catches ≥ {target:.0} % of val's malignant lesions.\n\n\
         ## Against the targets (test split, int8 as shipped)\n{targets}\n\
         ## Known limits\n{limits}\n{report}",
        status = card["status"].as_str().unwrap_or_default(),
        intended = card["intended_use"].as_str().unwrap_or_default(),
        data_name = card["data"]["name"].as_str().unwrap_or_default(),
        licence = card["data"]["licence"].as_str().unwrap_or_default(),
        split = card["data"]["split"].as_str().unwrap_or_default(),
        tone = card["data"]["skin_tone"].as_str().unwrap_or_default(),
        command = card["training"]["command"].as_str().unwrap_or_default(),
        seed = card["training"]["seed"],
        epoch = card["training"]["selected_epoch"],
        selection = card["training"]["selection"].as_str().unwrap_or_default(),
        backend = card["training"]["backend"].as_str().unwrap_or_default(),
        kind = entry.architecture.kind,
        size = entry.input.size,
        params = card["parameters"],
        int8 = entry.bytes,
        f32 = card["weights"]["f32_bytes"],
        sha = entry.sha256,
        f32acc = quantisation["test_accuracy_f32"]
            .as_f64()
            .unwrap_or_default(),
        int8acc = quantisation["test_accuracy_int8"]
            .as_f64()
            .unwrap_or_default(),
        diff = quantisation["difference_points"]
            .as_f64()
            .unwrap_or_default(),
        temperature = card["calibration"]["temperature"]
            .as_f64()
            .unwrap_or_default(),
        before = card["calibration"]["val_ece_before"]
            .as_f64()
            .unwrap_or_default(),
        after = card["calibration"]["val_ece_after"]
            .as_f64()
            .unwrap_or_default(),
        threshold = card["operating_point"]["threshold"]
            .as_f64()
            .unwrap_or_default(),
        target = 100.0 * TARGET_SENSITIVITY,
    )
}
