//! Analytic cost of one image through dermtone's networks, for `dermtone bench`'s GFLOP/s.
//!
//! Counted from the same plans the networks are built from ([`crate::plain::plan`],
//! [`crate::mobile::plan`], [`crate::generator::film_plan`]), per image:
//! - every convolution, dense, depthwise or pointwise: `out_h · out_w · c_out · c_in / groups · k²`
//!   multiply–accumulates (MACs);
//! - every linear layer, `inputs · outputs` MACs: the classifier heads, the generator's condition
//!   network and its FiLM projections;
//! - the FiLM modulation `conv(x) · (1 + γ) + β`: one MAC per output element.
//!
//! FLOPs are two per MAC. Ignored: biases, batch norms (an affine per element that inference
//! could fold into the convolution), activations, residual adds, pooling, up-sampling,
//! concatenation, softmax and the generator's input shift and residual add. That is per-element
//! work, cheap in arithmetic but not in memory traffic, so measured GFLOP/s understate what the
//! hardware does.
//!
//! Why a count from the plans rather than a walk over the built burn module: a module visitor
//! sees each weight's shape but not the spatial size its layer runs at, which the strides and
//! up-samplings in `forward` decide. The parameter count computed alongside is checked against
//! the built module's `num_params` in the tests, which ties each plan to its network.

use std::iter::Sum;
use std::ops::Add;

use crate::generator::{OUT_CHANNELS, film_plan};
use crate::{CONDITION_INPUTS, ClassifierConfig, GeneratorConfig, NetKind, mobile, plain};

/// Cost of one image through a network (or a part of one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    /// Multiply–accumulates.
    pub macs: u64,
    /// Stored parameters as burn's `num_params` counts them (weights, biases, and each batch
    /// norm's scale, shift and running mean and variance): the cross-check against the built
    /// module.
    pub params: u64,
}

impl Cost {
    /// Floating-point operations: two per multiply–accumulate.
    pub fn flops(self) -> u64 {
        2 * self.macs
    }
}

impl Add for Cost {
    type Output = Cost;

    fn add(self, other: Cost) -> Cost {
        Cost {
            macs: self.macs + other.macs,
            params: self.params + other.params,
        }
    }
}

impl Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(iter: I) -> Cost {
        iter.fold(Cost::default(), Add::add)
    }
}

/// One image of `side`×`side` pixels through a classifier of `config`'s shape.
pub fn classifier_cost(config: &ClassifierConfig, side: usize) -> Cost {
    match config.kind {
        NetKind::Plain => plain_cost(config, side),
        NetKind::Mobile => mobile_cost(config, side),
    }
}

/// One image of `side`×`side` pixels (a multiple of 4) through a generator of `config`'s shape.
pub fn generator_cost(config: &GeneratorConfig, side: usize) -> Cost {
    let [w, c] = [config.base_width, config.condition_width];
    let films: Cost = film_plan(w)
        .iter()
        .map(|layer| {
            let out = side / layer.scale;
            let cout = layer.channels[1] as u64;
            let conv = conv_cost(&shape(layer.channels, 3, 1, Extras::Bias), out);
            let modulation = Cost {
                macs: (out * out) as u64 * cout,
                params: 0,
            };
            conv + linear_cost(c, 2 * layer.channels[1]) + modulation
        })
        .sum();
    linear_cost(CONDITION_INPUTS, c)
        + films
        + conv_cost(&shape([w, OUT_CHANNELS], 1, 1, Extras::Bias), side)
}

fn plain_cost(config: &ClassifierConfig, side: usize) -> Cost {
    let w = config.base_width;
    let (body, _) = plain::plan(w).iter().fold(
        (Cost::default(), side),
        |(cost, side), &(cin, cout, stride)| {
            let (conv, out) = conv_at(&shape([cin, cout], 3, stride, Extras::Norm), side);
            (cost + conv, out)
        },
    );
    body + linear_cost(plain::head_features(w), config.num_classes)
}

fn mobile_cost(config: &ClassifierConfig, side: usize) -> Cost {
    let plan = mobile::plan(config.base_width, config.expansion);
    let (stem, mut side) = conv_at(&shape([3, plan.stem], 3, 2, Extras::Norm), side);
    let mut total = stem;
    for block in &plan.blocks {
        let hidden = block.cin * block.expansion;
        if block.expansion != 1 {
            total = total + conv_at(&shape([block.cin, hidden], 1, 1, Extras::Norm), side).0;
        }
        let depthwise = ConvShape {
            groups: hidden,
            ..shape([hidden, hidden], 3, block.stride, Extras::Norm)
        };
        let (cost, out) = conv_at(&depthwise, side);
        side = out;
        total = total + cost + conv_at(&shape([hidden, block.cout], 1, 1, Extras::Norm), side).0;
    }
    let head_conv = shape([plan.body_channels(), plan.head], 1, 1, Extras::Norm);
    total + conv_at(&head_conv, side).0 + linear_cost(plan.head, config.num_classes)
}

/// What a convolution carries besides its weights.
#[derive(Clone, Copy)]
enum Extras {
    /// A bias per output channel (the generator's convolutions).
    Bias,
    /// No bias, a batch norm after it (the classifiers' convolutions).
    Norm,
}

