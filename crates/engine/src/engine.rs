//! [`Engine`]: a verified model on a device, ready to analyse photos.

use burn::prelude::*;
use burn::tensor::activation::softmax;
use dermtone_net::{
    Classifier, DirectMobileNet, classifier_cost, direct_classifier, load_classifier,
};
use image::RgbImage;

use std::collections::HashMap;

use crate::analysis::DISCLAIMER;
use crate::cost::NetworkFlops;
use crate::grid::tone_grid;
use crate::per_tone::{Evidence, ToneResult, consistent, evidence_from_card};
use crate::render::{Rendering, ToneRenderer};
use crate::tone::{LearnedTone, ToneReport, ita_estimate, tone_report};
use crate::triage::triage;
use crate::{
    Analysis, BackendInfo, ClassProbability, EngineError, Malignancy, Manifest, ModelEntry,
    ModelRef, Provenance, Quality, normalise_chw, resize_for_model, stamped_png,
};

/// Verified models loaded on one device: the classifier and, where shipped, the learned tone
/// estimator.
pub struct Engine {
    pub(crate) classifier: LoadedModel,
    pub(crate) tone: Option<LoadedModel>,
    pub(crate) renderer: Option<ToneRenderer>,
    evidence: HashMap<u8, Evidence>,
    pub(crate) device: Device,
    backend: BackendInfo,
}

/// A photo re-rendered at several Fitzpatrick types, and the tone it was rendered from.
#[derive(Debug, Clone)]
pub struct ToneRenderings {
    /// ITA° the generator took as the photo's own tone.
    pub source_ita: f32,
    /// The photo's own Fitzpatrick type as estimated (learned estimator where loaded).
    pub source_fitzpatrick: Option<u8>,
    /// One rendering per requested type, in the order asked.
    pub renderings: Vec<Rendering>,
    /// The generator's weights.
    pub generator: ModelRef,
}

impl ToneRenderings {
    /// The stamp every image made from these renderings carries: synthetic, which generator, from
    /// which tone to which (`1-6` style for several types).
    pub fn provenance(&self) -> Provenance {
        let types: Vec<String> = self
            .renderings
            .iter()
            .map(|r| r.fitzpatrick.to_string())
            .collect();
        let target = match types.as_slice() {
            [one] => one.clone(),
            [first, .., last] => format!("{first}-{last}"),
            [] => String::new(),
        };
        Provenance {
            synthetic: true,
            generator: Some(self.generator.sha256.clone()),
            source_tone: Some(
                self.source_fitzpatrick
                    .map_or("unknown".into(), |t| t.to_string()),
            ),
            target_tone: Some(target),
        }
    }

    /// The labelled grid of `original` and these renderings, as a PNG stamped with
    /// [`ToneRenderings::provenance`]: the educator's download and `dermtone synth --all-tones`.
    pub fn grid_png(&self, original: &RgbImage) -> Result<Vec<u8>, EngineError> {
        stamped_png(&tone_grid(original, &self.renderings), &self.provenance())
    }
}

/// A network with the manifest entry its weights were checked against.
pub(crate) struct LoadedModel {
    pub(crate) network: Classifier,
    /// The same weights for the direct CPU path, on a CPU device (see [`direct_classifier`]).
    pub(crate) direct: Option<DirectMobileNet>,
    pub(crate) entry: ModelEntry,
}

impl LoadedModel {
    /// Verifies `weights` against `entry` and loads them on `device`; `on_cpu` says the device
    /// is the CPU, where a mobile network runs on the direct path instead of burn.
    fn load(
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
        // The engine only runs the network, so its batch norms are folded into the convolutions.
        let network = load_classifier(&entry.architecture.config(), weights, device)
            .map_err(|e| {
                EngineError::new(
                    "model",
                    format!(
                        "model {} ({}) could not be loaded: {e}",
                        entry.id, entry.file
                    ),
                )
            })?
            .folded();
        let direct = if on_cpu {
            direct_classifier(&network)
                .transpose()
                .map_err(|e| EngineError::new("model", format!("model {}: {e}", entry.id)))?
        } else {
            None
        };
        Ok(Self {
            network,
            direct,
            entry: entry.clone(),
        })
    }

