//! [`ToneRenderer`]: the shipped tone generator on a device, re-rendering a photo at
//! Fitzpatrick types I–VI. Every rendering is synthetic; callers that write one to a file stamp
//! it (see [`crate::stamp_provenance`]).

use burn::prelude::*;
use dermtone_net::{Generator, GeneratorConfig, condition_row, generator_cost, load_generator};
use image::RgbImage;

use crate::{EngineError, Manifest, ModelEntry, ModelRef, normalise_chw, resize_for_model};

/// The generator verified against its manifest entry and loaded on a device.
pub struct ToneRenderer {
    pub(crate) network: Generator,
    config: GeneratorConfig,
    pub(crate) entry: ModelEntry,
    target_ita: [f32; 6],
}

/// One photo re-rendered at one Fitzpatrick type.
#[derive(Debug, Clone)]
pub struct Rendering {
    /// Fitzpatrick type 1–6 it was rendered at.
    pub fitzpatrick: u8,
    /// ITA° the generator was asked for (the type's target).
    pub target_ita: f32,
    /// The synthetic image, square, at the generator's size.
    pub image: RgbImage,
}

impl ToneRenderer {
    /// Verifies `weights` against the manifest's `generator` entry and loads them on `device`.
    pub fn new(manifest: &Manifest, weights: &[u8], device: &Device) -> Result<Self, EngineError> {
        let entry = manifest.model_for("generator")?;
        entry.verify(weights)?;
        let spec = entry.generator.as_ref().ok_or_else(|| {
            EngineError::new(
                "manifest",
                format!("model {} has no generator section", entry.id),
            )
        })?;
        if entry.input.size == 0 || entry.input.size % 4 != 0 {
            return Err(EngineError::new(
                "manifest",
                format!(
                    "generator {} renders at {} px, which is not a positive multiple of 4",
                    entry.id, entry.input.size
                ),
            ));
        }
        if entry.input.mean != [0.0; 3] || entry.input.std != [1.0; 3] {
            return Err(EngineError::new(
                "manifest",
                format!(
                    "generator {} must take sRGB in 0..1 (input mean 0, std 1)",
                    entry.id
                ),
            ));
        }
        let config = spec.config(entry.architecture.base_width);
        let network = load_generator(&config, weights, device).map_err(|e| {
            EngineError::new(
                "model",
                format!(
                    "model {} ({}) could not be loaded: {e}",
                    entry.id, entry.file
                ),
            )
        })?;
        Ok(Self {
            network,
            config,
            entry: entry.clone(),
            target_ita: spec.target_ita,
        })
    }

    /// Which weights render.
    pub fn model_ref(&self) -> ModelRef {
        ModelRef {
            id: self.entry.id.clone(),
            sha256: self.entry.sha256.clone(),
        }
    }

    /// FLOPs of one rendering at the generator's size (see [`dermtone_net::flops`]).
    pub fn flops(&self) -> u64 {
        generator_cost(&self.config, self.entry.input.size as usize).flops()
    }

    /// The ITA° the generator is asked for at Fitzpatrick type `fitzpatrick` (1–6).
    pub fn target_ita(&self, fitzpatrick: u8) -> Result<f32, EngineError> {
        match fitzpatrick {
            1..=6 => Ok(self.target_ita[usize::from(fitzpatrick - 1)]),
            _ => Err(EngineError::new(
                "input",
                format!("Fitzpatrick type {fitzpatrick} is not 1–6"),
            )),
        }
    }

    /// `image` (whose healthy skin measures `source_ita`) re-rendered at each of `types`, in one
    /// batch on the device.
    pub async fn render(
        &self,
        image: &RgbImage,
        source_ita: f32,
        types: &[u8],
        device: &Device,
    ) -> Result<Vec<Rendering>, EngineError> {
        if types.is_empty() {
            return Ok(Vec::new());
        }
        if image.width() == 0 || image.height() == 0 {
            return Err(EngineError::new("input", "the image is empty"));
        }
        if !source_ita.is_finite() {
            return Err(EngineError::new("input", "the source tone is not a number"));
        }
        let targets = types
            .iter()
            .map(|&t| self.target_ita(t))
            .collect::<Result<Vec<f32>, EngineError>>()?;
        let side = self.entry.input.size;
        let pixels = normalise_chw(&resize_for_model(image, side), &self.entry.input);
        let batch = types.len();
        let mut input = Vec::with_capacity(batch * pixels.len());
        let mut conditions = Vec::with_capacity(batch * dermtone_net::CONDITION_INPUTS);
        for &target in &targets {
            input.extend_from_slice(&pixels);
            conditions.extend(condition_row(source_ita, target));
        }
        let s = side as usize;
        let input = Tensor::<4>::from_data(TensorData::new(input, [batch, 3, s, s]), device);
        let conditions = Tensor::<2>::from_data(
            TensorData::new(conditions, [batch, dermtone_net::CONDITION_INPUTS]),
            device,
        );
        let output = self.network.forward(input, conditions).clamp(0.0, 1.0);
        let values = output
            .into_data_async()
            .await
            .map_err(|e| {
                EngineError::new(
                    "compute",
                    format!("reading renderings from the device failed: {e:?}"),
                )
            })?
            .try_to_vec::<f32>()
            .map_err(|e| EngineError::new("compute", format!("unexpected result type: {e:?}")))?;
        let plane = s * s;
        Ok(types
            .iter()
            .zip(targets)
            .zip(values.chunks(3 * plane))
            .map(|((&fitzpatrick, target_ita), chw)| Rendering {
                fitzpatrick,
                target_ita,
                image: from_unit_chw(chw, side),
            })
            .collect())
    }
}

/// A square image from channel-major floats in 0..1.
fn from_unit_chw(chw: &[f32], side: u32) -> RgbImage {
    let plane = (side * side) as usize;
    RgbImage::from_fn(side, side, |x, y| {
        let i = (y * side + x) as usize;
        image::Rgb(std::array::from_fn(|c| {
            (chw[c * plane + i] * 255.0).round().clamp(0.0, 255.0) as u8
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InputSpec;

    #[test]
    fn pixels_round_trip_through_the_tensor_layout() {
        let image = RgbImage::from_fn(4, 4, |x, y| image::Rgb([x as u8 * 60, y as u8 * 60, 7]));
        let unit = InputSpec {
            size: 4,
            mean: [0.0; 3],
            std: [1.0; 3],
        };
        assert_eq!(from_unit_chw(&normalise_chw(&image, &unit), 4), image);
    }
}
