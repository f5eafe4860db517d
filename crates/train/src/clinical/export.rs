//! Shipping a trained photo classifier: quantise to int8, fit the calibration temperature and
//! choose one malignancy threshold on val (the highest that reaches the target sensitivity in
//! every labelled Fitzpatrick group), install it as the manifest's `photo` model, measure the
//! installed files exactly as `dermtone eval` does, check for watermark shortcuts, and write the
//! model cards with the per-group evidence table the page shows.

use std::collections::BTreeMap;
use std::path::Path;

use burn::module::Module;
use burn::prelude::*;
use dermtone_engine::{Calibration, OperatingPoint};
use serde_json::{Value, json};

use crate::clinical::eval::{
    CORNER_SHARE, PHOTO_TASK, evaluate_loaded, load_clinical_for_eval, load_shipped_photo,
    mask_corners,
};
use crate::clinical::provenance::{continued_model, licence, starting_model};
use crate::clinical::taxonomy::{GROUPS, labels, malignant_codes, malignant_group_indices};
use crate::clinical::tone_groups::{TONE_GROUPS, in_tone};
use crate::clinical::train::{ClinicalTrainOptions, ClinicalTrainReport, group_metrics};
use crate::dermoscopy::eval::{Evaluated, LabelledImages};
use crate::dermoscopy::export::{TargetRow, as_printed, status, targets_table};
use crate::evaluation::{
    ECE_BINS, EvalReport, ToneEval, expected_calibration_error, fit_temperature, malignant_scores,
    report_files, threshold_for_sensitivity,
};
use crate::export::{
    Quantised, calibration_card, install_model, int8_entry, quantise, weights_card,
};
use crate::fit::predict::{predict, predict_calibrated};

/// Malignant sensitivity the operating point must reach on val in every Fitzpatrick group.
pub const TARGET_SENSITIVITY: f64 = 0.95;

/// Headline figures of an export.
pub struct ClinicalExport {
    /// Written weight file.
    pub weights_file: String,
    /// int8 weight bytes.
    pub int8_bytes: usize,
    /// Test report of the installed model.
    pub test: EvalReport,
    /// Val report of the installed model.
    pub val: EvalReport,
}

