//! Opening the burn device a `--backend` names, and saying which it is.

use burn::tensor::Device;
use dermtone_engine::BackendInfo;

use crate::Backend;

/// A device ready for an engine, with the words results carry about it.
pub struct OpenDevice {
    /// The burn device the engine will run on.
    pub device: Device,
    /// The backend's name and why it was chosen, as analyses report them.
    pub info: BackendInfo,
    /// The wgpu adapter's name, API and driver (`None` on the CPU): timings mean little without
    /// knowing which hardware, or which software rasteriser, produced them.
    pub adapter: Option<String>,
}

/// Initialises `backend`. Fails with a readable reason where no wgpu adapter can be had.
pub fn open(backend: Backend) -> Result<OpenDevice, String> {
    let (device, adapter) = match backend {
        Backend::Cpu => (Device::flex(), None),
        Backend::Wgpu => {
            let (device, setup) = Device::wgpu_options()
                .init_with_setup()
                .map_err(|e| format!("no wgpu adapter: {e}"))?;
            let info = setup.adapter.get_info();
            let driver = if info.driver_info.is_empty() {
                String::new()
            } else {
                format!(", {}", info.driver_info)
            };
            let adapter = format!("{} ({}{driver})", info.name, info.backend);
            (device, Some(adapter))
        }
    };
    let name = backend.name();
    let reason = match &adapter {
        Some(adapter) => format!("--backend {name} was requested; adapter {adapter}"),
        None => format!("--backend {name} was requested"),
    };
    Ok(OpenDevice {
        device,
        info: BackendInfo {
            name: name.into(),
            reason,
        },
        adapter,
    })
}
