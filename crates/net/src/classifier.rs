//! [`Classifier`]: one of dermtone's image networks, chosen by the model card's architecture.
//! Its weight record is the inner network's own record, so files written before the mobile
//! network existed still load as [`NetKind::Plain`].

use burn::module::Module;
use burn::prelude::*;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;

use crate::{MobileNet, PlainNet};

/// Which network body a classifier has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetKind {
    /// Strided 3×3 conv blocks ([`PlainNet`]).
    Plain,
    /// Inverted-residual blocks with depthwise convolutions ([`MobileNet`]).
    Mobile,
}

impl std::str::FromStr for NetKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "plain" => Ok(Self::Plain),
            "mobile" => Ok(Self::Mobile),
            _ => Err(format!("unknown network {text:?} (mobile or plain)")),
        }
    }
}

/// Shape of a classifier; stored in the model card so the weights can be rebuilt.
#[derive(Config, Debug)]
pub struct ClassifierConfig {
    /// Number of output classes.
    pub num_classes: usize,
    /// Channels of the first block (a multiple of 4 for the mobile network).
    #[config(default = 16)]
    pub base_width: usize,
    /// Dropout before the head, active only while training.
    #[config(default = 0.2)]
    pub dropout: f64,
    /// Network body.
    #[config(default = "NetKind::Plain")]
    pub kind: NetKind,
    /// How many times wider than its input each mobile block's hidden layer is (MobileNetV2
    /// uses 6): the cheapest place for more capacity, since it leaves every block's input and
    /// output alone. The first block never expands; plain networks ignore it.
    #[config(default = "crate::mobile::DEFAULT_EXPANSION")]
    pub expansion: usize,
}

/// Image classifier over normalised `[batch, 3, size, size]` input, returning logits.
// An engine holds one or two classifiers, so the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Classifier {
    /// See [`PlainNet`].
    Plain(PlainNet),
    /// See [`MobileNet`].
    Mobile(MobileNet),
}

impl ClassifierConfig {
    /// Builds a freshly initialised classifier on `device`.
    pub fn init(&self, device: &Device) -> Classifier {
        match self.kind {
            NetKind::Plain => Classifier::Plain(PlainNet::new(self, device)),
            NetKind::Mobile => Classifier::Mobile(MobileNet::new(self, device)),
        }
    }

    /// A classifier of this shape with an f32 burnpack record (see [`Classifier::record_bytes`])
    /// loaded into it.
    pub fn load_record(&self, record: &[u8], device: &Device) -> Result<Classifier, String> {
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record.to_vec()))
            .map_err(|e| format!("weights: {e}"))?;
        let loaded = match self.init(device) {
            Classifier::Plain(net) => net.try_load_record(record).map(Classifier::Plain),
            Classifier::Mobile(net) => net.try_load_record(record).map(Classifier::Mobile),
        };
        loaded.map_err(|e| format!("weights do not fit the network in the model card: {e}"))
    }
}

