//! [`Engine`]: a verified model on a device, ready to analyse photos.

use burn::prelude::*;
use burn::tensor::activation::softmax;
use dermtone_net::{Classifier, ClassifierConfig, load_classifier};
use image::RgbImage;

use crate::analysis::DISCLAIMER;
use crate::{
    Analysis, BackendInfo, ClassProbability, EngineError, Manifest, ModelEntry, ModelRef, Quality,
    normalise_chw, resize_for_model,
};

/// A classifier whose weights passed their integrity check, loaded on one device.
pub struct Engine {
    classifier: Classifier,
    entry: ModelEntry,
    device: Device,
    backend: BackendInfo,
}

impl Engine {
    /// Verifies `weights` against the manifest's sha256 for `task` and loads them on `device`.
    /// `backend` names the device, and why it was chosen, in results.
    pub fn new(
        manifest: &Manifest,
        task: &str,
        weights: &[u8],
        device: Device,
        backend: BackendInfo,
    ) -> Result<Self, EngineError> {
        let entry = manifest.model_for(task)?.clone();
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
        let config = ClassifierConfig::new(entry.architecture.num_classes)
            .with_base_width(entry.architecture.base_width);
        let classifier = load_classifier(&config, weights, &device)
            .map_err(|e| EngineError::new("model", e.to_string()))?;
        Ok(Self {
            classifier,
            entry,
            device,
            backend,
        })
    }

    /// The device this engine runs on and why.
    pub fn backend(&self) -> &BackendInfo {
        &self.backend
    }

    /// Checks the photo's quality and, if it is good enough, classifies it.
    pub async fn analyze(&self, image: &RgbImage) -> Result<Analysis, EngineError> {
        if image.width() == 0 || image.height() == 0 {
            return Err(EngineError::new("input", "the image is empty"));
        }
        let quality = Quality::from(dermtone_color::assess(image));
        let classes = if quality.ok {
            self.classify(image).await?
        } else {
            Vec::new()
        };
        Ok(Analysis {
            backend: self.backend.name.clone(),
            backend_reason: self.backend.reason.clone(),
            mode: self.entry.task.clone(),
            model: ModelRef {
                id: self.entry.id.clone(),
                sha256: self.entry.sha256.clone(),
            },
            quality,
            classes,
            disclaimer: DISCLAIMER,
        })
    }

    /// Class probabilities for one photo, most likely first.
    async fn classify(&self, image: &RgbImage) -> Result<Vec<ClassProbability>, EngineError> {
        let spec = &self.entry.input;
        let pixels = normalise_chw(&resize_for_model(image, spec.size), spec);
        let side = spec.size as usize;
        let input =
            Tensor::<4>::from_data(TensorData::new(pixels, [1, 3, side, side]), &self.device);
        let probabilities = class_probabilities(&self.classifier, input)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| EngineError::new("compute", "the model returned no result"))?;
        let mut classes: Vec<ClassProbability> = self
            .entry
            .labels
            .iter()
            .zip(probabilities)
            .map(|(label, probability)| ClassProbability {
                code: label.code.clone(),
                name: label.name.clone(),
                probability,
            })
            .collect();
        classes.sort_by(|a, b| b.probability.total_cmp(&a.probability));
        Ok(classes)
    }
}

/// Softmax probabilities per image for a `[batch, 3, s, s]` input, read back asynchronously so the
/// same code works on WebGPU in the browser.
pub async fn class_probabilities(
    model: &Classifier,
    input: Tensor<4>,
) -> Result<Vec<Vec<f32>>, EngineError> {
    let [batch, _, _, _] = input.dims();
    let probabilities = softmax(model.forward(input), 1);
    let [_, classes] = probabilities.dims();
    let data = probabilities.into_data_async().await.map_err(|e| {
        EngineError::new(
            "compute",
            format!("reading results from the device failed: {e:?}"),
        )
    })?;
    let values = data
        .try_to_vec::<f32>()
        .map_err(|e| EngineError::new("compute", format!("unexpected result type: {e:?}")))?;
    Ok(values
        .chunks(classes)
        .take(batch)
        .map(<[f32]>::to_vec)
        .collect())
}
