//! The convolution kernel of the direct CPU path: 4 output channels × 8 columns accumulated in
//! registers over every input channel and tap, written so that LLVM vectorises it (wasm simd128,
//! SSE/AVX natively) without target-specific code. No im2col buffer, no gemm: at the generator's
//! 12–48 channels the packing costs more than it saves.

use crate::lanes::Lanes;

/// Output channels one pass accumulates.
pub const CO_BLOCK: usize = 4;
/// Columns one pass accumulates.
pub const COLUMNS: usize = 8;

/// Feature maps of one image, channel-major, each plane with a one-pixel zero border and slack
/// after the last plane so a full tile may read past a row's end.
pub struct Planes {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub data: Vec<f32>,
}

impl Planes {
    /// Zeroed planes of `height × width` pixels (the border and slack stay zero).
    pub fn zeros(channels: usize, height: usize, width: usize) -> Self {
        let plane = (height + 2) * (width + 2);
        Self {
            channels,
            height,
            width,
            data: vec![0.0; channels * plane + 2 * COLUMNS],
        }
    }

    /// Distance between two rows.
    pub fn row(&self) -> usize {
        self.width + 2
    }

    /// Distance between two channels.
    pub fn plane(&self) -> usize {
        (self.height + 2) * (self.width + 2)
    }

    /// Index of pixel `(y, x)` of `channel` (unpadded coordinates).
    pub fn at(&self, channel: usize, y: usize, x: usize) -> usize {
        channel * self.plane() + (y + 1) * self.row() + x + 1
    }
}

/// Where one convolution reads: `inputs` are concatenated along channels and share a layout in
/// which input channel `c`'s tap `t` for output pixel `(y, x)` is at
/// `c · plane + y · row_step + taps[t] + x`.
pub struct Reads<'a, const T: usize> {
    pub inputs: &'a [(&'a [f32], usize)],
    pub plane: usize,
    pub row_step: usize,
    pub taps: [usize; T],
}

/// Weights packed for [`convolve`]: `[co / 4][ci][tap][4]`.
pub struct Packed<const T: usize> {
    pub weights: Vec<f32>,
    pub channels_in: usize,
    pub channels_out: usize,
}

impl<const T: usize> Packed<T> {
    /// Packs `weight(co, ci, tap)`; `channels_out` must be a multiple of 4.
    pub fn new(
        channels_out: usize,
        channels_in: usize,
        weight: impl Fn(usize, usize, usize) -> f32,
    ) -> Self {
        assert_eq!(
            channels_out % CO_BLOCK,
            0,
            "output channels must be a multiple of 4"
        );
        let mut weights = Vec::with_capacity(channels_out * channels_in * T);
        for block in 0..channels_out / CO_BLOCK {
            for ci in 0..channels_in {
                for tap in 0..T {
                    for j in 0..CO_BLOCK {
                        weights.push(weight(block * CO_BLOCK + j, ci, tap));
                    }
                }
            }
        }
        Self {
            weights,
            channels_in,
            channels_out,
        }
    }
}

/// `acc[j] += w[j] · xs` for the 4 output channels, unrolled by hand: the wasm engine is built
/// for size, where LLVM would leave a loop over `j` and the accumulators in memory.
#[inline(always)]
fn accumulate(acc: &mut [[Lanes; 2]; CO_BLOCK], w: &[f32; CO_BLOCK], xs: &[f32; COLUMNS]) {
    let low = Lanes::load(xs[..4].try_into().unwrap());
    let high = Lanes::load(xs[4..].try_into().unwrap());
    let [w0, w1, w2, w3] = w.map(Lanes::splat);
    acc[0] = [acc[0][0].mul_add(w0, low), acc[0][1].mul_add(w0, high)];
    acc[1] = [acc[1][0].mul_add(w1, low), acc[1][1].mul_add(w1, high)];
    acc[2] = [acc[2][0].mul_add(w2, low), acc[2][1].mul_add(w2, high)];
    acc[3] = [acc[3][0].mul_add(w3, low), acc[3][1].mul_add(w3, high)];
}

/// Sums over every input channel and tap for output rows `0..height` and columns `0..width`,
/// handing each 4 × 8 tile to `write(first_channel, y, x0, tile)`; columns of the last tile past
/// `width` hold garbage the writer must skip.
pub fn convolve<const T: usize>(
    reads: &Reads<T>,
    packed: &Packed<T>,
    height: usize,
    width: usize,
    mut write: impl FnMut(usize, usize, usize, &[[f32; COLUMNS]; CO_BLOCK]),
) {
    let channels_in: usize = reads.inputs.iter().map(|(_, c)| c).sum();
    assert_eq!(
        channels_in, packed.channels_in,
        "input channels differ from the weights'"
    );
    let per_block = packed.channels_in * T * CO_BLOCK;
    for block in 0..packed.channels_out / CO_BLOCK {
        let block_weights = &packed.weights[block * per_block..][..per_block];
        for y in 0..height {
            for x0 in (0..width).step_by(COLUMNS) {
                let mut acc = [[Lanes::splat(0.0); 2]; CO_BLOCK];
                let mut ci = 0;
                for &(input, channels) in reads.inputs {
                    for c in 0..channels {
                        let base = c * reads.plane + y * reads.row_step + x0;
                        let weights: &[f32] = &block_weights[ci * T * CO_BLOCK..][..T * CO_BLOCK];
                        for (tap, &offset) in reads.taps.iter().enumerate() {
                            let xs: &[f32; COLUMNS] =
                                input[base + offset..][..COLUMNS].try_into().unwrap();
                            let w: &[f32; CO_BLOCK] =
                                weights[tap * CO_BLOCK..][..CO_BLOCK].try_into().unwrap();
                            accumulate(&mut acc, w, xs);
                        }
                        ci += 1;
                    }
                }
                let mut tile = [[0f32; COLUMNS]; CO_BLOCK];
                for (out, lanes) in tile.iter_mut().zip(acc) {
                    let (low, high) = out.split_at_mut(4);
                    lanes[0].store(low.try_into().unwrap());
                    lanes[1].store(high.try_into().unwrap());
                }
                write(block * CO_BLOCK, y, x0, &tile);
            }
        }
    }
}