/// A square convolution padded by `kernel / 2`, as every network here pads.
struct ConvShape {
    channels: [usize; 2],
    kernel: usize,
    stride: usize,
    groups: usize,
    extras: Extras,
}

fn shape(channels: [usize; 2], kernel: usize, stride: usize, extras: Extras) -> ConvShape {
    ConvShape {
        channels,
        kernel,
        stride,
        groups: 1,
        extras,
    }
}

/// The cost of `conv` on a `side`×`side` input, and its output side.
fn conv_at(conv: &ConvShape, side: usize) -> (Cost, usize) {
    let pad = conv.kernel / 2;
    let out = (side + 2 * pad - conv.kernel) / conv.stride + 1;
    (conv_cost(conv, out), out)
}

/// The cost of `conv` producing a `out`×`out` output.
fn conv_cost(conv: &ConvShape, out: usize) -> Cost {
    let [cin, cout] = conv.channels;
    let weights = (cout * cin / conv.groups * conv.kernel * conv.kernel) as u64;
    let extra = match conv.extras {
        Extras::Bias => cout,
        Extras::Norm => 4 * cout,
    } as u64;
    Cost {
        macs: (out * out) as u64 * weights,
        params: weights + extra,
    }
}

/// A linear layer with a bias.
fn linear_cost(inputs: usize, outputs: usize) -> Cost {
    let weights = (inputs * outputs) as u64;
    Cost {
        macs: weights,
        params: weights + outputs as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Module;
    use burn::tensor::Device;

    #[test]
    fn a_tiny_plain_net_matches_a_hand_count() {
        let config = ClassifierConfig::new(2).with_base_width(4);
        // 8 px in; sides 4, 2, 2, 1, 1, 1 after the six 3×3 blocks (strides 2, 2, 1, 2, 1, 2).
        let convs = 4 * 4 * (4 * 3 * 9) // 3 → 4 at 4×4
            + 2 * 2 * (8 * 4 * 9) // 4 → 8 at 2×2
            + 2 * 2 * (8 * 8 * 9) // 8 → 8 at 2×2
            + 16 * 8 * 9 // 8 → 16 at 1×1
            + 16 * 16 * 9 // 16 → 16 at 1×1
            + 32 * 16 * 9; // 16 → 32 at 1×1
        let head = 32 * 2;
        let cost = classifier_cost(&config, 8);
        assert_eq!(cost.macs, convs + head);
        assert_eq!(cost.macs, 13_312);
        assert_eq!(cost.flops(), 26_624);
        let weights = 3 * 4 * 9 + 4 * 8 * 9 + 8 * 8 * 9 + 8 * 16 * 9 + 16 * 16 * 9 + 16 * 32 * 9;
        let norms = 4 * (4 + 8 + 8 + 16 + 16 + 32);
        assert_eq!(cost.params, weights + norms + head + 2);
    }

    #[test]
    fn a_tiny_generator_matches_a_hand_count() {
        let config = GeneratorConfig::new()
            .with_base_width(4)
            .with_condition_width(4);
        // 4 px in: enc1, enc1b, up1, dec1 run at 4×4; down1, enc2, up2, dec2 at 2×2; down2 and
        // the bottleneck at 1×1. Each FiLM conv: 3×3 conv + (4 → 2·c_out) linear + one MAC per
        // output element.
        let convs = 16 * (4 * 3 * 9) // enc1
            + 16 * (4 * 4 * 9) // enc1b
            + 4 * (8 * 4 * 9) // down1
            + 4 * (8 * 8 * 9) // enc2
            + 16 * 8 * 9 // down2
            + 16 * 16 * 9 // bottleneck
            + 4 * (8 * 16 * 9) // up2
            + 4 * (8 * 16 * 9) // dec2
            + 16 * (4 * 8 * 9) // up1
            + 16 * (4 * 8 * 9); // dec1
        let modulation =
            16 * 4 + 16 * 4 + 4 * 8 + 4 * 8 + 16 + 16 + 4 * 8 + 4 * 8 + 16 * 4 + 16 * 4;
        let film_linears = 4 * 2 * (4 + 4 + 8 + 8 + 16 + 16 + 8 + 8 + 4 + 4);
        let condition = 3 * 4;
        let out = 16 * (4 * 4);
        let cost = generator_cost(&config, 4);
        assert_eq!(
            cost.macs,
            convs + modulation + film_linears + condition + out
        );
        assert_eq!(cost.macs, 30_700);
    }

    #[test]
    fn parameter_counts_match_the_built_networks() {
        let device = Device::flex();
        for (kind, width) in [
            (NetKind::Plain, 16),
            (NetKind::Mobile, 16),
            (NetKind::Mobile, 8),
        ] {
            let config = ClassifierConfig::new(12)
                .with_base_width(width)
                .with_kind(kind);
            let built = config.init(&device).num_params() as u64;
            assert_eq!(
                classifier_cost(&config, 64).params,
                built,
                "{kind:?} {width}"
            );
        }
        let config = GeneratorConfig::new().with_base_width(12);
        let built = config.init(&device).num_params() as u64;
        assert_eq!(generator_cost(&config, 96).params, built);
    }
}