impl Classifier {
    /// Logits `[batch, num_classes]` for a batch of normalised images.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            Classifier::Plain(net) => net.forward(images),
            Classifier::Mobile(net) => net.forward(images),
        }
    }

    /// Logits `[batch, num_classes]` and each class's activation map `[batch, num_classes, h, w]`
    /// over the last feature map (see the `cam` module): the spatial mean of a class's map is its
    /// logit. The logits are the same as [`Classifier::forward`]'s at inference.
    pub fn forward_with_maps(&self, images: Tensor<4>) -> (Tensor<2>, Tensor<4>) {
        match self {
            Classifier::Plain(net) => net.forward_with_maps(images),
            Classifier::Mobile(net) => net.forward_with_maps(images),
        }
    }

    /// The same classifier for inference, its batch norms folded into the convolutions: four
    /// fewer passes over every feature map (see the `fold` module). Not for training.
    pub fn folded(self) -> Self {
        match self {
            Classifier::Plain(net) => Classifier::Plain(net.folded()),
            Classifier::Mobile(net) => Classifier::Mobile(net.folded()),
        }
    }

    /// Pooled penultimate features `[batch, channels]`: what the head sees, and what realism
    /// is measured on (a Fréchet distance between feature distributions).
    pub fn features(&self, images: Tensor<4>) -> Tensor<2> {
        match self {
            Classifier::Plain(net) => net.features(images),
            Classifier::Mobile(net) => net.features(images),
        }
    }

    /// The same body with a fresh head for `num_classes` (mobile networks only): transfer from
    /// one task to another.
    pub fn with_new_head(self, num_classes: usize, device: &Device) -> Result<Self, String> {
        match self {
            Classifier::Mobile(net) => {
                Ok(Classifier::Mobile(net.with_new_head(num_classes, device)))
            }
            Classifier::Plain(_) => Err("only a mobile network can start another task".into()),
        }
    }

    /// The same classifier with `num_classes` outputs, the classes both heads have keeping
    /// their weights (mobile networks only, or an unchanged count): a second task trained
    /// beside the first on one body, and the first task cut back out (see
    /// [`MobileNet::with_head_classes`]).
    pub fn with_head_classes(self, num_classes: usize, device: &Device) -> Result<Self, String> {
        match self {
            Classifier::Mobile(net) => Ok(Classifier::Mobile(
                net.with_head_classes(num_classes, device),
            )),
            Classifier::Plain(_) => Err("only a mobile network can share its body".into()),
        }
    }

    /// The same function in a network of `config`'s width and expansion (mobile networks
    /// only; see [`MobileNet::widened`]): a wider network trained from a narrower one's body.
    pub fn widened(self, config: &ClassifierConfig) -> Result<Self, String> {
        match self {
            Classifier::Mobile(net) => Ok(Classifier::Mobile(
                net.widened(config.base_width, config.expansion)?,
            )),
            Classifier::Plain(_) => Err("only a mobile network can be widened".into()),
        }
    }

    /// The inner network's f32 burnpack record. Reads tensors synchronously: not for WebGPU in
    /// the browser.
    pub fn record_bytes(self) -> Result<Vec<u8>, String> {
        let bytes = match self {
            Classifier::Plain(net) => net.into_record().into_bytes(),
            Classifier::Mobile(net) => net.into_record().into_bytes(),
        };
        bytes.map(|b| b.to_vec()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_the_config() {
        let device = Device::flex();
        for kind in [NetKind::Plain, NetKind::Mobile] {
            let config = ClassifierConfig::new(7).with_base_width(8).with_kind(kind);
            let model = config.init(&device);
            let input = Tensor::<4>::ones([1, 3, 32, 32], &device);
            let before = model.forward(input.clone()).into_data();
            let record = model.record_bytes().unwrap();
            let loaded = config.load_record(&record, &device).unwrap();
            loaded
                .forward(input)
                .into_data()
                .assert_approx_eq::<f32>(&before, Default::default());
        }
    }

    #[test]
    fn each_class_map_averages_to_its_logit_and_the_logits_are_forwards() {
        let device = Device::flex();
        for kind in [NetKind::Plain, NetKind::Mobile] {
            let model = ClassifierConfig::new(5)
                .with_base_width(8)
                .with_kind(kind)
                .init(&device)
                .folded();
            let input = Tensor::<4>::random(
                [2, 3, 64, 64],
                burn::tensor::Distribution::Normal(0.0, 1.0),
                &device,
            );
            let (logits, maps) = model.forward_with_maps(input.clone());
            let [batch, classes, height, width] = maps.dims();
            assert_eq!([batch, classes], [2, 5]);
            assert!(
                height > 1 && width > 1,
                "{kind:?}: a {height}×{width} map locates nothing"
            );
            logits
                .clone()
                .into_data()
                .assert_approx_eq::<f32>(&model.forward(input).into_data(), Default::default());
            maps.mean_dim(3)
                .mean_dim(2)
                .reshape([batch, classes])
                .into_data()
                .assert_approx_eq::<f32>(&logits.into_data(), Default::default());
        }
    }

    #[test]
    fn a_record_of_the_other_kind_is_refused() {
        let device = Device::flex();
        let plain = ClassifierConfig::new(7).with_base_width(8);
        let record = plain.init(&device).record_bytes().unwrap();
        let mobile = plain.clone().with_kind(NetKind::Mobile);
        assert!(mobile.load_record(&record, &device).is_err());
    }
}