/// Quantises, calibrates, installs and measures model `id` in `out_dir` (its manifest updated).
pub fn export_clinical(
    report: &ClinicalTrainReport,
    options: &ClinicalTrainOptions,
    id: &str,
    command: &str,
    out_dir: &Path,
) -> Result<ClinicalExport, String> {
    let Quantised {
        int8_bytes,
        int8_model,
        f32_model,
    } = quantise(&report.config, &report.best_record)?;
    let val = &report.val_split;
    let val_raw = predict(&int8_model, &val.split.images, &report.input)?;
    let log_probabilities: Vec<Vec<f32>> = val_raw
        .iter()
        .map(|row| row.iter().map(|p| p.max(1e-12).ln()).collect())
        .collect();
    let temperature = fit_temperature(&log_probabilities, &val.split.labels);
    let val_calibrated =
        predict_calibrated(&int8_model, &val.split.images, &report.input, temperature)?;
    let malignant = malignant_group_indices();
    let scores = malignant_scores(&val_calibrated, &malignant);
    let positives: Vec<bool> = val
        .split
        .labels
        .iter()
        .map(|l| malignant.contains(l))
        .collect();
    // One threshold for everyone: the lowest of the per-group thresholds, so every labelled
    // group (and the whole split) reaches the target sensitivity on val.
    let threshold = (0..TONE_GROUPS.len())
        .map(|t| {
            let (s, y) = in_tone(&scores, &positives, &val.tones, t);
            threshold_for_sensitivity(&s, &y, TARGET_SENSITIVITY)
        })
        .chain([threshold_for_sensitivity(
            &scores,
            &positives,
            TARGET_SENSITIVITY,
        )])
        .flatten()
        .reduce(f32::min)
        .ok_or("the val split has no malignant images to choose an operating point on")?;

    let mut entry = int8_entry(
        id,
        PHOTO_TASK,
        &int8_bytes,
        &report.config,
        &report.input,
        labels(),
    );
    entry.calibration = Some(Calibration { temperature });
    entry.operating_point = Some(OperatingPoint {
        classes: malignant_codes(),
        threshold,
        target_sensitivity: TARGET_SENSITIVITY,
    });
    // Install first, so what is measured below is the installed file, loaded as the app loads it.
    install_model(out_dir, entry.clone(), &int8_bytes, &json!({}), "", true)?;
    let (installed_entry, installed) = load_shipped_photo(out_dir)?;
    let size = installed_entry.input.size;
    let test_images = load_clinical_for_eval(&options.data, "test", size, options.limit)?;
    let val_images = load_clinical_for_eval(&options.data, "val", size, options.limit)?;
    let test = evaluate_loaded(&installed_entry, &installed, "test", &test_images)?;
    let val_eval = evaluate_loaded(&installed_entry, &installed, "val", &val_images)?;
    let watermark = json!({
        "method": format!("each corner square ({:.0} % of the short side) filled with the image's mean colour, same model and threshold", 100.0 * CORNER_SHARE),
        "val": watermark_check(&installed_entry, &installed, "val", &val_images, &val_eval.report)?,
        "test": watermark_check(&installed_entry, &installed, "test", &test_images, &test.report)?,
    });
    let test_f32 = predict_calibrated(
        &f32_model,
        &report.test_split.split.images,
        &report.input,
        temperature,
    )?;
    let f32_accuracy = group_metrics(&test_f32, &report.test_split.split.labels).accuracy;
    let gap_points = 100.0 * (test.report.accuracy - f32_accuracy);
    let targets = target_rows(&test.report);
    let composition: BTreeMap<&str, Value> = TONE_GROUPS
        .iter()
        .chain(["unknown"].iter())
        .enumerate()
        .map(|(t, group)| {
            let (real, synthetic) = (report.train_by_tone[t], report.train_synthetic_by_tone[t]);
            (*group, json!({ "real": real, "synthetic": synthetic }))
        })
        .collect();
    let train_images: usize = report.train_by_tone.iter().sum::<usize>()
        + report.train_synthetic_by_tone.iter().sum::<usize>();
    let starting = starting_model(options)?;
    let continued = continued_model(options)?;
    let mut card = json!({
        "id": id,
        "task": PHOTO_TASK,
        "status": status(&targets),
        "intended_use": "Screening aid for plain (non-dermoscopic) photos of skin conditions taken with a phone or camera. Not a diagnosis: a flagged result means 'see a clinician', and an unflagged result is not an all-clear.",
        "data": {
            "name": "Fitzpatrick17k subset (Groh et al., CVPR Workshops 2021; CSCW 2022), 21 conditions from the DermaAmin and Atlas Dermatologico atlases",
            "licence": licence(
                starting.as_ref(),
                continued.as_ref(),
                options.shared_body.is_some(),
                options.distillation.as_ref(),
            ),
            "split": "duplicate-aware split in labels.csv from ../shared/data/fitzpatrick17k_ajl_subset (half of the test duplicate groups withheld for independent evaluation)",
            "skin_tone": "crowd-labelled Fitzpatrick types (Scale AI), noisy; types V-VI are about 10 % of the training images",
            "images": { "train": train_images, "val": val.split.labels.len(), "test": report.test_split.split.labels.len() },
            "training_composition_by_tone": composition,
        },
        "taxonomy": GROUPS.iter().map(|g| json!({
            "code": g.code, "name": g.name, "triage": g.triage.as_str(), "dataset_labels": g.labels,
        })).collect::<Vec<_>>(),
        "training": {
            "command": command,
            "initialised_from": starting,
            "seed": options.seed,
            "options": options,
            "selected_epoch": report.best_epoch,
            "selection": "highest val score = mean of the malignant AUROC over all val images and the lowest malignant AUROC among the labelled Fitzpatrick groups (early stopping on it)",
            "val_score": report.val_score,
            "backend": "burn 0.22.1 flex (CPU) with autodiff; no pretrained or downloaded weights",
        },
        "architecture": entry.architecture,
        "parameters": report.config.init(&Device::flex()).num_params(),
        "input": entry.input,
        "labels": entry.labels,
        "weights": weights_card(&entry, report.best_record.len()),
        "calibration": calibration_card(
            temperature,
            expected_calibration_error(&val_raw, &val.split.labels, ECE_BINS),
            val_eval.report.ece,
        ),
        "operating_point": {
            "classes": malignant_codes(),
            "threshold": threshold,
            "target_sensitivity": TARGET_SENSITIVITY,
            "chosen_on": "val (int8 weights, calibrated): the highest threshold reaching the target sensitivity in every labelled Fitzpatrick group and overall",
        },
        "evidence": evidence(&test.report),
        "metrics": {
            "test": as_printed(&test.report)?,
            "val": as_printed(&val_eval.report)?,
            "quantisation": {
                "test_accuracy_f32": f32_accuracy,
                "test_accuracy_int8": test.report.accuracy,
                "difference_points": gap_points,
            },
        },
        "watermark_check": watermark,
        "known_limits": KNOWN_LIMITS,
        "disclaimer": "dermtone is a screening aid, not a diagnosis.",
    });
    // Only where it applies, so the cards of runs without it regenerate unchanged.
    if let Some(continued) = continued {
        card["training"]["continued_from"] = continued;
    }
    let markdown = markdown_card(id, &card, &test, &targets);
    install_model(out_dir, entry.clone(), &int8_bytes, &card, &markdown, true)?;
    for (name, text) in report_files(&test.report, &test.roc) {
        if let Some(chart) = name.strip_suffix(".svg") {
            let path = out_dir.join(format!("{id}.{chart}.svg"));
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    Ok(ClinicalExport {
        weights_file: entry.file,
        int8_bytes: int8_bytes.len(),
        test: test.report,
        val: val_eval.report,
    })
}

/// Malignant AUROC and accuracy per labelled group with the corners masked, beside the plain
/// figures: a large drop would mean the model reads the atlas watermarks.
fn watermark_check(
    entry: &dermtone_engine::ModelEntry,
    model: &dermtone_net::Classifier,
    split: &str,
    images: &LabelledImages,
    plain: &EvalReport,
) -> Result<Value, String> {
    let masked = LabelledImages {
        resized: images.resized.iter().map(mask_corners).collect(),
        labels: images.labels.clone(),
        tone_groups: images.tone_groups.clone(),
        estimated_tone_groups: Vec::new(),
    };
    let Evaluated { report, .. } = evaluate_loaded(entry, model, split, &masked)?;
    let row = |r: &EvalReport| json!({ "accuracy": r.accuracy, "malignant_auroc": r.malignant.auroc, "malignant_sensitivity": r.malignant.sensitivity });
    let groups: BTreeMap<&str, Value> = TONE_GROUPS
        .iter()
        .map(|g| {
            let auroc = |r: &EvalReport| r.by_tone.get(*g).and_then(|t| t.malignant_auroc);
            (
                *g,
                json!({ "plain": auroc(plain), "masked": auroc(&report) }),
            )
        })
        .collect();
    Ok(json!({
        "plain": row(plain),
        "corners_masked": row(&report),
        "malignant_auroc_by_group": groups,
    }))
}

/// The per-group table the page shows as "how well this model has been checked on skin like
/// yours": labelled Fitzpatrick groups and types of the test split.
fn evidence(test: &EvalReport) -> Value {
    let row = |t: &ToneEval| {
        json!({
            "n": t.n,
            "auroc": t.malignant_auroc,
            "sensitivity": t.malignant_sensitivity,
            "specificity": t.malignant_specificity,
            "ece": t.ece,
            "ci95": t.ci95,
            "low_evidence": t.low_evidence,
        })
    };
    let groups: BTreeMap<&String, Value> = test.by_tone.iter().map(|(g, t)| (g, row(t))).collect();
    json!({
        "source": "test split, real photos only, labelled Fitzpatrick types; int8 weights as shipped",
        "groups": groups,
    })
}

/// The issue's targets beside what the model reached on test.
fn target_rows(test: &EvalReport) -> Vec<TargetRow> {
    let group = |g: &str| test.by_tone.get(g);
    let auroc = |g: &str| group(g).and_then(|t| t.malignant_auroc);
    let figure = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.3}"));
    let per_group = |f: &dyn Fn(&ToneEval) -> Option<f64>| {
        TONE_GROUPS
            .iter()
            .map(|g| format!("{g} {}", figure(group(g).and_then(f))))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all = |f: &dyn Fn(&ToneEval) -> bool| TONE_GROUPS.iter().all(|g| group(g).is_some_and(f));
    let gap = auroc("I-II").zip(auroc("V-VI")).map(|(a, b)| a - b);
    vec![
        TargetRow {
            target: "malignant AUROC ≥ 0.90 in every Fitzpatrick group",
            reached: per_group(&|t| t.malignant_auroc),
            met: all(&|t| t.malignant_auroc.is_some_and(|a| a >= 0.90)),
        },
        TargetRow {
            target: "V-VI malignant AUROC within 0.03 of I-II",
            reached: gap.map_or("–".into(), |g| format!("I-II minus V-VI = {g:+.3}")),
            met: gap.is_some_and(|g| g <= 0.03),
        },
        TargetRow {
            target: "malignant sensitivity ≥ 0.95 in every group at the val-chosen threshold",
            reached: format!(
                "{} (specificity {})",
                per_group(&|t| t.malignant_sensitivity),
                per_group(&|t| t.malignant_specificity)
            ),
            met: all(&|t| t.malignant_sensitivity.is_some_and(|s| s >= 0.95)),
        },
        TargetRow {
            target: "ECE ≤ 0.05 in every group after calibration",
            reached: format!(
                "{} (a perfectly calibrated model by chance: {})",
                per_group(&|t| Some(t.ece)),
                per_group(&|t| Some(t.ece_at_chance))
            ),
            met: all(&|t| t.ece <= 0.05),
        },
    ]
}

/// Limits every reader of the card should know.
const KNOWN_LIMITS: [&str; 6] = [
    "Types V-VI are about 10 % of the training photos and 40 of the test photos: every figure for dark skin has a wide interval (see the evidence table), and single types V and VI are low-evidence groups.",
    "Fitzpatrick types are crowd labels and some are visibly wrong; the app's own tone estimate from a photo is weaker still (compare by_tone with by_estimated_tone).",
    "Atlas photos, not phone photos: framing, lighting and resolution differ from a patient's phone camera, and some atlas images carry watermarks (see watermark_check).",
    "Twelve condition groups only: any other condition (e.g. a common mole, psoriasis, a wart) is forced into one of them.",
    "The operating point favours sensitivity: many flagged photos are not malignant.",
    "Trained on two CPU cores at low resolution without pretrained weights: accuracy is well below published ImageNet-pretrained models.",
];

/// The Markdown card: what it is, how it was made, the evidence table, then the test report.
fn markdown_card(id: &str, card: &Value, test: &Evaluated, targets: &[TargetRow]) -> String {
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
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let number = |v: &Value| v.as_f64().unwrap_or_default();
    let limits: String = KNOWN_LIMITS.iter().map(|l| format!("- {l}\n")).collect();
    let taxonomy: String = GROUPS
        .iter()
        .map(|g| {
            format!(
                "| {} | {} | {} |\n",
                g.code,
                g.triage.as_str(),
                g.labels.join(", ")
            )
        })
        .collect();
    let by_tone = card["data"]["training_composition_by_tone"].as_object();
    let composition: String = by_tone
        .map(|groups| {
            groups
                .iter()
                .map(|(g, c)| format!("| {g} | {} | {} |\n", c["real"], c["synthetic"]))
                .collect()
        })
        .unwrap_or_default();
    let composition_note = if by_tone
        .is_some_and(|groups| groups.values().any(|c| c["synthetic"].as_u64() > Some(0)))
    {
        "stamped synthetic images counted apart; val and test are all real"
    } else {
        "all real; no synthetic images"
    };
    let watermark = &card["watermark_check"];
    let watermark_rows: String = ["val", "test"]
        .iter()
        .map(|split| {
            let w = &watermark[*split];
            format!(
                "| {split} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
                number(&w["plain"]["accuracy"]),
                number(&w["corners_masked"]["accuracy"]),
                number(&w["plain"]["malignant_auroc"]),
                number(&w["corners_masked"]["malignant_auroc"]),
            )
        })
        .collect();
    format!(
        "# Model card: {id}\n\n\
         **A screening aid, not a diagnosis.** {status}.\n\n\
         ## Intended use\n{intended}\n\n\
         ## Data\n{data_name}. Licence: {licence}. Split: {split}.\n\n\
         Skin tone: {tone}.\n\n\
         Training composition ({composition_note}):\n\n\
         | Fitzpatrick | real | synthetic |\n|---|---:|---:|\n{composition}\n\
         ## Taxonomy\nTwelve condition groups, each inside one triage class; the malignancy \
         score is the sum of the malignant groups' probabilities.\n\n\
         | group | triage | dataset labels |\n|---|---|---|\n{taxonomy}\n\
         ## How it was made\n```\n{command}\n```\nSeed {seed}; epoch {epoch} selected by {selection}. \
         Mobile network, input {size}×{size} px, {params} parameters. {backend}.\n\n\
         ## Size\nint8 weights: {int8} bytes. sha256 `{sha}`. Test accuracy f32 {f32acc:.4}, \
         int8 {int8acc:.4}.\n\n\
         ## Calibration and operating point (both chosen on val)\n\
         Temperature {temperature:.3} (val ECE {before:.3} before, {after:.3} after). A result is \
         flagged \"see a clinician\" when the malignant groups' summed probability is ≥ \
         {threshold:.3}, the highest threshold that catches ≥ {target:.0} % of val's malignant \
         photos in every labelled Fitzpatrick group.\n\n\
         ## Against the targets (test split, int8 as shipped)\n{targets}\n\
         ## Watermark shortcut check\nMethod: {wm_method}. If the model relied on corner watermarks, \
         masking them would cost it accuracy and AUROC.\n\n\
         | split | accuracy | accuracy, corners masked | malignant AUROC | malignant AUROC, corners masked |\n\
         |---|---:|---:|---:|---:|\n{watermark_rows}\n\
         ## Known limits\n{limits}\n{report}",
        status = text(&card["status"]),
        intended = text(&card["intended_use"]),
        data_name = text(&card["data"]["name"]),
        licence = text(&card["data"]["licence"]),
        split = text(&card["data"]["split"]),
        tone = text(&card["data"]["skin_tone"]),
        command = text(&card["training"]["command"]),
        seed = card["training"]["seed"],
        epoch = card["training"]["selected_epoch"],
        selection = text(&card["training"]["selection"]),
        backend = text(&card["training"]["backend"]),
        size = card["input"]["size"],
        params = card["parameters"],
        int8 = card["weights"]["int8_bytes"],
        sha = text(&card["weights"]["sha256"]),
        f32acc = number(&card["metrics"]["quantisation"]["test_accuracy_f32"]),
        int8acc = number(&card["metrics"]["quantisation"]["test_accuracy_int8"]),
        temperature = number(&card["calibration"]["temperature"]),
        before = number(&card["calibration"]["val_ece_before"]),
        after = number(&card["calibration"]["val_ece_after"]),
        threshold = number(&card["operating_point"]["threshold"]),
        target = 100.0 * TARGET_SENSITIVITY,
        targets = targets_table(targets),
        wm_method = text(&watermark["method"]),
    )
}
