//! Writing a trained tone generator into `models/`: int8 weights, the JSON card the app reads,
//! the Markdown card people read, and its manifest entry (task `generator`).

use std::path::Path;

use burn::prelude::*;
use dermtone_engine::{Architecture, GeneratorSpec, InputSpec, Label, ModelEntry, sha256_hex};
use dermtone_net::{NetKind, int8};
use serde_json::json;

use crate::export::{install_model, weights_card};
use crate::generator::train::{GeneratorReport, GeneratorTrainOptions};

/// Which stage's weights are shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShippedStage {
    /// Stage 1 only: the learned biophysical re-toning.
    Supervised,
    /// Stage 1 then the unpaired refinement.
    Refined,
}

impl std::str::FromStr for ShippedStage {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "supervised" => Ok(Self::Supervised),
            "refined" => Ok(Self::Refined),
            _ => Err(format!("unknown stage {text:?} (supervised or refined)")),
        }
    }
}

/// What was written.
pub struct GeneratorExport {
    /// Weight file name.
    pub weights_file: String,
    /// Its size.
    pub int8_bytes: usize,
}

/// Quantises the chosen stage and installs it as the manifest's generator.
pub fn export_generator(
    report: &GeneratorReport,
    options: &GeneratorTrainOptions,
    stage: ShippedStage,
    id: &str,
    command: &str,
    out: &Path,
) -> Result<GeneratorExport, String> {
    let (record, selected) = match (stage, &report.refined) {
        (ShippedStage::Supervised, _) => (&report.supervised_record, &report.supervised),
        (ShippedStage::Refined, Some((summary, record))) => (record, summary),
        (ShippedStage::Refined, None) => {
            return Err("stage 2 did not run (--refine-steps 0): ship the supervised stage".into());
        }
    };
    let int8_bytes = int8::quantize(record).map_err(|e| e.to_string())?;
    let config = options.config();
    dermtone_net::load_generator(&config, &int8_bytes, &Device::flex())
        .map_err(|e| format!("the int8 generator does not load: {e}"))?;
    let spec = GeneratorSpec {
        condition_width: options.condition_width,
        target_ita: report.type_itas,
        gain: options.gain,
    };
    let entry = ModelEntry {
        id: id.into(),
        task: "generator".into(),
        file: format!("{id}.int8.bpk"),
        bytes: int8_bytes.len() as u64,
        sha256: sha256_hex(&int8_bytes),
        format: dermtone_engine::WEIGHT_FORMAT.into(),
        architecture: Architecture {
            num_classes: 6,
            base_width: options.base_width,
            kind: NetKind::Plain,
            expansion: dermtone_net::mobile::DEFAULT_EXPANSION,
        },
        input: InputSpec {
            size: options.size,
            mean: [0.0; 3],
            std: [1.0; 3],
        },
        labels: (1..=6)
            .map(|t| Label {
                code: t.to_string(),
                name: format!("Fitzpatrick {}", roman(t)),
            })
            .collect(),
        card: format!("{id}.card.json"),
        card_markdown: format!("{id}.md"),
        calibration: None,
        operating_point: None,
        generator: Some(spec),
    };
    let card = card(
        report,
        options,
        stage,
        selected.step,
        command,
        &entry,
        record.len(),
    );
    let markdown = markdown(&card);
    install_model(out, entry.clone(), &int8_bytes, &card, &markdown, true)?;
    Ok(GeneratorExport {
        weights_file: entry.file,
        int8_bytes: int8_bytes.len(),
    })
}

/// Roman numeral of a Fitzpatrick type (1–6).
pub fn roman(fitzpatrick: u8) -> &'static str {
    ["I", "II", "III", "IV", "V", "VI"][usize::from(fitzpatrick.clamp(1, 6) - 1)]
}

