//! The networks run by burn on the engine's device: WebGPU in the page, burn's CPU backend where
//! the CLI or a test asks for it. Everything here is behind the `burn-forward` feature: without
//! it (the page's CPU bundle) the engine runs on the direct CPU kernels alone, and burn's
//! convolution and matrix kernels stay out of the wasm (`cpu_only.rs` stands in).

use burn::prelude::*;
use burn::tensor::activation::softmax;
use dermtone_net::{Classifier, Generator};

use crate::EngineError;

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

/// Raw logits `[batch, classes]`, flattened.
pub(crate) async fn logits(model: &Classifier, input: Tensor<4>) -> Result<Vec<f32>, EngineError> {
    read_values(model.forward(input)).await
}

/// Calibrated probabilities for one image, every class's activation map (class-major), and the
/// maps' `[width, height]`, read back from the device in one transfer.
pub(crate) async fn probabilities_and_maps(
    model: &Classifier,
    input: Tensor<4>,
    temperature: f32,
) -> Result<(Vec<f32>, Vec<f32>, [usize; 2]), EngineError> {
    let (logits, maps) = model.forward_with_maps(input);
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

/// The generator's raw output (NCHW, not clamped) for `images` and their `conditions`.
pub(crate) async fn render(
    model: &Generator,
    images: Tensor<4>,
    conditions: Tensor<2>,
) -> Result<Vec<f32>, EngineError> {
    read_values(model.forward(images, conditions)).await
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
