//! [`DirectPlainNet`]: the plain classifier of `dermtone_net::PlainNet` (batch norms folded) on
//! the CPU. The tone estimator is one: it runs before everything else in an analysis, and with
//! it here the CPU engine's every network runs without burn.

use crate::conv::{CO_BLOCK, COLUMNS, Packed, Planes, Reads, convolve, convolve_stride2};
use crate::generator::Dense;
use crate::head::{ClassMaps, checked_head, pooled_head};
use crate::mobile::ConvWeights;

/// A 3×3 convolution (padding 1) with its bias, then ReLU.
pub struct PlainBlock {
    /// `[out][in][3][3]`, the batch norm folded in.
    pub conv: ConvWeights,
    /// 1 or 2.
    pub stride: usize,
}

/// Every weight of a folded plain network: its blocks, then global average pooling and `head`.
pub struct PlainWeights {
    pub blocks: Vec<PlainBlock>,
    pub head: Dense,
}

struct Block {
    packed: Packed<9>,
    bias: Vec<f32>,
    stride: usize,
}

impl Block {
    fn forward(&self, input: &Planes) -> Planes {
        let (height, width, s) = (input.height, input.width, self.stride);
        let mut out = Planes::zeros(self.bias.len(), height / s, width / s);
        let (w, bias) = (out.width, &self.bias);
        let mut write = |co: usize, y: usize, x0: usize, tile: &[[f32; COLUMNS]; CO_BLOCK]| {
            for (j, values) in tile.iter().enumerate() {
                let c = co + j;
                let at = out.at(c, y, x0);
                let valid = COLUMNS.min(w - x0);
                for (o, &v) in out.data[at..][..valid].iter_mut().zip(values) {
                    *o = (v + bias[c]).max(0.0);
                }
            }
        };
        if s == 2 {
            convolve_stride2(input, &self.packed, &mut write);
        } else {
            let row = input.row();
            let reads = Reads {
                inputs: &[(&input.data[..], input.channels)],
                plane: input.plane(),
                row_step: row,
                taps: std::array::from_fn(|t| (t / 3) * row + t % 3),
            };
            convolve(&reads, &self.packed, height, width, &mut write);
        }
        out
    }
}

/// The plain classifier, its kernels packed for [`convolve`].
pub struct DirectPlainNet {
    blocks: Vec<Block>,
    head: Dense,
}

impl DirectPlainNet {
    /// Packs `weights`, refusing any whose shapes do not chain from RGB to the head.
    pub fn new(weights: &PlainWeights) -> Result<Self, String> {
        let mut channels = 3;
        let mut blocks = Vec::with_capacity(weights.blocks.len());
        for (i, block) in weights.blocks.iter().enumerate() {
            let out = block.conv.bias.len();
            if out == 0 || !out.is_multiple_of(CO_BLOCK) {
                return Err(format!(
                    "block {i}: {out} output channels, not a positive multiple of 4"
                ));
            }
            if block.conv.kernel.len() != out * channels * 9 || !matches!(block.stride, 1 | 2) {
                return Err(format!(
                    "block {i} is not a 3×3 convolution from {channels} channels of stride 1 or 2"
                ));
            }
            let (kernel, from) = (&block.conv.kernel, channels);
            blocks.push(Block {
                packed: Packed::new(out, from, &|co, ci, tap| kernel[(co * from + ci) * 9 + tap]),
                bias: block.conv.bias.clone(),
                stride: block.stride,
            });
            channels = out;
        }
        Ok(Self {
            blocks,
            head: checked_head(&weights.head, channels)?,
        })
    }

    /// The sides every stride-2 block can halve: a multiple of 2 per such block.
    pub(crate) fn side_multiple(&self) -> usize {
        1 << self.blocks.iter().filter(|b| b.stride == 2).count()
    }

