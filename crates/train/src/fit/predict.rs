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

/// Pooled penultimate features (the head's input) of resized images, in batches of 32: what
/// realism is measured on, and what a probe of the body reads.
pub fn pooled_features(
    model: &Classifier,
    images: &[RgbImage],
    input: &InputSpec,
) -> Result<Vec<Vec<f32>>, String> {
    let device = Device::flex();
    let mut out = Vec::with_capacity(images.len());
    for chunk in images.chunks(32) {
        let values = model
            .features(batch_tensor(chunk, input, &device))
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|e| format!("{e:?}"))?;
        let width = values.len() / chunk.len();
        out.extend(values.chunks(width).map(<[f32]>::to_vec));
    }
    Ok(out)
}

/// The per-image mean of several sets of probabilities over the same images (views of each
/// image, or models of an ensemble); empty for no sets.
pub fn mean_probabilities(sets: &[Vec<Vec<f32>>]) -> Vec<Vec<f32>> {
    let Some(first) = sets.first() else {
        return Vec::new();
    };
    (0..first.len())
        .map(|i| {
            (0..first[i].len())
                .map(|c| sets.iter().map(|set| set[i][c]).sum::<f32>() / sets.len() as f32)
                .collect()
        })
        .collect()
}

/// Normalised `[batch, 3, side, side]` input of resized images, on `device`.
pub fn batch_tensor(images: &[RgbImage], input: &InputSpec, device: &Device) -> Tensor<4> {
    let side = input.size as usize;
    let data: Vec<f32> = images
        .iter()
        .flat_map(|im| normalise_chw(im, input))
        .collect();
    Tensor::from_data(TensorData::new(data, [images.len(), 3, side, side]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_average_image_by_image() {
        let a = vec![vec![1.0, 0.0], vec![0.5, 0.5]];
        let b = vec![vec![0.0, 1.0], vec![0.25, 0.75]];
        assert_eq!(
            mean_probabilities(&[a, b]),
            vec![vec![0.5, 0.5], vec![0.375, 0.625]]
        );
        assert!(mean_probabilities(&[]).is_empty());
    }
}
