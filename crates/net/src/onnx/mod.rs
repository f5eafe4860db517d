//! ONNX export of dermtone's networks from the weights a loaded module runs (int8 files
//! dequantised to f32 at load), so that a second, independent implementation — ONNX Runtime —
//! can check our forward passes and be benchmarked beside them.
//!
//! Graphs use opset 17 ([`proto`]), a named batch dimension (`batch`) and fixed image sizes.
//! They cover exactly the networks' `forward` at inference and nothing of the engine around
//! them:
//! - classifiers (plain and mobile): [`IMAGES`] normalised as the engine's `normalise_chw` does
//!   → [`LOGITS`]; temperature scaling and softmax stay outside;
//! - the generator: [`IMAGES`] in 0..1 and [`CONDITIONS`] (rows of [`crate::condition_row`])
//!   → [`RENDERED`], not clamped to 0..1.
//!
//! Batch norm is emitted as `BatchNormalization` rather than folded into the convolutions, which
//! keeps the graph's arithmetic that of our forward (ONNX Runtime fuses it itself).

mod classifier;
mod generator;
mod graph;
mod layers;
mod proto;
mod record;
mod wire;

use crate::{Classifier, ClassifierConfig, Generator};
use graph::GraphBuilder;
use proto::Dim;
use record::Record;

/// Name of the image input of every graph.
pub const IMAGES: &str = "images";
/// Name of the generator's condition input, `[batch, CONDITION_INPUTS]`.
pub const CONDITIONS: &str = "conditions";
/// Name of a classifier's output, `[batch, num_classes]`.
pub const LOGITS: &str = "logits";
/// Name of the generator's output, `[batch, 3, size, size]`.
pub const RENDERED: &str = "rendered";

/// Why a network could not be exported; always a readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError(pub String);

impl ExportError {
    fn pack(err: burn_pack::Error) -> Self {
        Self(format!("reading the module's record: {err}"))
    }
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ONNX export: {}", self.0)
    }
}

impl std::error::Error for ExportError {}

/// The `.onnx` file of `network` (shaped by `config`) for `size`×`size` input.
pub fn classifier_onnx(
    network: &Classifier,
    config: &ClassifierConfig,
    size: usize,
) -> Result<Vec<u8>, ExportError> {
    let record = Record::from_bytes(network.clone().record_bytes().map_err(ExportError)?)?;
    let mut g = GraphBuilder::new(record, vec![(IMAGES, image_dims(size))]);
    let (kind, logits) = match network {
        Classifier::Plain(_) => (
            "plain",
            classifier::plain(&mut g, config.base_width, IMAGES)?,
        ),
        Classifier::Mobile(_) => (
            "mobile",
            classifier::mobile(&mut g, config.base_width, config.expansion, IMAGES)?,
        ),
    };
    let doc = format!(
        "dermtone {kind} classifier: {IMAGES} [batch, 3, {size}, {size}] normalised per \
         channel ((x/255 - mean) / std from the manifest) -> {LOGITS} [batch, {}]. \
         Calibration (logits / temperature) and softmax are not in the graph.",
        config.num_classes
    );
    let outputs = vec![(
        logits.as_str(),
        vec![Dim::Named("batch"), Dim::Fixed(config.num_classes)],
    )];
    g.finish(&format!("dermtone_{kind}_classifier"), &doc, outputs)
}

/// The `.onnx` file of the tone generator for `size`×`size` images (a multiple of 4).
pub fn generator_onnx(network: &Generator, size: usize) -> Result<Vec<u8>, ExportError> {
    if size == 0 || !size.is_multiple_of(4) {
        return Err(ExportError(format!(
            "the generator needs a size divisible by 4, not {size}"
        )));
    }
    let record = Record::from_bytes(network.clone().record_bytes().map_err(ExportError)?)?;
    let conditions = vec![Dim::Named("batch"), Dim::Fixed(crate::CONDITION_INPUTS)];
    let mut g = GraphBuilder::new(
        record,
        vec![(IMAGES, image_dims(size)), (CONDITIONS, conditions)],
    );
    let rendered = generator::generator(&mut g, IMAGES, CONDITIONS, network.has_gain())?;
    let doc = format!(
        "dermtone tone generator: {IMAGES} [batch, 3, {size}, {size}] sRGB in 0..1 and \
         {CONDITIONS} [batch, 3] = (source ITA, target ITA, target - source) / {} -> \
         {RENDERED} [batch, 3, {size}, {size}], not clamped (clamp to 0..1 for display).",
        crate::ITA_SCALE
    );
    g.finish(
        "dermtone_tone_generator",
        &doc,
        vec![(rendered.as_str(), image_dims(size))],
    )
}

fn image_dims(size: usize) -> Vec<Dim> {
    vec![
        Dim::Named("batch"),
        Dim::Fixed(3),
        Dim::Fixed(size),
        Dim::Fixed(size),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GeneratorConfig;
    use burn::module::Module;
    use burn::prelude::Device;

    #[test]
    fn every_weight_of_each_network_lands_in_its_graph() {
        let device = Device::flex();
        for kind in [crate::NetKind::Plain, crate::NetKind::Mobile] {
            let config = ClassifierConfig::new(5).with_base_width(8).with_kind(kind);
            let onnx = classifier_onnx(&config.init(&device), &config, 32).unwrap();
            assert!(onnx.len() > 4 * config.init(&device).num_params());
        }
        let generator = GeneratorConfig::new().with_base_width(4).init(&device);
        let onnx = generator_onnx(&generator, 16).unwrap();
        assert!(onnx.len() > 4 * generator.num_params());
        assert!(generator_onnx(&generator, 18).is_err());
    }

    #[test]
    fn the_generator_graph_scales_the_photo_only_with_the_gain() {
        let device = Device::flex();
        let has_gain_node = |gain: bool| {
            let generator = GeneratorConfig::new()
                .with_base_width(4)
                .with_gain(gain)
                .init(&device);
            let onnx = generator_onnx(&generator, 16).unwrap();
            onnx.windows(b"gain.scaled".len())
                .any(|w| w == b"gain.scaled")
        };
        assert!(has_gain_node(true));
        assert!(!has_gain_node(false));
    }
}
