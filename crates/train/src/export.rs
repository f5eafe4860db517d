//! Writing a trained classifier into `models/`: int8 weights, the JSON card the app reads, the
//! Markdown card people read, and the manifest entry that lets the app trust the file.

use std::path::Path;

use burn::module::Module;
use burn::prelude::*;
use dermtone_engine::{Architecture, InputSpec, Label, Manifest, ModelEntry, sha256_hex};
use dermtone_net::int8;
use dermtone_net::{Classifier, ClassifierConfig};
use serde_json::json;

use crate::dermoscopy::{TrainOptions, TrainReport, evaluate};
use crate::ham10000::labels;
use crate::metrics::ClassificationMetrics;

/// Where the files went and the headline figures.
pub struct ExportSummary {
    /// Written weight file.
    pub weights_file: String,
    /// int8 weight bytes.
    pub int8_bytes: usize,
    /// f32 weight bytes before quantisation.
    pub f32_bytes: usize,
    /// Test metrics of the shipped (int8) weights.
    pub test_int8: ClassificationMetrics,
    /// Test metrics of the f32 weights, for the quantisation gap.
    pub test_f32: ClassificationMetrics,
}

/// Quantises, evaluates and writes model `id` for `task` into `out_dir`, updating its manifest.
pub fn export_classifier(
    report: &TrainReport,
    options: &TrainOptions,
    id: &str,
    command: &str,
    out_dir: &Path,
) -> Result<ExportSummary, String> {
    let Quantised {
        int8_bytes,
        int8_model,
        f32_model,
    } = quantise(&report.config, &report.best_record)?;
    let test_f32 = evaluate(&f32_model, &report.test_split, &report.input)?;
    let test_int8 = evaluate(&int8_model, &report.test_split, &report.input)?;
    let val_int8 = evaluate(&int8_model, &report.val_split, &report.input)?;

    let entry = int8_entry(
        id,
        "dermoscopy",
        &int8_bytes,
        &report.config,
        &report.input,
        labels(),
    );
    let (file, sha256) = (entry.file.clone(), entry.sha256.clone());
    let card = json!({
        "id": id,
        "task": "dermoscopy",
        "status": "First baseline. It does not yet meet the accuracy targets set for later versions",
        "intended_use": "Screening aid for dermoscopic photos of pigmented skin lesions. Not a diagnosis.",
        "data": {
            "name": "HAM10000 (Tschandl, Rosendahl, Kittler, Sci Data 5:180161, 2018)",
            "licence": "CC BY-NC 4.0 (non-commercial); these weights are derived from it and carry the same terms",
            "split": "lesion-level split.csv from ../shared/data/ham10000 (half of its test lesions withheld for independent evaluation)",
            "skin_tone": "no tone labels; almost all fair skin. Performance on darker skin is unmeasured.",
            "images": { "train": report.train_count, "val": report.val_split.labels.len(), "test": report.test_split.labels.len() },
        },
        "training": {
            "command": command,
            "seed": options.seed,
            "options": options,
            "selected_epoch": report.best_epoch,
            "selection": "highest val balanced accuracy",
            "backend": "burn 0.22.1 flex (CPU) with autodiff",
        },
        "architecture": entry.architecture,
        "parameters": report.config.init(&Device::flex()).num_params(),
        "input": entry.input,
        "labels": entry.labels,
        "weights": { "format": entry.format, "int8_bytes": int8_bytes.len(), "f32_bytes": report.best_record.len(), "sha256": sha256 },
        "metrics": { "val_int8": val_int8, "test_int8": test_int8, "test_f32": test_f32 },
        "disclaimer": "dermtone is a screening aid, not a diagnosis.",
    });
    let markdown = markdown_card(&entry, &card, &test_int8, &test_f32);
    install_model(out_dir, entry, &int8_bytes, &card, &markdown, true)?;
    Ok(ExportSummary {
        weights_file: file,
        int8_bytes: int8_bytes.len(),
        f32_bytes: report.best_record.len(),
        test_int8,
        test_f32,
    })
}

/// A trained record as shipped (int8) and as trained (f32), both ready to evaluate.
pub struct Quantised {
    /// The portable int8 weight file.
    pub int8_bytes: Vec<u8>,
    /// The network loaded from those bytes, exactly as the app will run it.
    pub int8_model: Classifier,
    /// The network with its f32 weights, for the quantisation gap.
    pub f32_model: Classifier,
}

