//! `dermtone ablation`: issue 9's comparison of training arms, measured on real photos, written
//! as JSON and Markdown tables by `dermtone_train::ablation`.

use std::path::PathBuf;

use clap::Args;
use dermtone_train::ablation::{AblationOptions, ablation_report, write_report};

/// Where the runs are and what to measure them on.
#[derive(Args)]
pub struct AblationArgs {
    /// Folder of finished runs, one folder `<arm>-s<seed>` each (as scripts/ablation.sh
    /// writes them under checkpoints/ablation/out).
    #[arg(long, default_value = "checkpoints/ablation/out")]
    runs: PathBuf,
    /// Fitzpatrick17k-layout folder: its val and test splits measure every run.
    #[arg(long, default_value = "../shared/data/fitzpatrick17k_ajl_subset")]
    data: PathBuf,
    /// Folder whose tone generator renders the synthetic test sets.
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// The arm every other arm is compared with.
    #[arg(long, default_value = "real")]
    baseline: String,
    /// Use at most this many photos per split (quick smoke runs).
    #[arg(long)]
    limit: Option<usize>,
    /// Folder that receives ablation.json and ablation-results.md.
    #[arg(long, default_value = "models")]
    out: PathBuf,
}

pub fn run(args: &AblationArgs) -> Result<(), String> {
    let options = AblationOptions {
        runs: args.runs.clone(),
        data: args.data.clone(),
        models: args.models.clone(),
        baseline: args.baseline.clone(),
        limit: args.limit,
    };
    let report = ablation_report(&options, &mut |step| eprintln!("{step}"))?;
    for path in write_report(&report, &args.out)? {
        println!("wrote {}", path.display());
    }
    match &report.chosen {
        Some(chosen) => println!(
            "chosen on val: arm {} (seed {}), {} runs measured",
            chosen.arm,
            chosen.seed,
            report.runs.len()
        ),
        None => println!(
            "no arm chosen (no val V-VI malignant AUROC), {} runs measured",
            report.runs.len()
        ),
    }
    Ok(())
}
