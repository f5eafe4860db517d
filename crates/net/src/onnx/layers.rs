//! burn layers as ONNX nodes, each reading its weights by the layer's module path. The
//! conventions are burn's, spelled out where ONNX differs: convolution weights are
//! `[out, in / groups, k, k]` in both, but a burn `Linear` stores `[in, out]` (so `Gemm` without
//! `transB`), and inference-mode batch norm is ONNX's `BatchNormalization` with burn's epsilon.

use burn::nn::BatchNormConfig;

use super::ExportError;
use super::graph::{GraphBuilder, attr};
use super::proto::AttributeValue::{Float, Int, Ints};

/// A node output and its channel count.
pub(crate) struct Conv {
    pub output: String,
    pub channels: usize,
}

/// `Conv` with weight `{path}.weight` and, where the record has one, bias `{path}.bias`. Every
/// convolution in dermtone's networks is square with `kernel / 2` zero padding on each side.
pub(crate) fn conv(
    g: &mut GraphBuilder,
    path: &str,
    input: &str,
    stride: usize,
    groups: usize,
) -> Result<Conv, ExportError> {
    let (weight, shape) = g.weight(&format!("{path}.weight"))?;
    let [channels, _, kernel, kernel_w] = shape[..] else {
        return Err(ExportError(format!("{path}.weight is not 4-d: {shape:?}")));
    };
    if kernel != kernel_w {
        return Err(ExportError(format!("{path} has a non-square kernel")));
    }
    let mut inputs = vec![input.to_string(), weight];
    let bias = format!("{path}.bias");
    if g.has_weight(&bias) {
        inputs.push(g.weight(&bias)?.0);
    }
    let [k, s, p] = [kernel, stride, kernel / 2].map(|v| v as i64);
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let output = g.op(
        path,
        "Conv",
        &inputs,
        vec![
            attr("kernel_shape", Ints(vec![k, k])),
            attr("strides", Ints(vec![s, s])),
            attr("pads", Ints(vec![p, p, p, p])),
            attr("dilations", Ints(vec![1, 1])),
            attr("group", Int(groups as i64)),
        ],
    );
    Ok(Conv { output, channels })
}

/// burn's `BatchNorm` at inference (running statistics, default epsilon).
pub(crate) fn batch_norm(
    g: &mut GraphBuilder,
    path: &str,
    input: &str,
) -> Result<String, ExportError> {
    let names = ["gamma", "beta", "running_mean", "running_var"]
        .map(|part| g.weight(&format!("{path}.{part}")).map(|(name, _)| name));
    let [gamma, beta, mean, var] = names;
    let epsilon = BatchNormConfig::new(1).epsilon as f32;
    Ok(g.op(
        path,
        "BatchNormalization",
        &[input, &gamma?, &beta?, &mean?, &var?],
        vec![attr("epsilon", Float(epsilon))],
    ))
}

/// burn's `Linear` at `path`: `input · weight + bias` with `weight` stored `[in, out]`, as a
/// node named `name`.
pub(crate) fn linear(
    g: &mut GraphBuilder,
    path: &str,
    name: &str,
    input: &str,
) -> Result<String, ExportError> {
    let (weight, _) = g.weight(&format!("{path}.weight"))?;
    let (bias, _) = g.weight(&format!("{path}.bias"))?;
    Ok(g.op(name, "Gemm", &[input, &weight, &bias], vec![]))
}

/// `ReLU6`: `Clip` to 0..6 (bounds are inputs since opset 11).
pub(crate) fn relu6(g: &mut GraphBuilder, name: &str, input: &str) -> String {
    let zero = g.floats("const.zero", &[], &[0.0]);
    let six = g.floats("const.six", &[], &[6.0]);
    g.op(name, "Clip", &[input, &zero, &six], vec![])
}

/// Global average pooling to `[batch, channels]`: burn's `AdaptiveAvgPool2d([1, 1])` then
/// `flatten(1, 3)`.
pub(crate) fn pool_flatten(g: &mut GraphBuilder, input: &str) -> String {
    let pooled = g.op("pool", "GlobalAveragePool", &[input], vec![]);
    g.op("flatten", "Flatten", &[&pooled], vec![attr("axis", Int(1))])
}
