//! `dermtone train ...`: option parsing and a progress bar around the train crate, one file per
//! subcommand.

mod add;
mod args;
mod clinical;
mod dermoscopy;
mod generator;
mod progress;
mod tone;

use clap::Subcommand;

use crate::command_line::command_line;

/// The models `dermtone train` can train.
#[derive(Subcommand)]
pub enum TrainTask {
    /// The dermoscopy classifier on HAM10000 (train split; selected on val; reported on test).
    /// The defaults are a quick recipe; the shipped model's exact command is in its card.
    Dermoscopy(dermoscopy::DermoscopyArgs),
    /// The photo (clinical) classifier on the Fitzpatrick17k subset: 12 condition groups whose
    /// malignant groups give the triage score (train split; selected on val by malignant AUROC
    /// overall and in the worst Fitzpatrick group; reported per group on test). The defaults
    /// are a quick recipe; the shipped model's exact command is in its card.
    Clinical(Box<clinical::ClinicalArgs>),
    /// The tone generator (see `train generator --help`).
    Generator(generator::GeneratorArgs),
    /// The learned skin-tone estimator on the Fitzpatrick17k subset (labelled types; selected on
    /// val; compared with the ITA rule). It enters the manifest only if it beats ITA on val.
    Tone(tone::ToneArgs),
}

/// Runs one `dermtone train` subcommand.
pub fn run(task: TrainTask) -> Result<(), String> {
    match task {
        TrainTask::Dermoscopy(args) => dermoscopy::run(args),
        TrainTask::Clinical(args) => clinical::run(*args),
        TrainTask::Generator(args) => generator::run(args, &command_line()),
        TrainTask::Tone(args) => tone::run(args),
    }
}
