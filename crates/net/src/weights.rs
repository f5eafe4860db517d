//! Loading shipped weights into a network on a given device.

use burn::prelude::*;

use crate::int8;
use crate::{Classifier, ClassifierConfig, Generator, GeneratorConfig};

/// Why weights could not be loaded; always a readable message, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightsError(pub String);

impl std::fmt::Display for WeightsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WeightsError {}

/// Builds a classifier from int8 weight bytes (see [`int8`]) on `device`.
pub fn load_classifier(
    config: &ClassifierConfig,
    int8_bytes: &[u8],
    device: &Device,
) -> Result<Classifier, WeightsError> {
    let f32_bytes = int8::dequantize(int8_bytes).map_err(|e| WeightsError(e.to_string()))?;
    config.load_record(&f32_bytes, device).map_err(WeightsError)
}

/// Builds a generator from int8 weight bytes (see [`int8`]) on `device`.
pub fn load_generator(
    config: &GeneratorConfig,
    int8_bytes: &[u8],
    device: &Device,
) -> Result<Generator, WeightsError> {
    let f32_bytes = int8::dequantize(int8_bytes).map_err(|e| WeightsError(e.to_string()))?;
    config.load_record(&f32_bytes, device).map_err(WeightsError)
}
