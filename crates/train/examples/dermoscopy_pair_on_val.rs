//! A dermoscopy candidate against the shipped model on the same **val** images: the paired
//! comparison a run's selection score alone cannot give (a warm restart is selected on the very
//! val split its starting model was, so the two models' best epochs are not alike). Prints each
//! model's val figures, then each later model's change from the first in balanced accuracy and
//! macro AUROC with a 95 % paired bootstrap interval (1,000 resamples of the val images).
//!   cargo run --release -p dermtone-train --example dermoscopy_pair_on_val -- DIR DIR [DIR…]
//! Each DIR holds a dermoscopy model and its manifest (`models/`, a run's `out/`); run from the
//! repository root with the data in ../shared/data.

use std::path::Path;

use dermtone_train::datasets::ham10000::CLASSES;
use dermtone_train::dermoscopy::eval::{evaluate_probabilities, load_for_eval, load_shipped};
use dermtone_train::evaluation::bootstrap::bootstrap_ci;
use dermtone_train::evaluation::metrics::{classification_metrics, macro_auroc};
use dermtone_train::fit::predict::predict_calibrated;

/// Bootstrap resamples of each paired change.
const RESAMPLES: usize = 1000;

fn main() -> Result<(), String> {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.len() < 2 {
        return Err("give two or more model folders, the first the one to compare with".into());
    }
    let data = Path::new("../shared/data/ham10000");
    let mut models = Vec::new();
    for dir in &dirs {
        let (entry, model) = load_shipped(Path::new(dir))?;
        let images = load_for_eval(data, "val", entry.input.size, None)?;
        let p = predict_calibrated(&model, &images.resized, &entry.input, entry.temperature())?;
        let metrics = classification_metrics(&p, &images.labels, CLASSES.len());
        let report = evaluate_probabilities(&entry, "val", &p, &images, "mel")?.report;
        println!(
            "{dir} ({}): n {}, accuracy {:.3}, balanced accuracy {:.3}, macro AUROC {}",
            entry.id,
            metrics.n,
            metrics.accuracy,
            metrics.balanced_accuracy,
            report.macro_auroc.map_or("–".into(), |v| format!("{v:.3}")),
        );
        models.push((p, images.labels));
    }
    let (first, labels) = &models[0];
    for (dir, (candidate, theirs)) in dirs.iter().zip(&models).skip(1) {
        if theirs != labels {
            return Err(format!("{dir}: its val images are not the first model's"));
        }
        let figure = |p: &[Vec<f32>], rows: &[usize], which: usize| -> Option<f64> {
            match which {
                0 => {
                    let (p, labels): (Vec<Vec<f32>>, Vec<usize>) =
                        rows.iter().map(|&i| (p[i].clone(), labels[i])).unzip();
                    Some(classification_metrics(&p, &labels, CLASSES.len()).balanced_accuracy)
                }
                _ => macro_auroc(p, labels, rows, CLASSES.len()),
            }
        };
        let all: Vec<usize> = (0..labels.len()).collect();
        for (which, name) in [(0, "balanced accuracy"), (1, "macro AUROC")] {
            let change = |rows: &[usize]| {
                Some(figure(candidate, rows, which)? - figure(first, rows, which)?)
            };
            let interval = bootstrap_ci(labels.len(), RESAMPLES, 7, change);
            println!(
                "{dir} − {}: {name} {:+.3} {}",
                dirs[0],
                change(&all).unwrap_or(f64::NAN),
                interval.map_or("–".into(), |[lo, hi]| format!("[{lo:+.3}, {hi:+.3}]")),
            );
        }
    }
    Ok(())
}
