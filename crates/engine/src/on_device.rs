//! The networks run by burn on the engine's device: WebGPU in the page, burn's CPU backend where
//! the CLI or a test asks for it. Everything here is behind the `burn-forward` feature: without
//! it (the page's CPU bundle) the engine runs on the direct CPU kernels alone, loaded without
//! burn, and burn's initialisers, convolutions and matrix kernels stay out of the wasm
//! (`cpu_only.rs` stands in).

use burn::prelude::*;
use burn::tensor::activation::softmax;
use dermtone_net::{Classifier, Generator, GeneratorConfig, load_classifier, load_generator};

use crate::{EngineError, ModelEntry};

/// A classifier, batch norms folded, on a burn device.
pub(crate) struct DeviceClassifier(Classifier);

impl DeviceClassifier {
    /// `weights` (verified) built into `entry`'s network on `device`.
    pub(crate) fn load(
        entry: &ModelEntry,
        weights: &[u8],
        device: &Device,
    ) -> Result<Self, EngineError> {
        let network = load_classifier(&entry.architecture.config(), weights, device)
            .map_err(|e| entry.not_loaded(e))?;
        // The engine only runs the network, so its batch norms are folded into the convolutions.
        Ok(Self(network.folded()))
    }

    /// Raw logits `[batch, classes]`, flattened, for prepared NCHW `pixels` of `side`².
    pub(crate) async fn logits(
        &self,
        pixels: Vec<f32>,
        batch: usize,
        side: usize,
        device: &Device,
    ) -> Result<Vec<f32>, EngineError> {
        read_values(self.0.forward(images(pixels, batch, side, device))).await
    }

    /// Calibrated probabilities for one prepared image, every class's activation map
    /// (class-major), and the maps' `[width, height]`, read back in one transfer.
    pub(crate) async fn probabilities_and_maps(
        &self,
        pixels: Vec<f32>,
        side: usize,
        temperature: f32,
        device: &Device,
    ) -> Result<(Vec<f32>, Vec<f32>, [usize; 2]), EngineError> {
        let (logits, maps) = self.0.forward_with_maps(images(pixels, 1, side, device));
        let [_, classes, height, width] = maps.dims();
        let probabilities = softmax(logits / temperature, 1).reshape([classes]);
        let both = Tensor::cat(
            vec![probabilities, maps.reshape([classes * height * width])],
            0,
        );
        let values = read_values(both).await?;
        if values.len() != classes * (1 + height * width) || classes == 0 {
            return Err(EngineError::new(
                "compute",
                "the model returned too few results",
            ));
        }
        let (probabilities, maps) = values.split_at(classes);
        Ok((probabilities.to_vec(), maps.to_vec(), [width, height]))
    }
}

/// The tone generator on a burn device.
pub(crate) struct DeviceGenerator(Generator);

impl DeviceGenerator {
    /// `weights` (verified) built into a generator of `config` on `device`.
    pub(crate) fn load(
        entry: &ModelEntry,
        config: &GeneratorConfig,
        weights: &[u8],
        device: &Device,
    ) -> Result<Self, EngineError> {
        load_generator(config, weights, device)
            .map(Self)
            .map_err(|e| entry.not_loaded(e))
    }

    /// The raw output (NCHW, not clamped) for `batch` prepared images of `side`² and their
    /// conditions.
    pub(crate) async fn render(
        &self,
        pixels: Vec<f32>,
        conditions: Vec<f32>,
        batch: usize,
        side: usize,
        device: &Device,
    ) -> Result<Vec<f32>, EngineError> {
        let conditions = Tensor::<2>::from_data(
            TensorData::new(conditions, [batch, dermtone_net::CONDITION_INPUTS]),
            device,
        );
        read_values(
            self.0
                .forward(images(pixels, batch, side, device), conditions),
        )
        .await
    }
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

/// `batch` prepared NCHW images of `side`² as a tensor on `device`.
fn images(pixels: Vec<f32>, batch: usize, side: usize, device: &Device) -> Tensor<4> {
    Tensor::<4>::from_data(TensorData::new(pixels, [batch, 3, side, side]), device)
}

/// A tensor's values read back asynchronously (synchronous reads panic in the browser on
/// WebGPU), as one flat vector.
async fn read_values<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, EngineError> {
    let data = tensor.into_data_async().await.map_err(|e| {
        EngineError::new(
            "compute",
            format!("reading results from the device failed: {e:?}"),
        )
    })?;
    data.try_to_vec::<f32>()
        .map_err(|e| EngineError::new("compute", format!("unexpected result type: {e:?}")))
}
