//! What the int8 export costs a dermoscopy run on **val**: the f32 weights the training loop
//! selected (`ck/best.bpk`, the record `out/` was quantised from) against the int8 file in `out/`,
//! on the same val images with the same input normalisation. The training loop selects on the
//! f32 figure and the app runs the int8 file, so a gap the size of a selection margin says the
//! selection should read the int8 model. Uncalibrated: a temperature cannot change a top-1 class.
//!   cargo run --release -p dermtone-train --example quantisation_on_val -- RUN [RUN…]
//! Each RUN is a finished dermoscopy run's folder (`ck/best.bpk`, `out/manifest.json`, e.g.
//! `~/.cache/dermtone/runs/derm-warm-e4`); run from the repository root with the data in
//! ../shared/data.

use std::path::Path;

use dermtone_engine::argmax;
use dermtone_train::datasets::ham10000::CLASSES;
use dermtone_train::dermoscopy::eval::{load_for_eval, load_shipped};
use dermtone_train::evaluation::bootstrap::bootstrap_ci;
use dermtone_train::evaluation::metrics::classification_metrics;
use dermtone_train::fit::predict::{load_record, predict};

/// Bootstrap resamples of the paired change.
const RESAMPLES: usize = 1000;

fn main() -> Result<(), String> {
    let runs: Vec<String> = std::env::args().skip(1).collect();
    if runs.is_empty() {
        return Err("give one or more finished dermoscopy run folders".into());
    }
    let data = Path::new("../shared/data/ham10000");
    for run in &runs {
        let run = Path::new(run);
        let (entry, int8) = load_shipped(&run.join("out"))?;
        let best = run.join("ck/best.bpk");
        let record = std::fs::read(&best).map_err(|e| format!("{}: {e}", best.display()))?;
        let f32_model = load_record(&entry.architecture.config(), &record)?;
        let images = load_for_eval(data, "val", entry.input.size, None)?;
        let labels = &images.labels;
        let f32_p = predict(&f32_model, &images.resized, &entry.input)?;
        let int8_p = predict(&int8, &images.resized, &entry.input)?;
        let moved = f32_p
            .iter()
            .zip(&int8_p)
            .filter(|(a, b)| argmax(a) != argmax(b))
            .count();
        let balanced = |p: &[Vec<f32>], rows: &[usize]| {
            let (p, labels): (Vec<Vec<f32>>, Vec<usize>) =
                rows.iter().map(|&i| (p[i].clone(), labels[i])).unzip();
            classification_metrics(&p, &labels, CLASSES.len()).balanced_accuracy
        };
        let all: Vec<usize> = (0..labels.len()).collect();
        let change = |rows: &[usize]| Some(balanced(&int8_p, rows) - balanced(&f32_p, rows));
        let interval = bootstrap_ci(labels.len(), RESAMPLES, 7, change);
        let f32_metrics = classification_metrics(&f32_p, labels, CLASSES.len());
        let int8_metrics = classification_metrics(&int8_p, labels, CLASSES.len());
        println!(
            "{} ({}): val n {}, balanced accuracy f32 {:.3} int8 {:.3}, change {:+.3} {}; \
             accuracy f32 {:.3} int8 {:.3}; top-1 class moved on {moved} images",
            run.display(),
            entry.id,
            labels.len(),
            f32_metrics.balanced_accuracy,
            int8_metrics.balanced_accuracy,
            change(&all).unwrap_or(f64::NAN),
            interval.map_or("–".into(), |[lo, hi]| format!("[{lo:+.3}, {hi:+.3}]")),
            f32_metrics.accuracy,
            int8_metrics.accuracy,
        );
    }
    Ok(())
}
