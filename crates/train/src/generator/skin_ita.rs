//! Stage 2's ITA term: the ITA° of a rendering's healthy skin against the ITA° it was asked for.
//! The critic pulls renderings toward real photos of each labelled type, and this dataset's
//! photos labelled V–VI measure far lighter than their labels suggest, so without this term
//! stage 2 compressed the tone range (generator-v1 rendered type VI about 10° lighter than asked,
//! `generator-experiments.md`). The colour maths runs on the batch in burn, so the term's
//! gradient reaches the generator; it follows `dermtone_color::srgb_to_lab` (D65, IEC 61966-2-1,
//! CIE 15), which a test checks.

use burn::prelude::*;

/// Skin pixels a crop needs before its tone counts (fewer say nothing about tone).
const MIN_SKIN_PIXELS: f32 = 16.0;

/// CIE ε and κ: where the cube root of the Lab transfer gives way to its linear segment.
const EPSILON: f32 = 216.0 / 24389.0;
const KAPPA: f32 = 24389.0 / 27.0;

/// Mean over the batch of 2 (1 − cos Δ), Δ the angle between the ITA° of each crop's mean skin
/// colour (mean L* and b* over the pixels `skin` marks) and `target_itas` (degrees, one per
/// crop); about Δ² in radians for small errors. `images` are `[batch, 3, h, w]` sRGB in 0..1,
/// `skin` `[batch, 1, h, w]` of 0 and 1. Crops with fewer than 16 skin pixels are left out; a
/// batch with none scores 0.
pub fn skin_ita_loss(images: Tensor<4>, skin: Tensor<4>, target_itas: &[f32]) -> Tensor<1> {
    let [batch, _, _, _] = images.dims();
    let device = images.device();
    let (lightness, yellowness) = lightness_and_yellowness(images);
    let pixels = skin.clone().sum_dim(3).sum_dim(2).reshape([batch]);
    let counted = pixels.clone().greater_equal_elem(MIN_SKIN_PIXELS).float();
    let mean = |channel: Tensor<4>| {
        (channel * skin.clone())
            .sum_dim(3)
            .sum_dim(2)
            .reshape([batch])
            / pixels.clone().clamp_min(1.0)
    };
    let (u, v) = (mean(yellowness), mean(lightness) - 50.0);
    let (cos, sin): (Vec<f32>, Vec<f32>) = target_itas
        .iter()
        .map(|ita| (ita.to_radians().cos(), ita.to_radians().sin()))
        .unzip();
    let cos = Tensor::<1>::from_floats(cos.as_slice(), &device);
    let sin = Tensor::<1>::from_floats(sin.as_slice(), &device);
    let length = (u.clone().powi_scalar(2) + v.clone().powi_scalar(2) + 1e-6).sqrt();
    let agreement = (u * cos + v * sin) / length;
    let loss = (agreement.neg() + 1.0) * 2.0 * counted.clone();
    loss.sum() / counted.sum().clamp_min(1.0)
}

/// CIELAB L* and b* of every pixel, each `[batch, 1, h, w]`.
fn lightness_and_yellowness(images: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
    let device = images.device();
    let c = images.clamp(0.0, 1.0);
    let low = c.clone() / 12.92;
    let high = ((c.clone() + 0.055) / 1.055).powf_scalar(2.4);
    let linear = high.mask_where(c.lower_equal_elem(0.04045), low);
    let row = |weights: [f32; 3]| Tensor::<1>::from_floats(weights, &device).reshape([1, 3, 1, 1]);
    let y = (linear.clone() * row([0.212_672_9, 0.715_152_2, 0.072_175])).sum_dim(1);
    let z = (linear * row([0.019_333_9, 0.119_192, 0.950_304_1])).sum_dim(1) / 1.088_83;
    let (fy, fz) = (transfer(y), transfer(z));
    (fy.clone() * 116.0 - 16.0, (fy - fz) * 200.0)
}

