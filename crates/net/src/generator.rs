//! The tone generator: re-renders a photo's skin at another tone. A small U-Net (two
//! down-samplings, skip connections) whose blocks are modulated by FiLM (Perez et al. 2018) from
//! the tone condition, and whose output is a residual added to the input (optionally after a
//! per-pixel gain on the input), so that with nothing learned the photo — and its lesion — comes
//! back unchanged. Every channel count is a multiple of 4 so wgpu can pack the weights. Fully
//! convolutional: it runs at any size divisible by 4.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use burn::tensor::activation::{leaky_relu, relu};

/// ITA° is divided by this before it conditions the network, so conditions sit near ±1.
pub const ITA_SCALE: f32 = 50.0;

/// Shape of a generator; stored in the manifest so the weights can be rebuilt.
#[derive(Config, Debug)]
pub struct GeneratorConfig {
    /// Channels at full resolution (a multiple of 4); ×2 and ×4 below.
    #[config(default = 16)]
    pub base_width: usize,
    /// Hidden units of the condition network.
    #[config(default = 32)]
    pub condition_width: usize,
    /// Whether the output's fourth channel is a per-pixel gain on the photo: the rendering is
    /// `photo · (1 + gain) + residual` instead of `photo + residual`, so darkening can scale the
    /// photo's texture as the biophysical re-toning does. Tried and not shipped: real dark-skin
    /// photos keep their texture's amplitude (generator-experiments.md, gain arm).
    #[config(default = false)]
    pub gain: bool,
}

/// 3×3 convolution whose output is scaled and shifted per channel by the condition.
#[derive(Module, Debug)]
pub struct FilmConv {
    pub(crate) conv: Conv2d,
    pub(crate) film: Linear,
}

impl FilmConv {
    fn new(channels: [usize; 2], stride: usize, condition_width: usize, device: &Device) -> Self {
        Self {
            conv: Conv2dConfig::new(channels, [3, 3])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                .init(device),
            film: LinearConfig::new(condition_width, 2 * channels[1]).init(device),
        }
    }

    /// `conv(x) · (1 + γ) + β`, then leaky ReLU; γ and β come from the condition embedding.
    /// `1 + γ` is formed on the per-channel vector, so the feature map is passed over only
    /// three times (scale, shift, activation).
    fn forward(&self, input: Tensor<4>, embedding: Tensor<2>) -> Tensor<4> {
        let x = self.conv.forward(input);
        let [batch, channels, _, _] = x.dims();
        let film = self
            .film
            .forward(embedding)
            .reshape([batch, 2 * channels, 1, 1]);
        let scale = film.clone().narrow(1, 0, channels) + 1.0;
        let shift = film.narrow(1, channels, channels);
        leaky_relu(x * scale + shift, LEAKY_SLOPE)
    }
}

/// One FiLM convolution's shape, and the scale of its output relative to the input image.
pub(crate) struct FilmPlan {
    pub channels: [usize; 2],
    pub stride: usize,
    /// The output is `1 / scale` of the input's side (1, 2 or 4).
    pub scale: usize,
}

/// The FiLM convolutions for width `w` in [`Generator::forward`]'s order (enc1, enc1b, down1,
/// enc2, down2, bottleneck, up2, dec2, up1, dec1): one table for the network and its FLOP count
/// ([`crate::flops`]). `up2` and `up1` run after a ×2 up-sampling; `dec2` and `dec1` take the
/// skip connection concatenated, hence their doubled input channels.
pub(crate) fn film_plan(w: usize) -> [FilmPlan; 10] {
    let layer = |channels, stride, scale| FilmPlan {
        channels,
        stride,
        scale,
    };
    [
        layer([3, w], 1, 1),
        layer([w, w], 1, 1),
        layer([w, 2 * w], 2, 2),
        layer([2 * w, 2 * w], 1, 2),
        layer([2 * w, 4 * w], 2, 4),
        layer([4 * w, 4 * w], 1, 4),
        layer([4 * w, 2 * w], 1, 2),
        layer([4 * w, 2 * w], 1, 2),
        layer([2 * w, w], 1, 1),
        layer([2 * w, w], 1, 1),
    ]
}

