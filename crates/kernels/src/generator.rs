//! [`DirectGenerator`]: the U-Net of `dermtone_net::Generator` (two down-samplings, skip
//! connections, FiLM from the tone condition, a residual on the input) over [`crate::conv`].

use crate::conv::{CO_BLOCK, COLUMNS, Packed, Planes, Reads, convolve, convolve_stride2};

/// A dense layer: `weight` is `[inputs][outputs]` (as burn keeps it), `bias` `[outputs]`.
pub struct Dense {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

impl Dense {
    fn outputs(&self) -> usize {
        self.bias.len()
    }

    fn inputs(&self) -> usize {
        self.weight.len() / self.bias.len().max(1)
    }

    pub(crate) fn forward(&self, input: &[f32]) -> Vec<f32> {
        let mut output = self.bias.clone();
        for (i, &x) in input.iter().enumerate() {
            let row = &self.weight[i * output.len()..][..output.len()];
            for (o, &w) in output.iter_mut().zip(row) {
                *o += x * w;
            }
        }
        output
    }
}

/// How a FiLM convolution meets its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// Stride 1, same size.
    Same,
    /// Stride 2: half the size.
    Down,
    /// After a ×2 nearest up-sampling: twice the size.
    Up,
}

/// One FiLM convolution, `leaky_relu((conv(x) + bias) · (1 + γ) + β)` with `[γ, β]` the `film`
/// layer's output for the condition embedding.
pub struct FilmWeights {
    pub sampling: Sampling,
    pub channels_in: usize,
    /// 3×3 kernels, `[out][in][3][3]`.
    pub kernel: Vec<f32>,
    pub bias: Vec<f32>,
    pub film: Dense,
}

/// Every weight of a generator, in `dermtone_net::Generator::forward`'s order.
pub struct GeneratorWeights {
    /// The condition network (followed by ReLU).
    pub condition: Dense,
    /// enc1, enc1b, down1, enc2, down2, bottleneck, up2, dec2, up1, dec1.
    pub layers: [FilmWeights; 10],
    /// The final 1×1 convolution, `[out][in]`; its first three outputs are the RGB residual,
    /// the fourth the gain where `gain` is set.
    pub out: Vec<f32>,
    pub out_bias: Vec<f32>,
    /// Subtracted from the 0..1 input before the first layer.
    pub input_offset: f32,
    /// Slope of every leaky ReLU.
    pub leaky_slope: f32,
    /// Whether the rendering is `image · (1 + gain) + residual` rather than `image + residual`.
    pub gain: bool,
}

/// Sets of 3×3 rows (or columns) that land on each tap of a phase's 2×2 kernel: after a ×2
/// nearest up-sampling, output row `2i + a` reads low-resolution rows `i − 1 + a` and `i + a`.
const PHASE_TAPS: [[&[usize]; 2]; 2] = [[&[0], &[1, 2]], [&[0, 1], &[2]]];

/// A FiLM convolution's kernels packed for its sampling.
enum Kernels {
    Same(Packed<9>),
    Down(Packed<9>),
    /// One 2×2 kernel per output phase, `[row phase][column phase]`.
    Up([[Packed<4>; 2]; 2]),
}

struct Film {
    kernels: Kernels,
    bias: Vec<f32>,
    film: Dense,
}

impl Film {
    fn new(layer: &FilmWeights, embedding: usize) -> Result<Self, String> {
        let (channels_out, channels_in) = (layer.bias.len(), layer.channels_in);
        if channels_out == 0 || !channels_out.is_multiple_of(CO_BLOCK) {
            return Err(format!(
                "{channels_out} output channels: not a positive multiple of 4"
            ));
        }
        if layer.kernel.len() != channels_out * channels_in * 9 {
            return Err(format!(
                "{} kernel values for {channels_out}×{channels_in} 3×3 kernels",
                layer.kernel.len()
            ));
        }
        if layer.film.outputs() != 2 * channels_out
            || layer.film.inputs() != embedding
            || layer.film.weight.len() != embedding * 2 * channels_out
        {
            return Err("a FiLM layer does not fit its convolution or the condition".into());
        }
        let w = &layer.kernel;
        let at = |co: usize, ci: usize, ky: usize, kx: usize| {
            w[((co * channels_in + ci) * 3 + ky) * 3 + kx]
        };
        let full = || {
            Packed::new(channels_out, channels_in, &|co, ci, tap| {
                at(co, ci, tap / 3, tap % 3)
            })
        };
        let kernels = match layer.sampling {
            Sampling::Same => Kernels::Same(full()),
            Sampling::Down => Kernels::Down(full()),
            Sampling::Up => Kernels::Up(std::array::from_fn(|a| {
                std::array::from_fn(|b| {
                    Packed::new(channels_out, channels_in, &|co, ci, tap| {
                        let (rows, cols) = (PHASE_TAPS[a][tap / 2], PHASE_TAPS[b][tap % 2]);
                        rows.iter()
                            .flat_map(|&ky| cols.iter().map(move |&kx| (ky, kx)))
                            .map(|(ky, kx)| at(co, ci, ky, kx))
                            .sum()
                    })
                })
            })),
        };
        Ok(Self {
            kernels,
            bias: layer.bias.clone(),
            film: Dense {
                weight: layer.film.weight.clone(),
                bias: layer.film.bias.clone(),
            },
        })
    }

