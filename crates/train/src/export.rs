//! Writing a trained classifier into `models/`: int8 weights, the JSON card the app reads, the
//! Markdown card people read, and the manifest entry that lets the app trust the file. Shared by
//! every model; what goes into each card lives with the model's own export.

use std::path::Path;

use burn::prelude::*;
use dermtone_engine::{
    Architecture, InputSpec, Label, Manifest, ModelEntry, WEIGHT_FORMAT, sha256_hex,
};
use dermtone_net::int8;
use dermtone_net::{Classifier, ClassifierConfig};

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
        .map_err(|e| e.to_string())?
        .folded();
    let f32_model = crate::fit::predict::load_record(config, record)?;
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
        format: WEIGHT_FORMAT.into(),
        architecture: Architecture {
            num_classes: config.num_classes,
            base_width: config.base_width,
            kind: config.kind,
            expansion: config.expansion,
        },
        input: input.clone(),
        labels,
        card: format!("{id}.card.json"),
        card_markdown: format!("{id}.md"),
        calibration: None,
        operating_point: None,
        generator: None,
    }
}

/// The card's `weights` block: what was shipped and how it was quantised.
pub fn weights_card(entry: &ModelEntry, f32_bytes: usize) -> serde_json::Value {
    serde_json::json!({
        "format": entry.format,
        "int8_bytes": entry.bytes,
        "f32_bytes": f32_bytes,
        "sha256": entry.sha256,
        "quantisation": "per-output-channel symmetric int8 in a portable burnpack file, dequantised once at load on every backend (CPU and WebGPU)",
    })
}

/// The card's `calibration` block: the temperature fitted on val and val's ECE around it.
pub fn calibration_card(temperature: f32, ece_before: f64, ece_after: f64) -> serde_json::Value {
    serde_json::json!({
        "temperature": temperature,
        "fitted_on": "val (int8 weights)",
        "val_ece_before": ece_before,
        "val_ece_after": ece_after,
    })
}

/// Significant digits a card's measured figures keep. Every first visit downloads the photo
/// model's card, and its figures' full f64 digits are noise that cost 2.6 KB of the 1.5 MB gzip
/// budget (measured on clinical-v3's card); four digits are more than any figure's interval
/// supports.
pub const CARD_DIGITS: usize = 4;

/// `card` with every fractional number under its `metrics` and `evidence` rounded to
/// [`CARD_DIGITS`] significant digits; whole numbers (counts) and everything else as they are.
pub fn with_rounded_figures(card: &serde_json::Value) -> serde_json::Value {
    let mut card = card.clone();
    for key in ["metrics", "evidence"] {
        if let Some(figures) = card.get_mut(key) {
            round_figures(figures, CARD_DIGITS);
        }
    }
    card
}

/// Rounds every fractional number in `value` to `digits` significant digits, in place.
pub fn round_figures(value: &mut serde_json::Value, digits: usize) {
    use serde_json::Value;
    match value {
        Value::Number(number) if number.is_f64() => {
            let x = number.as_f64().unwrap_or_default();
            let rounded: f64 = format!("{x:.*e}", digits.saturating_sub(1))
                .parse()
                .unwrap_or(x);
            if let Some(n) = serde_json::Number::from_f64(rounded) {
                *number = n;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| round_figures(v, digits)),
        Value::Object(fields) => fields.values_mut().for_each(|v| round_figures(v, digits)),
        _ => {}
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
    // Compact: the JSON card is for the app (part of every first visit, whose gzip budget is
    // 1.5 MB; indentation cost the photo model's card 1.6 KB of it); the Markdown is for people.
    let card_text =
        serde_json::to_string(&with_rounded_figures(card)).map_err(|e| e.to_string())?;
    write(&entry.card, card_text.as_bytes())?;
    write(&entry.card_markdown, markdown.as_bytes())?;
    if !ship {
        return Ok(());
    }
    let manifest_path = out_dir.join("manifest.json");
    let mut manifest = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => Manifest::from_json(&text).map_err(|e| e.to_string())?,
        Err(_) => Manifest {
            version: dermtone_engine::MANIFEST_VERSION,
            models: Vec::new(),
        },
    };
    manifest.models.retain(|m| m.task != entry.task);
    manifest.models.push(entry);
    let manifest_text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    write("manifest.json", manifest_text.as_bytes())
}

/// The manifest entry for `task` in the models folder `dir`: what a card names when training
/// started from a shipped model (its id and sha256 identify the very weights).
pub fn manifest_entry(dir: &Path, task: &str) -> Result<ModelEntry, String> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let manifest = Manifest::from_json(&text).map_err(|e| e.to_string())?;
    manifest.model_for(task).cloned().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_cards_figures_keep_four_significant_digits_and_nothing_else_changes() {
        let card = json!({
            "metrics": { "auroc": 0.8671328671328671, "n": 404, "ci95": [0.000123456, 12.34567] },
            "evidence": { "groups": { "1": { "sensitivity": 1.0, "n": 30 } } },
            "operating_point": { "threshold": 0.123456789 },
        });
        let rounded = with_rounded_figures(&card);
        assert_eq!(rounded["metrics"]["auroc"], 0.8671);
        assert_eq!(rounded["metrics"]["n"], 404);
        assert_eq!(rounded["metrics"]["ci95"], json!([0.0001235, 12.35]));
        assert_eq!(
            rounded["evidence"]["groups"]["1"],
            json!({ "sensitivity": 1.0, "n": 30 })
        );
        assert_eq!(rounded["operating_point"], card["operating_point"]);
        assert_eq!(
            with_rounded_figures(&rounded),
            rounded,
            "rounding twice changes nothing"
        );
    }
}
