//! The direct CPU paths straight from an int8 weight file: tensors read by name and batch norms
//! folded on plain arrays, without building a burn module. An engine that runs only on the CPU
//! then never calls burn's initialisers (the orthogonal one alone keeps a QR decomposition and
//! gemm in the wasm). Tested against the same weights loaded into burn, folded there and handed
//! over by [`crate::direct`].

use std::collections::HashMap;

use dermtone_kernels::{
    BlockWeights, ConvWeights, Dense, DirectClassifier, DirectGenerator, DirectMobileNet,
    DirectPlainNet, FilmWeights, GeneratorWeights, MobileWeights, PlainBlock, PlainWeights,
    Sampling,
};

use crate::generator::{INPUT_OFFSET, LEAKY_SLOPE};
use crate::int8::dequantized;
use crate::{ClassifierConfig, GeneratorConfig, NetKind, WeightsError};

/// burn's `BatchNormConfig` default, which every network here uses.
const NORM_EPSILON: f32 = 1e-5;

/// A weight file's tensors by name, each taken once; any left over is an error.
struct Tensors(HashMap<String, (Vec<usize>, Vec<f32>)>);

impl Tensors {
    fn read(int8_bytes: &[u8]) -> Result<Self, WeightsError> {
        let values = dequantized(int8_bytes).map_err(|e| WeightsError(e.to_string()))?;
        Ok(Self(
            values
                .into_iter()
                .map(|t| (t.name, (t.shape, t.values)))
                .collect(),
        ))
    }

