//! How good are cross-fitted teachers' soft targets before a student learns from them? Each
//! training photo is scored by the teachers trained without its fold (`train clinical
//! --hold-out-fold K/N`), exactly the targets `--distil-from` would give, and the selection
//! score of those targets on the training photos is printed beside each teacher's on val. A
//! teacher that saw the photos scores about 0.95 on them (run D1 in `models/experiments.md`);
//! out-of-fold targets should score about as a model does on val.
//!   cargo run --release -p dermtone-train --example cross_fitted_on_train -- DIR DIR [DIR…]
//! Each DIR holds a photo model trained with --hold-out-fold; run from the repository root with
//! the data in ../shared/data.

use std::path::{Path, PathBuf};

use dermtone_train::clinical::distillation::Distillation;
use dermtone_train::clinical::eval::{load_clinical_for_eval, load_shipped_photo};
use dermtone_train::clinical::split::split_records;
use dermtone_train::clinical::tone_groups::tone_indices;
use dermtone_train::clinical::train::selection_score;
use dermtone_train::datasets::fitzpatrick17k::read_labels;
use dermtone_train::fit::predict::{mean_probabilities, predict_calibrated};

fn main() -> Result<(), String> {
    let dirs: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        return Err("give the cross-fitted teachers' model folders".into());
    }
    let data = Path::new("../shared/data/fitzpatrick17k_ajl_subset");
    let distillation = Distillation::new(dirs.clone(), 1.0)?;
    if distillation.held_out_folds.is_empty() {
        return Err("these teachers were trained on every photo, not cross-fitted".into());
    }
    let size = load_shipped_photo(&dirs[0])?.0.input.size;
    let train = load_clinical_for_eval(data, "train", size, None)?;
    let (records, _) = split_records(data, &read_labels(data)?, "train", None)?;
    let targets = distillation.soft_targets(&train.resized, &records)?;
    let tones = tone_indices(&train.tone_groups);
    println!(
        "{:>6.3}  out-of-fold soft targets on the {} training photos",
        selection_score(&targets, &train.labels, &tones),
        train.labels.len()
    );
    let val = load_clinical_for_eval(data, "val", size, None)?;
    let val_tones = tone_indices(&val.tone_groups);
    let mut members = Vec::new();
    for (dir, named) in dirs.iter().zip(&distillation.teacher_models) {
        let (entry, model) = load_shipped_photo(dir)?;
        let p = predict_calibrated(&model, &val.resized, &entry.input, entry.temperature())?;
        println!(
            "{:>6.3}  val, {named}",
            selection_score(&p, &val.labels, &val_tones)
        );
        members.push(p);
    }
    println!(
        "{:>6.3}  val, the teachers averaged",
        selection_score(&mean_probabilities(&members), &val.labels, &val_tones)
    );
    Ok(())
}
