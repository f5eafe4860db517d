//! Stands in for `on_device.rs` in an engine built without the `burn-forward` feature (the
//! page's CPU bundle): every network runs on the direct CPU kernels, so these are reached only
//! if such an engine is given another device, and say so.

use burn::prelude::*;
use dermtone_net::{Classifier, Generator};

use crate::EngineError;

fn cpu_only() -> EngineError {
    EngineError::new(
        "compute",
        "this engine was built to run on the CPU only; load the WebGPU engine for another device",
    )
}

pub(crate) async fn logits(_: &Classifier, _: Tensor<4>) -> Result<Vec<f32>, EngineError> {
    Err(cpu_only())
}

pub(crate) async fn probabilities_and_maps(
    _: &Classifier,
    _: Tensor<4>,
    _: f32,
) -> Result<(Vec<f32>, Vec<f32>, [usize; 2]), EngineError> {
    Err(cpu_only())
}

pub(crate) async fn render(
    _: &Generator,
    _: Tensor<4>,
    _: Tensor<2>,
) -> Result<Vec<f32>, EngineError> {
    Err(cpu_only())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ToneRenderer;
    use crate::manifest::Manifest;

    /// A renderer loaded as if its device were not the CPU has no direct path, and this build
    /// has no other: it must say so, not panic or return nothing.
    #[test]
    fn another_device_gets_a_clear_error() {
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        let manifest =
            Manifest::from_json(&std::fs::read_to_string(models.join("manifest.json")).unwrap())
                .unwrap();
        let file = &manifest.model_for("generator").unwrap().file;
        let weights = std::fs::read(models.join(file)).unwrap();
        let renderer = ToneRenderer::new(&manifest, &weights, &Device::flex(), false).unwrap();
        let side = renderer.entry.input.size as usize;
        let error = pollster::block_on(renderer.forward(
            vec![0.5; 3 * side * side],
            dermtone_net::condition_row(40.0, -30.0).to_vec(),
            1,
            side,
            &Device::flex(),
        ))
        .unwrap_err();
        assert_eq!(error.code, "compute");
        assert!(error.message.contains("CPU only"), "{}", error.message);
    }
}