    fn channels_out(&self) -> usize {
        self.bias.len()
    }

    /// The layer on `inputs` (concatenated along channels, one size) for the condition
    /// `embedding`.
    fn forward(&self, inputs: &[&Planes], embedding: &[f32], slope: f32) -> Planes {
        let channels = self.channels_out();
        let film = self.film.forward(embedding);
        let scale: Vec<f32> = (0..channels).map(|c| 1.0 + film[c]).collect();
        let shift: Vec<f32> = (0..channels)
            .map(|c| self.bias[c] * scale[c] + film[channels + c])
            .collect();
        let activate = move |c: usize, v: f32| {
            let v = v * scale[c] + shift[c];
            if v > 0.0 { v } else { v * slope }
        };
        let first = inputs[0];
        let (height, width, row) = (first.height, first.width, first.row());
        let sources: Vec<_> = inputs.iter().map(|p| (&p.data[..], p.channels)).collect();
        match &self.kernels {
            Kernels::Same(packed) => {
                let mut out = Planes::zeros(channels, height, width);
                let reads = Reads {
                    inputs: &sources,
                    plane: first.plane(),
                    row_step: row,
                    taps: std::array::from_fn(|t| (t / 3) * row + t % 3),
                };
                convolve(&reads, packed, height, width, &mut |co, y, x0, tile| {
                    write_tile(&mut out, co, x0, width, tile, &activate, |o, c, x| {
                        o.at(c, y, x)
                    })
                });
                out
            }
            Kernels::Down(packed) => {
                let (h, w) = (height / 2, width / 2);
                let mut out = Planes::zeros(channels, h, w);
                convolve_stride2(first, packed, &mut |co, y, x0, tile| {
                    write_tile(&mut out, co, x0, w, tile, &activate, |o, c, x| {
                        o.at(c, y, x)
                    })
                });
                out
            }
            Kernels::Up(phases) => {
                let mut out = Planes::zeros(channels, 2 * height, 2 * width);
                for (a, by_column) in phases.iter().enumerate() {
                    for (b, packed) in by_column.iter().enumerate() {
                        let reads = Reads {
                            inputs: &sources,
                            plane: first.plane(),
                            row_step: row,
                            taps: std::array::from_fn(|t| (a + t / 2) * row + b + t % 2),
                        };
                        convolve(&reads, packed, height, width, &mut |co, y, x0, tile| {
                            write_tile(&mut out, co, x0, width, tile, &activate, |o, c, x| {
                                o.at(c, 2 * y + a, 2 * x + b)
                            })
                        });
                    }
                }
                out
            }
        }
    }
}

/// Writes the columns of a tile that lie inside `width`, through `activate`, at `index(out,
/// channel, x)`.
fn write_tile(
    out: &mut Planes,
    first_channel: usize,
    x0: usize,
    width: usize,
    tile: &[[f32; COLUMNS]; CO_BLOCK],
    activate: &impl Fn(usize, f32) -> f32,
    index: impl Fn(&Planes, usize, usize) -> usize,
) {
    let valid = COLUMNS.min(width - x0);
    for (j, values) in tile.iter().enumerate() {
        let c = first_channel + j;
        for (l, &v) in values.iter().take(valid).enumerate() {
            let i = index(out, c, x0 + l);
            out.data[i] = activate(c, v);
        }
    }
}

/// The generator, its kernels packed for [`convolve`].
pub struct DirectGenerator {
    condition: Dense,
    layers: [Film; 10],
    out: Packed<1>,
    out_bias: Vec<f32>,
    input_offset: f32,
    slope: f32,
    gain: bool,
}

/// Each layer's sampling, and which earlier layers' outputs join its input (after the previous
/// layer's): dec2 reads enc2's, dec1 reads enc1b's.
const PLAN: [(Sampling, Option<usize>); 10] = [
    (Sampling::Same, None),
    (Sampling::Same, None),
    (Sampling::Down, None),
    (Sampling::Same, None),
    (Sampling::Down, None),
    (Sampling::Same, None),
    (Sampling::Up, None),
    (Sampling::Same, Some(3)),
    (Sampling::Up, None),
    (Sampling::Same, Some(1)),
];

/// Input channels of the network: RGB.
const IMAGE_CHANNELS: usize = 3;

