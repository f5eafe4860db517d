//! Folding an inference-mode batch norm into the convolution before it.
//!
//! At inference a batch norm is a fixed per-channel `y·s + (β − μ·s)` with `s = γ / √(σ² + ε)`.
//! burn computes it as four passes over the feature map (subtract, divide, multiply, add); folded
//! into the convolution's weights and bias it costs nothing. ONNX Runtime does the same when it
//! loads a graph.

use burn::module::Param;
use burn::nn::BatchNorm;
use burn::nn::conv::Conv2d;
use burn::tensor::Tensor;

/// `conv` followed by `norm` (inference statistics) as one convolution with a bias.
pub(crate) fn fold_batch_norm(conv: Conv2d, norm: &BatchNorm) -> Conv2d {
    let scale = norm.gamma.val() / (norm.running_var.value() + norm.epsilon).sqrt();
    let shift = norm.beta.val() - norm.running_mean.value() * scale.clone();
    let weight = conv.weight.val();
    let [channels_out, _, _, _] = weight.dims();
    let bias = match &conv.bias {
        Some(bias) => bias.val() * scale.clone() + shift,
        None => shift,
    };
    Conv2d {
        weight: Param::from_tensor(weight * scale.reshape([channels_out, 1, 1, 1])),
        bias: Some(Param::from_tensor(bias)),
        ..conv
    }
}

/// A convolution and, until folded, the batch norm after it: the one layer the networks'
/// conv-norm blocks share.
pub(crate) fn fold_pair(conv: Conv2d, norm: Option<BatchNorm>) -> (Conv2d, Option<BatchNorm>) {
    match norm {
        Some(norm) => (fold_batch_norm(conv, &norm), None),
        None => (conv, None),
    }
}

/// `conv`, then `norm` where it has not been folded into it.
pub(crate) fn conv_then_norm(
    conv: &Conv2d,
    norm: Option<&BatchNorm>,
    input: Tensor<4>,
) -> Tensor<4> {
    let x = conv.forward(input);
    match norm {
        Some(norm) => norm.forward(x),
        None => x,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::conv::Conv2dConfig;
    use burn::nn::{BatchNormConfig, PaddingConfig2d};
    use burn::prelude::*;
    use burn::tensor::Distribution;

    /// A batch norm with statistics far from the identity, as after training.
    fn trained_norm(channels: usize, device: &Device) -> BatchNorm {
        let random =
            |low, high| Tensor::<1>::random([channels], Distribution::Uniform(low, high), device);
        let mut norm = BatchNormConfig::new(channels).init(device);
        norm.gamma = Param::from_tensor(random(0.5, 2.0));
        norm.beta = Param::from_tensor(random(-1.0, 1.0));
        norm.running_mean = burn::module::RunningState::new(random(-0.5, 0.5));
        norm.running_var = burn::module::RunningState::new(random(0.1, 3.0));
        norm
    }

    #[test]
    fn a_folded_convolution_equals_convolution_then_norm() {
        let device = Device::flex();
        for (groups, bias) in [(1, false), (8, false), (1, true)] {
            let conv = Conv2dConfig::new([8, 8], [3, 3])
                .with_groups(groups)
                .with_bias(bias)
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(&device);
            let norm = trained_norm(8, &device);
            let input = Tensor::<4>::random([2, 8, 9, 9], Distribution::Normal(0.0, 1.0), &device);
            let expected = norm.forward(conv.forward(input.clone()));
            let folded = fold_batch_norm(conv, &norm).forward(input);
            let difference: f32 = (folded - expected).abs().max().into_scalar();
            assert!(
                difference < 1e-4,
                "groups {groups}, bias {bias}: {difference}"
            );
        }
    }
}
