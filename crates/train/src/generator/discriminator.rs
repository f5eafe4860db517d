//! The critic of the generator's unpaired refinement (training only, never shipped): a small
//! patch discriminator ("is each patch a real photo?") with an auxiliary classifier of the
//! Fitzpatrick type (Odena et al. 2017, AC-GAN), so the generator is pushed toward photos that
//! look real *and* look like the tone it was asked for.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::leaky_relu;

/// Fitzpatrick types the auxiliary head tells apart.
pub const TYPES: usize = 6;

/// Patch real/fake scores and Fitzpatrick-type logits for `[batch, 3, h, w]` sRGB in 0..1.
#[derive(Module, Debug)]
pub struct Discriminator {
    convs: Vec<Conv2d>,
    patch: Conv2d,
    tone: Linear,
}

impl Discriminator {
    /// A fresh critic with `width` channels in its first layer.
    pub fn new(width: usize, device: &Device) -> Self {
        let channels = [3, width, 2 * width, 4 * width, 4 * width];
        let convs = channels
            .windows(2)
            .map(|c| {
                Conv2dConfig::new([c[0], c[1]], [4, 4])
                    .with_stride([2, 2])
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .init(device)
            })
            .collect();
        Self {
            convs,
            patch: Conv2dConfig::new([4 * width, 4], [3, 3])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
            tone: LinearConfig::new(4 * width, TYPES).init(device),
        }
    }

    /// `(patch scores [batch, 1, h/16, w/16], type logits [batch, TYPES])`.
    pub fn forward(&self, images: Tensor<4>) -> (Tensor<4>, Tensor<2>) {
        let mut x = images - 0.5;
        for conv in &self.convs {
            x = leaky_relu(conv.forward(x), 0.2);
        }
        let patch = self.patch.forward(x.clone()).narrow(1, 0, 1);
        let pooled = x.mean_dim(3).mean_dim(2).flatten(1, 3);
        (patch, self.tone.forward(pooled))
    }
}
