//! The convolution kernel of the direct CPU path: 4 output channels × 8 columns accumulated in
//! SIMD lanes ([`Lanes`]) over every input channel and tap, the tile handed to a writer that
//! applies the layer's bias and activation. No im2col buffer, no gemm: at 12–48 channels the
//! packing costs more than it saves. The generator's 1×1 output layer is the same kernel with
//! one tap; [`pointwise`] runs the classifier's 1×1 convolutions over borderless planes.

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

    /// `channels` planes of `height × width` values (channel-major, no border) inside a zero
    /// border, each value less `offset`.
    pub fn bordered(
        values: &[f32],
        channels: usize,
        height: usize,
        width: usize,
        offset: f32,
    ) -> Self {
        let mut planes = Self::zeros(channels, height, width);
        for (i, source) in values.chunks_exact(width).enumerate() {
            let at = planes.at(i / height, i % height, 0);
            for (t, &v) in planes.data[at..][..width].iter_mut().zip(source) {
                *t = v - offset;
            }
        }
        planes
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
    /// Packs `weight(co, ci, tap)`; `channels_out` must be a multiple of 4. Run once per layer,
    /// so `weight` is called through a pointer and the loop is never inlined: one copy per tap
    /// count.
    #[inline(never)]
    pub fn new(
        channels_out: usize,
        channels_in: usize,
        weight: &dyn Fn(usize, usize, usize) -> f32,
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

/// `acc[j] += w[j] · xs` for the 4 output channels, unrolled by hand so the accumulators stay
/// in registers whatever the optimisation level.
#[inline(always)]
pub fn accumulate(acc: &mut [[Lanes; 2]; CO_BLOCK], w: &[f32; CO_BLOCK], xs: &[f32; COLUMNS]) {
    let low = Lanes::load(xs[..4].try_into().unwrap());
    let high = Lanes::load(xs[4..].try_into().unwrap());
    let [w0, w1, w2, w3] = w.map(Lanes::splat);
    acc[0] = [acc[0][0].mul_add(w0, low), acc[0][1].mul_add(w0, high)];
    acc[1] = [acc[1][0].mul_add(w1, low), acc[1][1].mul_add(w1, high)];
    acc[2] = [acc[2][0].mul_add(w2, low), acc[2][1].mul_add(w2, high)];
    acc[3] = [acc[3][0].mul_add(w3, low), acc[3][1].mul_add(w3, high)];
}

/// Receives each finished tile: `(first output channel, y, x0, tile)`. Called through a
/// pointer, so each layer's writer does not get a copy of the kernel (the wasm engine's size).
pub type Writer<'a> = &'a mut dyn FnMut(usize, usize, usize, &[[f32; COLUMNS]; CO_BLOCK]);

/// Sums over every input channel and tap for output rows `0..height` and columns `0..width`,
/// handing each 4 × 8 tile to `write(first_channel, y, x0, tile)`; columns of the last tile past
/// `width` hold garbage the writer must skip.
pub fn convolve<const T: usize>(
    reads: &Reads<T>,
    packed: &Packed<T>,
    height: usize,
    width: usize,
    write: Writer,
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
                write(block * CO_BLOCK, y, x0, &tile_of(acc));
            }
        }
    }
}

/// Each padded row split into its even columns, then its odd ones, per channel: a stride-2
/// convolution then reads contiguous columns.
fn deinterleave(planes: &Planes) -> Vec<f32> {
    let half = planes.width / 2 + 1;
    let rows = planes.height + 2;
    let mut out = vec![0.0; planes.channels * 2 * rows * half + 2 * COLUMNS];
    for c in 0..planes.channels {
        for r in 0..rows {
            let source = &planes.data[c * planes.plane() + r * planes.row()..][..planes.row()];
            for parity in 0..2 {
                let target = &mut out[(c * 2 + parity) * rows * half + r * half..][..half];
                for (j, t) in target.iter_mut().enumerate() {
                    *t = source.get(2 * j + parity).copied().unwrap_or(0.0);
                }
            }
        }
    }
    out
}