    /// The values of `name`, which must have `shape`.
    fn take(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>, WeightsError> {
        let (found, values) = self
            .0
            .remove(name)
            .ok_or_else(|| WeightsError(format!("the weights have no tensor {name}")))?;
        if found != shape {
            return Err(WeightsError(format!(
                "tensor {name} is {found:?}; the network in the model card needs {shape:?}"
            )));
        }
        Ok(values)
    }

    /// The shape of `name`, for layers whose channels the file itself says.
    fn shape(&self, name: &str) -> Result<Vec<usize>, WeightsError> {
        self.0
            .get(name)
            .map(|(shape, _)| shape.clone())
            .ok_or_else(|| WeightsError(format!("the weights have no tensor {name}")))
    }

    /// `{prefix}.conv` (no bias) and the batch norm `{prefix}.norm` after it, folded: kernel
    /// `[out][in / groups][k][k]`.
    fn conv_norm(
        &mut self,
        prefix: &str,
        out: usize,
        per_group_in: usize,
        kernel: usize,
    ) -> Result<ConvWeights, WeightsError> {
        let weight = self.take(
            &format!("{prefix}.conv.weight"),
            &[out, per_group_in, kernel, kernel],
        )?;
        let mut norm = |field| self.take(&format!("{prefix}.norm.{field}"), &[out]);
        let (gamma, beta) = (norm("gamma")?, norm("beta")?);
        let (mean, variance) = (norm("running_mean")?, norm("running_var")?);
        let scale: Vec<f32> = gamma
            .iter()
            .zip(&variance)
            .map(|(g, v)| g / (v + NORM_EPSILON).sqrt())
            .collect();
        let per_out = weight.len() / out.max(1);
        Ok(ConvWeights {
            kernel: weight
                .iter()
                .enumerate()
                .map(|(i, w)| w * scale[i / per_out])
                .collect(),
            bias: (0..out).map(|c| beta[c] - mean[c] * scale[c]).collect(),
        })
    }

    /// The linear layer `{prefix}`: weight `[inputs][outputs]`, as burn stores it.
    fn dense(
        &mut self,
        prefix: &str,
        inputs: usize,
        outputs: usize,
    ) -> Result<Dense, WeightsError> {
        Ok(Dense {
            weight: self.take(&format!("{prefix}.weight"), &[inputs, outputs])?,
            bias: self.take(&format!("{prefix}.bias"), &[outputs])?,
        })
    }

    /// Refuses tensors the network does not have: the file is not of this network.
    fn finish(self) -> Result<(), WeightsError> {
        let mut extra: Vec<&String> = self.0.keys().collect();
        if extra.is_empty() {
            return Ok(());
        }
        extra.sort();
        Err(WeightsError(format!(
            "the weights hold tensors the network in the model card does not have: {extra:?}"
        )))
    }
}

/// The direct CPU path for a classifier of `config` from its int8 weight file.
pub fn direct_classifier_from_bytes(
    config: &ClassifierConfig,
    int8_bytes: &[u8],
) -> Result<DirectClassifier, WeightsError> {
    let mut tensors = Tensors::read(int8_bytes)?;
    let classes = config.num_classes;
    let direct = match config.kind {
        NetKind::Plain => {
            let mut blocks = Vec::new();
            for (i, (cin, cout, stride)) in crate::plain::plan(config.base_width)
                .into_iter()
                .enumerate()
            {
                blocks.push(PlainBlock {
                    conv: tensors.conv_norm(&format!("blocks.{i}"), cout, cin, 3)?,
                    stride,
                });
            }
            let features = crate::plain::head_features(config.base_width);
            let head = tensors.dense("head", features, classes)?;
            DirectClassifier::Plain(
                DirectPlainNet::new(&PlainWeights { blocks, head }).map_err(WeightsError)?,
            )
        }
        NetKind::Mobile => {
            let plan = crate::mobile::plan(config.base_width, config.expansion);
            let stem = tensors.conv_norm("stem", plan.stem, 3, 3)?;
            let mut blocks = Vec::new();
            for (i, block) in plan.blocks.iter().enumerate() {
                let prefix = format!("blocks.{i}");
                let hidden = block.cin * block.expansion;
                let expand = (block.expansion != 1)
                    .then(|| tensors.conv_norm(&format!("{prefix}.expand"), hidden, block.cin, 1))
                    .transpose()?;
                blocks.push(BlockWeights {
                    expand,
                    depthwise: tensors.conv_norm(&format!("{prefix}.depthwise"), hidden, 1, 3)?,
                    stride: block.stride,
                    project: tensors.conv_norm(
                        &format!("{prefix}.project"),
                        block.cout,
                        hidden,
                        1,
                    )?,
                    residual: block.stride == 1 && block.cin == block.cout,
                });
            }
            let head_conv = tensors.conv_norm("head_conv", plan.head, plan.body_channels(), 1)?;
            let head = tensors.dense("head", plan.head, classes)?;
            DirectClassifier::Mobile(
                DirectMobileNet::new(&MobileWeights {
                    stem,
                    blocks,
                    head_conv,
                    head,
                })
                .map_err(WeightsError)?,
            )
        }
    };
    tensors.finish()?;
    Ok(direct)
}

/// The generator's FiLM layers in order, with how each meets its input.
const FILM_LAYERS: [(&str, Sampling); 10] = [
    ("enc1", Sampling::Same),
    ("enc1b", Sampling::Same),
    ("down1", Sampling::Down),
    ("enc2", Sampling::Same),
    ("down2", Sampling::Down),
    ("bottleneck", Sampling::Same),
    ("up2", Sampling::Up),
    ("dec2", Sampling::Same),
    ("up1", Sampling::Up),
    ("dec1", Sampling::Same),
];

/// The direct CPU path for a generator of `config` from its int8 weight file. The first
/// layer's channels must be the config's base width; the others are read from the file, and
/// [`DirectGenerator::new`] checks that they make the U-Net.
pub fn direct_generator_from_bytes(
    config: &GeneratorConfig,
    int8_bytes: &[u8],
) -> Result<DirectGenerator, WeightsError> {
    let mut tensors = Tensors::read(int8_bytes)?;
    let embedding = config.condition_width;
    let condition = tensors.dense("condition", crate::CONDITION_INPUTS, embedding)?;
    let mut layers = Vec::with_capacity(FILM_LAYERS.len());
    for (name, sampling) in FILM_LAYERS {
        let shape = tensors.shape(&format!("{name}.conv.weight"))?;
        let [out, channels_in, 3, 3] = shape[..] else {
            return Err(WeightsError(format!(
                "tensor {name}.conv.weight is {shape:?}, not a 3×3 convolution"
            )));
        };
        if layers.is_empty() && out != config.base_width {
            return Err(WeightsError(format!(
                "the generator's first layer has {out} channels; the manifest says {}",
                config.base_width
            )));
        }
        layers.push(FilmWeights {
            sampling,
            channels_in,
            kernel: tensors.take(&format!("{name}.conv.weight"), &shape)?,
            bias: tensors.take(&format!("{name}.conv.bias"), &[out])?,
            film: tensors.dense(&format!("{name}.film"), embedding, 2 * out)?,
        });
    }
    let shape = tensors.shape("out.weight")?;
    let [out, last, 1, 1] = shape[..] else {
        return Err(WeightsError(format!(
            "tensor out.weight is {shape:?}, not a 1×1 convolution"
        )));
    };
    let weights = GeneratorWeights {
        condition,
        layers: layers
            .try_into()
            .map_err(|_| WeightsError("ten FiLM layers".into()))?,
        out: tensors.take("out.weight", &[out, last, 1, 1])?,
        out_bias: tensors.take("out.bias", &[out])?,
        input_offset: INPUT_OFFSET,
        leaky_slope: LEAKY_SLOPE as f32,
        gain: config.gain,
    };
    tensors.finish()?;
    DirectGenerator::new(&weights).map_err(WeightsError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::direct::tests::worst;
    use crate::{direct_classifier, direct_generator, load_classifier, load_generator};
    use burn::module::{Module, ModuleMapper, Param};
    use burn::prelude::*;
    use burn::tensor::Distribution;

    fn shipped(file: &str) -> Vec<u8> {
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        std::fs::read(models.join(file)).unwrap()
    }

    /// Random int8 weights of `config`. (The batch norms' running statistics stay at their
    /// initial values: the shipped tone-v2 below, and the engine's test of the shipped mobile
    /// networks, have trained ones.)
    fn int8_classifier(config: &ClassifierConfig) -> Vec<u8> {
        let device = Device::flex();
        let network = config.init(&device).map(&mut Randomised);
        crate::int8::quantize(&network.record_bytes().unwrap()).unwrap()
    }

    /// Replaces every parameter with random values.
    struct Randomised;

    impl ModuleMapper for Randomised {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            param.map(|t| Tensor::random(t.shape(), Distribution::Uniform(-0.5, 0.5), &t.device()))
        }
    }

    #[test]
    fn classifies_as_the_weights_loaded_into_burn() {
        let device = Device::flex();
        let files = [
            (ClassifierConfig::new(5).with_base_width(8), None),
            (
                ClassifierConfig::new(3)
                    .with_base_width(8)
                    .with_kind(NetKind::Mobile),
                None,
            ),
            (
                ClassifierConfig::new(3)
                    .with_base_width(8)
                    .with_expansion(6)
                    .with_kind(NetKind::Mobile),
                None,
            ),
            (
                ClassifierConfig::new(6).with_base_width(16),
                Some("tone-v2.int8.bpk"),
            ),
        ];
        for (config, file) in files {
            let bytes = file.map_or_else(|| int8_classifier(&config), shipped);
            let ours = direct_classifier_from_bytes(&config, &bytes).unwrap();
            let theirs =
                direct_classifier(&load_classifier(&config, &bytes, &device).unwrap().folded())
                    .unwrap();
            let images: Vec<f32> = (0..2 * 3 * 64 * 64)
                .map(|i| ((i * 7919) % 1000) as f32 / 250.0 - 2.0)
                .collect();
            let (a, b) = (
                ours.forward(&images, 64, 64).unwrap(),
                theirs.forward(&images, 64, 64).unwrap(),
            );
            let largest = b.iter().fold(1f32, |m, v| m.max(v.abs()));
            assert!(
                worst(&a, &b) / largest < 1e-5,
                "{config:?}: {}",
                worst(&a, &b)
            );
        }
    }

    #[test]
    fn renders_as_the_weights_loaded_into_burn() {
        let device = Device::flex();
        let config = GeneratorConfig::new().with_base_width(12);
        let bytes = shipped("generator-v4.int8.bpk");
        let error = direct_generator_from_bytes(&GeneratorConfig::new(), &bytes)
            .err()
            .unwrap();
        assert!(error.0.contains("first layer has 12 channels"), "{error}");
        let ours = direct_generator_from_bytes(&config, &bytes).unwrap();
        let theirs = direct_generator(&load_generator(&config, &bytes, &device).unwrap()).unwrap();
        let images: Vec<f32> = (0..3 * 32 * 32).map(|i| (i % 97) as f32 / 97.0).collect();
        let conditions = crate::condition_row(40.0, -30.0);
        let (a, b) = (
            ours.forward(&images, &conditions, 32, 32).unwrap(),
            theirs.forward(&images, &conditions, 32, 32).unwrap(),
        );
        assert_eq!(a, b);
    }

    #[test]
    fn refuses_weights_of_another_network() {
        let plain = ClassifierConfig::new(6).with_base_width(16);
        let bytes = shipped("tone-v2.int8.bpk");
        let mobile = plain.clone().with_kind(NetKind::Mobile);
        let error = direct_classifier_from_bytes(&mobile, &bytes).err().unwrap();
        assert!(error.0.contains("no tensor stem.conv.weight"), "{error}");
        let wider = plain.clone().with_base_width(20);
        let error = direct_classifier_from_bytes(&wider, &bytes).err().unwrap();
        assert!(error.0.contains("needs [20, 3, 3, 3]"), "{error}");
        let more_classes = ClassifierConfig::new(7).with_base_width(16);
        let error = direct_classifier_from_bytes(&more_classes, &bytes)
            .err()
            .unwrap();
        assert!(error.0.contains("head.weight"), "{error}");
        let generator = shipped("generator-v4.int8.bpk");
        let error = direct_classifier_from_bytes(&plain, &generator)
            .err()
            .unwrap();
        assert!(
            error.0.contains("no tensor blocks.0.conv.weight"),
            "{error}"
        );
        let error = direct_generator_from_bytes(&GeneratorConfig::new(), &bytes)
            .err()
            .unwrap();
        assert!(error.0.contains("condition.weight"), "{error}");
        assert!(direct_classifier_from_bytes(&plain, b"not weights").is_err());
    }
}
