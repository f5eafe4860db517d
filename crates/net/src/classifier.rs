//! A small convolutional classifier: strided 3×3 conv blocks, global average pooling, one
//! linear head. Small enough to train on two CPU cores and to run seven times per analysis in
//! the page.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig2d, Relu,
};
use burn::prelude::*;

/// Shape of the classifier; stored in the model card so the weights can be rebuilt.
#[derive(Config, Debug)]
pub struct ClassifierConfig {
    /// Number of output classes.
    pub num_classes: usize,
    /// Channels of the first block; later blocks use 2×, 2×, 4×, 4×, 8× this.
    #[config(default = 16)]
    pub base_width: usize,
    /// Dropout before the head, active only while training.
    #[config(default = 0.2)]
    pub dropout: f64,
}

/// Conv → batch norm → ReLU: the network's only building block.
#[derive(Module, Debug)]
pub struct ConvBlock {
    conv: Conv2d,
    norm: BatchNorm,
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
            norm: BatchNormConfig::new(channels_out).init(device),
            activation: Relu::new(),
        }
    }

    fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        self.activation
            .forward(self.norm.forward(self.conv.forward(input)))
    }
}

/// Image classifier over normalised `[batch, 3, size, size]` input, returning logits.
#[derive(Module, Debug)]
pub struct Classifier {
    blocks: Vec<ConvBlock>,
    pool: AdaptiveAvgPool2d,
    dropout: Dropout,
    head: Linear,
}

impl ClassifierConfig {
    /// Builds a freshly initialised classifier on `device`.
    pub fn init(&self, device: &Device) -> Classifier {
        let w = self.base_width;
        let plan = [
            (3, w, 2),
            (w, 2 * w, 2),
            (2 * w, 2 * w, 1),
            (2 * w, 4 * w, 2),
            (4 * w, 4 * w, 1),
            (4 * w, 8 * w, 2),
        ];
        Classifier {
            blocks: plan
                .iter()
                .map(|&(cin, cout, stride)| ConvBlock::new(cin, cout, stride, device))
                .collect(),
            pool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            dropout: DropoutConfig::new(self.dropout).init(),
            head: LinearConfig::new(8 * w, self.num_classes).init(device),
        }
    }
}

impl Classifier {
    /// Logits `[batch, num_classes]` for a batch of normalised images.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let features = self.blocks.iter().fold(images, |x, block| block.forward(x));
        let pooled: Tensor<2> = self.pool.forward(features).flatten(1, 3);
        self.head.forward(self.dropout.forward(pooled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logits_have_one_column_per_class() {
        let device = Device::flex();
        let model = ClassifierConfig::new(7).with_base_width(4).init(&device);
        let logits = model.forward(Tensor::zeros([2, 3, 32, 32], &device));
        assert_eq!(logits.dims(), [2, 7]);
    }
}
