//! The plain network: strided 3×3 conv blocks, global average pooling, one linear head. Cheap to
//! train on two CPU cores; the tone estimator uses it.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig2d, Relu,
};
use burn::prelude::*;

use crate::ClassifierConfig;
use crate::cam::class_activation;
use crate::fold::{conv_then_norm, fold_pair};

/// Conv → batch norm → ReLU: the network's only building block. Once
/// [folded](ConvBlock::folded) the norm lives in the convolution's weights and bias.
#[derive(Module, Debug)]
pub struct ConvBlock {
    pub(crate) conv: Conv2d,
    pub(crate) norm: Option<BatchNorm>,
    activation: Relu,
}

impl ConvBlock {
    fn new(channels_in: usize, channels_out: usize, stride: usize, device: &Device) -> Self {
        Self {
            conv: Conv2dConfig::new([channels_in, channels_out], [3, 3])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .with_bias(false)
                .init(device),
            norm: Some(BatchNormConfig::new(channels_out).init(device)),
            activation: Relu::new(),
        }
    }

    /// The same block for inference, with the batch norm folded into the convolution.
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
        self.activation.forward(x)
    }
}

/// The 3×3 conv blocks as (channels in, channels out, stride) for base width `w`: one table for
/// the network and its FLOP count ([`crate::flops`]), so the two cannot drift apart.
pub(crate) fn plan(w: usize) -> [(usize, usize, usize); 6] {
    [
        (3, w, 2),
        (w, 2 * w, 2),
        (2 * w, 2 * w, 1),
        (2 * w, 4 * w, 2),
        (4 * w, 4 * w, 1),
        (4 * w, 8 * w, 2),
    ]
}

/// Features the head sees for base width `w` (the last block's channels).
pub(crate) fn head_features(w: usize) -> usize {
    8 * w
}

/// Plain conv classifier over normalised `[batch, 3, size, size]` input, returning logits.
#[derive(Module, Debug)]
pub struct PlainNet {
    pub(crate) blocks: Vec<ConvBlock>,
    pool: AdaptiveAvgPool2d,
    dropout: Dropout,
    pub(crate) head: Linear,
}

impl PlainNet {
    /// A freshly initialised plain network of `config`'s shape on `device`.
    pub fn new(config: &ClassifierConfig, device: &Device) -> Self {
        Self {
            blocks: plan(config.base_width)
                .iter()
                .map(|&(cin, cout, stride)| ConvBlock::new(cin, cout, stride, device))
                .collect(),
            pool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            dropout: DropoutConfig::new(config.dropout).init(),
            head: LinearConfig::new(head_features(config.base_width), config.num_classes)
                .init(device),
        }
    }

    /// The same network for inference, every batch norm folded into its convolution (see
    /// the `fold` module). Not for training: the norms are gone.
    pub fn folded(self) -> Self {
        Self {
            blocks: self.blocks.into_iter().map(ConvBlock::folded).collect(),
            ..self
        }
    }

    /// Logits `[batch, num_classes]` for a batch of normalised images.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.head
            .forward(self.dropout.forward(self.features(images)))
    }

    /// Pooled features `[batch, 8 × base width]`: everything but the head.
    pub fn features(&self, images: Tensor<4>) -> Tensor<2> {
        self.pool.forward(self.feature_map(images)).flatten(1, 3)
    }

    /// Logits and class activation maps `[batch, classes, h, w]`, as [`class_activation`] says.
    pub fn forward_with_maps(&self, images: Tensor<4>) -> (Tensor<2>, Tensor<4>) {
        class_activation(self.feature_map(images), &self.pool, &self.head)
    }

    /// The last feature map `[batch, 8 × base width, h, w]`, before pooling.
    fn feature_map(&self, images: Tensor<4>) -> Tensor<4> {
        self.blocks.iter().fold(images, |x, block| block.forward(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logits_have_one_column_per_class() {
        let device = Device::flex();
        let model = PlainNet::new(&ClassifierConfig::new(7).with_base_width(4), &device);
        let logits = model.forward(Tensor::zeros([2, 3, 32, 32], &device));
        assert_eq!(logits.dims(), [2, 7]);
    }
}
