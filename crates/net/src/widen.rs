//! Widening a trained mobile network without changing what it computes (Chen et al.,
//! "Net2Net", ICLR 2016): every channel space grows by copies of its own channels, and each
//! layer that sums over a space splits a channel's outgoing weights among its copies. A wider
//! photo network (a wider stem, or wider hidden layers) can then start from the narrower
//! dermoscopy body instead of from nothing.
//!
//! The shares are unequal (the original keeps the smaller one), so the copies receive gradients
//! of different sizes and grow apart in training; equal shares would keep each copy identical to
//! its source for ever.

use burn::module::{Param, RunningState};
use burn::nn::conv::Conv2d;
use burn::nn::{BatchNorm, Linear};
use burn::prelude::*;

use crate::mobile::{BlockPlan, ConvNorm, InvertedResidual, MobileNet, plan};

/// How one channel space grows: the channel each new channel copies, and the share of that
/// channel's outgoing weights it takes.
#[derive(Clone)]
struct Growth {
    source: Vec<usize>,
    share: Vec<f32>,
}

impl Growth {
    /// `old` channels become `new`: the first `old` are themselves, the rest copy channels
    /// spread evenly over the old ones (a trained network's channel order means nothing).
    fn new(old: usize, new: usize) -> Self {
        let added = new - old;
        let source: Vec<usize> = (0..old)
            .chain((0..added).map(|k| k * old / added.max(1)))
            .collect();
        let mut copies = vec![0usize; old];
        let rank: Vec<usize> = source
            .iter()
            .map(|&s| {
                copies[s] += 1;
                copies[s] - 1
            })
            .collect();
        let weight = |rank: usize| 1.0 + 0.25 * rank as f32;
        let totals: Vec<f32> = (0..old).map(|s| (0..copies[s]).map(weight).sum()).collect();
        let share = source
            .iter()
            .zip(&rank)
            .map(|(&s, &r)| weight(r) / totals[s])
            .collect();
        Self { source, share }
    }

    fn len(&self) -> usize {
        self.source.len()
    }

    fn indices(&self, device: &Device) -> Tensor<1, Int> {
        let values: Vec<i64> = self.source.iter().map(|&s| s as i64).collect();
        Tensor::from_data(TensorData::new(values, [self.len()]), device)
    }

    fn shares(&self, device: &Device) -> Tensor<1> {
        Tensor::from_data(TensorData::new(self.share.clone(), [self.len()]), device)
    }
}

/// What a convolution's input channels do as its outputs grow.
enum Inputs<'a> {
    /// The image's three colours: unchanged.
    Image,
    /// A grown space, summed over: each copy takes its share of its source's weights.
    Summed(&'a Growth),
    /// Depthwise: each output reads only its own channel, so inputs grow with the outputs.
    Depthwise,
}

/// A convolution whose output channels grow by `out` (copied) and whose inputs grow as
/// `inputs` says.
fn grow_conv(conv: Conv2d, inputs: Inputs, out: &Growth) -> Conv2d {
    let device = conv.weight.val().device();
    let mut weight = conv.weight.val().select(0, out.indices(&device));
    let mut groups = conv.groups;
    match inputs {
        Inputs::Image => {}
        Inputs::Summed(input) => {
            weight = weight.select(1, input.indices(&device))
                * input.shares(&device).reshape([1, input.len(), 1, 1]);
        }
        Inputs::Depthwise => groups = out.len(),
    }
    Conv2d {
        weight: Param::from_tensor(weight.detach()),
        bias: conv
            .bias
            .map(|b| Param::from_tensor(b.val().select(0, out.indices(&device)).detach())),
        groups,
        ..conv
    }
}

/// A batch norm over a grown space: each copy has its source's statistics and affine.
fn grow_norm(norm: BatchNorm, out: &Growth) -> BatchNorm {
    let device = norm.gamma.val().device();
    let pick = |t: Tensor<1>| t.select(0, out.indices(&device)).detach();
    BatchNorm {
        gamma: Param::from_tensor(pick(norm.gamma.val())),
        beta: Param::from_tensor(pick(norm.beta.val())),
        running_mean: RunningState::new(pick(norm.running_mean.value())),
        running_var: RunningState::new(pick(norm.running_var.value())),
        ..norm
    }
}

fn grow_conv_norm(layer: ConvNorm, inputs: Inputs, out: &Growth) -> ConvNorm {
    ConvNorm {
        conv: grow_conv(layer.conv, inputs, out),
        norm: layer.norm.map(|n| grow_norm(n, out)),
        ..layer
    }
}

/// One block over a grown input space, shaped as `target`; returns the block and its output
/// space's growth.
fn grow_block(
    block: InvertedResidual,
    input: &Growth,
    target: &BlockPlan,
) -> (InvertedResidual, Growth) {
    let (expand, grown_hidden) = match block.expand {
        Some(expand) => {
            let [old_hidden, _, _, _] = expand.conv.weight.val().dims();
            let hidden = Growth::new(old_hidden, target.cin * target.expansion);
            (
                Some(grow_conv_norm(expand, Inputs::Summed(input), &hidden)),
                Some(hidden),
            )
        }
        None => (None, None),
    };
    let hidden = grown_hidden.as_ref().unwrap_or(input);
    let out = if block.residual {
        input.clone()
    } else {
        let [old_out, _, _, _] = block.project.conv.weight.val().dims();
        Growth::new(old_out, target.cout)
    };
    let grown = InvertedResidual {
        expand,
        depthwise: grow_conv_norm(block.depthwise, Inputs::Depthwise, hidden),
        project: grow_conv_norm(block.project, Inputs::Summed(hidden), &out),
        residual: block.residual,
    };
    (grown, out)
}

