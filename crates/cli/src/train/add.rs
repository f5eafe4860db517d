//! `dermtone train clinical --add DIR`: a progress bar and the before/after table around
//! `dermtone_train::clinical::add`.

use std::path::Path;

use dermtone_train::clinical::add::{add_photos, change_table};
use dermtone_train::clinical::train::ClinicalTrainOptions;
use dermtone_train::fit::checkpoint::{Checkpoint, recipe};

use super::progress::{CLINICAL_SCORE, progress_bar, show};
use crate::command_line::command_line;

pub fn run(
    options: &ClinicalTrainOptions,
    checkpoint_dir: &Path,
    resume: bool,
    id: &str,
    out: &Path,
    force: bool,
) -> Result<(), String> {
    let bar = progress_bar();
    let checkpoint = Checkpoint {
        dir: checkpoint_dir,
        resume,
        recipe: recipe(options),
    };
    let outcome = add_photos(
        options,
        Some(checkpoint),
        id,
        &command_line(),
        out,
        force,
        &mut |event| show(&bar, event, CLINICAL_SCORE),
    );
    bar.finish_and_clear();
    let outcome = outcome?;
    println!(
        "fine-tuned on {} real photos (new ones included) and {} synthetic; selected epoch {}",
        outcome.trained.train_by_tone.iter().sum::<usize>(),
        outcome
            .trained
            .train_synthetic_by_tone
            .iter()
            .sum::<usize>(),
        outcome.trained.best_epoch
    );
    println!(
        "installed model {id} in {}; test split, shipped model against the new one:\n{}",
        out.display(),
        change_table(&outcome.changes)
    );
    Ok(())
}
