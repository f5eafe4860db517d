//! What a run computes from its training split before fitting: the input normalisation and the
//! class weights of the loss.

use dermtone_engine::InputSpec;
use image::RgbImage;

/// Per-channel mean and standard deviation of `x/255` over the training images.
pub fn fit_normalisation(images: &[RgbImage], size: u32) -> InputSpec {
    let mut sum = [0f64; 3];
    let mut sum_sq = [0f64; 3];
    let mut n = 0f64;
    for image in images {
        for pixel in image.pixels() {
            for c in 0..3 {
                let v = f64::from(pixel[c]) / 255.0;
                sum[c] += v;
                sum_sq[c] += v * v;
            }
            n += 1.0;
        }
    }
    let mean = sum.map(|s| s / n.max(1.0));
    let std = [0, 1, 2].map(|c| {
        (sum_sq[c] / n.max(1.0) - mean[c] * mean[c])
            .max(1e-6)
            .sqrt() as f32
    });
    InputSpec {
        size,
        mean: mean.map(|m| m as f32),
        std,
    }
}

/// Inverse-square-root-frequency class weights, normalised to mean 1: rare classes count more
/// without letting classes of a few images dominate.
pub fn class_weights(labels: &[usize], classes: usize) -> Vec<f32> {
    let mut counts = vec![0usize; classes];
    for &l in labels {
        counts[l] += 1;
    }
    let raw: Vec<f32> = counts
        .iter()
        .map(|&c| 1.0 / (c.max(1) as f32).sqrt())
        .collect();
    let mean = raw.iter().sum::<f32>() / raw.len() as f32;
    raw.iter().map(|w| w / mean).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_classes_weigh_more() {
        let w = class_weights(&[5, 5, 5, 5, 0], 7);
        assert!(w[0] > w[5]);
        assert!((w.iter().sum::<f32>() / w.len() as f32 - 1.0).abs() < 1e-5);
    }
}
