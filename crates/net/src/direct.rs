//! The generator's and both classifiers' weights handed to [`dermtone_kernels`], whose direct
//! CPU paths compute what [`Generator::forward`], [`MobileNet::forward`] and
//! [`PlainNet::forward`] compute, and the classifiers' `forward_with_maps`, without burn (tested
//! here against burn itself).

use burn::module::Param;
use burn::nn::conv::Conv2d;
use burn::nn::{BatchNorm, Linear};
use burn::prelude::*;
use dermtone_kernels::{
    BlockWeights, ConvWeights, Dense, DirectClassifier, DirectGenerator, DirectMobileNet,
    DirectPlainNet, FilmWeights, GeneratorWeights, MobileWeights, PlainBlock, PlainWeights,
    Sampling,
};

use crate::Classifier;
use crate::generator::{FilmConv, Generator, INPUT_OFFSET, LEAKY_SLOPE};
use crate::mobile::{ConvNorm, MobileNet};
use crate::plain::{ConvBlock, PlainNet};

fn values<const D: usize>(param: &Param<Tensor<D>>) -> Result<Vec<f32>, String> {
    param
        .val()
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| format!("reading weights: {e:?}"))
}

fn dense(linear: &Linear) -> Result<Dense, String> {
    Ok(Dense {
        weight: values(&linear.weight)?,
        bias: linear
            .bias
            .as_ref()
            .map(values)
            .transpose()?
            .ok_or("a linear layer without a bias")?,
    })
}

fn film(layer: &FilmConv, up: bool) -> Result<FilmWeights, String> {
    let conv = &layer.conv;
    let [channels_out, channels_in, kh, kw] = conv.weight.val().dims();
    let sampling = match (up, conv.stride, [kh, kw]) {
        (true, [1, 1], [3, 3]) => Sampling::Up,
        (false, [1, 1], [3, 3]) => Sampling::Same,
        (false, [2, 2], [3, 3]) => Sampling::Down,
        (_, stride, kernel) => {
            return Err(format!(
                "a {kernel:?} convolution of stride {stride:?}: the direct path runs 3×3 ones of stride 1 or 2"
            ));
        }
    };
    Ok(FilmWeights {
        sampling,
        channels_in,
        kernel: values(&conv.weight)?,
        bias: match &conv.bias {
            Some(bias) => values(bias)?,
            None => vec![0.0; channels_out],
        },
        film: dense(&layer.film)?,
    })
}

/// The direct CPU path for `generator`, whose weights must live on a CPU device (they are read
/// synchronously).
pub fn direct_generator(generator: &Generator) -> Result<DirectGenerator, String> {
    let g = generator;
    let [out_channels, _, _, _] = g.out.weight.val().dims();
    let weights = GeneratorWeights {
        condition: dense(&g.condition)?,
        layers: [
            film(&g.enc1, false)?,
            film(&g.enc1b, false)?,
            film(&g.down1, false)?,
            film(&g.enc2, false)?,
            film(&g.down2, false)?,
            film(&g.bottleneck, false)?,
            film(&g.up2, true)?,
            film(&g.dec2, false)?,
            film(&g.up1, true)?,
            film(&g.dec1, false)?,
        ],
        out: values(&g.out.weight)?,
        out_bias: match &g.out.bias {
            Some(bias) => values(bias)?,
            None => vec![0.0; out_channels],
        },
        input_offset: INPUT_OFFSET,
        leaky_slope: LEAKY_SLOPE as f32,
        gain: g.has_gain(),
    };
    DirectGenerator::new(&weights)
}

/// A folded convolution's kernel and bias (`norm` must be gone: folded into `conv`).
fn folded(conv: &Conv2d, norm: Option<&BatchNorm>) -> Result<ConvWeights, String> {
    if norm.is_some() {
        return Err("the direct path needs the network with its batch norms folded".into());
    }
    let [channels_out, _, _, _] = conv.weight.val().dims();
    Ok(ConvWeights {
        kernel: values(&conv.weight)?,
        bias: match &conv.bias {
            Some(bias) => values(bias)?,
            None => vec![0.0; channels_out],
        },
    })
}

fn folded_conv(layer: &ConvNorm) -> Result<ConvWeights, String> {
    folded(&layer.conv, layer.norm.as_ref())
}

/// The direct CPU path for a [folded](Classifier::folded) `classifier` on a CPU device.
pub fn direct_classifier(classifier: &Classifier) -> Result<DirectClassifier, String> {
    Ok(match classifier {
        Classifier::Mobile(net) => DirectClassifier::Mobile(direct_mobile(net)?),
        Classifier::Plain(net) => DirectClassifier::Plain(direct_plain(net)?),
    })
}

fn direct_plain(net: &PlainNet) -> Result<DirectPlainNet, String> {
    let block = |block: &ConvBlock| {
        Ok(PlainBlock {
            conv: folded(&block.conv, block.norm.as_ref())?,
            stride: block.conv.stride[0],
        })
    };
    DirectPlainNet::new(&PlainWeights {
        blocks: net
            .blocks
            .iter()
            .map(block)
            .collect::<Result<_, String>>()?,
        head: dense(&net.head)?,
    })
}

