//! Writing the learned tone estimator into `models/`, with the ITA rule measured on the same
//! images beside it. It enters the manifest (and so the engine) only when it agrees with the
//! labels better than ITA on val; either way both are reported in its card.

use std::path::Path;

use burn::module::Module;
use burn::prelude::*;
use dermtone_engine::Label;
use serde_json::json;

use crate::export::{Quantised, install_model, int8_entry, quantise};
use crate::tone::agreement::Agreement;
use crate::tone::estimator::{
    ToneTrainOptions, ToneTrainReport, evaluate_estimator, ita_agreement,
};

/// Headline figures of an exported estimator.
pub struct ToneExportSummary {
    /// Written weight file.
    pub weights_file: String,
    /// int8 weight bytes.
    pub int8_bytes: usize,
    /// Learned estimator (int8, as shipped) on val and test.
    pub val_int8: Agreement,
    /// Learned estimator on test.
    pub test_int8: Agreement,
    /// Learned estimator with f32 weights on test (the quantisation gap).
    pub test_f32: Agreement,
    /// ITA rule on val.
    pub val_ita: Agreement,
    /// ITA rule on test.
    pub test_ita: Agreement,
    /// Whether it went into the manifest (better than ITA on val).
    pub shipped: bool,
}

/// The six output labels, Fitzpatrick I–VI.
pub fn tone_labels() -> Vec<Label> {
    ["I", "II", "III", "IV", "V", "VI"]
        .iter()
        .enumerate()
        .map(|(i, roman)| Label {
            code: (i + 1).to_string(),
            name: format!("Fitzpatrick {roman}"),
        })
        .collect()
}

/// Quantises, evaluates against ITA, and writes estimator `id` into `out_dir`.
pub fn export_tone_estimator(
    report: &ToneTrainReport,
    options: &ToneTrainOptions,
    id: &str,
    command: &str,
    out_dir: &Path,
) -> Result<ToneExportSummary, String> {
    let Quantised {
        int8_bytes,
        int8_model,
        f32_model,
    } = quantise(&report.config, &report.best_record)?;
    let val_int8 = evaluate_estimator(&int8_model, &report.val.split, &report.input)?;
    let test_int8 = evaluate_estimator(&int8_model, &report.test.split, &report.input)?;
    let test_f32 = evaluate_estimator(&f32_model, &report.test.split, &report.input)?;
    let val_ita = ita_agreement(&options.data, &report.val.records)?;
    let test_ita = ita_agreement(&options.data, &report.test.records)?;
    // Within ±1 alone is easy to game (always answering type 2 is within one of most labels),
    // so the estimator must also rank the types better than ITA does.
    let shipped = val_int8.within_one > val_ita.within_one && val_int8.spearman > val_ita.spearman;

    let entry = int8_entry(
        id,
        "tone",
        &int8_bytes,
        &report.config,
        &report.input,
        tone_labels(),
    );
    let (file, sha256) = (entry.file.clone(), entry.sha256.clone());
    let card = json!({
        "id": id,
        "task": "tone",
        "status": if shipped {
            "Shipped: agrees with the labelled Fitzpatrick types better than the ITA rule on val"
        } else {
            "Not shipped: the ITA rule agreed with the labels at least as well on val"
        },
        "intended_use": "Estimates the Fitzpatrick skin type of a clinical photo, to show which tone's evidence applies. Not a medical measurement.",
        "data": {
            "name": "Fitzpatrick17k subset (Groh et al., CVPR Workshops 2021; CSCW 2022), AJL/Kaggle 2025 subset",
            "licence": "CC BY-NC-SA 3.0 (non-commercial, share-alike); these weights are derived from it and carry the same terms",
            "labels": "Scale AI crowd Fitzpatrick labels, noisy; images with unknown type (-1) left out",
            "split": "duplicate-aware split from labels.csv (half of its test groups withheld for independent evaluation)",
            "images": { "train": report.train_count, "val": report.val.records.len(), "test": report.test.records.len() },
        },
        "training": {
            "command": command,
            "seed": options.seed,
            "options": options,
            "selected_epoch": report.best_epoch,
            "selection": "highest val within-one agreement + 0.1 x exact agreement",
            "backend": "burn 0.22.1 flex (CPU) with autodiff",
        },
        "architecture": entry.architecture,
        "parameters": report.config.init(&Device::flex()).num_params(),
        "input": entry.input,
        "labels": entry.labels,
        "weights": { "format": entry.format, "int8_bytes": int8_bytes.len(), "f32_bytes": report.best_record.len(), "sha256": sha256 },
        "metrics": {
            "val_int8": val_int8, "test_int8": test_int8, "test_f32": test_f32,
            "val_ita_rule": val_ita, "test_ita_rule": test_ita,
            "test_within_one_by_type": {
                "learned_int8": test_int8.confusion.within_one_by_label(),
                "ita_rule": test_ita.confusion.within_one_by_label(),
                "n_learned": test_int8.confusion.matrix.map(|r| r.iter().sum::<usize>()),
            },
            "test_best_constant_within_one": test_int8.confusion.best_constant_within_one()
                .map(|(answer, share)| json!({ "answer": answer, "within_one": share })),
        },
    });
    let markdown = markdown_card(
        id,
        &card,
        &[
            ("learned, int8 (as shipped)", &test_int8),
            ("learned, f32", &test_f32),
            ("ITA rule (Groh cut-offs)", &test_ita),
        ],
    ) + &per_type_table(&test_int8, &test_ita);
    install_model(out_dir, entry, &int8_bytes, &card, &markdown, shipped)?;
    Ok(ToneExportSummary {
        weights_file: file,
        int8_bytes: int8_bytes.len(),
        val_int8,
        test_int8,
        test_f32,
        val_ita,
        test_ita,
        shipped,
    })
}

