//! [`DirectMobileNet`]: the mobile classifier of `dermtone_net::MobileNet` (batch norms folded)
//! on the CPU: the seven classifications of an analysis, after the renderings, are its next
//! largest cost. Feature maps between layers are flat planes (no border), so a 1×1 convolution runs
//! over every pixel at once ([`pointwise`]), however small the map.

use crate::conv::{CO_BLOCK, COLUMNS, Packed, Planes, PointwiseOut, convolve_stride2, pointwise};
use crate::generator::Dense;
use crate::head::{ClassMaps, checked_head, pooled_head};
use crate::lanes::Lanes;

/// Output columns one depthwise step computes.
const LANES: usize = 4;

/// A convolution with its bias (the batch norm folded in), `kernel` `[out][in][k][k]`.
pub struct ConvWeights {
    pub kernel: Vec<f32>,
    pub bias: Vec<f32>,
}

impl ConvWeights {
    fn channels_out(&self) -> usize {
        self.bias.len()
    }
}

/// Expand (1×1, ReLU6) → depthwise 3×3 (ReLU6) → project (1×1, linear), plus the input when
/// `residual`.
pub struct BlockWeights {
    pub expand: Option<ConvWeights>,
    /// `[channels][1][3][3]`.
    pub depthwise: ConvWeights,
    pub stride: usize,
    pub project: ConvWeights,
    pub residual: bool,
}

/// Every weight of a folded mobile network.
pub struct MobileWeights {
    /// 3×3, stride 2, from RGB, ReLU6.
    pub stem: ConvWeights,
    pub blocks: Vec<BlockWeights>,
    /// 1×1, ReLU6, then global average pooling.
    pub head_conv: ConvWeights,
    pub head: Dense,
}

/// Channel-major maps without a border, each plane padded to whole tiles.
struct Flat {
    channels: usize,
    height: usize,
    width: usize,
    data: Vec<f32>,
}

impl Flat {
    fn zeros(channels: usize, height: usize, width: usize) -> Self {
        let stride = (height * width).next_multiple_of(COLUMNS);
        Self {
            channels,
            height,
            width,
            data: vec![0.0; channels * stride],
        }
    }

    fn stride(&self) -> usize {
        (self.height * self.width).next_multiple_of(COLUMNS)
    }

    fn plane(&self, c: usize) -> &[f32] {
        &self.data[c * self.stride()..][..self.height * self.width]
    }
}

fn relu6(v: f32) -> f32 {
    v.clamp(0.0, 6.0)
}

/// A 1×1 convolution packed for [`convolve`].
struct Pointwise {
    packed: Packed<1>,
    bias: Vec<f32>,
    relu6: bool,
}

impl Pointwise {
    fn new(conv: &ConvWeights, channels_in: usize, relu6: bool) -> Result<Self, String> {
        let channels_out = conv.channels_out();
        check_channels(channels_out)?;
        if conv.kernel.len() != channels_out * channels_in {
            return Err(format!(
                "a 1×1 convolution has {} weights for {channels_out}×{channels_in}",
                conv.kernel.len()
            ));
        }
        Ok(Self {
            packed: Packed::new(channels_out, channels_in, &|co, ci, _| {
                conv.kernel[co * channels_in + ci]
            }),
            bias: conv.bias.clone(),
            relu6,
        })
    }

    fn forward(&self, input: &Flat, residual: Option<&Flat>) -> Flat {
        let pixels = input.height * input.width;
        let mut out = Flat::zeros(self.bias.len(), input.height, input.width);
        pointwise(
            &input.data,
            input.stride(),
            &self.packed,
            pixels,
            PointwiseOut {
                data: &mut out.data,
                bias: &self.bias,
                relu6: self.relu6,
                residual: residual.map(|r| &r.data[..]),
            },
        );
        out
    }
}

fn check_channels(channels: usize) -> Result<(), String> {
    if channels == 0 || !channels.is_multiple_of(CO_BLOCK) {
        return Err(format!(
            "{channels} output channels: not a positive multiple of 4"
        ));
    }
    Ok(())
}

/// A depthwise 3×3 convolution with ReLU6.
struct Depthwise {
    kernel: Vec<f32>,
    bias: Vec<f32>,
    stride: usize,
}

