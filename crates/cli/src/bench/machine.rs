//! The machine facts printed beside timings, without which the timings cannot be compared.

use serde::Serialize;

/// What ran the benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// CPU model from /proc/cpuinfo (`None` where the file or the field is missing).
    pub cpu: Option<String>,
    /// Logical cores this process may use.
    pub logical_cores: usize,
    /// Operating system, as Rust names it (`linux`, `macos`, ...).
    pub os: &'static str,
    /// CPU architecture, as Rust names it (`x86_64`, `aarch64`, ...).
    pub arch: &'static str,
    /// The wgpu adapter (name, graphics API, driver), where wgpu was initialised.
    pub wgpu_adapter: Option<String>,
    /// The version of this binary.
    pub dermtone_version: &'static str,
}

/// The facts of this machine, with the wgpu adapter the run found.
pub fn facts(wgpu_adapter: Option<String>) -> Machine {
    Machine {
        cpu: cpu_model(),
        logical_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        os: std::env::consts::OS,
        arch: std::env::consts::ARCH,
        wgpu_adapter,
        dermtone_version: env!("CARGO_PKG_VERSION"),
    }
}

fn cpu_model() -> Option<String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_string())
    })
}
