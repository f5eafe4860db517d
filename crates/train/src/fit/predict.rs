//! Running a trained classifier on resized images through the engine's own code path, as the
//! app does: on the CPU, optionally with a calibration temperature.

use burn::prelude::*;
use dermtone_engine::{InputSpec, class_probabilities, normalise_chw};
use dermtone_net::{Classifier, ClassifierConfig};
use image::RgbImage;

/// Loads an f32 record into a fresh inference (non-autodiff) CPU model.
pub fn load_record(config: &ClassifierConfig, record: &[u8]) -> Result<Classifier, String> {
    config.load_record(record, &Device::flex())
}

/// Class probabilities for resized images, computed by the engine's own code path.
pub fn predict(
    model: &Classifier,
    images: &[RgbImage],
    input: &InputSpec,
) -> Result<Vec<Vec<f32>>, String> {
    predict_calibrated(model, images, input, 1.0)
}

/// [`predict`] with the logits divided by a calibration `temperature`, as the app does.
pub fn predict_calibrated(
    model: &Classifier,
    images: &[RgbImage],
    input: &InputSpec,
    temperature: f32,
) -> Result<Vec<Vec<f32>>, String> {
    let device = Device::flex();
    let mut out = Vec::with_capacity(images.len());
    for chunk in images.chunks(128) {
        let batch = batch_tensor(chunk, input, &device);
        out.extend(
            pollster::block_on(class_probabilities(model, batch, temperature))
                .map_err(|e| e.to_string())?,
        );
    }
    Ok(out)
}

/// Normalised `[batch, 3, side, side]` input of resized images.
pub(super) fn batch_tensor(images: &[RgbImage], input: &InputSpec, device: &Device) -> Tensor<4> {
    let side = input.size as usize;
    let data: Vec<f32> = images
        .iter()
        .flat_map(|im| normalise_chw(im, input))
        .collect();
    Tensor::from_data(TensorData::new(data, [images.len(), 3, side, side]), device)
}
