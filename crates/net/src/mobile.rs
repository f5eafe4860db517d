//! The mobile network: a MobileNetV2-style stack of inverted-residual blocks (1×1 expand,
//! depthwise 3×3, linear 1×1 project, skip connection where shapes allow). Depthwise convolutions
//! give far more layers per multiply than plain 3×3 convs, which matters because the page runs
//! the classifier seven times per analysis. Every channel count is a multiple of 4 so wgpu can
//! pack the weights.

use burn::module::Param;
use burn::nn::activation::Relu6;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig2d,
};
use burn::prelude::*;

use crate::ClassifierConfig;
use crate::cam::class_activation;
use crate::fold::{conv_then_norm, fold_pair};

/// Stages as (expands, channels in units of `base_width / 4`, repeats, first stride); a stage
/// that expands widens its hidden layers by the configured expansion.
const STAGES: [(bool, usize, usize, usize); 6] = [
    (false, 4, 1, 1),
    (true, 6, 2, 2),
    (true, 8, 2, 2),
    (true, 16, 3, 2),
    (true, 24, 2, 1),
    (true, 40, 1, 2),
];

/// The expansion every network trained before it could be chosen has (and the default).
pub const DEFAULT_EXPANSION: usize = 4;

/// Whether `expansion` is the default: files and recipes leave it out then, so those written
/// before it could be chosen read, compare and write the same (a serde `skip_serializing_if`).
pub fn is_default_expansion(expansion: &usize) -> bool {
    *expansion == DEFAULT_EXPANSION
}

/// Head channels (before pooling) in units of `base_width / 4`.
const HEAD_UNITS: usize = 80;

/// One inverted-residual block's shape.
pub(crate) struct BlockPlan {
    pub cin: usize,
    pub cout: usize,
    pub stride: usize,
    pub expansion: usize,
}

/// A mobile network's channels: stem, blocks in order, head. One plan for the network and its
/// FLOP count ([`crate::flops`]), so the two cannot drift apart.
pub(crate) struct MobilePlan {
    pub stem: usize,
    pub blocks: Vec<BlockPlan>,
    pub head: usize,
}

impl MobilePlan {
    /// Channels out of the last block, into the head convolution.
    pub fn body_channels(&self) -> usize {
        self.blocks.last().map_or(self.stem, |b| b.cout)
    }
}

/// The plan for stem width `base_width` (rounded down to a multiple of 4, at least 4) and
/// hidden layers `expansion` times their blocks' input.
pub(crate) fn plan(base_width: usize, expansion: usize) -> MobilePlan {
    let unit = (base_width / 4).max(1);
    let stem = 4 * unit;
    let mut blocks = Vec::new();
    let mut cin = stem;
    for (expands, units, repeats, stride) in STAGES {
        let expansion = if expands { expansion } else { 1 };
        let cout = units * unit;
        for r in 0..repeats {
            let stride = if r == 0 { stride } else { 1 };
            blocks.push(BlockPlan {
                cin,
                cout,
                stride,
                expansion,
            });
            cin = cout;
        }
    }
    MobilePlan {
        stem,
        blocks,
        head: HEAD_UNITS * unit,
    }
}

/// Convolution → batch norm, with an optional ReLU6. Once [folded](ConvNorm::folded) the norm
/// lives in the convolution's weights and bias.
#[derive(Module, Debug)]
pub struct ConvNorm {
    pub(crate) conv: Conv2d,
    pub(crate) norm: Option<BatchNorm>,
    pub(crate) activation: Option<Relu6>,
}

/// How one [`ConvNorm`] is shaped.
struct ConvShape {
    channels: [usize; 2],
    kernel: usize,
    stride: usize,
    groups: usize,
    activation: bool,
}

impl ConvNorm {
    fn new(shape: ConvShape, device: &Device) -> Self {
        let pad = shape.kernel / 2;
        Self {
            conv: Conv2dConfig::new(shape.channels, [shape.kernel, shape.kernel])
                .with_stride([shape.stride, shape.stride])
                .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                .with_groups(shape.groups)
                .with_bias(false)
                .init(device),
            norm: Some(BatchNormConfig::new(shape.channels[1]).init(device)),
            activation: shape.activation.then(Relu6::new),
        }
    }

