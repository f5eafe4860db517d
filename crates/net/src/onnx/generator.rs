//! The generator's graph: sRGB images in 0..1 `[batch, 3, size, size]` and condition rows
//! `[batch, 3]` ([`crate::condition_row`]) → the re-rendered images, exactly
//! [`crate::Generator::forward`]: not clamped (the engine clamps to 0..1 afterwards).

use super::ExportError;
use super::graph::{GraphBuilder, attr};
use super::layers::{conv, linear};
use super::proto::AttributeValue::{Float, Int, Str};
use crate::generator::{INPUT_OFFSET, LEAKY_SLOPE};

/// The U-Net: two FiLM convolutions per level, stride-2 down-sampling, nearest ×2
/// up-sampling, skip connections by concatenation, and a 1×1 convolution whose first three
/// channels are the residual added to the input, and whose fourth, where `gain` is set, scales
/// the input by `1 + gain` first.
pub(crate) fn generator(
    g: &mut GraphBuilder,
    images: &str,
    conditions: &str,
    gain: bool,
) -> Result<String, ExportError> {
    let embedding = linear(g, "condition", "condition", conditions)?;
    let e = g.op("condition.relu", "Relu", &[&embedding], vec![]);
    let offset = g.floats("const.input_offset", &[], &[INPUT_OFFSET]);
    let x = g.op("centred", "Sub", &[images, &offset], vec![]);
    let x = film(g, "enc1", &x, &e, 1)?;
    let s1 = film(g, "enc1b", &x, &e, 1)?;
    let x = film(g, "down1", &s1, &e, 2)?;
    let s2 = film(g, "enc2", &x, &e, 1)?;
    let x = film(g, "down2", &s2, &e, 2)?;
    let b = film(g, "bottleneck", &x, &e, 1)?;
    let x = upsample(g, "up2.upsample", &b);
    let u2 = film(g, "up2", &x, &e, 1)?;
    let x = g.op(
        "dec2.concat",
        "Concat",
        &[&u2, &s2],
        vec![attr("axis", Int(1))],
    );
    let d2 = film(g, "dec2", &x, &e, 1)?;
    let x = upsample(g, "up1.upsample", &d2);
    let u1 = film(g, "up1", &x, &e, 1)?;
    let x = g.op(
        "dec1.concat",
        "Concat",
        &[&u1, &s1],
        vec![attr("axis", Int(1))],
    );
    let d1 = film(g, "dec1", &x, &e, 1)?;
    let out = conv(g, "out", &d1, 1, 1)?.output;
    let [starts, ends, axes] = [("starts", 0), ("ends", 3), ("axes", 1)]
        .map(|(name, value)| g.int64s(&format!("residual.{name}"), &[value]));
    let residual = g.op("residual", "Slice", &[&out, &starts, &ends, &axes], vec![]);
    if !gain {
        return Ok(g.op(super::RENDERED, "Add", &[images, &residual], vec![]));
    }
    let [starts, ends] = [("starts", 3), ("ends", 4)]
        .map(|(name, value)| g.int64s(&format!("gain.{name}"), &[value]));
    let gain = g.op("gain", "Slice", &[&out, &starts, &ends, &axes], vec![]);
    let scaled = g.op("gain.scaled", "Mul", &[images, &gain], vec![]);
    let kept = g.op("gain.kept", "Add", &[&scaled, images], vec![]);
    Ok(g.op(super::RENDERED, "Add", &[&kept, &residual], vec![]))
}

/// `FilmConv`: `y = conv(x)`, `[γ, β] = film(e)` split over channels, then
/// `leaky_relu(y·(1 + γ) + β)` in the order burn computes it.
fn film(
    g: &mut GraphBuilder,
    path: &str,
    input: &str,
    embedding: &str,
    stride: usize,
) -> Result<String, ExportError> {
    let y = conv(g, &format!("{path}.conv"), input, stride, 1)?;
    let film = linear(
        g,
        &format!("{path}.film"),
        &format!("{path}.film"),
        embedding,
    )?;
    let axes = g.int64s("const.axes_hw", &[2, 3]);
    let film = g.op(
        &format!("{path}.film.nchw"),
        "Unsqueeze",
        &[&film, &axes],
        vec![],
    );
    let c = y.channels as i64;
    let halves = g.int64s(&format!("const.split_{c}_{c}"), &[c, c]);
    let parts = g.op_outputs(
        &format!("{path}.film.split"),
        "Split",
        &[&film, &halves],
        vec![attr("axis", Int(1))],
        2,
    );
    let one = g.floats("const.one", &[], &[1.0]);
    let scale = g.op(&format!("{path}.scale"), "Add", &[&parts[0], &one], vec![]);
    let scaled = g.op(
        &format!("{path}.scaled"),
        "Mul",
        &[&y.output, &scale],
        vec![],
    );
    let sum = g.op(
        &format!("{path}.shifted"),
        "Add",
        &[&scaled, &parts[1]],
        vec![],
    );
    Ok(g.op(
        &format!("{path}.leaky_relu"),
        "LeakyRelu",
        &[&sum],
        vec![attr("alpha", Float(LEAKY_SLOPE as f32))],
    ))
}

/// burn's reshape-and-expand ×2 up-sampling, which repeats each pixel in a 2×2 block: ONNX
/// `Resize` in `nearest` mode with `asymmetric` coordinates and `floor` rounding (output pixel
/// `i` reads input pixel `floor(i / 2)`), not the `half_pixel` default.
fn upsample(g: &mut GraphBuilder, name: &str, input: &str) -> String {
    let scales = g.floats("const.scales_x2", &[4], &[1.0, 1.0, 2.0, 2.0]);
    g.op(
        name,
        "Resize",
        &[input, "", &scales],
        vec![
            attr("mode", Str("nearest")),
            attr("coordinate_transformation_mode", Str("asymmetric")),
            attr("nearest_mode", Str("floor")),
        ],
    )
}
