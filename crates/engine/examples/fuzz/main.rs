//! A mutational fuzzer on stable Rust (no nightly toolchain can be installed here, so neither
//! cargo-fuzz nor libFuzzer): seed inputs are mutated (bit flips, byte sets, interesting
//! integers, insertions, deletions, duplications, truncation, splices) and fed to
//!
//! - `image`: decode → quality → resize/normalise, and now and then the whole analysis;
//! - `manifest`: `Manifest::from_json` and every check a loader makes on an entry;
//! - `weights`: the int8 weight-file parser and the classifier load, into burn's network and
//!   into the direct kernels (what the engine does on the CPU).
//!
//! Any panic is a crash: its input is written to `--crashes DIR` and the run exits non-zero. An
//! input slower than `--slow-ms` is reported as a hang. Usage (from the repository root):
//! `cargo run --release -p dermtone-engine --example fuzz -- [--seconds 60] [--seed 1]
//!  [--targets image,manifest,weights] [--crashes fuzz-crashes]`
//!
//! `--replay FILE` feeds one saved input to the named targets instead, with the default panic
//! hook, so a crash prints its message and location.

mod mutate;
mod seeds;
mod targets;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mutate::Mutator;

struct Options {
    seconds: f64,
    seed: u64,
    targets: Vec<String>,
    crashes: PathBuf,
    slow: Duration,
    replay: Option<PathBuf>,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        seconds: 60.0,
        seed: 1,
        targets: ["image", "manifest", "weights"].map(String::from).to_vec(),
        crashes: PathBuf::from("fuzz-crashes"),
        slow: Duration::from_millis(5_000),
        replay: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => {
                options.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--targets" => options.targets = value()?.split(',').map(String::from).collect(),
            "--crashes" => options.crashes = PathBuf::from(value()?),
            "--replay" => options.replay = Some(PathBuf::from(value()?)),
            "--slow-ms" => {
                options.slow =
                    Duration::from_millis(value()?.parse().map_err(|e| format!("--slow-ms: {e}"))?)
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(message) => {
            eprintln!("fuzz: {message}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Fuzzes each target for an equal share of the time; `Ok(false)` when anything crashed or hung.
fn run() -> Result<bool, String> {
    let options = options()?;
    if let Some(path) = &options.replay {
        return replay(path, &options.targets);
    }
    // Panics are caught and counted; the default hook would print each one.
    std::panic::set_hook(Box::new(|_| {}));
    let share = Duration::from_secs_f64(options.seconds / options.targets.len().max(1) as f64);
    let mut clean = true;
    println!("| target | executions | per second | crashes | slowest ms |");
    println!("|---|---:|---:|---:|---:|");
    for (index, name) in options.targets.iter().enumerate() {
        let target = targets::Target::open(name)?;
        let seeds = seeds::for_target(name)?;
        let mut mutator = Mutator::new(options.seed.wrapping_add(index as u64 * 7919), seeds);
        let (started, mut executions, mut crashes, mut slowest) =
            (Instant::now(), 0u64, 0u64, Duration::ZERO);
        while started.elapsed() < share {
            let input = mutator.next();
            let one = Instant::now();
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target.run(&input)));
            let took = one.elapsed();
            executions += 1;
            slowest = slowest.max(took);
            if outcome.is_err() || took > options.slow {
                crashes += 1;
                let kind = if outcome.is_err() { "crash" } else { "slow" };
                let path = save(&options.crashes, name, kind, &input)?;
                eprintln!(
                    "fuzz: {name}: {kind} ({} ms), input saved as {}",
                    took.as_millis(),
                    path.display()
                );
            }
        }
        let per_second = executions as f64 / started.elapsed().as_secs_f64();
        println!(
            "| {name} | {executions} | {per_second:.0} | {crashes} | {} |",
            slowest.as_millis()
        );
        clean &= crashes == 0;
    }
    Ok(clean)
}

/// Runs one saved input through each target; a panic unwinds out of here and prints.
fn replay(path: &std::path::Path, targets: &[String]) -> Result<bool, String> {
    let input = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    for name in targets {
        targets::Target::open(name)?.run(&input);
        println!("{name}: {} ran without a panic", path.display());
    }
    Ok(true)
}

/// Writes a failing input as `DIR/<target>-<kind>-<sha256 prefix>.bin`.
fn save(dir: &std::path::Path, target: &str, kind: &str, input: &[u8]) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let digest = dermtone_engine::sha256_hex(input);
    let path = dir.join(format!("{target}-{kind}-{}.bin", &digest[..16]));
    std::fs::write(&path, input).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