    /// The same layer for inference, with the batch norm folded into the convolution.
    fn folded(self) -> Self {
        let (conv, norm) = fold_pair(self.conv, self.norm);
        Self {
            conv,
            norm,
            activation: self.activation,
        }
    }

    fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let x = conv_then_norm(&self.conv, self.norm.as_ref(), input);
        match &self.activation {
            Some(act) => act.forward(x),
            None => x,
        }
    }
}

/// Expand (1×1) → depthwise 3×3 → project (1×1, linear), plus the input when shapes match.
#[derive(Module, Debug)]
pub struct InvertedResidual {
    pub(crate) expand: Option<ConvNorm>,
    pub(crate) depthwise: ConvNorm,
    pub(crate) project: ConvNorm,
    pub(crate) residual: bool,
}

impl InvertedResidual {
    fn new(cin: usize, cout: usize, stride: usize, expansion: usize, device: &Device) -> Self {
        let hidden = cin * expansion;
        let pointwise = |channels, activation| ConvShape {
            channels,
            kernel: 1,
            stride: 1,
            groups: 1,
            activation,
        };
        Self {
            expand: (expansion != 1).then(|| ConvNorm::new(pointwise([cin, hidden], true), device)),
            depthwise: ConvNorm::new(
                ConvShape {
                    channels: [hidden, hidden],
                    kernel: 3,
                    stride,
                    groups: hidden,
                    activation: true,
                },
                device,
            ),
            project: ConvNorm::new(pointwise([hidden, cout], false), device),
            residual: stride == 1 && cin == cout,
        }
    }

    fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let x = match &self.expand {
            Some(expand) => expand.forward(input.clone()),
            None => input.clone(),
        };
        let x = self.project.forward(self.depthwise.forward(x));
        if self.residual { x + input } else { x }
    }

    fn folded(self) -> Self {
        Self {
            expand: self.expand.map(ConvNorm::folded),
            depthwise: self.depthwise.folded(),
            project: self.project.folded(),
            residual: self.residual,
        }
    }
}

/// Mobile classifier over normalised `[batch, 3, size, size]` input, returning logits.
#[derive(Module, Debug)]
pub struct MobileNet {
    pub(crate) stem: ConvNorm,
    pub(crate) blocks: Vec<InvertedResidual>,
    pub(crate) head_conv: ConvNorm,
    pub(crate) pool: AdaptiveAvgPool2d,
    pub(crate) dropout: Dropout,
    pub(crate) head: Linear,
}

impl MobileNet {
    /// A freshly initialised mobile network of `config`'s shape on `device`. `base_width` is
    /// the stem's channels and must be a multiple of 4.
    pub fn new(config: &ClassifierConfig, device: &Device) -> Self {
        let plan = plan(config.base_width, config.expansion);
        let blocks = plan
            .blocks
            .iter()
            .map(|b| InvertedResidual::new(b.cin, b.cout, b.stride, b.expansion, device))
            .collect();
        let cin = plan.body_channels();
        let head_channels = plan.head;
        Self {
            stem: ConvNorm::new(
                ConvShape {
                    channels: [3, plan.stem],
                    kernel: 3,
                    stride: 2,
                    groups: 1,
                    activation: true,
                },
                device,
            ),
            blocks,
            head_conv: ConvNorm::new(
                ConvShape {
                    channels: [cin, head_channels],
                    kernel: 1,
                    stride: 1,
                    groups: 1,
                    activation: true,
                },
                device,
            ),
            pool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            dropout: DropoutConfig::new(config.dropout).init(),
            head: LinearConfig::new(head_channels, config.num_classes).init(device),
        }
    }

    /// The same body with a fresh head for `num_classes`: a network trained on one task (e.g.
    /// dermoscopy) becomes the starting point for another (e.g. clinical photos).
    pub fn with_new_head(self, num_classes: usize, device: &Device) -> Self {
        let [features, _] = self.head.weight.val().dims();
        Self {
            head: LinearConfig::new(features, num_classes).init(device),
            ..self
        }
    }