/// The Lab transfer function; the cube root only ever sees values above ε, so its gradient
/// stays finite at black.
fn transfer(t: Tensor<4>) -> Tensor<4> {
    let root = t.clone().clamp_min(EPSILON).powf_scalar(1.0 / 3.0);
    let linear = (t.clone() * KAPPA + 16.0) / 116.0;
    root.mask_where(t.lower_equal_elem(EPSILON), linear)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::tensors::scalar;
    use burn::tensor::Tolerance;
    use dermtone_color::{individual_typology_angle, srgb_to_lab};

    fn uniform(rgb: [u8; 3], side: usize) -> Tensor<4> {
        let data: Vec<f32> = (0..3)
            .flat_map(|c| std::iter::repeat_n(f32::from(rgb[c]) / 255.0, side * side))
            .collect();
        Tensor::from_data(TensorData::new(data, [1, 3, side, side]), &Device::flex())
    }

    fn all_skin(side: usize) -> Tensor<4> {
        Tensor::ones([1, 1, side, side], &Device::flex())
    }

    #[test]
    fn lab_matches_the_colour_crate_on_skin_and_dark_colours() {
        for rgb in [[241, 220, 200], [90, 60, 45], [3, 2, 1], [200, 120, 90]] {
            let (l, b) = lightness_and_yellowness(uniform(rgb, 2));
            let expected = srgb_to_lab(rgb);
            let expect = |value: f32| TensorData::new(vec![value; 4], [1, 1, 2, 2]);
            l.into_data()
                .assert_approx_eq::<f32>(&expect(expected.l), Tolerance::absolute(0.02));
            b.into_data()
                .assert_approx_eq::<f32>(&expect(expected.b), Tolerance::absolute(0.02));
        }
    }

    #[test]
    fn zero_at_the_skins_own_ita_and_growing_with_the_error() {
        let rgb = [150, 100, 80];
        let ita = individual_typology_angle(srgb_to_lab(rgb));
        let loss =
            |target: f32| scalar(skin_ita_loss(uniform(rgb, 8), all_skin(8), &[target])).unwrap();
        assert!(loss(ita) < 1e-6, "{}", loss(ita));
        let (five, twenty) = (loss(ita - 5.0), loss(ita + 20.0));
        assert!((five - 5f32.to_radians().powi(2)).abs() < 1e-3, "{five}");
        assert!(twenty > 10.0 * five, "{twenty} vs {five}");
    }

    #[test]
    fn only_skin_pixels_count_and_crops_without_skin_are_left_out() {
        let side = 8;
        let mut data = vec![0.0; side * side];
        data[..side * side / 2].fill(1.0);
        let half = Tensor::from_data(TensorData::new(data, [1, 1, side, side]), &Device::flex());
        let skin_rgb = [150, 100, 80];
        let ita = individual_typology_angle(srgb_to_lab(skin_rgb));
        let top_skin_bottom_blue: Vec<f32> = (0..3)
            .flat_map(|c| {
                let skin = vec![f32::from(skin_rgb[c]) / 255.0; side * side / 2];
                let blue = vec![[0.1, 0.2, 0.9][c]; side * side / 2];
                skin.into_iter().chain(blue)
            })
            .collect();
        let image = Tensor::from_data(
            TensorData::new(top_skin_bottom_blue, [1, 3, side, side]),
            &Device::flex(),
        );
        assert!(scalar(skin_ita_loss(image.clone(), half, &[ita])).unwrap() < 1e-6);
        let none = Tensor::zeros([1, 1, side, side], &Device::flex());
        assert_eq!(scalar(skin_ita_loss(image, none, &[ita])).unwrap(), 0.0);
    }

    #[test]
    fn its_gradient_darkens_skin_asked_to_be_darker_and_stays_finite_at_black() {
        let device = Device::flex().autodiff();
        let (side, half) = (8, 32);
        let light_then_black: Vec<f32> = [241.0f32, 220.0, 200.0]
            .iter()
            .flat_map(|&v| [vec![v / 255.0; half], vec![0.0; half]].concat())
            .collect();
        let image = Tensor::<4>::from_data(
            TensorData::new(light_then_black, [1, 3, side, side]),
            &device,
        )
        .require_grad();
        let mask = [vec![1.0f32; half], vec![0.0; half]].concat();
        let skin = Tensor::from_data(TensorData::new(mask, [1, 1, side, side]), &device);
        let gradients = skin_ita_loss(image.clone(), skin, &[-40.0]).backward();
        let values = image
            .grad(&gradients)
            .expect("a gradient")
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert!(values.iter().all(|g| g.is_finite()), "{values:?}");
        assert!(
            values.iter().sum::<f32>() > 0.0,
            "descending must darken: {values:?}"
        );
    }
}
