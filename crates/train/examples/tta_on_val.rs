//! Issue 19's test-time augmentation measurement: would averaging a shipped classifier's
//! probabilities over flips and rotations of the photo help on **val**? Prints each view's
//! figures, the averages over the first 2, 4 and 6 views, and for the photo model a paired
//! bootstrap of the val selection score's change, so a gain can be told from val's noise.
//! The engine does not average views; this decides whether it should.
//!   cargo run --release -p dermtone-train --example tta_on_val -- photo|dermoscopy
//! (from the repository root, with the data in ../shared/data).

use std::path::Path;

use dermtone_train::clinical::eval::{load_clinical_for_eval, load_shipped_photo};
use dermtone_train::clinical::taxonomy::GROUPS;
use dermtone_train::clinical::tone_groups::tone_indices;
use dermtone_train::clinical::train::selection_score;
use dermtone_train::dermoscopy::eval::{
    LabelledImages, evaluate_probabilities, load_for_eval, load_shipped,
};
use dermtone_train::fit::predict::{mean_probabilities, predict_calibrated};
use image::{RgbImage, imageops};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

type View = fn(&RgbImage) -> RgbImage;

/// The views averaged, in the order they are added.
const VIEWS: [(&str, View); 6] = [
    ("identity", |i| i.clone()),
    ("mirrored", imageops::flip_horizontal),
    ("flipped", imageops::flip_vertical),
    ("rotated 180", imageops::rotate180),
    ("rotated 90", imageops::rotate90),
    ("rotated 270", imageops::rotate270),
];

/// Bootstrap resamples of the paired change in the selection score.
const RESAMPLES: usize = 1000;

fn main() -> Result<(), String> {
    let models = Path::new("models");
    let task = std::env::args().nth(1).unwrap_or_else(|| "photo".into());
    let photo = match task.as_str() {
        "photo" => true,
        "dermoscopy" => false,
        other => return Err(format!("unknown task {other:?}: photo or dermoscopy")),
    };
    let (entry, model) = if photo {
        load_shipped_photo(models)?
    } else {
        load_shipped(models)?
    };
    let size = entry.input.size;
    let (images, melanoma) = if photo {
        let data = Path::new("../shared/data/fitzpatrick17k_ajl_subset");
        (
            load_clinical_for_eval(data, "val", size, None)?,
            GROUPS[0].code,
        )
    } else {
        let data = Path::new("../shared/data/ham10000");
        (load_for_eval(data, "val", size, None)?, "mel")
    };
    let mut views = Vec::new();
    for (name, view) in VIEWS {
        let turned: Vec<RgbImage> = images.resized.iter().map(view).collect();
        let p = predict_calibrated(&model, &turned, &entry.input, entry.temperature())?;
        views.push(p);
        print_figures(name, &entry, views.last().unwrap(), &images, melanoma)?;
    }
    for k in [2, 4, 6] {
        let averaged = mean_probabilities(&views[..k]);
        print_figures(
            &format!("mean of {k}"),
            &entry,
            &averaged,
            &images,
            melanoma,
        )?;
        if photo {
            print_score_change(&views[0], &averaged, &images);
        }
    }
    Ok(())
}

fn print_figures(
    name: &str,
    entry: &dermtone_engine::ModelEntry,
    probabilities: &[Vec<f32>],
    images: &LabelledImages,
    melanoma: &str,
) -> Result<(), String> {
    let r = evaluate_probabilities(entry, "val", probabilities, images, melanoma)?.report;
    let figure = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.3}"));
    let groups: Vec<String> = r
        .by_tone
        .iter()
        .map(|(group, t)| format!("{group} {}", figure(t.malignant_auroc)))
        .collect();
    println!(
        "{name:>12}: accuracy {:.3}, balanced {:.3}, macro AUROC {}, malignant AUROC {} \
         (by group: {})",
        r.accuracy,
        r.balanced_accuracy,
        figure(r.macro_auroc),
        figure(r.malignant.auroc),
        groups.join(", ")
    );
    Ok(())
}

/// The photo model's val selection score with `k` views averaged minus without, with a 95 %
/// paired bootstrap interval (the same resampled images for both).
fn print_score_change(plain: &[Vec<f32>], averaged: &[Vec<f32>], images: &LabelledImages) {
    let tones = tone_indices(&images.tone_groups);
    let change = |rows: &[usize]| {
        let pick = |p: &[Vec<f32>]| rows.iter().map(|&i| p[i].clone()).collect::<Vec<_>>();
        let labels: Vec<usize> = rows.iter().map(|&i| images.labels[i]).collect();
        let tones: Vec<usize> = rows.iter().map(|&i| tones[i]).collect();
        selection_score(&pick(averaged), &labels, &tones)
            - selection_score(&pick(plain), &labels, &tones)
    };
    let n = plain.len();
    let mut rng = StdRng::seed_from_u64(42);
    let mut changes: Vec<f64> = (0..RESAMPLES)
        .map(|_| change(&(0..n).map(|_| rng.random_range(0..n)).collect::<Vec<_>>()))
        .collect();
    changes.sort_by(f64::total_cmp);
    println!(
        "{:>12}  val score change {:+.4} [{:+.4}, {:+.4}] (95 % paired bootstrap, {RESAMPLES} \
         resamples)",
        "",
        change(&(0..n).collect::<Vec<_>>()),
        changes[RESAMPLES * 25 / 1000],
        changes[RESAMPLES * 975 / 1000 - 1]
    );
}