    /// The same network with a head of `num_classes` whose first classes keep their trained
    /// weights (as many as both heads have) and whose new classes start fresh: one body can
    /// learn a second task beside its own (a head per task, side by side in one layer), and the
    /// first task's model is cut back out of it.
    pub fn with_head_classes(self, num_classes: usize, device: &Device) -> Self {
        let [features, classes] = self.head.weight.val().dims();
        let kept = classes.min(num_classes);
        let fresh = LinearConfig::new(features, num_classes).init(device);
        let weight = fresh.weight.val().slice_assign(
            [0..features, 0..kept],
            self.head.weight.val().slice([0..features, 0..kept]),
        );
        let bias = match (fresh.bias, self.head.bias) {
            (Some(fresh), Some(old)) => Some(Param::from_tensor(
                fresh
                    .val()
                    .slice_assign(0..kept, old.val().slice(0..kept))
                    .detach(),
            )),
            (fresh, _) => fresh,
        };
        Self {
            head: Linear {
                weight: Param::from_tensor(weight.detach()),
                bias,
            },
            ..self
        }
    }

    /// The same network for inference, every batch norm folded into its convolution (see
    /// the `fold` module). Not for training: the norms are gone.
    pub fn folded(self) -> Self {
        Self {
            stem: self.stem.folded(),
            blocks: self
                .blocks
                .into_iter()
                .map(InvertedResidual::folded)
                .collect(),
            head_conv: self.head_conv.folded(),
            ..self
        }
    }

    /// Logits `[batch, num_classes]` for a batch of normalised images.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.head
            .forward(self.dropout.forward(self.features(images)))
    }

    /// Pooled features `[batch, head channels]`: everything but the head.
    pub fn features(&self, images: Tensor<4>) -> Tensor<2> {
        self.pool.forward(self.feature_map(images)).flatten(1, 3)
    }

    /// Logits and class activation maps `[batch, classes, h, w]`, as [`class_activation`] says.
    pub fn forward_with_maps(&self, images: Tensor<4>) -> (Tensor<2>, Tensor<4>) {
        class_activation(self.feature_map(images), &self.pool, &self.head)
    }

    /// The last feature map `[batch, head channels, h, w]`, before pooling.
    fn feature_map(&self, images: Tensor<4>) -> Tensor<4> {
        let x = self.stem.forward(images);
        let x = self.blocks.iter().fold(x, |x, block| block.forward(x));
        self.head_conv.forward(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logits_have_one_column_per_class_and_stay_small() {
        let device = Device::flex();
        let config = ClassifierConfig::new(7).with_base_width(16);
        let model = MobileNet::new(&config, &device);
        let logits = model.forward(Tensor::zeros([2, 3, 64, 64], &device));
        assert_eq!(logits.dims(), [2, 7]);
        assert!(model.num_params() < 1_000_000, "{}", model.num_params());
        let input = Tensor::<4>::ones([1, 3, 32, 32], &device);
        let before = model.features(input.clone()).into_data();
        let renewed = model.with_new_head(12, &device);
        assert_eq!(renewed.forward(input.clone()).dims(), [1, 12]);
        let after = renewed.features(input).into_data();
        after.assert_approx_eq::<f32>(&before, Default::default());
    }

    #[test]
    fn a_resized_head_keeps_the_classes_both_heads_have() {
        use burn::tensor::Distribution;
        let device = Device::flex();
        let model = MobileNet::new(&ClassifierConfig::new(5).with_base_width(8), &device);
        let input = Tensor::<4>::random([2, 3, 32, 32], Distribution::Normal(0.0, 1.0), &device);
        let before = model.forward(input.clone());
        let grown = model.with_head_classes(9, &device);
        let wide = grown.forward(input.clone());
        assert_eq!(wide.dims(), [2, 9]);
        wide.clone()
            .slice([0..2, 0..5])
            .into_data()
            .assert_approx_eq::<f32>(&before.clone().into_data(), Default::default());
        let cut = grown.with_head_classes(5, &device);
        cut.forward(input)
            .into_data()
            .assert_approx_eq::<f32>(&before.into_data(), Default::default());
    }
}
