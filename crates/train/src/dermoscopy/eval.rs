//! `dermtone eval`: the shipped dermoscopy model, loaded through the manifest exactly as the app
//! loads it (sha256-checked int8 weights, calibration temperature, operating point), measured on
//! any folder in the HAM10000 layout. Tone groups are ITA categories of the skin around the
//! lesion (the folder's hand-drawn lesion masks where it has them, automatic ones otherwise).

use std::collections::HashSet;
use std::path::Path;

use burn::prelude::*;
use dermtone_color::skin_tone;
use dermtone_engine::{Manifest, ModelEntry, ita_estimate, resize_for_model};
use dermtone_net::{Classifier, load_classifier};
use image::RgbImage;

use crate::datasets::ham10000::{CLASSES, Record, read_image, read_split_csv};
use crate::datasets::ham10000_masks::{MASKS_FILE, load_lesion_masks};
use crate::evaluation::{EvalInput, EvalReport, RocCurve, evaluate, roc_curves};
use crate::fit::predict::predict_calibrated;
use crate::parallel::map_on_all_cores;

/// Classes whose summed probability is the malignancy score: what the export's operating point
/// uses, and what `eval` falls back on (with [`FALLBACK_THRESHOLD`]) for a card that sets none.
pub const MALIGNANT_CODES: [&str; 3] = ["akiec", "bcc", "mel"];

/// Malignancy threshold `eval` reports against when a card sets no operating point; the JSON
/// says which threshold was used.
pub const FALLBACK_THRESHOLD: f32 = 0.5;

/// Bootstrap resamples behind every 95 % interval.
pub const RESAMPLES: usize = 1000;

/// Seed of the bootstrap, fixed so a report is reproducible.
pub const BOOTSTRAP_SEED: u64 = 2024;

/// Images of one split, ready for the network, with their labels and tone groups.
pub struct LabelledImages {
    /// Images at the network input size.
    pub resized: Vec<RgbImage>,
    /// Class index per image (HAM10000 order).
    pub labels: Vec<usize>,
    /// Tone groups per image: for HAM10000 the ITA category of the non-lesion skin, or
    /// `unknown`; for Fitzpatrick17k the labelled group and type.
    pub tone_groups: Vec<Vec<String>>,
    /// Estimated tone groups per image, where labelled ones exist to compare with (else empty).
    pub estimated_tone_groups: Vec<Vec<String>>,
}

/// A report with the ROC curves behind it.
pub struct Evaluated {
    /// The public JSON of `dermtone eval`.
    pub report: EvalReport,
    /// One ROC curve per class and one for malignant-vs-rest.
    pub roc: Vec<RocCurve>,
}

/// The shipped dermoscopy model (from `models_dir/manifest.json`) on `split` of `data` (its
/// first `limit` images when set, for smoke runs).
pub fn evaluate_shipped(
    data: &Path,
    split: &str,
    models_dir: &Path,
    limit: Option<usize>,
) -> Result<Evaluated, String> {
    let (entry, model) = load_shipped(models_dir)?;
    let images = load_for_eval(data, split, entry.input.size, limit)?;
    let probabilities =
        predict_calibrated(&model, &images.resized, &entry.input, entry.temperature())?;
    evaluate_probabilities(&entry, split, &probabilities, &images, "mel")
}

/// The manifest's dermoscopy entry and its verified int8 network, on the CPU.
pub fn load_shipped(models_dir: &Path) -> Result<(ModelEntry, Classifier), String> {
    let expected: Vec<&str> = CLASSES.iter().map(|(code, _)| *code).collect();
    load_shipped_task(models_dir, "dermoscopy", &expected, "the HAM10000 classes")
}

