//! Class activation maps (Zhou et al., "Learning Deep Features for Discriminative
//! Localization", CVPR 2016): where in the image each class's evidence lies.
//!
//! Both classifiers end in a global average pool and one linear head, so applying the head at
//! every position of the last feature map gives a map per class whose spatial mean is exactly
//! that class's logit. The maps cost one small matrix product beyond the logits, which is why
//! this method fits the page's time budget where gradient-based ones would not.

use burn::nn::Linear;
use burn::nn::pool::AdaptiveAvgPool2d;
use burn::prelude::*;

/// Logits `[batch, classes]` (pooled, then the head: the same as the network's `forward` at
/// inference) and the head at each position of `feature_map`, `[batch, classes, h, w]`.
pub(crate) fn class_activation(
    feature_map: Tensor<4>,
    pool: &AdaptiveAvgPool2d,
    head: &Linear,
) -> (Tensor<2>, Tensor<4>) {
    let [batch, channels, height, width] = feature_map.dims();
    let logits = head.forward(pool.forward(feature_map.clone()).flatten(1, 3));
    let [_, classes] = logits.dims();
    let maps = head
        .forward(
            feature_map
                .reshape([batch, channels, height * width])
                .swap_dims(1, 2),
        )
        .swap_dims(1, 2)
        .reshape([batch, classes, height, width]);
    (logits, maps)
}
