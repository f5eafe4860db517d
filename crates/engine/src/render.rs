//! [`ToneRenderer`]: the shipped tone generator on a device, re-rendering a photo at
//! Fitzpatrick types I–VI. Every rendering is synthetic; callers that write one to a file stamp
//! it (see [`crate::stamp_provenance`]).

use burn::prelude::*;
use dermtone_net::{
    DirectGenerator, GeneratorConfig, condition_row, direct_generator_from_bytes, generator_cost,
};
use image::RgbImage;

use crate::on_device::DeviceGenerator;
use crate::{EngineError, Manifest, ModelEntry, ModelRef, normalise_chw, resize_for_model};

/// What runs the generator.
// An engine holds two or three of these, so the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
enum Runner {
    /// On the CPU: the direct kernels, built from the weight file without burn.
    Direct(DirectGenerator),
    /// On another device: burn.
    Device(DeviceGenerator),
}

/// The generator verified against its manifest entry and loaded for a device.
pub struct ToneRenderer {
    runner: Runner,
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
    /// Verifies `weights` against the manifest's `generator` entry and loads them on `device`;
    /// `on_cpu` says the device is the CPU, where the direct path renders instead of burn.
    pub fn new(
        manifest: &Manifest,
        weights: &[u8],
        device: &Device,
        on_cpu: bool,
    ) -> Result<Self, EngineError> {
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
        let runner = if on_cpu {
            Runner::Direct(
                direct_generator_from_bytes(&config, weights).map_err(|e| entry.not_loaded(e))?,
            )
        } else {
            Runner::Device(DeviceGenerator::load(entry, &config, weights, device)?)
        };
        Ok(Self {
            runner,
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
        let values = self
            .forward(input, conditions, batch, s, device)
            .await?
            .into_iter()
            .map(|v| v.clamp(0.0, 1.0))
            .collect::<Vec<f32>>();
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

    /// The network's raw output (NCHW, not clamped) for `batch` images of `side`² pixels in 0..1
    /// and their conditions: on the direct CPU path on the CPU, else by burn on `device`.
    pub(crate) async fn forward(
        &self,
        input: Vec<f32>,
        conditions: Vec<f32>,
        batch: usize,
        side: usize,
        device: &Device,
    ) -> Result<Vec<f32>, EngineError> {
        match &self.runner {
            Runner::Direct(direct) => direct
                .forward(&input, &conditions, side, side)
                .map_err(|e| EngineError::new("input", e)),
            Runner::Device(network) => network.render(input, conditions, batch, side, device).await,
        }
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
pub(crate) mod tests {
    use super::*;
    use crate::InputSpec;

    /// The shipped manifest and the generator's weights it names.
    pub(crate) fn shipped_generator() -> (Manifest, Vec<u8>) {
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        let manifest =
            Manifest::from_json(&std::fs::read_to_string(models.join("manifest.json")).unwrap())
                .unwrap();
        let file = &manifest.model_for("generator").unwrap().file;
        let weights = std::fs::read(models.join(file)).unwrap();
        (manifest, weights)
    }

    /// The shipped generator, loaded for the direct CPU path or for burn's.
    #[cfg(feature = "burn-forward")]
    fn shipped(on_cpu: bool) -> ToneRenderer {
        let (manifest, weights) = shipped_generator();
        ToneRenderer::new(&manifest, &weights, &Device::flex(), on_cpu).unwrap()
    }

    #[test]
    #[cfg(feature = "burn-forward")]
    fn the_direct_cpu_path_renders_what_burn_renders() {
        let (direct, burn) = (shipped(true), shipped(false));
        assert!(matches!(direct.runner, Runner::Direct(_)));
        assert!(matches!(burn.runner, Runner::Device(_)));
        let side = direct.entry.input.size as usize;
        let pixels = 3 * side * side;
        let input: Vec<f32> = (0..2 * pixels)
            .map(|i| ((i * 7919) % 1000) as f32 / 1000.0)
            .collect();
        let conditions = [condition_row(40.0, -30.0), condition_row(-5.0, 60.0)].concat();
        let run = |renderer: &ToneRenderer| {
            pollster::block_on(renderer.forward(
                input.clone(),
                conditions.clone(),
                2,
                side,
                &Device::flex(),
            ))
            .unwrap()
        };
        let (a, b) = (run(&direct), run(&burn));
        assert_eq!(a.len(), 2 * pixels);
        let worst = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-4, "largest difference {worst}");
        let moved = a
            .iter()
            .zip(&input)
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max);
        assert!(moved > 0.05, "the rendering should differ from the photo");
    }

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