impl DirectGenerator {
    /// Packs `weights`, refusing any that do not make the generator's U-Net.
    pub fn new(weights: &GeneratorWeights) -> Result<Self, String> {
        let embedding = weights.condition.outputs();
        let mut produced: Vec<usize> = Vec::new();
        for (i, (layer, (sampling, skip))) in weights.layers.iter().zip(PLAN).enumerate() {
            let expected = produced.last().copied().unwrap_or(IMAGE_CHANNELS)
                + skip.map_or(0, |s| produced[s]);
            if layer.sampling != sampling || layer.channels_in != expected {
                return Err(format!(
                    "layer {i} is {:?} with {} input channels; the U-Net needs {sampling:?} with {expected}",
                    layer.sampling, layer.channels_in
                ));
            }
            produced.push(layer.bias.len());
        }
        let last = produced[9];
        let out_channels = weights.out_bias.len();
        let needed = IMAGE_CHANNELS + usize::from(weights.gain);
        if out_channels < needed || weights.out.len() != out_channels * last {
            return Err(format!(
                "the output layer has {} weights for {out_channels} outputs of {last} channels",
                weights.out.len()
            ));
        }
        let mut layers = Vec::with_capacity(10);
        for layer in &weights.layers {
            layers.push(Film::new(layer, embedding)?);
        }
        let padded_out = out_channels.next_multiple_of(CO_BLOCK);
        Ok(Self {
            condition: Dense {
                weight: weights.condition.weight.clone(),
                bias: weights.condition.bias.clone(),
            },
            layers: layers.try_into().map_err(|_| "ten layers")?,
            out: Packed::new(padded_out, last, &|co, ci, _| {
                if co < out_channels {
                    weights.out[co * last + ci]
                } else {
                    0.0
                }
            }),
            out_bias: weights.out_bias.clone(),
            input_offset: weights.input_offset,
            slope: weights.leaky_slope,
            gain: weights.gain,
        })
    }

    /// Inputs the condition network takes per image.
    pub fn condition_inputs(&self) -> usize {
        self.condition.inputs()
    }

    /// The renderings (not clamped), `[batch, 3, height, width]` flattened, for `images` of the
    /// same shape in 0..1 and `conditions` `[batch, condition_inputs]`; `height` and `width`
    /// must be positive multiples of 4.
    pub fn forward(
        &self,
        images: &[f32],
        conditions: &[f32],
        height: usize,
        width: usize,
    ) -> Result<Vec<f32>, String> {
        if !height.is_multiple_of(4) || !width.is_multiple_of(4) || height == 0 || width == 0 {
            return Err(format!(
                "{height}×{width} pixels: the generator needs sides that are positive multiples of 4"
            ));
        }
        let pixels = IMAGE_CHANNELS * height * width;
        let batch = images.len() / pixels;
        let per_condition = self.condition_inputs();
        if images.len() != batch * pixels || conditions.len() != batch * per_condition {
            return Err(format!(
                "{} image values and {} conditions do not make whole images of {height}×{width}",
                images.len(),
                conditions.len()
            ));
        }
        let mut output = Vec::with_capacity(images.len());
        for (image, condition) in images.chunks(pixels).zip(conditions.chunks(per_condition)) {
            output.extend(self.one(image, condition, height, width));
        }
        Ok(output)
    }

    fn one(&self, image: &[f32], condition: &[f32], height: usize, width: usize) -> Vec<f32> {
        let mut embedding = self.condition.forward(condition);
        embedding.iter_mut().for_each(|e| *e = e.max(0.0));
        let (e, slope) = (&embedding[..], self.slope);
        let x = Planes::bordered(image, IMAGE_CHANNELS, height, width, self.input_offset);
        let plane = height * width;
        let [
            enc1,
            enc1b,
            down1,
            enc2,
            down2,
            bottleneck,
            up2,
            dec2,
            up1,
            dec1,
        ] = &self.layers;
        let film = |layer: &Film, inputs: &[&Planes]| layer.forward(inputs, e, slope);
        let s1 = film(enc1b, &[&film(enc1, &[&x])]);
        let s2 = film(enc2, &[&film(down1, &[&s1])]);
        let b = film(bottleneck, &[&film(down2, &[&s2])]);
        let d2 = film(dec2, &[&film(up2, &[&b]), &s2]);
        let d1 = film(dec1, &[&film(up1, &[&d2]), &s1]);
        let row = d1.row();
        let reads = Reads {
            inputs: &[(&d1.data[..], d1.channels)],
            plane: d1.plane(),
            row_step: row,
            taps: [row + 1],
        };
        let mut result = image.to_vec();
        convolve(&reads, &self.out, height, width, &mut |co, y, x0, tile| {
            for (j, values) in tile.iter().enumerate() {
                let c = co + j;
                let is_gain = c == IMAGE_CHANNELS && self.gain;
                if c >= IMAGE_CHANNELS && !is_gain {
                    continue;
                }
                let bias = self.out_bias[c];
                for (l, &v) in values.iter().take(width - x0).enumerate() {
                    let at = y * width + x0 + l;
                    if c < IMAGE_CHANNELS {
                        result[c * plane + at] += v + bias;
                    } else {
                        for channel in 0..IMAGE_CHANNELS {
                            let i = channel * plane + at;
                            result[i] += image[i] * (v + bias);
                        }
                    }
                }
            }
        });
        result
    }
}

#[cfg(test)]
mod tests;
