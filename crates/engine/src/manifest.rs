//! `models/manifest.json`: the only way the CLI and the page find and trust model files.

use dermtone_net::int8::READABLE_FORMATS;
use dermtone_net::{ClassifierConfig, GeneratorConfig, NetKind};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::EngineError;

/// The manifest format this engine reads.
pub const MANIFEST_VERSION: u32 = 1;
/// Largest model file accepted (every shipped model together is about 1.5 MB): a bigger file is
/// refused before it is hashed or parsed, even when the manifest vouches for it.
pub const MAX_MODEL_BYTES: usize = 8 * 1024 * 1024;
/// The weight encoding new models are written in; the engine reads every one of
/// [`READABLE_FORMATS`].
pub const WEIGHT_FORMAT: &str = dermtone_net::int8::FORMAT_INT8;

/// Every shipped model file, with what is needed to check and run it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format version.
    pub version: u32,
    /// Shipped models.
    pub models: Vec<ModelEntry>,
}

/// One shipped model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// Stable id, also the stem of its card files.
    pub id: String,
    /// What it is for: `dermoscopy`, later `photo`, `generator`, `tone`.
    pub task: String,
    /// Weight file name inside `models/`.
    pub file: String,
    /// Weight file size in bytes.
    pub bytes: u64,
    /// Lower-case hex sha256 of the weight file; a file that differs is refused.
    pub sha256: String,
    /// Weight encoding, e.g. `int8-per-slice-v1`.
    pub format: String,
    /// Network shape needed to rebuild the module before loading weights.
    pub architecture: Architecture,
    /// Input size and normalisation.
    pub input: InputSpec,
    /// Output classes in network order.
    pub labels: Vec<Label>,
    /// Model card read by the app (JSON).
    pub card: String,
    /// Model card for people (Markdown).
    pub card_markdown: String,
    /// Temperature that calibrates the softmax (fitted on val); absent means 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Calibration>,
    /// When a result counts as "possibly malignant" (chosen on val).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operating_point: Option<OperatingPoint>,
    /// How a `generator` is built and conditioned; absent for classifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<GeneratorSpec>,
}

/// The tone generator's shape and the tone it is asked for per Fitzpatrick type. For a
/// generator entry, `architecture.base_width` is its width and `labels` are the six types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratorSpec {
    /// Hidden units of the condition network.
    pub condition_width: usize,
    /// Target ITA° for Fitzpatrick types 1–6, matched by rank to the labelled training photos
    /// (the generator's card says how).
    pub target_ita: [f32; 6],
    /// Whether the network's fourth output scales the photo ([`GeneratorConfig::gain`]);
    /// absent in manifests written before it existed, which mean no.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gain: bool,
}

impl GeneratorSpec {
    /// The network configuration for an entry of width `base_width`.
    pub fn config(&self, base_width: usize) -> GeneratorConfig {
        GeneratorConfig::new()
            .with_base_width(base_width)
            .with_condition_width(self.condition_width)
            .with_gain(self.gain)
    }
}

/// Temperature scaling: probabilities are `softmax(logits / temperature)`, so that a stated
/// 80 % is right about 80 % of the time on held-out images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Divides the logits; above 1 softens an overconfident network.
    pub temperature: f32,
}

/// The malignancy threshold the app uses: the summed probability of the `classes` at or above
/// `threshold` flags a result for a clinician.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatingPoint {
    /// Label codes whose probabilities are summed (e.g. `mel`, `bcc`, `akiec`).
    pub classes: Vec<String>,
    /// Summed calibrated probability at or above which the result is flagged.
    pub threshold: f32,
    /// Sensitivity the threshold was chosen to reach on val.
    pub target_sensitivity: f64,
}

/// Shape parameters of the classifier network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    /// Number of output classes.
    pub num_classes: usize,
    /// Channels of the first block.
    pub base_width: usize,
    /// Network body; files written before the mobile network existed are `plain`.
    #[serde(default = "plain")]
    pub kind: NetKind,
    /// A mobile network's hidden layers against their blocks' input; written only when not
    /// the default 4, so that files from before it existed read and write the same.
    #[serde(
        default = "default_expansion",
        skip_serializing_if = "dermtone_net::mobile::is_default_expansion"
    )]
    pub expansion: usize,
}