/// Within-±1 agreement per labelled type on test, and the floor a constant answer reaches.
fn per_type_table(learned: &Agreement, ita: &Agreement) -> String {
    const ROMAN: [&str; 6] = ["I", "II", "III", "IV", "V", "VI"];
    let figure = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.2}"));
    let (l, i) = (
        learned.confusion.within_one_by_label(),
        ita.confusion.within_one_by_label(),
    );
    let rows: String = (0..6)
        .map(|t| {
            let n: usize = learned.confusion.matrix[t].iter().sum();
            format!(
                "| {} | {n} | {} | {} |\n",
                ROMAN[t],
                figure(l[t]),
                figure(i[t])
            )
        })
        .collect();
    let floor =
        learned
            .confusion
            .best_constant_within_one()
            .map_or(String::new(), |(answer, share)| {
                format!(
                    "\nAlways answering type {} would already be within ±1 on {:.1} % of these \
                 images: the floor an estimator has to beat.\n",
                    ROMAN[usize::from(answer) - 1],
                    share * 100.0
                )
            });
    format!(
        "\n## Test split: within ±1 per labelled type\n\
         | labelled type | n | learned (int8) | ITA rule |\n|---|---|---|---|\n{rows}{floor}"
    )
}

fn markdown_card(id: &str, card: &serde_json::Value, rows: &[(&str, &Agreement)]) -> String {
    let figure = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.3}"));
    let table: String = rows
        .iter()
        .map(|(name, a)| {
            format!(
                "| {name} | {} | {} | {} | {} |\n",
                a.n,
                figure(a.exact),
                figure(a.within_one),
                figure(a.spearman)
            )
        })
        .collect();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    format!(
        "# Model card: {id} (skin-tone estimator)\n\n{status}.\n\n{use_}\n\n\
         ## Data\n{data}. Licence: {licence}. Labels: {labels}. Split: {split}.\n\n\
         ## How it was made\n```\n{command}\n```\nSeed {seed}; epoch {epoch} selected by {selection}. \
         {params} parameters; int8 weights {bytes} bytes.\n\n\
         ## Test split: agreement with the labelled Fitzpatrick type\n\
         | estimator | n | exact | within ±1 | Spearman |\n|---|---|---|---|---|\n{table}",
        status = text(&card["status"]),
        use_ = text(&card["intended_use"]),
        data = text(&card["data"]["name"]),
        licence = text(&card["data"]["licence"]),
        labels = text(&card["data"]["labels"]),
        split = text(&card["data"]["split"]),
        command = text(&card["training"]["command"]),
        seed = card["training"]["seed"],
        epoch = card["training"]["selected_epoch"],
        selection = text(&card["training"]["selection"]),
        params = card["parameters"],
        bytes = card["weights"]["int8_bytes"],
    )
}