/// The head's inputs grown by `input`, split as any summing layer's.
fn grow_linear_input(linear: Linear, input: &Growth) -> Linear {
    let device = linear.weight.val().device();
    let weight = linear.weight.val().select(0, input.indices(&device))
        * input.shares(&device).reshape([input.len(), 1]);
    Linear {
        weight: Param::from_tensor(weight.detach()),
        ..linear
    }
}

impl MobileNet {
    /// The same function in the network of stem width `base_width` and hidden layers
    /// `expansion` times their blocks' input (each at least this network's; the width a
    /// multiple of 4): every layer as [`plan`] lays it out for those, each new channel a copy
    /// of a trained one. Not for a folded network.
    pub fn widened(self, base_width: usize, expansion: usize) -> Result<Self, String> {
        let [stem, _, _, _] = self.stem.conv.weight.val().dims();
        let old_expansion = self
            .blocks
            .iter()
            .find_map(|b| {
                let [hidden, cin, _, _] = b.expand.as_ref()?.conv.weight.val().dims();
                Some(hidden / cin)
            })
            .unwrap_or(expansion);
        if !base_width.is_multiple_of(4) || base_width < stem || expansion < old_expansion {
            return Err(format!(
                "a mobile network of width {stem} and expansion {old_expansion} can widen to a \
                 width (a multiple of 4) and an expansion at least as large, not to width \
                 {base_width} and expansion {expansion}"
            ));
        }
        let target = plan(base_width, expansion);
        let stem_growth = Growth::new(stem, target.stem);
        let grown_stem = grow_conv_norm(self.stem, Inputs::Image, &stem_growth);
        let mut space = stem_growth;
        let mut blocks = Vec::with_capacity(self.blocks.len());
        for (block, shape) in self.blocks.into_iter().zip(&target.blocks) {
            let (grown, out) = grow_block(block, &space, shape);
            blocks.push(grown);
            space = out;
        }
        let [old_head, _, _, _] = self.head_conv.conv.weight.val().dims();
        let head_growth = Growth::new(old_head, target.head);
        Ok(Self {
            stem: grown_stem,
            blocks,
            head_conv: grow_conv_norm(self.head_conv, Inputs::Summed(&space), &head_growth),
            head: grow_linear_input(self.head, &head_growth),
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClassifierConfig;
    use burn::tensor::Distribution;

    /// A norm whose statistics and affine differ per channel, as after training, so that a
    /// copy taken from the wrong channel shows.
    fn trained(layer: ConvNorm, device: &Device) -> ConvNorm {
        let norm = layer.norm.map(|norm| {
            let [channels] = norm.gamma.val().dims();
            let random = |low, high| {
                Tensor::<1>::random([channels], Distribution::Uniform(low, high), device)
            };
            BatchNorm {
                gamma: Param::from_tensor(random(0.5, 2.0)),
                beta: Param::from_tensor(random(-0.5, 0.5)),
                running_mean: RunningState::new(random(-0.3, 0.3)),
                running_var: RunningState::new(random(0.2, 2.0)),
                ..norm
            }
        });
        ConvNorm { norm, ..layer }
    }

    fn trained_network(base_width: usize, device: &Device) -> MobileNet {
        let net = MobileNet::new(
            &ClassifierConfig::new(5).with_base_width(base_width),
            device,
        );
        MobileNet {
            stem: trained(net.stem, device),
            blocks: net
                .blocks
                .into_iter()
                .map(|b| InvertedResidual {
                    expand: b.expand.map(|e| trained(e, device)),
                    depthwise: trained(b.depthwise, device),
                    project: trained(b.project, device),
                    residual: b.residual,
                })
                .collect(),
            head_conv: trained(net.head_conv, device),
            ..net
        }
    }

    #[test]
    fn a_widened_network_computes_what_it_did_in_the_wider_layout() {
        let device = Device::flex();
        let net = trained_network(8, &device);
        let input = Tensor::<4>::random([2, 3, 48, 48], Distribution::Normal(0.0, 1.0), &device);
        let before = net.forward(input.clone()).into_data();
        for (width, expansion) in [(12, 4), (8, 6), (12, 5)] {
            let wide = net.clone().widened(width, expansion).unwrap();
            let after = wide.clone().forward(input.clone()).into_data();
            after.assert_approx_eq::<f32>(&before, Default::default());
            let config = ClassifierConfig::new(5)
                .with_base_width(width)
                .with_expansion(expansion)
                .with_kind(crate::NetKind::Mobile);
            let record = crate::Classifier::Mobile(wide).record_bytes().unwrap();
            let reloaded = config.load_record(&record, &device).unwrap();
            reloaded
                .forward(input.clone())
                .into_data()
                .assert_approx_eq::<f32>(&before, Default::default());
        }
    }

    #[test]
    fn a_copy_takes_another_share_than_its_source() {
        let growth = Growth::new(4, 6);
        assert_eq!(growth.source, [0, 1, 2, 3, 0, 2]);
        assert!((growth.share[0] + growth.share[4] - 1.0).abs() < 1e-6);
        assert!(growth.share[0] < growth.share[4]);
        assert_eq!(growth.share[1], 1.0);
    }

    #[test]
    fn narrowing_is_refused() {
        let device = Device::flex();
        let net = MobileNet::new(&ClassifierConfig::new(5).with_base_width(12), &device);
        assert!(net.clone().widened(8, 4).is_err());
        assert!(net.clone().widened(12, 3).is_err());
        assert!(net.widened(14, 4).is_err());
    }
}
