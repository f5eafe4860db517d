//! Stands in for `on_device.rs` in an engine built without the `burn-forward` feature (the
//! page's CPU bundle): every network runs on the direct CPU kernels, so the device types here
//! have no values, and loading a network onto another device says why it cannot.

use burn::prelude::*;
use dermtone_net::GeneratorConfig;

use crate::{EngineError, ModelEntry};

fn cpu_only() -> EngineError {
    EngineError::new(
        "compute",
        "this engine was built to run on the CPU only; load the WebGPU engine for another device",
    )
}

/// No classifier runs on a device in this build.
pub(crate) enum DeviceClassifier {}

impl DeviceClassifier {
    pub(crate) fn load(_: &ModelEntry, _: &[u8], _: &Device) -> Result<Self, EngineError> {
        Err(cpu_only())
    }

    pub(crate) async fn logits(
        &self,
        _: Vec<f32>,
        _: usize,
        _: usize,
        _: &Device,
    ) -> Result<Vec<f32>, EngineError> {
        match *self {}
    }

    pub(crate) async fn probabilities_and_maps(
        &self,
        _: Vec<f32>,
        _: usize,
        _: f32,
        _: &Device,
    ) -> Result<(Vec<f32>, Vec<f32>, [usize; 2]), EngineError> {
        match *self {}
    }
}

/// No generator runs on a device in this build.
pub(crate) enum DeviceGenerator {}

impl DeviceGenerator {
    pub(crate) fn load(
        _: &ModelEntry,
        _: &GeneratorConfig,
        _: &[u8],
        _: &Device,
    ) -> Result<Self, EngineError> {
        Err(cpu_only())
    }

    pub(crate) async fn render(
        &self,
        _: Vec<f32>,
        _: Vec<f32>,
        _: usize,
        _: usize,
        _: &Device,
    ) -> Result<Vec<f32>, EngineError> {
        match *self {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ToneRenderer;
    use crate::render::tests::shipped_generator;

    /// The generator loaded as if the device were not the CPU: this build has nothing to run
    /// it with there, and must say so rather than panic.
    #[test]
    fn another_device_gets_a_clear_error() {
        let (manifest, weights) = shipped_generator();
        let error = ToneRenderer::new(&manifest, &weights, &Device::flex(), false)
            .err()
            .unwrap();
        assert_eq!(error.code, "compute");
        assert!(error.message.contains("CPU only"), "{}", error.message);
        assert!(ToneRenderer::new(&manifest, &weights, &Device::flex(), true).is_ok());
    }
}