/// The manifest's entry for `task` and its verified int8 network, on the CPU; refused unless
/// its labels are `expected` (`what` names them in the error).
pub fn load_shipped_task(
    models_dir: &Path,
    task: &str,
    expected: &[&str],
    what: &str,
) -> Result<(ModelEntry, Classifier), String> {
    let manifest_path = models_dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    let manifest = Manifest::from_json(&text).map_err(|e| e.to_string())?;
    let entry = manifest.model_for(task).map_err(|e| e.to_string())?.clone();
    let weights_path = models_dir.join(&entry.file);
    let bytes = std::fs::read(&weights_path)
        .map_err(|e| format!("cannot read {}: {e}", weights_path.display()))?;
    entry.verify(&bytes).map_err(|e| e.to_string())?;
    let model = load_classifier(&entry.architecture.config(), &bytes, &Device::flex())
        .map_err(|e| e.to_string())?;
    let codes: Vec<&str> = entry.labels.iter().map(|l| l.code.as_str()).collect();
    if codes != expected {
        return Err(format!(
            "model {} has labels {codes:?}, not {what} {expected:?}",
            entry.id
        ));
    }
    Ok((entry, model))
}

/// Decodes `split` of a HAM10000-layout folder on all cores (its first `limit` images when
/// set): resized images, labels and tone groups (with the folder's lesion masks when it has
/// `masks_200x150.npz`). A stamped synthetic image in it is an error: evaluation is on real
/// images only.
pub fn load_for_eval(
    data: &Path,
    split: &str,
    size: u32,
    limit: Option<usize>,
) -> Result<LabelledImages, String> {
    let records: Vec<Record> = read_split_csv(data)?
        .into_iter()
        .filter(|r| r.split == split)
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    if records.is_empty() {
        return Err(format!(
            "split {split:?} has no images in {}",
            data.display()
        ));
    }
    let masks = if data.join(MASKS_FILE).is_file() {
        let ids: HashSet<String> = records.iter().map(|r| r.image_id.clone()).collect();
        load_lesion_masks(data, Some(&ids))?
    } else {
        Default::default()
    };
    let loaded = map_on_all_cores(&records, |record| {
        let image = read_image(data, record)?.real(split)?;
        let tone = match masks.get(&record.image_id) {
            Some(mask) if mask.width() == image.width() && mask.height() == image.height() => {
                skin_tone(&image, Some(mask))
            }
            _ => ita_estimate(&image),
        };
        let group = tone
            .ita_category
            .map_or("unknown", |category| category.as_str());
        Ok((resize_for_model(&image, size), vec![group.to_string()]))
    })?;
    let (resized, tone_groups) = loaded.into_iter().unzip();
    Ok(LabelledImages {
        resized,
        labels: records.iter().map(|r| r.label).collect(),
        tone_groups,
        estimated_tone_groups: Vec::new(),
    })
}

/// The report for calibrated `probabilities` of `images` under `entry`'s operating point;
/// `melanoma_code` names the model's melanoma class.
pub fn evaluate_probabilities(
    entry: &ModelEntry,
    split: &str,
    probabilities: &[Vec<f32>],
    images: &LabelledImages,
    melanoma_code: &str,
) -> Result<Evaluated, String> {
    let codes: Vec<String> = entry.labels.iter().map(|l| l.code.clone()).collect();
    let index_of = |code: &str| {
        codes
            .iter()
            .position(|c| c == code)
            .ok_or_else(|| format!("model {} has no class {code:?}", entry.id))
    };
    let (malignant_codes, threshold) = match &entry.operating_point {
        Some(point) => (point.classes.clone(), point.threshold),
        None => (
            MALIGNANT_CODES.map(String::from).to_vec(),
            FALLBACK_THRESHOLD,
        ),
    };
    let malignant_classes = malignant_codes
        .iter()
        .map(|code| index_of(code))
        .collect::<Result<Vec<_>, _>>()?;
    let input = EvalInput {
        task: &entry.task,
        model: &entry.id,
        split,
        class_codes: &codes,
        probabilities,
        labels: &images.labels,
        malignant_classes: &malignant_classes,
        melanoma_class: index_of(melanoma_code)?,
        threshold,
        temperature: entry.temperature(),
        tone_groups: &images.tone_groups,
        estimated_tone_groups: &images.estimated_tone_groups,
        resamples: RESAMPLES,
        seed: BOOTSTRAP_SEED,
    };
    Ok(Evaluated {
        report: evaluate(&input),
        roc: roc_curves(&input),
    })
}