/// Channels of the final 1×1 convolution: three for the RGB residual and one for the gain
/// ([`GeneratorConfig::gain`]; unused without it), keeping every channel count a multiple of 4.
pub(crate) const OUT_CHANNELS: usize = 4;

/// Slope of every FiLM convolution's leaky ReLU (shared with the ONNX export).
pub(crate) const LEAKY_SLOPE: f64 = 0.2;

/// Subtracted from the 0..1 input so the network sees it centred (shared with the ONNX export).
pub(crate) const INPUT_OFFSET: f32 = 0.5;

/// Tone-conditioned image-to-image network over `[batch, 3, h, w]` sRGB in 0..1.
#[derive(Module, Debug)]
pub struct Generator {
    pub(crate) condition: Linear,
    pub(crate) enc1: FilmConv,
    pub(crate) enc1b: FilmConv,
    pub(crate) down1: FilmConv,
    pub(crate) enc2: FilmConv,
    pub(crate) down2: FilmConv,
    pub(crate) bottleneck: FilmConv,
    pub(crate) up2: FilmConv,
    pub(crate) dec2: FilmConv,
    pub(crate) up1: FilmConv,
    pub(crate) dec1: FilmConv,
    pub(crate) out: Conv2d,
    /// [`GeneratorConfig::gain`]: not stored in the weights, set by the config that loads them.
    pub(crate) gain: bool,
}

impl GeneratorConfig {
    /// A freshly initialised generator whose residual starts at zero (the identity).
    pub fn init(&self, device: &Device) -> Generator {
        let [w, c] = [self.base_width, self.condition_width];
        let [
            enc1,
            enc1b,
            down1,
            enc2,
            down2,
            bottleneck,
            up2,
            dec2,
            up1,
            dec1,
        ] = film_plan(w).map(|layer| FilmConv::new(layer.channels, layer.stride, c, device));
        let out = Conv2dConfig::new([w, OUT_CHANNELS], [1, 1])
            .with_initializer(Initializer::Zeros)
            .init(device);
        Generator {
            condition: LinearConfig::new(CONDITION_INPUTS, c).init(device),
            enc1,
            enc1b,
            down1,
            enc2,
            down2,
            bottleneck,
            up2,
            dec2,
            up1,
            dec1,
            out,
            gain: self.gain,
        }
    }

    /// A generator of this shape with an f32 burnpack record (see [`Generator::record_bytes`]).
    pub fn load_record(&self, record: &[u8], device: &Device) -> Result<Generator, String> {
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record.to_vec()))
            .map_err(|e| format!("weights: {e}"))?;
        self.init(device)
            .try_load_record(record)
            .map_err(|e| format!("weights do not fit the generator in the manifest: {e}"))
    }
}

/// Condition inputs: source ITA°, target ITA° and their difference, each over [`ITA_SCALE`].
pub const CONDITION_INPUTS: usize = 3;

/// The condition row for one image: it is told both tones, so it need not guess the source's.
pub fn condition_row(source_ita: f32, target_ita: f32) -> [f32; CONDITION_INPUTS] {
    [
        source_ita / ITA_SCALE,
        target_ita / ITA_SCALE,
        (target_ita - source_ita) / ITA_SCALE,
    ]
}

impl Generator {
    /// Re-rendered images `[batch, 3, h, w]` (not clamped) for sRGB `images` in 0..1 and
    /// `conditions` `[batch, CONDITION_INPUTS]` (see [`condition_row`]); `h` and `w` must be
    /// multiples of 4.
    pub fn forward(&self, images: Tensor<4>, conditions: Tensor<2>) -> Tensor<4> {
        let e = relu(self.condition.forward(conditions));
        let x = images.clone() - INPUT_OFFSET;
        let s1 = self
            .enc1b
            .forward(self.enc1.forward(x, e.clone()), e.clone());
        let s2 = self
            .enc2
            .forward(self.down1.forward(s1.clone(), e.clone()), e.clone());
        let b = self
            .bottleneck
            .forward(self.down2.forward(s2.clone(), e.clone()), e.clone());
        let u2 = self.up2.forward(upsample(b), e.clone());
        let d2 = self.dec2.forward(Tensor::cat(vec![u2, s2], 1), e.clone());
        let u1 = self.up1.forward(upsample(d2), e.clone());
        let d1 = self.dec1.forward(Tensor::cat(vec![u1, s1], 1), e);
        let out = self.out.forward(d1);
        let residual = out.clone().narrow(1, 0, 3);
        if self.gain {
            images.clone() * out.narrow(1, 3, 1) + images + residual
        } else {
            images + residual
        }
    }

