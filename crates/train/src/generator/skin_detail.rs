//! Stage 2's skin-detail term: the finest detail of a rendering's healthy skin against the
//! biophysical re-toning's. Melanin scales how much light skin reflects, fine texture included,
//! yet generator-v3's skin carries twice the high-frequency share of real dark skin
//! (`validate-generator`'s skin-patch spectra: 20.9 % against 9.8 %; the re-toning 12.5 %). The
//! detail compared is the luminance Laplacian, a high-pass that responds to fine texture and not
//! at all to a change of level or a smooth gradient, the tone change itself. Measured on val at
//! weights 10 and 100 it did not move the share (`models/generator-experiments.md`). The gain arm
//! there then showed the share misleads: real dark-skin photos keep light skin's texture
//! amplitude, and the rendering's excess share comes from too little coarse variation.

use burn::prelude::*;

/// Mean over the healthy-skin pixels of the batch (`skin`, `[batch, 1, h, w]` of 0 and 1) of
/// |Laplacian of the rendering's luminance − the re-toning's|. `rendered` and `retoned` are
/// `[batch, 3, h, w]` sRGB in 0..1, at least 3 px on each side; the outermost pixels, whose
/// Laplacian needs a neighbour outside, are left out. A batch without skin scores 0.
pub fn skin_detail_loss(rendered: Tensor<4>, retoned: Tensor<4>, skin: Tensor<4>) -> Tensor<1> {
    let [_, _, h, w] = skin.dims();
    let difference = laplacian(luminance(rendered)) - laplacian(luminance(retoned));
    let inside = skin.narrow(2, 1, h - 2).narrow(3, 1, w - 2);
    let pixels = inside.clone().sum().clamp_min(1.0);
    ((difference.abs() * inside).sum() / pixels).reshape([1])
}

/// Rec. 709 luma of sRGB values, `[batch, 1, h, w]`: what the skin-patch spectra measure.
fn luminance(images: Tensor<4>) -> Tensor<4> {
    let device = images.device();
    let weights = Tensor::<1>::from_floats([0.2126, 0.7152, 0.0722], &device).reshape([1, 3, 1, 1]);
    (images.clamp(0.0, 1.0) * weights).sum_dim(1)
}

/// 4·centre − its four neighbours, on the `(h − 2) × (w − 2)` inner pixels.
fn laplacian(image: Tensor<4>) -> Tensor<4> {
    let [_, _, h, w] = image.dims();
    let at = |dy: usize, dx: usize| image.clone().narrow(2, dy, h - 2).narrow(3, dx, w - 2);
    at(1, 1) * 4.0 - at(0, 1) - at(2, 1) - at(1, 0) - at(1, 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::tensors::scalar;

    const SIDE: usize = 16;

    fn image(value: impl Fn(usize, usize, usize) -> f32) -> Tensor<4> {
        let data: Vec<f32> = (0..3)
            .flat_map(|c| (0..SIDE * SIDE).map(move |i| (c, i / SIDE, i % SIDE)))
            .map(|(c, y, x)| value(c, y, x))
            .collect();
        Tensor::from_data(TensorData::new(data, [1, 3, SIDE, SIDE]), &Device::flex())
    }

    fn mask(on: impl Fn(usize, usize) -> bool) -> Tensor<4> {
        let data: Vec<f32> = (0..SIDE * SIDE)
            .map(|i| f32::from(u8::from(on(i / SIDE, i % SIDE))))
            .collect();
        Tensor::from_data(TensorData::new(data, [1, 1, SIDE, SIDE]), &Device::flex())
    }

    fn textured(offset: f32) -> Tensor<4> {
        image(move |c, y, x| offset + 0.02 * ((c + 3 * y + 5 * x) % 7) as f32)
    }

    #[test]
    fn a_change_of_level_or_a_smooth_gradient_scores_zero() {
        let skin = mask(|_, _| true);
        let retoned = textured(0.3);
        let ramp =
            image(|c, y, x| 0.25 + 0.02 * ((c + 3 * y + 5 * x) % 7) as f32 + 0.01 * y as f32);
        assert!(
            scalar(skin_detail_loss(
                textured(0.2),
                retoned.clone(),
                skin.clone()
            ))
            .unwrap()
                < 1e-5
        );
        assert!(scalar(skin_detail_loss(ramp, retoned, skin)).unwrap() < 1e-5);
    }

    #[test]
    fn grain_on_the_skin_scores_and_grain_off_it_does_not() {
        let retoned = textured(0.3);
        let checkerboard = image(|c, y, x| {
            let grain = if (x + y) % 2 == 0 { 0.05 } else { -0.05 };
            0.3 + 0.02 * ((c + 3 * y + 5 * x) % 7) as f32 + grain
        });
        let everywhere = mask(|_, _| true);
        let loss = scalar(skin_detail_loss(
            checkerboard.clone(),
            retoned.clone(),
            everywhere,
        ))
        .unwrap();
        // Luma weights sum to 1, so the grain's Laplacian is 8 × 0.05 on every inner pixel.
        assert!((loss - 0.4).abs() < 1e-4, "{loss}");
        let none = mask(|_, _| false);
        assert_eq!(
            scalar(skin_detail_loss(checkerboard, retoned, none)).unwrap(),
            0.0
        );
    }
}