    /// Probabilities over the labels for one photo.
    async fn probabilities(
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
    async fn probabilities_of(
        &self,
        images: &[&RgbImage],
        device: &Device,
    ) -> Result<Vec<Vec<f32>>, EngineError> {
        let probabilities = match &self.direct {
            Some(direct) => self
                .direct_logits(direct, self.pixels(images))?
                .chunks(self.entry.labels.len())
                .map(|logits| scaled_softmax(logits, self.entry.temperature()))
                .collect(),
            None => {
                let input = self.input(images, device);
                class_probabilities(&self.network, input, self.entry.temperature()).await?
            }
        };
        if probabilities.len() != images.len() {
            return Err(EngineError::new(
                "compute",
                "the model returned too few results",
            ));
        }
        Ok(probabilities)
    }

    /// Logits on the direct CPU path for prepared NCHW `pixels` at the model's input size.
    pub(crate) fn direct_logits(
        &self,
        direct: &DirectMobileNet,
        pixels: Vec<f32>,
    ) -> Result<Vec<f32>, EngineError> {
        let side = self.entry.input.size as usize;
        direct
            .forward(&pixels, side, side)
            .map_err(|e| EngineError::new("input", e))
    }

    /// The network's input values for `images`, NCHW: each resized and normalised as the
    /// manifest says.
    fn pixels(&self, images: &[&RgbImage]) -> Vec<f32> {
        let spec = &self.entry.input;
        images
            .iter()
            .flat_map(|image| normalise_chw(&resize_for_model(image, spec.size), spec))
            .collect()
    }

    /// The network's input for `images` as a tensor on `device`.
    pub(crate) fn input(&self, images: &[&RgbImage], device: &Device) -> Tensor<4> {
        let pixels = self.pixels(images);
        let side = self.entry.input.size as usize;
        Tensor::<4>::from_data(
            TensorData::new(pixels, [images.len(), 3, side, side]),
            device,
        )
    }

    /// FLOPs of one image at the model's input size.
    fn flops(&self) -> u64 {
        classifier_cost(
            &self.entry.architecture.config(),
            self.entry.input.size as usize,
        )
        .flops()
    }

    fn model_ref(&self) -> ModelRef {
        ModelRef {
            id: self.entry.id.clone(),
            sha256: self.entry.sha256.clone(),
        }
    }
}

impl Engine {
    /// Verifies `weights` against the manifest's sha256 for `task` and loads them on `device`.
    /// `tone_weights` are the manifest's `tone` model, where it lists one (the caller fetches
    /// them; without them the ITA rule gives the tone). `backend` names the device, and why it
    /// was chosen, in results.
    pub fn new(
        manifest: &Manifest,
        task: &str,
        weights: &[u8],
        tone_weights: Option<&[u8]>,
        device: Device,
        backend: BackendInfo,
    ) -> Result<Self, EngineError> {
        let on_cpu = backend.is_cpu();
        let classifier = LoadedModel::load(manifest.model_for(task)?, weights, &device, on_cpu)?;
        let tone = match tone_weights {
            Some(bytes) => Some(LoadedModel::load(
                manifest.model_for("tone")?,
                bytes,
                &device,
                on_cpu,
            )?),
            None => None,
        };
        Ok(Self {
            classifier,
            tone,
            renderer: None,
            evidence: HashMap::new(),
            device,
            backend,
        })
    }

    /// The same engine with the per-type evidence of its classifier's model card (`card_json`,
    /// the file the manifest names), shown beside each rendering's answer.
    pub fn with_card(self, card_json: &str) -> Result<Self, EngineError> {
        Ok(Self {
            evidence: evidence_from_card(card_json)?,
            ..self
        })
    }

    /// The same engine with the manifest's tone generator (`weights`, verified) on its device.
    pub fn with_generator(self, manifest: &Manifest, weights: &[u8]) -> Result<Self, EngineError> {
        let renderer = ToneRenderer::new(manifest, weights, &self.device, self.backend.is_cpu())?;
        Ok(Self {
            renderer: Some(renderer),
            ..self
        })
    }

    /// `image` re-rendered at each of `types` (Fitzpatrick 1–6) by the generator. The photo's
    /// own tone conditions the generator: its ITA° where the skin can be measured, else the
    /// target tone of the learned estimator's type. Every rendering is synthetic.
    pub async fn render(
        &self,
        image: &RgbImage,
        types: &[u8],
    ) -> Result<ToneRenderings, EngineError> {
        if image.width() == 0 || image.height() == 0 {
            return Err(EngineError::new("input", "the image is empty"));
        }
        let tone = self.estimate_tone(image).await?;
        self.render_from(image, &tone, types).await
    }

