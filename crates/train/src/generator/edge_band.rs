//! Stage 2's edge-band term: a rendering must change its outermost pixels as the biophysical
//! re-toning of the same crop does, relative to the pixels just inside. The generator pads its
//! convolutions with zeros, so it can paint a band along an edge (generator-v1 along the top,
//! generator-v2 along the bottom: `validate-generator`'s edge-band figures); the re-toning,
//! which has no network, paints none. The band and the strip inside it are those
//! [`border_excess`](super::validation::border::border_excess) measures.

use burn::prelude::*;

use super::validation::border::{BAND, INNER_FROM, INNER_TO};

/// Mean over the batch, the four sides and the three channels of |excess(rendering) −
/// excess(re-toning)|, where a side's excess is the mean change from `inputs` on its outer band
/// minus the mean change on the strip just inside it. All three are `[batch, 3, h, w]` in 0..1,
/// at least 24 px on each side.
pub fn edge_band_loss(rendered: Tensor<4>, retoned: Tensor<4>, inputs: Tensor<4>) -> Tensor<1> {
    let excess = |change: Tensor<4>| {
        let [batch, channels, h, w] = change.dims();
        let (band, from, to) = (BAND as usize, INNER_FROM as usize, INNER_TO as usize);
        let mean = |rows: std::ops::Range<usize>, columns: std::ops::Range<usize>| {
            change
                .clone()
                .slice([0..batch, 0..channels, rows, columns])
                .mean_dim(3)
                .mean_dim(2)
        };
        [
            mean(0..band, 0..w) - mean(from..to, 0..w),
            mean(h - band..h, 0..w) - mean(h - to..h - from, 0..w),
            mean(0..h, 0..band) - mean(0..h, from..to),
            mean(0..h, w - band..w) - mean(0..h, w - to..w - from),
        ]
    };
    let ours = excess(rendered - inputs.clone());
    let reference = excess(retoned - inputs);
    let sides: Vec<Tensor<4>> = ours
        .into_iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs())
        .collect();
    Tensor::cat(sides, 1).mean().reshape([1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::tensors::scalar;

    fn image(side: usize, value: impl Fn(usize, usize, usize) -> f32) -> Tensor<4> {
        let data: Vec<f32> = (0..3)
            .flat_map(|c| (0..side * side).map(move |i| (c, i / side, i % side)))
            .map(|(c, y, x)| value(c, y, x))
            .collect();
        Tensor::from_data(TensorData::new(data, [1, 3, side, side]), &Device::flex())
    }

    #[test]
    fn a_uniform_change_scores_zero_and_a_painted_band_does_not() {
        let side = 32;
        let input = image(side, |c, y, x| 0.3 + 0.01 * (c + y % 5 + x % 3) as f32);
        let darker = image(side, |c, y, x| 0.2 + 0.01 * (c + y % 5 + x % 3) as f32);
        assert!(
            scalar(edge_band_loss(
                darker.clone(),
                darker.clone(),
                input.clone()
            ))
            .unwrap()
                < 1e-6
        );
        // The same darkening with the bottom two rows 0.1 greener, against a re-toning without.
        let banded = image(side, |c, y, x| {
            let band = if c == 1 && y >= side - 2 { 0.1 } else { 0.0 };
            0.2 + band + 0.01 * (c + y % 5 + x % 3) as f32
        });
        let loss = scalar(edge_band_loss(banded, darker, input)).unwrap();
        // One side of four, one channel of three, 0.1 on the band's mean change; the left and
        // right sides see the band in 2 of their 32 rows, inside and out alike.
        assert!((loss - 0.1 / 12.0).abs() < 1e-4, "{loss}");
    }

    #[test]
    fn an_edge_the_retoning_also_changes_is_not_counted() {
        let side = 24;
        let input = image(side, |_, _, _| 0.5);
        let vignetted = image(side, |_, y, _| if y < 2 { 0.3 } else { 0.4 });
        assert!(scalar(edge_band_loss(vignetted.clone(), vignetted, input)).unwrap() < 1e-6);
    }
}