fn direct_mobile(net: &MobileNet) -> Result<DirectMobileNet, String> {
    let blocks = net
        .blocks
        .iter()
        .map(|block| {
            Ok(BlockWeights {
                expand: block.expand.as_ref().map(folded_conv).transpose()?,
                depthwise: folded_conv(&block.depthwise)?,
                stride: block.depthwise.conv.stride[0],
                project: folded_conv(&block.project)?,
                residual: block.residual,
            })
        })
        .collect::<Result<_, String>>()?;
    DirectMobileNet::new(&MobileWeights {
        stem: folded_conv(&net.stem)?,
        blocks,
        head_conv: folded_conv(&net.head_conv)?,
        head: dense(&net.head)?,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ClassifierConfig;
    use crate::generator::{GeneratorConfig, condition_row};
    use burn::tensor::Distribution;

    #[test]
    fn renders_what_the_burn_network_renders() {
        let device = Device::flex();
        for ([height, width], gain) in [
            ([16, 12], false),
            ([12, 20], false),
            ([24, 24], false),
            ([12, 20], true),
        ] {
            let mut generator = GeneratorConfig::new()
                .with_base_width(8)
                .with_gain(gain)
                .init(&device);
            generator.out.weight = generator
                .out
                .weight
                .map(|w| Tensor::random(w.shape(), Distribution::Normal(0.0, 0.3), &device));
            let direct = direct_generator(&generator).unwrap();
            let images = Tensor::<4>::random([2, 3, height, width], Distribution::Default, &device);
            let conditions: Vec<f32> =
                [condition_row(40.0, -30.0), condition_row(-10.0, 60.0)].concat();
            let expected = generator
                .forward(
                    images.clone(),
                    Tensor::from_data(TensorData::new(conditions.clone(), [2, 3]), &device),
                )
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let pixels = images.into_data().try_to_vec::<f32>().unwrap();
            let got = direct.forward(&pixels, &conditions, height, width).unwrap();
            let worst = expected
                .iter()
                .zip(&got)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(worst < 1e-4, "{height}×{width}: largest difference {worst}");
        }
    }

    /// The largest difference between two runs of values.
    pub(crate) fn worst(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        a.iter()
            .zip(b)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max)
    }

    /// The direct path's logits (a batch of three) and class maps (the first image) against
    /// burn's, at each of `sides`.
    fn classifies_as_burn(net: &Classifier, sides: &[usize]) {
        let device = Device::flex();
        let direct = direct_classifier(net).unwrap();
        for &side in sides {
            let images =
                Tensor::<4>::random([3, 3, side, side], Distribution::Normal(0.0, 1.0), &device);
            let read = |t: Tensor<4>| t.into_data().try_to_vec::<f32>().unwrap();
            let expected = net
                .forward(images.clone())
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let first = images.clone().narrow(0, 0, 1);
            let (_, maps) = net.forward_with_maps(first.clone());
            let [_, _, height, width] = maps.dims();
            let pixels = read(images);
            let got = direct.forward(&pixels, side, side).unwrap();
            assert!(worst(&expected, &got) < 1e-4, "{side} px logits");
            let one = direct.forward_with_maps(&read(first), side, side).unwrap();
            assert_eq!((one.height, one.width), (height, width));
            assert!(worst(&read(maps), &one.maps) < 1e-4, "{side} px maps");
            assert_eq!(one.logits, got[..one.logits.len()]);
        }
    }

    /// A bias as folding a trained batch norm leaves it, so that every bias is exercised.
    fn random_bias(conv: &mut Conv2d) {
        let bias = conv.bias.take().unwrap();
        conv.bias = Some(
            bias.map(|b| Tensor::random(b.shape(), Distribution::Uniform(-0.5, 0.5), &b.device())),
        );
    }

    #[test]
    fn classifies_as_the_burn_network_does() {
        let device = Device::flex();
        let config = ClassifierConfig::new(5).with_base_width(8);
        // The shipped expansion and a wider one (the capacity runs' networks).
        for expansion in [4, 6] {
            let mut mobile = config
                .clone()
                .with_kind(crate::NetKind::Mobile)
                .with_expansion(expansion)
                .init(&device)
                .folded();
            if let Classifier::Mobile(net) = &mut mobile {
                random_bias(&mut net.stem.conv);
                random_bias(&mut net.head_conv.conv);
                for block in &mut net.blocks {
                    if let Some(expand) = &mut block.expand {
                        random_bias(&mut expand.conv);
                    }
                    random_bias(&mut block.depthwise.conv);
                    random_bias(&mut block.project.conv);
                }
            }
            classifies_as_burn(&mobile, &[32, 36, 30]);
        }
        let mut plain = config.init(&device).folded();
        if let Classifier::Plain(net) = &mut plain {
            net.blocks.iter_mut().for_each(|b| random_bias(&mut b.conv));
        }
        classifies_as_burn(&plain, &[32, 48, 64]);
    }

    #[test]
    fn needs_the_batch_norms_folded() {
        let device = Device::flex();
        let error = direct_classifier(&ClassifierConfig::new(5).init(&device))
            .err()
            .unwrap();
        assert!(error.contains("folded"), "{error}");
    }
}