    /// [`Engine::render`] from a tone already estimated for `image` (an analysis has one).
    async fn render_from(
        &self,
        image: &RgbImage,
        tone: &ToneReport,
        types: &[u8],
    ) -> Result<ToneRenderings, EngineError> {
        let renderer = self.renderer.as_ref().ok_or_else(|| {
            EngineError::new(
                "model",
                "no tone generator is loaded, so nothing can be rendered",
            )
        })?;
        let source_ita = match (tone.ita, tone.fitzpatrick) {
            (Some(ita), _) => ita,
            (None, Some(fitzpatrick)) => renderer.target_ita(fitzpatrick)?,
            (None, None) => {
                return Err(EngineError::new(
                    "tone",
                    "too little healthy skin is visible to tell the photo's own tone, so it \
                     cannot be re-rendered at others; include more skin around the mark",
                ));
            }
        };
        let renderings = renderer
            .render(image, source_ita, types, &self.device)
            .await?;
        Ok(ToneRenderings {
            source_ita,
            source_fitzpatrick: tone.fitzpatrick,
            renderings,
            generator: renderer.model_ref(),
        })
    }

    /// What one image costs in each loaded network, for measuring achieved GFLOP/s.
    pub fn flops(&self) -> NetworkFlops {
        NetworkFlops {
            classifier: self.classifier.flops(),
            tone: self.tone.as_ref().map_or(0, LoadedModel::flops),
            generator: self.renderer.as_ref().map_or(0, ToneRenderer::flops),
        }
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
        let report = dermtone_color::assess(image);
        // The lesion's measures come from the mask the quality check drew: one segmentation.
        let shape = report.measures.and_then(|m| m.lesion_shape);
        let quality = Quality::from(report);
        let (tone, classes, heatmap) = if quality.ok {
            let tone = self.estimate_tone(image).await?;
            let (classes, heatmap) = self.classify_explained(image).await?;
            (Some(tone), classes, Some(heatmap))
        } else {
            (None, Vec::new(), None)
        };
        let lesion = quality
            .ok
            .then_some(shape)
            .flatten()
            .map(crate::LesionMeasures::from);
        let malignancy = self.malignancy(&classes);
        let per_tone = match &tone {
            Some(tone) => self.per_tone(image, tone).await?,
            None => Vec::new(),
        };
        let consistent = consistent(&per_tone);
        let triage = triage(malignancy.as_ref(), consistent);
        Ok(Analysis {
            backend: self.backend.name.clone(),
            backend_reason: self.backend.reason.clone(),
            mode: self.classifier.entry.task.clone(),
            model: self.classifier.model_ref(),
            quality,
            tone,
            classes,
            heatmap,
            lesion,
            malignancy,
            per_tone,
            consistent,
            triage,
            disclaimer: DISCLAIMER,
        })
    }

    /// The classifier's answer on the photo rendered at each Fitzpatrick type, with the card's
    /// real-photo evidence per type. Empty without a generator, or when the photo's own tone
    /// cannot be told (nothing to render from).
    async fn per_tone(
        &self,
        image: &RgbImage,
        tone: &ToneReport,
    ) -> Result<Vec<ToneResult>, EngineError> {
        if self.renderer.is_none() {
            return Ok(Vec::new());
        }
        let rendered = match self.render_from(image, tone, &[1, 2, 3, 4, 5, 6]).await {
            Ok(rendered) => rendered,
            Err(e) if e.code == "tone" => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let images: Vec<&RgbImage> = rendered.renderings.iter().map(|r| &r.image).collect();
        let all_classes = self.classify_all(&images).await?;
        let mut results = Vec::with_capacity(rendered.renderings.len());
        for (rendering, classes) in rendered.renderings.into_iter().zip(all_classes) {
            let malignancy = self.malignancy(&classes);
            results.push(ToneResult {
                fitzpatrick: rendering.fitzpatrick,
                synthetic: true,
                malignancy: malignancy.as_ref().map(|m| m.probability),
                flagged: malignancy.as_ref().map(|m| m.flagged),
                top_classes: classes.into_iter().take(3).collect(),
                evidence: self.evidence.get(&rendering.fitzpatrick).cloned(),
                image: rendering.image,
            });
        }
        Ok(results)
    }

    /// The skin tone of a photo: the ITA rule, and the learned estimator where one is loaded.
    pub async fn estimate_tone(&self, image: &RgbImage) -> Result<ToneReport, EngineError> {
        let ita = ita_estimate(image);
        let learned = match &self.tone {
            Some(model) => {
                let probabilities = model.probabilities(image, &self.device).await?;
                Some(LearnedTone {
                    fitzpatrick: argmax(&probabilities) as u8 + 1,
                    probabilities,
                    model: model.model_ref(),
                })
            }
            None => None,
        };
        Ok(tone_report(&ita, learned))
    }

    /// The operating-point decision for classified results, where the card sets one.
    pub fn malignancy(&self, classes: &[ClassProbability]) -> Option<Malignancy> {
        let point = self.classifier.entry.operating_point.as_ref()?;
        if classes.is_empty() {
            return None;
        }
        let probability = classes
            .iter()
            .filter(|c| point.classes.contains(&c.code))
            .map(|c| c.probability)
            .sum();
        Some(Malignancy {
            classes: point.classes.clone(),
            probability,
            threshold: point.threshold,
            flagged: probability >= point.threshold,
        })
    }

    /// Class probabilities for one image, most likely first, without the photo-quality check:
    /// for images the pipeline made itself, such as renderings at other tones.
    pub async fn classify(&self, image: &RgbImage) -> Result<Vec<ClassProbability>, EngineError> {
        self.classify_all(&[image])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| EngineError::new("compute", "the model returned no result"))
    }

