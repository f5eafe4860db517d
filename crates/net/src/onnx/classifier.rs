//! The classifiers' graphs: normalised `[batch, 3, size, size]` images → logits, exactly
//! [`crate::Classifier::forward`] at inference (dropout is the identity there and is left out).

use super::ExportError;
use super::graph::GraphBuilder;
use super::layers::{batch_norm, conv, linear, pool_flatten, relu6};
use crate::{mobile, plain};

/// [`crate::PlainNet`]: conv → batch norm → ReLU blocks, pooling, linear head.
pub(crate) fn plain(
    g: &mut GraphBuilder,
    base_width: usize,
    images: &str,
) -> Result<String, ExportError> {
    let mut x = images.to_string();
    for (i, &(_, _, stride)) in plain::plan(base_width).iter().enumerate() {
        let block = format!("blocks.{i}");
        let y = conv(g, &format!("{block}.conv"), &x, stride, 1)?.output;
        let y = batch_norm(g, &format!("{block}.norm"), &y)?;
        x = g.op(&format!("{block}.relu"), "Relu", &[&y], vec![]);
    }
    head(g, &x)
}

/// [`crate::MobileNet`]: stem, inverted-residual blocks, head convolution, pooling, linear head.
pub(crate) fn mobile(
    g: &mut GraphBuilder,
    base_width: usize,
    expansion: usize,
    images: &str,
) -> Result<String, ExportError> {
    let plan = mobile::plan(base_width, expansion);
    let mut x = conv_norm(g, "stem", images, 2, 1, true)?;
    for (i, block) in plan.blocks.iter().enumerate() {
        let path = format!("blocks.{i}");
        let input = x.clone();
        if block.expansion != 1 {
            x = conv_norm(g, &format!("{path}.expand"), &x, 1, 1, true)?;
        }
        let hidden = block.cin * block.expansion;
        x = conv_norm(
            g,
            &format!("{path}.depthwise"),
            &x,
            block.stride,
            hidden,
            true,
        )?;
        x = conv_norm(g, &format!("{path}.project"), &x, 1, 1, false)?;
        // MobileNetV2's rule, as in `InvertedResidual`: add the input where shapes match.
        if block.stride == 1 && block.cin == block.cout {
            x = g.op(&format!("{path}.residual"), "Add", &[&x, &input], vec![]);
        }
    }
    let x = conv_norm(g, "head_conv", &x, 1, 1, true)?;
    head(g, &x)
}

/// The mobile network's `ConvNorm`: convolution, batch norm, optional ReLU6.
fn conv_norm(
    g: &mut GraphBuilder,
    path: &str,
    input: &str,
    stride: usize,
    groups: usize,
    activation: bool,
) -> Result<String, ExportError> {
    let x = conv(g, &format!("{path}.conv"), input, stride, groups)?.output;
    let x = batch_norm(g, &format!("{path}.norm"), &x)?;
    Ok(match activation {
        true => relu6(g, &format!("{path}.relu6"), &x),
        false => x,
    })
}

/// Pooling, flattening and the linear head, whose output is the graph's [`super::LOGITS`].
fn head(g: &mut GraphBuilder, features: &str) -> Result<String, ExportError> {
    let pooled = pool_flatten(g, features);
    linear(g, "head", super::LOGITS, &pooled)
}