/// Quantises an f32 record to int8 and loads both versions on the CPU.
pub fn quantise(config: &ClassifierConfig, record: &[u8]) -> Result<Quantised, String> {
    let int8_bytes = int8::quantize(record).map_err(|e| e.to_string())?;
    let int8_model = dermtone_net::load_classifier(config, &int8_bytes, &Device::flex())
        .map_err(|e| e.to_string())?;
    let f32_model = crate::fit::load_record(config, record)?;
    Ok(Quantised {
        int8_bytes,
        int8_model,
        f32_model,
    })
}

/// The manifest entry of int8 weights `int8_bytes` for model `id`, with its file names.
pub fn int8_entry(
    id: &str,
    task: &str,
    int8_bytes: &[u8],
    config: &ClassifierConfig,
    input: &InputSpec,
    labels: Vec<Label>,
) -> ModelEntry {
    ModelEntry {
        id: id.into(),
        task: task.into(),
        file: format!("{id}.int8.bpk"),
        bytes: int8_bytes.len() as u64,
        sha256: sha256_hex(int8_bytes),
        format: "int8-per-slice-v1".into(),
        architecture: Architecture {
            num_classes: config.num_classes,
            base_width: config.base_width,
        },
        input: input.clone(),
        labels,
        card: format!("{id}.card.json"),
        card_markdown: format!("{id}.md"),
    }
}

/// Writes a model's int8 weights and both cards into `out_dir` and, when `ship` is set, puts it
/// in the manifest in place of any model of the same task (the app loads only what is listed).
pub fn install_model(
    out_dir: &Path,
    entry: ModelEntry,
    int8_bytes: &[u8],
    card: &serde_json::Value,
    markdown: &str,
    ship: bool,
) -> Result<(), String> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = out_dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(&entry.file, int8_bytes)?;
    let card_text = serde_json::to_string_pretty(card).map_err(|e| e.to_string())?;
    write(&entry.card, card_text.as_bytes())?;
    write(&entry.card_markdown, markdown.as_bytes())?;
    if !ship {
        return Ok(());
    }
    let manifest_path = out_dir.join("manifest.json");
    let mut manifest = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => Manifest::from_json(&text).map_err(|e| e.to_string())?,
        Err(_) => Manifest {
            version: 1,
            models: Vec::new(),
        },
    };
    manifest.models.retain(|m| m.task != entry.task);
    manifest.models.push(entry);
    let manifest_text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    write("manifest.json", manifest_text.as_bytes())
}

fn markdown_card(
    entry: &ModelEntry,
    card: &serde_json::Value,
    test_int8: &ClassificationMetrics,
    test_f32: &ClassificationMetrics,
) -> String {
    let mut rows = String::new();
    for (i, label) in entry.labels.iter().enumerate() {
        let recall = test_int8.recall[i].map_or("–".into(), |r| format!("{r:.3}"));
        rows.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            label.code, label.name, test_int8.support[i], recall
        ));
    }
    format!(
        "# Model card: {id}\n\n\
         **A screening aid, not a diagnosis.** {status}.\n\n\
         ## Data\n{data_name}. Licence: {licence}. Split: {split}.\n\n\
         Skin tone: {tone}\n\n\
         ## How it was made\n```\n{command}\n```\nSeed {seed}; epoch {epoch} selected by {selection}. \
         Input {size}×{size} px. {params} parameters.\n\n\
         ## Size\nint8 weights: {int8} bytes (f32: {f32} bytes). sha256 `{sha}`.\n\n\
         ## Test split (int8 weights as shipped)\n\
         accuracy {acc:.3}, balanced accuracy {bacc:.3} on {n} images \
         (f32 weights: accuracy {facc:.3}, balanced accuracy {fbacc:.3}).\n\n\
         | class | name | test images | recall |\n|---|---|---|---|\n{rows}",
        id = entry.id,
        status = card["status"].as_str().unwrap_or_default(),
        data_name = card["data"]["name"].as_str().unwrap_or_default(),
        licence = card["data"]["licence"].as_str().unwrap_or_default(),
        split = card["data"]["split"].as_str().unwrap_or_default(),
        tone = card["data"]["skin_tone"].as_str().unwrap_or_default(),
        command = card["training"]["command"].as_str().unwrap_or_default(),
        seed = card["training"]["seed"],
        epoch = card["training"]["selected_epoch"],
        selection = card["training"]["selection"].as_str().unwrap_or_default(),
        size = entry.input.size,
        params = card["parameters"],
        int8 = entry.bytes,
        f32 = card["weights"]["f32_bytes"],
        sha = entry.sha256,
        acc = test_int8.accuracy,
        bacc = test_int8.balanced_accuracy,
        n = test_int8.n,
        facc = test_f32.accuracy,
        fbacc = test_f32.balanced_accuracy,
    )
}
