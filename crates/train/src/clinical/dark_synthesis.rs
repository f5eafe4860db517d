//! Synthetic dark-skin training photos (the method's phase 4): for each real training photo
//! labelled Fitzpatrick I–III, a number of re-renderings at types IV–VI, made either by the tone
//! generator or, as the cheaper baseline, by the `color` crate's biophysical (melanin) re-toning.
//! They join the train split only, each counted as synthetic under the tone it was rendered at;
//! val and test stay real, so no model is selected or measured on them.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use dermtone_color::{retone, skin_mask};
use dermtone_engine::{BackendInfo, Engine, Manifest, resize_for_model};
use image::RgbImage;

use crate::clinical::tone_groups::tone_index;
use crate::parallel::map_on_all_cores;

/// How the darker renderings are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SynthesisMethod {
    /// The shipped tone generator (a learned network).
    Generator,
    /// Biophysical re-toning of the healthy skin's melanin (no learning).
    Retoning,
}

/// What to add to a training split.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Synthesis {
    /// Renderings per real photo of type I–III.
    pub per_photo: usize,
    /// How they are made.
    pub method: SynthesisMethod,
    /// Folder whose manifest names the generator (and its target ITA° per type, which the
    /// re-toning uses too, so the two methods aim at the same tones).
    pub models: PathBuf,
}

/// The synthetic photos made for a split, aligned with each other.
pub struct Synthesized {
    /// Each rendering, at the split's image size.
    pub images: Vec<RgbImage>,
    /// The condition group of the photo it was rendered from.
    pub labels: Vec<usize>,
    /// Tone group index of the type it was rendered at.
    pub tones: Vec<usize>,
    /// Index (into the split's images) of the real photo it was rendered from: renderings of
    /// one photo are not independent evidence.
    pub sources: Vec<usize>,
    /// Real photos of type I–III that gave no rendering (no measurable skin, or out of reach).
    pub skipped: usize,
}

/// The darker types the `per_photo` renderings of light photo `index` go to: IV, V and VI in
/// turn, starting at a different one for each photo, so every type gets a third of them.
pub fn target_types(index: usize, per_photo: usize) -> Vec<u8> {
    (0..per_photo)
        .map(|k| 4 + ((index + k) % 3) as u8)
        .collect()
}

/// Renderings for the real photos of `images` (condition groups `labels`, labelled types
/// `fitzpatrick`; a photo without one is never rendered) that are type I–III.
pub fn synthesize(
    synthesis: &Synthesis,
    images: &[RgbImage],
    labels: &[usize],
    fitzpatrick: &[Option<u8>],
) -> Result<Synthesized, String> {
    let light: Vec<(usize, &RgbImage)> = images
        .iter()
        .enumerate()
        .filter(|&(i, _)| matches!(fitzpatrick.get(i), Some(Some(1..=3))))
        .collect();
    let side = images.first().map_or(0, RgbImage::width);
    let rendered: Vec<Vec<(u8, RgbImage)>> = match synthesis.method {
        SynthesisMethod::Generator => {
            let engine = generator_engine(&synthesis.models)?;
            light
                .iter()
                .map(|&(i, image)| {
                    let types = target_types(i, synthesis.per_photo);
                    match pollster::block_on(engine.render(image, &types)) {
                        Ok(r) => r
                            .renderings
                            .into_iter()
                            .map(|r| (r.fitzpatrick, resize_for_model(&r.image, side)))
                            .collect(),
                        Err(_) => Vec::new(),
                    }
                })
                .collect()
        }
        SynthesisMethod::Retoning => {
            let target_ita = generator_targets(&synthesis.models)?;
            map_on_all_cores(&light, |&(i, image)| {
                let skin = skin_mask(image, None);
                Ok(target_types(i, synthesis.per_photo)
                    .into_iter()
                    .filter_map(|t| {
                        retone(image, &skin, target_ita[usize::from(t - 1)])
                            .ok()
                            .map(|r| (t, r.image))
                    })
                    .collect())
            })?
        }
    };
    let mut out = Synthesized {
        images: Vec::new(),
        labels: Vec::new(),
        tones: Vec::new(),
        sources: Vec::new(),
        skipped: 0,
    };
    for (&(i, _), renderings) in light.iter().zip(rendered) {
        if renderings.is_empty() {
            out.skipped += 1;
        }
        for (fitzpatrick, image) in renderings {
            out.images.push(image);
            out.labels.push(labels[i]);
            out.tones.push(tone_index(Some(fitzpatrick)));
            out.sources.push(i);
        }
    }
    Ok(out)
}

fn read_manifest(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Manifest::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The target ITA° of each Fitzpatrick type in the manifest's generator section.
fn generator_targets(dir: &Path) -> Result<[f32; 6], String> {
    let manifest = read_manifest(dir)?;
    let entry = manifest.model_for("generator").map_err(|e| e.to_string())?;
    entry
        .generator
        .as_ref()
        .map(|spec| spec.target_ita)
        .ok_or_else(|| format!("model {} has no generator section", entry.id))
}

/// A CPU engine with the photo model, the tone estimator (which tells a photo's own tone, the
/// generator's starting point) and the generator of `dir`.
fn generator_engine(dir: &Path) -> Result<Engine, String> {
    let manifest = read_manifest(dir)?;
    let read = |task: &str| -> Result<Vec<u8>, String> {
        let entry = manifest.model_for(task).map_err(|e| e.to_string())?;
        let path = dir.join(&entry.file);
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let backend = BackendInfo {
        name: "cpu".into(),
        reason: "training data is rendered on the CPU".into(),
    };
    let generator = read("generator")?;
    Engine::new(
        &manifest,
        "photo",
        &read("photo")?,
        Some(&read("tone")?),
        Device::flex(),
        backend,
    )
    .and_then(|engine| engine.with_generator(&manifest, &generator))
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderings_go_to_the_three_darker_types_in_turn() {
        assert_eq!(target_types(0, 3), vec![4, 5, 6]);
        assert_eq!(target_types(1, 1), vec![5]);
        assert_eq!(target_types(2, 2), vec![6, 4]);
        let ones: Vec<u8> = (0..6).flat_map(|i| target_types(i, 1)).collect();
        assert_eq!(ones, vec![4, 5, 6, 4, 5, 6]);
    }

    #[test]
    fn only_photos_labelled_type_one_to_three_are_rendered() {
        let skin = RgbImage::from_pixel(40, 40, image::Rgb([224, 172, 140]));
        let synthesis = Synthesis {
            per_photo: 3,
            method: SynthesisMethod::Retoning,
            models: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
        };
        // Type IV, unknown, type II, and a fourth photo with no label at all (added by --add).
        let images = vec![skin.clone(), skin.clone(), skin.clone(), skin];
        let made = synthesize(
            &synthesis,
            &images,
            &[0, 1, 2, 3],
            &[Some(4), None, Some(2)],
        )
        .unwrap();
        assert!(made.labels.iter().all(|&l| l == 2), "{:?}", made.labels);
        assert!(made.images.len() + made.skipped * 3 <= 3);
        assert!(made.tones.iter().all(|&t| t >= 1), "{:?}", made.tones);
    }
}