fn card(
    report: &GeneratorReport,
    options: &GeneratorTrainOptions,
    stage: ShippedStage,
    step: usize,
    command: &str,
    entry: &ModelEntry,
    f32_bytes: usize,
) -> serde_json::Value {
    let stage_json = |s: &crate::generator::train::StageSummary,
                      o: &crate::generator::stages::StageOptions| {
        json!({ "selected_step": s.step, "val_l1_to_retoning": s.val_l1, "options": o })
    };
    json!({
        "id": entry.id,
        "task": "generator",
        "synthetic": true,
        "purpose": "Re-renders a photo's skin at Fitzpatrick types I–VI so people can see how a condition may look across skin tones and how the classifier's answer depends on tone. Every output is synthetic and stamped as such; no metric of the app mixes synthetic with real images.",
        "not_a_diagnosis": "Synthetic images are illustrations, not evidence: they must never be used to diagnose or to claim accuracy on a skin tone.",
        "data": {
            "name": "HAM10000 (train split, dermoscopy, with lesion masks) and the Fitzpatrick17k subset (train split, clinical photos with labelled Fitzpatrick types)",
            "licence": "HAM10000: CC BY-NC 4.0; Fitzpatrick17k: CC BY-NC-SA 3.0. Both non-commercial; these weights are derived from them and carry the same terms",
            "train_photos": { "ham10000": report.train_photos.0, "fitzpatrick17k": report.train_photos.1 },
            "val_pairs": report.val_pairs,
        },
        "network": {
            "kind": if options.gain {
                "U-Net (two down-samplings, skips) with FiLM tone conditioning, predicting a per-pixel gain on the input and a residual added to it"
            } else {
                "U-Net (two down-samplings, skips) with FiLM tone conditioning, predicting a residual added to the input"
            },
            "base_width": options.base_width,
            "condition_width": options.condition_width,
            "condition": "source ITA° (measured on the photo's healthy skin), target ITA° and their difference, each / 50",
            "render_size": options.size,
        },
        "target_ita_by_type": report.type_itas,
        "target_ita_rule": "matched by rank: the labelled Fitzpatrick17k train photos sorted from lightest to darkest skin ITA°, each type taking the share its labels have; its target is the ITA° in the middle of that share",
        "training": {
            "command": command,
            "seed": options.supervised.seed,
            "shipped_stage": stage,
            "shipped_step": step,
            "targets": options.retoning.describe(),
            "supervised": stage_json(&report.supervised, &options.supervised),
            "refined": report.refined.as_ref().map(|(s, _)| stage_json(s, &options.refine)),
            "refine_loss_weights": options.weights,
            "trained_against": report.trained_against,
        },
        "validation": format!("{}.validation.md", entry.id),
        "weights": weights_card(entry, f32_bytes),
    })
}

/// The card's list of models stage 2 was trained against, for people.
fn trained_against(ids: &serde_json::Value) -> String {
    let ids: Vec<&str> = ids
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    if ids.is_empty() {
        "no other model".into()
    } else {
        ids.join(", ")
    }
}

fn markdown(card: &serde_json::Value) -> String {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let itas = card["target_ita_by_type"]
        .as_array()
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(t, v)| {
                    format!(
                        "| {} | {:.1} |\n",
                        roman(t as u8 + 1),
                        v.as_f64().unwrap_or(f64::NAN)
                    )
                })
                .collect::<String>()
        })
        .unwrap_or_default();
    let stage = |s: &serde_json::Value| {
        if s.is_null() {
            "did not run".to_string()
        } else {
            format!(
                "step {} selected, val L1 to the re-toning {:.4}",
                text(&s["selected_step"]),
                s["val_l1_to_retoning"].as_f64().unwrap_or(f64::NAN)
            )
        }
    };
    format!(
        "# {id}: tone generator (synthetic images only)\n\n\
         {purpose}\n\n**{not_dx}**\n\n\
         ## Data\n{data}. Licence: {licence}. Train photos: {ham} HAM10000, {fitz} Fitzpatrick17k.\n\n\
         ## Network\n{kind}; width {width}, condition width {cw}; renders at {size}×{size} px. \
         Condition: {condition}.\n\n\
         Target ITA° per type, {rule}:\n\n| type | ITA° |\n|---|---:|\n{itas}\n\
         ## Training\nCommand (seed {seed}): `{command}`\n\n\
         - Stage 1 (supervised on {targets}): {s1}\n\
         - Stage 2 (unpaired refinement): {s2}; trained against the outputs of: {against}\n\
         - Shipped: {shipped}\n\n\
         ## Validation\nSee `{validation}` (written by `dermtone validate-generator --write`): \
         tone hit rate, diagnosis kept, lesion SSIM, realism against the plain re-toning and the \
         untouched photo, and a frequency-spectrum artefact check, all on held-out photos.\n\n\
         ## Weights\n{int8} bytes int8 (sha256 `{sha}`).\n",
        id = text(&card["id"]),
        purpose = text(&card["purpose"]),
        not_dx = text(&card["not_a_diagnosis"]),
        data = text(&card["data"]["name"]),
        licence = text(&card["data"]["licence"]),
        ham = card["data"]["train_photos"]["ham10000"],
        fitz = card["data"]["train_photos"]["fitzpatrick17k"],
        kind = text(&card["network"]["kind"]),
        width = card["network"]["base_width"],
        cw = card["network"]["condition_width"],
        size = card["network"]["render_size"],
        condition = text(&card["network"]["condition"]),
        rule = text(&card["target_ita_rule"]),
        seed = card["training"]["seed"],
        command = text(&card["training"]["command"]),
        targets = text(&card["training"]["targets"]),
        s1 = stage(&card["training"]["supervised"]),
        s2 = stage(&card["training"]["refined"]),
        against = trained_against(&card["training"]["trained_against"]),
        shipped = text(&card["training"]["shipped_stage"]),
        validation = text(&card["validation"]),
        int8 = card["weights"]["int8_bytes"],
        sha = text(&card["weights"]["sha256"]),
    )
}
