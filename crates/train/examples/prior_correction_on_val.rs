//! Issue 19's dermoscopy question, asked on **val** without training: HAM10000 is two-thirds
//! naevi, and a classifier trained on it picks "naevus" for most melanomas (dermoscopy-v3's
//! melanoma top-1 sensitivity is about 0.5). Dividing each class's probability by its training
//! share raised to τ (a logit adjustment, Menon et al., ICLR 2021) trades accuracy for balanced
//! accuracy and the rare classes' sensitivity. Prints the figures for τ from 0 to 1.5.
//!   cargo run --release -p dermtone-train --example prior_correction_on_val
//! (from the repository root, with the data in ../shared/data).

use std::path::Path;

use dermtone_train::datasets::ham10000::{CLASSES, read_split_csv};
use dermtone_train::dermoscopy::eval::{evaluate_probabilities, load_for_eval, load_shipped};
use dermtone_train::evaluation::metrics::classification_metrics;
use dermtone_train::fit::predict::predict_calibrated;

fn main() -> Result<(), String> {
    let data = Path::new("../shared/data/ham10000");
    let (entry, model) = load_shipped(Path::new("models"))?;
    let images = load_for_eval(data, "val", entry.input.size, None)?;
    let probabilities =
        predict_calibrated(&model, &images.resized, &entry.input, entry.temperature())?;
    let mut counts = vec![0usize; CLASSES.len()];
    for record in read_split_csv(data)?.iter().filter(|r| r.split == "train") {
        counts[record.label] += 1;
    }
    let total: usize = counts.iter().sum();
    let shares: Vec<f32> = counts.iter().map(|&c| c as f32 / total as f32).collect();
    let melanoma = CLASSES
        .iter()
        .position(|(code, _)| *code == "mel")
        .expect("mel");
    for tau in [0.0f32, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5] {
        let adjusted: Vec<Vec<f32>> = probabilities
            .iter()
            .map(|row| {
                let raw: Vec<f32> = row
                    .iter()
                    .zip(&shares)
                    .map(|(p, share)| p / share.powf(tau))
                    .collect();
                let sum: f32 = raw.iter().sum();
                raw.into_iter().map(|v| v / sum).collect()
            })
            .collect();
        let metrics = classification_metrics(&adjusted, &images.labels, CLASSES.len());
        let report = evaluate_probabilities(&entry, "val", &adjusted, &images, "mel")?.report;
        println!(
            "τ {tau:.2}: accuracy {:.3}, balanced accuracy {:.3}, macro AUROC {}, melanoma \
             top-1 sensitivity {}",
            metrics.accuracy,
            metrics.balanced_accuracy,
            report.macro_auroc.map_or("–".into(), |v| format!("{v:.3}")),
            metrics.recall[melanoma].map_or("–".into(), |v| format!("{v:.3}")),
        );
    }
    Ok(())
}
