//! Images, tone conditions and labels as the generator's and critic's input tensors.

use burn::prelude::*;
use dermtone_net::condition_row;
use image::RgbImage;

use super::data::Pair;

/// The inputs, targets and conditions of supervised pairs.
pub(super) fn pair_tensors(pairs: &[Pair], device: &Device) -> (Tensor<4>, Tensor<4>, Tensor<2>) {
    (
        images_tensor(pairs.iter().map(|p| &p.input), device),
        images_tensor(pairs.iter().map(|p| &p.target), device),
        conditions(pairs.iter().map(|p| (p.source_ita, p.target_ita)), device),
    )
}

/// `[batch, 3, h, w]` sRGB in 0..1 from equally sized images.
pub fn images_tensor<'a>(images: impl Iterator<Item = &'a RgbImage>, device: &Device) -> Tensor<4> {
    let images: Vec<&RgbImage> = images.collect();
    let (w, h) = images[0].dimensions();
    let plane = (w * h) as usize;
    let mut data = vec![0f32; images.len() * 3 * plane];
    for (b, image) in images.iter().enumerate() {
        for (i, pixel) in image.pixels().enumerate() {
            for c in 0..3 {
                data[(b * 3 + c) * plane + i] = f32::from(pixel[c]) / 255.0;
            }
        }
    }
    Tensor::from_data(
        TensorData::new(data, [images.len(), 3, h as usize, w as usize]),
        device,
    )
}

/// Condition rows `[batch, 3]` from (source ITA°, target ITA°).
pub fn conditions(tones: impl Iterator<Item = (f32, f32)>, device: &Device) -> Tensor<2> {
    let rows: Vec<f32> = tones.flat_map(|(s, t)| condition_row(s, t)).collect();
    let n = rows.len() / dermtone_net::CONDITION_INPUTS;
    Tensor::from_data(
        TensorData::new(rows, [n, dermtone_net::CONDITION_INPUTS]),
        device,
    )
}

/// Class indices as an integer tensor.
pub(super) fn int_tensor(values: impl Iterator<Item = usize>, device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = values.map(|v| v as i64).collect();
    let n = values.len();
    Tensor::from_data(TensorData::new(values, [n]), device)
}

/// The single value of a loss (or any one-element tensor).
pub(super) fn scalar<const D: usize>(tensor: Tensor<D>) -> Result<f32, String> {
    tensor
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| format!("{e:?}"))?
        .first()
        .copied()
        .ok_or_else(|| "empty loss".into())
}