/// Where a [`pointwise`] convolution writes, and what it adds on the way: each output
/// `bias + sum`, clamped to `0..=6` where `relu6`, plus `residual` at the same index.
pub struct PointwiseOut<'a> {
    pub data: &'a mut [f32],
    pub bias: &'a [f32],
    pub relu6: bool,
    pub residual: Option<&'a [f32]>,
}

/// A 1×1 convolution over the values of each of `input`'s planes (`stride` apart, a multiple of
/// 8 covering `pixels`) into `out`'s planes (same stride): [`convolve`]'s kernel without its
/// per-tap offsets, which at one tap cost as much as the sums, and an epilogue in SIMD lanes.
/// The tail of each plane past `pixels` receives values nobody reads.
pub fn pointwise(
    input: &[f32],
    stride: usize,
    packed: &Packed<1>,
    pixels: usize,
    out: PointwiseOut,
) {
    assert!(
        stride.is_multiple_of(COLUMNS) && stride >= pixels,
        "plane stride"
    );
    let per_block = packed.channels_in * CO_BLOCK;
    let planes = &input[..packed.channels_in * stride];
    let (zero, six) = (Lanes::splat(0.0), Lanes::splat(6.0));
    for block in 0..packed.channels_out / CO_BLOCK {
        let block_weights = &packed.weights[block * per_block..][..per_block];
        for x0 in (0..pixels).step_by(COLUMNS) {
            let mut acc = [[Lanes::splat(0.0); 2]; CO_BLOCK];
            for (plane, w) in planes
                .chunks_exact(stride)
                .zip(block_weights.chunks_exact(CO_BLOCK))
            {
                let xs: &[f32; COLUMNS] = plane[x0..][..COLUMNS].try_into().unwrap();
                accumulate(&mut acc, w.try_into().unwrap(), xs);
            }
            for (j, lanes) in acc.into_iter().enumerate() {
                let c = block * CO_BLOCK + j;
                let at = c * stride + x0;
                let bias = Lanes::splat(out.bias[c]);
                for (half, v) in lanes.into_iter().enumerate() {
                    let at = at + 4 * half;
                    let mut v = v.add(bias);
                    if out.relu6 {
                        v = v.clamp(zero, six);
                    }
                    if let Some(residual) = out.residual {
                        v = v.add(Lanes::load(residual[at..][..4].try_into().unwrap()));
                    }
                    v.store((&mut out.data[at..][..4]).try_into().unwrap());
                }
            }
        }
    }
}

/// The accumulators as plain floats.
fn tile_of(acc: [[Lanes; 2]; CO_BLOCK]) -> [[f32; COLUMNS]; CO_BLOCK] {
    let mut tile = [[0f32; COLUMNS]; CO_BLOCK];
    for (out, lanes) in tile.iter_mut().zip(acc) {
        let (low, high) = out.split_at_mut(4);
        lanes[0].store(low.try_into().unwrap());
        lanes[1].store(high.try_into().unwrap());
    }
    tile
}

/// A 3×3 convolution of stride 2 over `input`'s padded planes (even sides), through
/// [`deinterleave`]; the output is half the size, each tile handed to `write` as [`convolve`]
/// does.
pub fn convolve_stride2(input: &Planes, packed: &Packed<9>, write: Writer) {
    let split = deinterleave(input);
    let half = input.width / 2 + 1;
    let phase = (input.height + 2) * half;
    let reads = Reads {
        inputs: &[(&split[..], input.channels)],
        plane: 2 * phase,
        row_step: 2 * half,
        taps: std::array::from_fn(|t| {
            let (ky, kx) = (t / 3, t % 3);
            ky * half + if kx == 1 { phase } else { kx / 2 }
        }),
    };
    convolve(&reads, packed, input.height / 2, input.width / 2, write);
}