    /// [`Engine::classify`] for several images in one batch.
    pub async fn classify_all(
        &self,
        images: &[&RgbImage],
    ) -> Result<Vec<Vec<ClassProbability>>, EngineError> {
        if images.is_empty() {
            return Ok(Vec::new());
        }
        let batch = self
            .classifier
            .probabilities_of(images, &self.device)
            .await?;
        Ok(batch
            .into_iter()
            .map(|probabilities| self.labelled(probabilities))
            .collect())
    }

    /// The classifier's probabilities with their labels, most likely first.
    pub(crate) fn labelled(&self, probabilities: Vec<f32>) -> Vec<ClassProbability> {
        let mut classes: Vec<ClassProbability> = self
            .classifier
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
        classes
    }
}

/// Index of the largest value (the first on ties; 0 when empty).
pub fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

/// Softmax of `logits / temperature`, as [`class_probabilities`] computes it on the device.
fn scaled_softmax(logits: &[f32], temperature: f32) -> Vec<f32> {
    let scaled: Vec<f32> = logits.iter().map(|l| l / temperature).collect();
    let top = scaled.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = scaled.iter().map(|l| (l - top).exp()).collect();
    let total: f32 = exps.iter().sum();
    exps.iter().map(|e| e / total).collect()
}

/// Softmax probabilities of `logits / temperature` per image for a `[batch, 3, s, s]` input, read
/// back asynchronously so the same code works on WebGPU in the browser.
pub async fn class_probabilities(
    model: &Classifier,
    input: Tensor<4>,
    temperature: f32,
) -> Result<Vec<Vec<f32>>, EngineError> {
    let [batch, _, _, _] = input.dims();
    let probabilities = softmax(model.forward(input) / temperature, 1);
    let [_, classes] = probabilities.dims();
    let values = read_values(probabilities).await?;
    Ok(values
        .chunks(classes)
        .take(batch)
        .map(<[f32]>::to_vec)
        .collect())
}

/// A tensor's values read back asynchronously (synchronous reads panic in the browser on
/// WebGPU), as one flat vector.
pub(crate) async fn read_values<const D: usize>(
    tensor: Tensor<D>,
) -> Result<Vec<f32>, EngineError> {
    let data = tensor.into_data_async().await.map_err(|e| {
        EngineError::new(
            "compute",
            format!("reading results from the device failed: {e:?}"),
        )
    })?;
    data.try_to_vec::<f32>()
        .map_err(|e| EngineError::new("compute", format!("unexpected result type: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_direct_cpu_path_classifies_as_burn_does() {
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        let manifest =
            Manifest::from_json(&std::fs::read_to_string(models.join("manifest.json")).unwrap())
                .unwrap();
        let device = Device::flex();
        for task in ["photo", "dermoscopy"] {
            let entry = manifest.model_for(task).unwrap();
            let weights = std::fs::read(models.join(&entry.file)).unwrap();
            let direct = LoadedModel::load(entry, &weights, &device, true).unwrap();
            let burn = LoadedModel::load(entry, &weights, &device, false).unwrap();
            assert!(burn.direct.is_none());
            let side = entry.input.size as usize;
            let pixels: Vec<f32> = (0..2 * 3 * side * side)
                .map(|i| ((i * 7919) % 1000) as f32 / 250.0 - 2.0)
                .collect();
            let ours = direct
                .direct_logits(direct.direct.as_ref().unwrap(), pixels.clone())
                .unwrap();
            let theirs = burn
                .network
                .forward(Tensor::<4>::from_data(
                    TensorData::new(pixels, [2, 3, side, side]),
                    &device,
                ))
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
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
