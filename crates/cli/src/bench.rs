//! `dermtone bench`: native timings of each pipeline stage on each backend, beside the networks'
//! FLOPs and the GFLOP/s achieved, so that performance work starts from measured numbers.

mod machine;
mod report;
mod stages;
mod stats;

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::load::load_engine_on;
use crate::{Backend, Mode, device};
use report::{BackendReport, Report, StageReport};
use stages::Plan;

/// Options of `dermtone bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// Photo to time (JPEG, PNG or WebP); defaults to the first test image in `--data`'s split.csv.
    #[arg(long)]
    image: Option<PathBuf>,
    /// HAM10000-layout folder the default photo comes from.
    #[arg(long, default_value = "../shared/data/ham10000")]
    data: PathBuf,
    /// Print one JSON object (a stable interface: fields are only ever added).
    #[arg(long)]
    json: bool,
    /// Timed runs per stage.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Untimed runs per stage before the timed ones.
    #[arg(long, default_value_t = 5)]
    warmup: u32,
    /// Which backends to time; `all` times every one that initialises and reports the others
    /// as unavailable.
    #[arg(long, value_enum, default_value_t = BenchBackends::All)]
    backend: BenchBackends,
    /// Which classifier runs (see `analyze --mode`).
    #[arg(long, value_enum, default_value_t = Mode::Photo)]
    mode: Mode,
    /// Folder holding manifest.json and the weights.
    #[arg(long, default_value = "models")]
    models: PathBuf,
}

/// `--backend` for bench: one backend or all of them.
#[derive(Clone, Copy, ValueEnum)]
pub enum BenchBackends {
    /// burn's CPU backend only.
    Cpu,
    /// burn's wgpu backend only.
    Wgpu,
    /// The CPU, then wgpu where an adapter initialises.
    All,
}

/// Times every stage on each requested backend and prints the report; `command` is the command
/// line as typed, printed so that a run can be repeated.
pub fn run(args: &BenchArgs, command: String) -> Result<(), String> {
    let image = match &args.image {
        Some(path) => path.clone(),
        None => first_test_image(&args.data)?,
    };
    let bytes =
        std::fs::read(&image).map_err(|e| format!("cannot read {}: {e}", image.display()))?;
    let backends: &[Backend] = match args.backend {
        BenchBackends::Cpu => &[Backend::Cpu],
        BenchBackends::Wgpu => &[Backend::Wgpu],
        BenchBackends::All => &[Backend::Cpu, Backend::Wgpu],
    };
    let plan = Plan {
        warmup: args.warmup as usize,
        runs: args.runs as usize,
    };
    let mut reports = Vec::new();
    let mut adapter = None;
    for &backend in backends {
        let (report, found) = bench_backend(args, backend, &bytes, plan)?;
        reports.push(report);
        adapter = adapter.or(found);
    }
    let report = Report {
        machine: machine::facts(adapter),
        command,
        image: image.display().to_string(),
        mode: args.mode.task(),
        runs: plan.runs,
        warmup: plan.warmup,
        backends: reports,
    };
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{json}");
    } else {
        report::print_text(&report);
    }
    Ok(())
}

/// Every stage on `backend`, and the wgpu adapter it ran on; a backend whose device does not
/// initialise is reported unavailable, not an error.
fn bench_backend(
    args: &BenchArgs,
    backend: Backend,
    bytes: &[u8],
    plan: Plan,
) -> Result<(BackendReport, Option<String>), String> {
    let name = backend.name();
    let opened = match device::open(backend) {
        Ok(opened) => opened,
        Err(reason) => {
            let report = BackendReport {
                name,
                available: false,
                reason,
                stages: Vec::new(),
            };
            return Ok((report, None));
        }
    };
    let adapter = opened.adapter.clone();
    let engine = load_engine_on(&args.models, args.mode, opened)?;
    let stages = stages::measure(&engine, bytes, plan).map_err(|e| format!("{name}: {e}"))?;
    let report = BackendReport {
        name,
        available: true,
        reason: engine.backend().reason.clone(),
        stages: stages.into_iter().map(StageReport::from).collect(),
    };
    Ok((report, adapter))
}

/// The first test-split image listed in a HAM10000 folder's split.csv.
fn first_test_image(data: &Path) -> Result<PathBuf, String> {
    let split_path = data.join("split.csv");
    let split = std::fs::read_to_string(&split_path).map_err(|e| {
        format!(
            "cannot read {} for the default photo ({e}); pass --image",
            split_path.display()
        )
    })?;
    let id = split
        .lines()
        .filter(|line| line.trim_end().ends_with(",test"))
        .find_map(|line| line.split(',').next())
        .ok_or_else(|| format!("{} lists no test image", split_path.display()))?;
    Ok(data.join("images_200x150").join(format!("{id}.jpg")))
}
