//! Choosing the burn device in the browser: WebGPU where an adapter exists, the CPU otherwise.
//! The CPU-only build (without the `webgpu` feature) has no WebGPU to offer: the page loads it
//! only where the browser has no hardware WebGPU adapter, or when the CPU is asked for.

use burn::tensor::Device;
use dermtone_engine::{BackendInfo, EngineError};

/// Resolves a backend preference (`auto`, `webgpu`, `cpu`) to a device and why it was chosen.
pub async fn choose(preference: &str) -> Result<(Device, BackendInfo), EngineError> {
    let cpu = |reason: String| (Device::flex(), info("cpu", reason));
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

#[cfg(feature = "webgpu")]
thread_local! {
    /// burn initialises WebGPU once per thread and refuses a second `init_async`, so every
    /// engine in a worker (one per mode) shares the first device.
    static WEBGPU: std::cell::RefCell<Option<Device>> = const { std::cell::RefCell::new(None) };
}

#[cfg(not(feature = "webgpu"))]
async fn webgpu() -> Result<(Device, BackendInfo), String> {
    Err("no hardware WebGPU adapter here, so the page loaded its CPU-only engine".into())
}

#[cfg(feature = "webgpu")]
async fn webgpu() -> Result<(Device, BackendInfo), String> {
    let found = || info("webgpu", "a WebGPU adapter was found".into());
    if let Some(device) = WEBGPU.with_borrow(Option::clone) {
        return Ok((device, found()));
    }
    let device = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| e.to_string())?;
    WEBGPU.set(Some(device.clone()));
    Ok((device, found()))
}

fn info(name: &str, reason: String) -> BackendInfo {
    BackendInfo {
        name: name.into(),
        reason,
    }
}
