//! [`Engine`]: a verified model on a device, ready to analyse photos.

use burn::prelude::*;
use image::RgbImage;

use std::collections::HashMap;

use crate::analysis::DISCLAIMER;
use crate::cost::NetworkFlops;
use crate::grid::tone_grid;
use crate::loaded::LoadedModel;
use crate::per_tone::{Evidence, ToneResult, consistent, evidence_from_card};
use crate::render::{Rendering, ToneRenderer};
use crate::tone::{LearnedTone, ToneReport, ita_estimate, tone_report};
use crate::triage::triage;
use crate::{
    Analysis, BackendInfo, ClassProbability, EngineError, Malignancy, Manifest, ModelRef,
    Provenance, Quality, stamped_png,
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

/// Index of the largest value (the last on ties, as `Iterator::max_by`; 0 when empty).
pub fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}