    /// Logits and class maps for one normalised image `[3, height, width]`.
    pub(crate) fn one(&self, image: &[f32], height: usize, width: usize) -> ClassMaps {
        let input = Planes::bordered(image, 3, height, width, 0.0);
        let features = self.blocks.iter().fold(input, |x, block| block.forward(&x));
        let (h, w) = (features.height, features.width);
        let flat: Vec<f32> = (0..features.channels)
            .flat_map(|c| (0..h).flat_map(move |y| (0..w).map(move |x| (c, y, x))))
            .map(|(c, y, x)| features.data[features.at(c, y, x)])
            .collect();
        pooled_head(&self.head, &flat, h, w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DirectClassifier;

    /// Deterministic values in −0.5..0.5.
    fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
            })
            .collect()
    }

    /// A 3×3 convolution (padding 1), bias and ReLU written as plain loops.
    fn reference_block(x: &[f32], c: usize, h: usize, w: usize, block: &PlainBlock) -> Vec<f32> {
        let s = block.stride;
        let (ho, wo) = ((h - 1) / s + 1, (w - 1) / s + 1);
        let out = block.conv.bias.len();
        let mut y = vec![0.0; out * ho * wo];
        for co in 0..out {
            for oy in 0..ho {
                for ox in 0..wo {
                    let mut sum = block.conv.bias[co];
                    for ci in 0..c {
                        for ky in 0..3 {
                            for kx in 0..3 {
                                let (iy, ix) =
                                    ((oy * s + ky) as isize - 1, (ox * s + kx) as isize - 1);
                                if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                                    continue;
                                }
                                let v = x[(ci * h + iy as usize) * w + ix as usize];
                                sum += v * block.conv.kernel[((co * c + ci) * 3 + ky) * 3 + kx];
                            }
                        }
                    }
                    y[(co * ho + oy) * wo + ox] = sum.max(0.0);
                }
            }
        }
        y
    }

    fn weights(w: usize, classes: usize) -> PlainWeights {
        let plan = [
            (3, w, 2),
            (w, 2 * w, 2),
            (2 * w, 2 * w, 1),
            (2 * w, 4 * w, 2),
        ];
        PlainWeights {
            blocks: plan
                .iter()
                .enumerate()
                .map(|(i, &(cin, cout, stride))| PlainBlock {
                    conv: ConvWeights {
                        kernel: values(cout * cin * 9, i as u64),
                        bias: values(cout, 100 + i as u64),
                    },
                    stride,
                })
                .collect(),
            head: Dense {
                weight: values(4 * w * classes, 7),
                bias: values(classes, 8),
            },
        }
    }

    #[test]
    fn classifies_and_maps_as_plain_loops_do() {
        let (w, classes) = (4, 5);
        let weights = weights(w, classes);
        let net = DirectClassifier::Plain(DirectPlainNet::new(&weights).unwrap());
        for (height, width) in [(16, 16), (24, 40), (8, 8)] {
            let image = values(3 * height * width, (height * width) as u64);
            let (mut x, mut c, mut h, mut wd) = (image.clone(), 3, height, width);
            for block in &weights.blocks {
                x = reference_block(&x, c, h, wd, block);
                c = block.conv.bias.len();
                h = (h - 1) / block.stride + 1;
                wd = (wd - 1) / block.stride + 1;
            }
            let pixels = h * wd;
            let pooled: Vec<f32> = x
                .chunks(pixels)
                .map(|p| p.iter().sum::<f32>() / pixels as f32)
                .collect();
            let expected = weights.head.forward(&pooled);
            let got = net.forward_with_maps(&image, height, width).unwrap();
            assert_eq!((got.height, got.width), (h, wd));
            assert_eq!(got.logits.len(), classes);
            let maps = got.maps.chunks_exact(pixels);
            for (k, ((logit, expected), map)) in
                got.logits.iter().zip(&expected).zip(maps).enumerate()
            {
                assert!(
                    (logit - expected).abs() < 1e-4,
                    "{height}×{width} class {k}"
                );
                let mean = map.iter().sum::<f32>() / pixels as f32;
                assert!(
                    (mean - expected).abs() < 1e-4,
                    "map {k}'s mean is not its logit"
                );
            }
            let batch = [image.clone(), image].concat();
            let logits = net.forward(&batch, height, width).unwrap();
            assert_eq!(logits, [got.logits.clone(), got.logits].concat());
        }
    }

    fn refusal(weights: &PlainWeights) -> String {
        DirectPlainNet::new(weights).err().expect("refused")
    }

    #[test]
    fn refuses_sizes_and_shapes_it_cannot_run() {
        let net = DirectClassifier::Plain(DirectPlainNet::new(&weights(4, 3)).unwrap());
        assert!(
            net.forward(&[0.0; 3 * 12 * 12], 12, 12)
                .unwrap_err()
                .contains("multiples of 8")
        );
        assert!(net.forward(&[0.0; 10], 8, 8).is_err());
        assert!(net.forward_with_maps(&[0.0; 3 * 8 * 8 * 2], 8, 8).is_err());
        let mut broken = weights(4, 3);
        broken.blocks[1].conv.kernel.pop();
        assert!(refusal(&broken).starts_with("block 1"));
        let mut odd = weights(4, 3);
        odd.blocks[0].conv.bias.push(0.0);
        assert!(refusal(&odd).contains("multiple of 4"));
        let mut head = weights(4, 3);
        head.head.weight.pop();
        assert!(refusal(&head).contains("head"));
    }
}