impl Depthwise {
    /// Per channel: the plane copied into a zero border (split into even and odd columns at
    /// stride 2, so every tap reads contiguous columns), then four output columns a step in
    /// SIMD lanes over the nine taps.
    fn forward(&self, input: &Flat) -> Flat {
        let (h, w, s) = (input.height, input.width, self.stride);
        let (ho, wo) = ((h - 1) / s + 1, (w - 1) / s + 1);
        let mut out = Flat::zeros(input.channels, ho, wo);
        let out_stride = out.stride();
        // Each padded row, as `s` column phases of `span` values (slack for a last partial step).
        let span = (w + 2).div_ceil(s) + LANES;
        let row = s * span;
        let mut padded = vec![0.0; (h + 2) * row];
        // Where tap column kx reads: phase kx % s, shifted by kx / s.
        let taps: [usize; 3] = std::array::from_fn(|kx| (kx % s) * span + kx / s);
        let mut tile = [0f32; LANES];
        let (zero, six) = (Lanes::splat(0.0), Lanes::splat(6.0));
        for c in 0..input.channels {
            for (y, source) in input.plane(c).chunks(w).enumerate() {
                let target = &mut padded[(y + 1) * row..][..row];
                if s == 1 {
                    target[1..][..w].copy_from_slice(source);
                } else {
                    // Padded column x + 1: odd columns start the odd phase, even ones follow.
                    let (even, odd) = target.split_at_mut(span);
                    for (x, pair) in source.chunks(2).enumerate() {
                        odd[x] = pair[0];
                        if let Some(&v) = pair.get(1) {
                            even[x + 1] = v;
                        }
                    }
                }
            }
            let k = &self.kernel[c * 9..][..9];
            let weights: [Lanes; 9] = std::array::from_fn(|t| Lanes::splat(k[t]));
            let out_plane = &mut out.data[c * out_stride..][..ho * wo];
            for (y, out_row) in out_plane.chunks_exact_mut(wo).enumerate() {
                let lines: [&[f32]; 3] =
                    std::array::from_fn(|ky| &padded[(y * s + ky) * row..][..row]);
                for x0 in (0..wo).step_by(LANES) {
                    let mut acc = Lanes::splat(self.bias[c]);
                    for (ky, line) in lines.iter().enumerate() {
                        for (kx, &tap) in taps.iter().enumerate() {
                            let xs: &[f32; LANES] = line[tap + x0..][..LANES].try_into().unwrap();
                            acc = acc.mul_add(weights[ky * 3 + kx], Lanes::load(xs));
                        }
                    }
                    let acc = acc.clamp(zero, six);
                    match out_row.get_mut(x0..x0 + LANES) {
                        Some(whole) => acc.store(whole.try_into().unwrap()),
                        None => {
                            acc.store(&mut tile);
                            out_row[x0..].copy_from_slice(&tile[..wo - x0]);
                        }
                    }
                }
            }
        }
        out
    }
}

struct Block {
    expand: Option<Pointwise>,
    depthwise: Depthwise,
    project: Pointwise,
    residual: bool,
}

/// The mobile classifier, its kernels packed for [`convolve`].
pub struct DirectMobileNet {
    stem: Packed<9>,
    stem_bias: Vec<f32>,
    blocks: Vec<Block>,
    head_conv: Pointwise,
    head: Dense,
}

impl DirectMobileNet {
    /// Packs `weights`, refusing any whose shapes do not chain.
    pub fn new(weights: &MobileWeights) -> Result<Self, String> {
        let stem_out = weights.stem.channels_out();
        check_channels(stem_out)?;
        if weights.stem.kernel.len() != stem_out * 3 * 9 {
            return Err("the stem is not a 3×3 convolution from RGB".into());
        }
        let stem = Packed::new(stem_out, 3, &|co, ci, tap| {
            weights.stem.kernel[(co * 3 + ci) * 9 + tap]
        });
        let mut channels = stem_out;
        let mut blocks = Vec::with_capacity(weights.blocks.len());
        for (i, block) in weights.blocks.iter().enumerate() {
            let fail = |e: String| format!("block {i}: {e}");
            let expand = block
                .expand
                .as_ref()
                .map(|e| Pointwise::new(e, channels, true))
                .transpose()
                .map_err(fail)?;
            let hidden = expand.as_ref().map_or(channels, |e| e.bias.len());
            if block.depthwise.kernel.len() != hidden * 9
                || block.depthwise.bias.len() != hidden
                || !matches!(block.stride, 1 | 2)
            {
                return Err(fail(format!(
                    "the depthwise convolution does not fit {hidden} channels at stride {}",
                    block.stride
                )));
            }
            let project = Pointwise::new(&block.project, hidden, false).map_err(fail)?;
            let out = project.bias.len();
            if block.residual && (block.stride != 1 || out != channels) {
                return Err(fail("a skip connection across a change of shape".into()));
            }
            blocks.push(Block {
                expand,
                depthwise: Depthwise {
                    kernel: block.depthwise.kernel.clone(),
                    bias: block.depthwise.bias.clone(),
                    stride: block.stride,
                },
                project,
                residual: block.residual,
            });
            channels = out;
        }
        let head_conv = Pointwise::new(&weights.head_conv, channels, true)?;
        let head = checked_head(&weights.head, head_conv.bias.len())?;
        Ok(Self {
            stem,
            stem_bias: weights.stem.bias.clone(),
            blocks,
            head_conv,
            head,
        })
    }

    /// Logits and class maps for one normalised image `[3, height, width]`, even sides.
    pub(crate) fn one(&self, image: &[f32], height: usize, width: usize) -> ClassMaps {
        let planes = Planes::bordered(image, 3, height, width, 0.0);
        let mut x = Flat::zeros(self.stem_bias.len(), height / 2, width / 2);
        let (w, stride) = (x.width, x.stride());
        convolve_stride2(&planes, &self.stem, &mut |co, y, x0, tile| {
            for (j, values) in tile.iter().enumerate() {
                let c = co + j;
                for (l, &v) in values.iter().take(w - x0).enumerate() {
                    x.data[c * stride + y * w + x0 + l] = relu6(v + self.stem_bias[c]);
                }
            }
        });
        for block in &self.blocks {
            let expanded;
            let source = match &block.expand {
                Some(expand) => {
                    expanded = expand.forward(&x, None);
                    &expanded
                }
                None => &x,
            };
            let hidden = block.depthwise.forward(source);
            x = block.project.forward(&hidden, block.residual.then_some(&x));
        }
        let features = self.head_conv.forward(&x, None);
        let flat: Vec<f32> = (0..features.channels)
            .flat_map(|c| features.plane(c).iter().copied())
            .collect();
        pooled_head(&self.head, &flat, features.height, features.width)
    }
}
