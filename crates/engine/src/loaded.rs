//! [`LoadedModel`]: one classifier (or the tone estimator) verified against its manifest entry
//! and loaded for its device: on the CPU the direct kernels, built from the weight file without
//! burn; elsewhere burn's network (`on_device.rs`). How its class probabilities are read back.

use burn::prelude::*;
use dermtone_net::{DirectClassifier, classifier_cost, direct_classifier_from_bytes};
use image::RgbImage;

use crate::on_device::DeviceClassifier;
use crate::{EngineError, ModelEntry, ModelRef, normalise_chw, resize_for_model};

/// What runs a classifier.
// An engine holds two or three of these, so the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Runner {
    /// On the CPU: the direct kernels.
    Direct(DirectClassifier),
    /// On another device: burn.
    Device(DeviceClassifier),
}

/// A network with the manifest entry its weights were checked against.
pub(crate) struct LoadedModel {
    pub(crate) runner: Runner,
    pub(crate) entry: ModelEntry,
}

impl LoadedModel {
    /// Verifies `weights` against `entry` and loads them for `device`; `on_cpu` says the device
    /// is the CPU, where the network runs on the direct path instead of burn.
    pub(crate) fn load(
        entry: &ModelEntry,
        weights: &[u8],
        device: &Device,
        on_cpu: bool,
    ) -> Result<Self, EngineError> {
        entry.verify(weights)?;
        if entry.labels.len() != entry.architecture.num_classes {
            return Err(EngineError::new(
                "manifest",
                format!(
                    "model {} has {} labels for {} classes",
                    entry.id,
                    entry.labels.len(),
                    entry.architecture.num_classes
                ),
            ));
        }
        let runner = if on_cpu {
            Runner::Direct(
                direct_classifier_from_bytes(&entry.architecture.config(), weights)
                    .map_err(|e| entry.not_loaded(e))?,
            )
        } else {
            Runner::Device(DeviceClassifier::load(entry, weights, device)?)
        };
        Ok(Self {
            runner,
            entry: entry.clone(),
        })
    }

    /// Probabilities over the labels for one photo.
    pub(crate) async fn probabilities(
        &self,
        image: &RgbImage,
        device: &Device,
    ) -> Result<Vec<f32>, EngineError> {
        self.probabilities_of(&[image], device)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| EngineError::new("compute", "the model returned no result"))
    }

    /// Probabilities over the labels for each image, in one batch on the device (one read-back
    /// instead of one per image, which is what costs on WebGPU).
    pub(crate) async fn probabilities_of(
        &self,
        images: &[&RgbImage],
        device: &Device,
    ) -> Result<Vec<Vec<f32>>, EngineError> {
        let logits = self
            .logits(self.pixels(images), images.len(), device)
            .await?;
        let probabilities: Vec<Vec<f32>> = logits
            .chunks(self.entry.labels.len())
            .map(|logits| scaled_softmax(logits, self.entry.temperature()))
            .collect();
        if probabilities.len() != images.len() {
            return Err(EngineError::new(
                "compute",
                "the model returned too few results",
            ));
        }
        Ok(probabilities)
    }

    /// Raw logits `[batch, classes]`, flattened, for `batch` prepared NCHW images (`pixels`) at
    /// the model's input size.
    pub(crate) async fn logits(
        &self,
        pixels: Vec<f32>,
        batch: usize,
        device: &Device,
    ) -> Result<Vec<f32>, EngineError> {
        let side = self.entry.input.size as usize;
        match &self.runner {
            Runner::Direct(direct) => direct
                .forward(&pixels, side, side)
                .map_err(|e| EngineError::new("input", e)),
            Runner::Device(network) => network.logits(pixels, batch, side, device).await,
        }
    }

    /// The network's input values for `images`, NCHW: each resized and normalised as the
    /// manifest says.
    pub(crate) fn pixels(&self, images: &[&RgbImage]) -> Vec<f32> {
        let spec = &self.entry.input;
        images
            .iter()
            .flat_map(|image| normalise_chw(&resize_for_model(image, spec.size), spec))
            .collect()
    }

    /// FLOPs of one image at the model's input size.
    pub(crate) fn flops(&self) -> u64 {
        classifier_cost(
            &self.entry.architecture.config(),
            self.entry.input.size as usize,
        )
        .flops()
    }

    pub(crate) fn model_ref(&self) -> ModelRef {
        ModelRef {
            id: self.entry.id.clone(),
            sha256: self.entry.sha256.clone(),
        }
    }
}

/// Softmax of `logits / temperature`: a classifier's calibrated probabilities.
pub(crate) fn scaled_softmax(logits: &[f32], temperature: f32) -> Vec<f32> {
    let scaled: Vec<f32> = logits.iter().map(|l| l / temperature).collect();
    let top = scaled.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = scaled.iter().map(|l| (l - top).exp()).collect();
    let total: f32 = exps.iter().sum();
    exps.iter().map(|e| e / total).collect()
}

#[cfg(test)]
#[cfg(feature = "burn-forward")]
mod tests {
    use super::*;
    use crate::Manifest;

    #[test]
    fn the_direct_cpu_path_classifies_as_burn_does() {
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        let manifest =
            Manifest::from_json(&std::fs::read_to_string(models.join("manifest.json")).unwrap())
                .unwrap();
        let device = Device::flex();
        for task in ["photo", "dermoscopy", "tone"] {
            let entry = manifest.model_for(task).unwrap();
            let weights = std::fs::read(models.join(&entry.file)).unwrap();
            let direct = LoadedModel::load(entry, &weights, &device, true).unwrap();
            let burn = LoadedModel::load(entry, &weights, &device, false).unwrap();
            assert!(matches!(direct.runner, Runner::Direct(_)), "{task}");
            assert!(matches!(burn.runner, Runner::Device(_)), "{task}");
            let side = entry.input.size as usize;
            let pixels: Vec<f32> = (0..2 * 3 * side * side)
                .map(|i| ((i * 7919) % 1000) as f32 / 250.0 - 2.0)
                .collect();
            let run = |model: &LoadedModel| {
                pollster::block_on(model.logits(pixels.clone(), 2, &device)).unwrap()
            };
            let (ours, theirs) = (run(&direct), run(&burn));
            assert_eq!(ours.len(), 2 * entry.labels.len(), "{task}");
            let worst = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(worst < 1e-4, "{task}: largest difference {worst}");
            let probabilities = scaled_softmax(&ours[..entry.labels.len()], 1.5);
            assert!((probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
    }
}
