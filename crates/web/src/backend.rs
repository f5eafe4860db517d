//! Choosing the burn device in the browser: WebGPU where an adapter exists, the CPU otherwise.

use burn::tensor::Device;
use dermtone_engine::EngineError;

/// The device that will run the networks, its name and why it was picked.
pub struct Chosen {
    pub device: Device,
    pub name: &'static str,
    pub reason: String,
}

/// Resolves a backend preference (`auto`, `webgpu`, `cpu`) to a device.
pub async fn choose(preference: &str) -> Result<Chosen, EngineError> {
    let cpu = |reason: String| Chosen {
        device: Device::flex(),
        name: "cpu",
        reason,
    };
    match preference {
        "cpu" => Ok(cpu("the CPU backend was requested".into())),
        "webgpu" => webgpu().await.map_err(|e| EngineError {
            code: "backend",
            message: format!("WebGPU is not available: {e}"),
        }),
        "auto" => Ok(match webgpu().await {
            Ok(chosen) => chosen,
            Err(e) => cpu(format!("WebGPU is not available ({e}); using the CPU")),
        }),
        other => Err(EngineError {
            code: "input",
            message: format!("unknown backend {other:?}: use auto, webgpu or cpu"),
        }),
    }
}

async fn webgpu() -> Result<Chosen, String> {
    let device = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| e.to_string())?;
    Ok(Chosen {
        device,
        name: "webgpu",
        reason: "a WebGPU adapter was found".into(),
    })
}
