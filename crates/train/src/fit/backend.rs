//! Where a network trains: burn's CPU backend or its wgpu backend, as the command line names them.

use burn::prelude::*;

/// burn backends training can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainBackend {
    /// burn's CPU backend (flex), on all cores.
    Cpu,
    /// burn's wgpu backend: a GPU where one is present (Vulkan, Metal, DX12).
    Wgpu,
}

impl TrainBackend {
    /// The device, or why it cannot be had.
    pub fn device(self) -> Result<Device, String> {
        match self {
            TrainBackend::Cpu => Ok(Device::flex()),
            TrainBackend::Wgpu => Device::wgpu_options()
                .init()
                .map_err(|e| format!("no wgpu adapter: {e}")),
        }
    }
}

impl std::str::FromStr for TrainBackend {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "cpu" => Ok(Self::Cpu),
            "wgpu" => Ok(Self::Wgpu),
            _ => Err(format!("unknown backend {text:?} (cpu or wgpu)")),
        }
    }
}