    /// Whether the fourth output channel scales the photo ([`GeneratorConfig::gain`]).
    pub fn has_gain(&self) -> bool {
        self.gain
    }

    /// The f32 burnpack record. Reads tensors synchronously: not for WebGPU in the browser.
    pub fn record_bytes(self) -> Result<Vec<u8>, String> {
        self.into_record()
            .into_bytes()
            .map(|b| b.to_vec())
            .map_err(|e| e.to_string())
    }
}

/// Nearest-neighbour ×2 up-sampling by reshape and broadcast, which every backend differentiates.
fn upsample(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h, 1, w, 1])
        .expand([b, c, h, 2, w, 2])
        .reshape([b, c, 2 * h, 2 * w])
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Param;
    use burn::tensor::Distribution;

    fn conditions(device: &Device) -> Tensor<2> {
        Tensor::from_data(
            TensorData::new(condition_row(40.0, -30.0).to_vec(), [1, CONDITION_INPUTS]),
            device,
        )
    }

    #[test]
    fn a_fresh_generator_returns_its_input() {
        let device = Device::flex();
        let generator = GeneratorConfig::new().with_base_width(8).init(&device);
        let images = Tensor::<4>::random([1, 3, 16, 12], Distribution::Default, &device);
        generator
            .forward(images.clone(), conditions(&device))
            .into_data()
            .assert_approx_eq::<f32>(&images.into_data(), Default::default());
    }

    #[test]
    fn records_round_trip_through_the_config() {
        let device = Device::flex();
        let config = GeneratorConfig::new().with_base_width(8);
        let mut generator = config.init(&device);
        generator.out.weight = generator
            .out
            .weight
            .map(|w| Tensor::random(w.shape(), Distribution::Default, &device));
        let images = Tensor::<4>::random([1, 3, 8, 8], Distribution::Default, &device);
        let before = generator
            .forward(images.clone(), conditions(&device))
            .into_data();
        let record = generator.record_bytes().unwrap();
        let loaded = config.load_record(&record, &device).unwrap();
        loaded
            .forward(images, conditions(&device))
            .into_data()
            .assert_approx_eq::<f32>(&before, Default::default());
    }

    #[test]
    fn the_gain_channel_scales_the_photo_and_is_ignored_without_gain() {
        let device = Device::flex();
        let images = Tensor::<4>::random([1, 3, 8, 8], Distribution::Default, &device);
        for gain in [false, true] {
            let mut generator = GeneratorConfig::new()
                .with_base_width(8)
                .with_gain(gain)
                .init(&device);
            let bias = [0.0f32, 0.0, 0.0, -0.25];
            generator.out.bias = Some(Param::from_tensor(Tensor::from_data(
                TensorData::new(bias.to_vec(), [4]),
                &device,
            )));
            let expected = if gain {
                images.clone() * 0.75
            } else {
                images.clone()
            };
            generator
                .forward(images.clone(), conditions(&device))
                .into_data()
                .assert_approx_eq::<f32>(&expected.into_data(), Default::default());
        }
    }

    #[test]
    fn upsampling_repeats_each_pixel_in_a_two_by_two_block() {
        let device = Device::flex();
        let x = Tensor::<4>::from_data(
            TensorData::new(vec![1f32, 2., 3., 4.], [1, 1, 2, 2]),
            &device,
        );
        let up = upsample(x).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(
            up,
            [
                1., 1., 2., 2., 1., 1., 2., 2., 3., 3., 4., 4., 3., 3., 4., 4.
            ]
        );
    }
}