fn plain() -> NetKind {
    NetKind::Plain
}

fn default_expansion() -> usize {
    dermtone_net::mobile::DEFAULT_EXPANSION
}

impl Architecture {
    /// The network configuration these parameters describe.
    pub fn config(&self) -> ClassifierConfig {
        ClassifierConfig::new(self.num_classes)
            .with_base_width(self.base_width)
            .with_kind(self.kind)
            .with_expansion(self.expansion)
    }
}

/// How an image becomes network input: resized to `size`×`size`, then `(x/255 - mean) / std`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSpec {
    /// Side of the square input in pixels.
    pub size: u32,
    /// Per-channel (RGB) mean of `x/255` on the training split.
    pub mean: [f32; 3],
    /// Per-channel (RGB) standard deviation of `x/255` on the training split.
    pub std: [f32; 3],
}

/// One output class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// Short dataset code, e.g. `mel`.
    pub code: String,
    /// Plain-language name.
    pub name: String,
}

impl Manifest {
    /// Parses manifest JSON, with a readable error.
    /// A manifest of another version is refused: its fields may mean something else.
    pub fn from_json(json: &str) -> Result<Self, EngineError> {
        let manifest: Self = serde_json::from_str(json).map_err(|e| {
            EngineError::new(
                "manifest",
                format!("models/manifest.json is not valid: {e}"),
            )
        })?;
        if manifest.version != MANIFEST_VERSION {
            return Err(EngineError::new(
                "manifest",
                format!(
                    "models/manifest.json is version {}; this dermtone reads version \
                     {MANIFEST_VERSION} (update the app or the models together)",
                    manifest.version
                ),
            ));
        }
        Ok(manifest)
    }

    /// The first model for `task`.
    pub fn model_for(&self, task: &str) -> Result<&ModelEntry, EngineError> {
        self.models.iter().find(|m| m.task == task).ok_or_else(|| {
            EngineError::new("manifest", format!("the manifest lists no {task} model"))
        })
    }
}

impl ModelEntry {
    /// The calibration temperature (1 when the card has none).
    pub fn temperature(&self) -> f32 {
        self.calibration.as_ref().map_or(1.0, |c| c.temperature)
    }

    /// Why this model's verified weights could not be built into its network.
    pub(crate) fn not_loaded(&self, why: impl std::fmt::Display) -> EngineError {
        EngineError::new(
            "model",
            format!(
                "model {} ({}) could not be loaded: {why}",
                self.id, self.file
            ),
        )
    }

    /// Refuses `bytes` unless their format is one the engine reads and their size and sha256
    /// equal the manifest's (a size that differs is an incomplete or wrong download).
    pub fn verify(&self, bytes: &[u8]) -> Result<(), EngineError> {
        if !READABLE_FORMATS.contains(&self.format.as_str()) {
            return Err(EngineError::new(
                "model",
                format!(
                    "model {} is stored as {:?}, which this dermtone cannot read (it reads {})",
                    self.id,
                    self.format,
                    READABLE_FORMATS.join(" and ")
                ),
            ));
        }
        if bytes.len() > MAX_MODEL_BYTES {
            return Err(EngineError::new(
                "integrity",
                format!(
                    "model {} ({}) is {} bytes, more than the {MAX_MODEL_BYTES} a dermtone model may be",
                    self.id,
                    self.file,
                    bytes.len()
                ),
            ));
        }
        if bytes.len() as u64 != self.bytes {
            return Err(EngineError::new(
                "integrity",
                format!(
                    "model {} ({}) is {} bytes, but the manifest says {} bytes: an incomplete or wrong download",
                    self.id,
                    self.file,
                    bytes.len(),
                    self.bytes
                ),
            ));
        }
        let actual = sha256_hex(bytes);
        if actual == self.sha256 {
            Ok(())
        } else {
            Err(EngineError::new(
                "integrity",
                format!(
                    "model file {} failed its integrity check (sha256 {actual}, expected {})",
                    self.file, self.sha256
                ),
            ))
        }
    }
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_published_test_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn broken_json_is_a_manifest_error() {
        assert_eq!(Manifest::from_json("{").unwrap_err().code, "manifest");
    }
}
