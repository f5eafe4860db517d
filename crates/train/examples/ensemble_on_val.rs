//! Issue 19's distillation question, asked cheaply first: would a teacher made of several
//! trained photo models (their calibrated probabilities averaged) score better on **val** than
//! each alone? If not, distilling it into the shipped student has nothing to pass on. Each
//! model and each ensemble is compared with the first model on the same val photos, so with two
//! folders it is also the paired comparison of a candidate with the shipped model.
//!   cargo run --release -p dermtone-train --example ensemble_on_val -- DIR DIR [DIR…]
//! (`SPLIT=train` in the environment scores the training photos instead: how far the teacher
//! has memorised what a student would learn from.) Each DIR holds a photo model and its manifest (`models/`, a run's `out/`); run from the
//! repository root with the data in ../shared/data.

use std::collections::HashMap;
use std::path::Path;

use dermtone_train::clinical::eval::{load_clinical_for_eval, load_shipped_photo};
use dermtone_train::clinical::tone_groups::tone_indices;
use dermtone_train::clinical::train::selection_score;
use dermtone_train::dermoscopy::eval::LabelledImages;
use dermtone_train::evaluation::bootstrap::bootstrap_ci;
use dermtone_train::fit::predict::{mean_probabilities, predict_calibrated};

/// Bootstrap resamples of the paired change in the selection score.
const RESAMPLES: usize = 1000;

fn main() -> Result<(), String> {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.len() < 2 {
        return Err("give two or more model folders".into());
    }
    let split = std::env::var("SPLIT").unwrap_or_else(|_| "val".into());
    let data = Path::new("../shared/data/fitzpatrick17k_ajl_subset");
    let mut by_size: HashMap<u32, LabelledImages> = HashMap::new();
    let mut members = Vec::new();
    for dir in &dirs {
        let (entry, model) = load_shipped_photo(Path::new(dir))?;
        let size = entry.input.size;
        let images = match by_size.entry(size) {
            std::collections::hash_map::Entry::Occupied(loaded) => loaded.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(load_clinical_for_eval(data, &split, size, None)?)
            }
        };
        let p = predict_calibrated(&model, &images.resized, &entry.input, entry.temperature())?;
        let (labels, tones) = labels_and_tones(images);
        println!(
            "{:>6.3}  {dir} ({size} px)",
            selection_score(&p, &labels, &tones)
        );
        members.push(p);
    }
    let any = by_size.values().next().expect("one model at least");
    let (labels, tones) = labels_and_tones(any);
    // The change of the selection score from the first model to `candidate`, with its interval.
    let against_first = |candidate: &[Vec<f32>]| -> Result<String, String> {
        let change = |rows: &[usize]| {
            let pick = |p: &[Vec<f32>]| rows.iter().map(|&i| p[i].clone()).collect::<Vec<_>>();
            let labels: Vec<usize> = rows.iter().map(|&i| labels[i]).collect();
            let tones: Vec<usize> = rows.iter().map(|&i| tones[i]).collect();
            Some(
                selection_score(&pick(candidate), &labels, &tones)
                    - selection_score(&pick(&members[0]), &labels, &tones),
            )
        };
        let [low, high] = bootstrap_ci(labels.len(), RESAMPLES, 42, change)
            .ok_or("too few val images for an interval")?;
        let whole = change(&(0..labels.len()).collect::<Vec<_>>()).unwrap_or(0.0);
        Ok(format!(
            "{whole:+.3} on the first alone [{low:+.3}, {high:+.3}] (95 % paired bootstrap, \
             {RESAMPLES} resamples)"
        ))
    };
    for (dir, member) in dirs.iter().zip(&members).skip(1) {
        println!(
            "{:>6.3}  {dir} alone: {}",
            selection_score(member, &labels, &tones),
            against_first(member)?
        );
    }
    for k in 2..=members.len() {
        let mean = mean_probabilities(&members[..k]);
        println!(
            "{:>6.3}  mean of the first {k}: {}",
            selection_score(&mean, &labels, &tones),
            against_first(&mean)?
        );
    }
    Ok(())
}

/// Each val image's condition group and its labelled tone group's index.
fn labels_and_tones(images: &LabelledImages) -> (Vec<usize>, Vec<usize>) {
    (images.labels.clone(), tone_indices(&images.tone_groups))
}
