//! What `dermtone bench` prints: one JSON object (`--json`, stable field names) or a table.

use serde::Serialize;

use super::machine::Machine;
use super::stages::StageTiming;

/// The whole run.
#[derive(Debug, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub command: String,
    pub image: String,
    pub mode: &'static str,
    pub runs: usize,
    pub warmup: usize,
    pub backends: Vec<BackendReport>,
}

/// One backend: its stages, or why it could not run.
#[derive(Debug, Serialize)]
pub struct BackendReport {
    pub name: &'static str,
    pub available: bool,
    /// Why this device (with the wgpu adapter), or why it is unavailable.
    pub reason: String,
    pub stages: Vec<StageReport>,
}

/// One stage on one backend.
#[derive(Debug, Serialize)]
pub struct StageReport {
    pub stage: &'static str,
    pub median_ms: f64,
    pub p90_ms: f64,
    pub min_ms: f64,
    /// Network FLOPs of one run (0 for stages that run no network).
    pub flops: u64,
    /// `flops` over the median time; `None` for stages that run no network.
    pub gflops_per_s: Option<f64>,
}

impl From<StageTiming> for StageReport {
    fn from(timing: StageTiming) -> Self {
        let s = timing.summary;
        Self {
            stage: timing.stage,
            median_ms: s.median_ms,
            p90_ms: s.p90_ms,
            min_ms: s.min_ms,
            flops: timing.flops,
            gflops_per_s: (timing.flops > 0)
                .then(|| timing.flops as f64 / (s.median_ms * 1e-3) / 1e9),
        }
    }
}

/// The report as a few header lines and one table per backend.
pub fn print_text(report: &Report) {
    let m = &report.machine;
    println!(
        "dermtone {} bench: {} timed runs per stage after {} warm-up runs",
        m.dermtone_version, report.runs, report.warmup
    );
    println!("command: {}", report.command);
    println!(
        "machine: {}, {} logical cores, {} {}",
        m.cpu.as_deref().unwrap_or("unknown CPU"),
        m.logical_cores,
        m.os,
        m.arch
    );
    if let Some(adapter) = &m.wgpu_adapter {
        println!("wgpu adapter: {adapter}");
    }
    println!("photo: {} ({} model)", report.image, report.mode);
    for backend in &report.backends {
        println!();
        if !backend.available {
            println!("{}: unavailable: {}", backend.name, backend.reason);
            continue;
        }
        println!("{} ({})", backend.name, backend.reason);
        println!(
            "  {:<14} {:>10} {:>10} {:>10} {:>10} {:>8}",
            "stage", "median ms", "p90 ms", "min ms", "MFLOP", "GFLOP/s"
        );
        for stage in &backend.stages {
            let (mflop, rate) = match stage.gflops_per_s {
                Some(rate) => (
                    format!("{:.1}", stage.flops as f64 / 1e6),
                    format!("{rate:.2}"),
                ),
                None => ("–".into(), "–".into()),
            };
            println!(
                "  {:<14} {:>10.3} {:>10.3} {:>10.3} {mflop:>10} {rate:>8}",
                stage.stage, stage.median_ms, stage.p90_ms, stage.min_ms
            );
        }
    }
}
