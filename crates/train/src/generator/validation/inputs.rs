//! What validation runs on: the manifest's models, loaded once, and the held-out photos of the
//! split at the generator's size.

use std::path::Path;

use burn::prelude::*;
use dermtone_color::Mask;
use dermtone_engine::{BackendInfo, Engine, Manifest, ModelRef, resize_for_model};
use dermtone_net::Classifier;
use image::RgbImage;

use super::figures::Judges;
use crate::datasets::fitzpatrick17k::{read_image, read_labels};
use crate::datasets::ham10000::{self, read_split_csv};
use crate::datasets::ham10000_masks::{MASKS_FILE, load_lesion_masks};
use crate::generator::data::{ToneSource, source};

/// What to validate on.
pub struct ValidationOptions<'a> {
    /// Fitzpatrick17k subset folder.
    pub fitzpatrick17k: &'a Path,
    /// HAM10000 folder (dermoscopy with lesion masks), if used.
    pub ham10000: Option<&'a Path>,
    /// Folder with the manifest and every model.
    pub models: &'a Path,
    /// Held-out split: `val` to choose between candidates, `test` to report.
    pub split: &'a str,
    /// At most this many photos per dataset.
    pub limit: Option<usize>,
}

/// Everything loaded once.
pub(super) struct Models {
    pub photo: Engine,
    pub dermoscopy: Engine,
    pub features: Classifier,
    pub features_input: dermtone_engine::InputSpec,
    pub generator: ModelRef,
    pub judges: Judges,
    pub target_ita: [f32; 6],
    pub size: u32,
}

/// A held-out Fitzpatrick17k photo at the generator's size.
pub(super) struct Photo {
    pub working: RgbImage,
    pub source: Option<ToneSource>,
    pub fitzpatrick: Option<u8>,
}

/// A held-out HAM10000 photo with its lesion mask.
pub(super) struct HamPhoto {
    pub source: ToneSource,
    pub lesion: Mask,
}

pub(super) fn load_models(dir: &Path) -> Result<Models, String> {
    let manifest_path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    let manifest = Manifest::from_json(&text).map_err(|e| e.to_string())?;
    let read = |task: &str| -> Result<Vec<u8>, String> {
        let entry = manifest.model_for(task).map_err(|e| e.to_string())?;
        let path = dir.join(&entry.file);
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let tone = read("tone")?;
    let generator = read("generator")?;
    let engine = |task: &str| -> Result<Engine, String> {
        let backend = BackendInfo {
            name: "cpu".into(),
            reason: "validation runs on the CPU".into(),
        };
        Engine::new(
            &manifest,
            task,
            &read(task)?,
            Some(&tone),
            Device::flex(),
            backend,
        )
        .and_then(|e| e.with_generator(&manifest, &generator))
        .map_err(|e| e.to_string())
    };
    let entry = manifest.model_for("generator").map_err(|e| e.to_string())?;
    let spec = entry
        .generator
        .clone()
        .ok_or("the manifest's generator has no generator section")?;
    let (photo_entry, features) = crate::clinical::eval::load_shipped_photo(dir)?;
    let id = |task: &str| -> Result<String, String> {
        Ok(manifest
            .model_for(task)
            .map_err(|e| e.to_string())?
            .id
            .clone())
    };
    let judges = Judges {
        photo_classifier: id("photo")?,
        dermoscopy_classifier: id("dermoscopy")?,
        tone_estimator: id("tone")?,
        trained_against: trained_against(&dir.join(&entry.card))?,
    };
    Ok(Models {
        photo: engine("photo")?,
        dermoscopy: engine("dermoscopy")?,
        features,
        features_input: photo_entry.input,
        generator: ModelRef {
            id: entry.id.clone(),
            sha256: entry.sha256.clone(),
        },
        judges,
        target_ita: spec.target_ita,
        size: entry.input.size,
    })
}

/// The card's `training.trained_against`, where it has one.
fn trained_against(card: &Path) -> Result<Option<Vec<String>>, String> {
    let text = std::fs::read_to_string(card)
        .map_err(|e| format!("cannot read {}: {e}", card.display()))?;
    let card: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", card.display()))?;
    Ok(card["training"]["trained_against"].as_array().map(|ids| {
        ids.iter()
            .filter_map(|id| id.as_str().map(str::to_owned))
            .collect()
    }))
}

pub(super) fn fitzpatrick_photos(
    options: &ValidationOptions,
    size: u32,
) -> Result<Vec<Photo>, String> {
    let records: Vec<_> = read_labels(options.fitzpatrick17k)?
        .into_iter()
        .filter(|r| r.split == options.split)
        .take(options.limit.unwrap_or(usize::MAX))
        .collect();
    if records.is_empty() {
        return Err(format!(
            "split {:?} has no photos in {}",
            options.split,
            options.fitzpatrick17k.display()
        ));
    }
    crate::parallel::map_on_all_cores(&records, |record| {
        let image = read_image(options.fitzpatrick17k, record)?.real(options.split)?;
        Ok(Photo {
            working: resize_for_model(&image, size),
            source: source(&image, None, record.fitzpatrick, size),
            fitzpatrick: record.fitzpatrick,
        })
    })
}

pub(super) fn ham_photos(options: &ValidationOptions, size: u32) -> Result<Vec<HamPhoto>, String> {
    let Some(dir) = options.ham10000 else {
        return Ok(Vec::new());
    };
    if !dir.join(MASKS_FILE).is_file() {
        return Err(format!(
            "{} has no {MASKS_FILE}: lesion SSIM needs the lesion masks",
            dir.display()
        ));
    }
    let records: Vec<_> = read_split_csv(dir)?
        .into_iter()
        .filter(|r| r.split == options.split)
        .take(options.limit.unwrap_or(usize::MAX))
        .collect();
    let ids = records.iter().map(|r| r.image_id.clone()).collect();
    let masks = load_lesion_masks(dir, Some(&ids))?;
    let photos = crate::parallel::map_on_all_cores(&records, |record| {
        let Some(mask) = masks.get(&record.image_id) else {
            return Ok(None);
        };
        let path = ham10000::image_path(dir, &record.image_id);
        let image = crate::datasets::synthetic::load_image(&path)?.real(options.split)?;
        Ok(source(&image, Some(mask), None, size).and_then(|source| {
            let lesion = source.lesion.clone()?;
            Some(HamPhoto { source, lesion })
        }))
    })?;
    Ok(photos.into_iter().flatten().collect())
}
