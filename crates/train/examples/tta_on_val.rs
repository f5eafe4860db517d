//! Issue 19's test-time augmentation measurement: would averaging a shipped classifier's
//! probabilities over flips and rotations of the photo help on **val**? Prints each view's
//! figures, the averages over the first 2, 4 and 6 views, and for the photo model a paired
//! bootstrap of the val selection score's change, so a gain can be told from val's noise.
//! The engine does not average views; this decides whether it should. `tone` asks the same of
//! the tone estimator, scored by its agreement with the labelled types (within ±1, exact).
//!   cargo run --release -p dermtone-train --example tta_on_val -- photo|dermoscopy|tone
//! (from the repository root, with the data in ../shared/data).

use std::path::Path;

use dermtone_engine::resize_for_model;
use dermtone_train::clinical::eval::{load_clinical_for_eval, load_shipped_photo};
use dermtone_train::clinical::taxonomy::GROUPS;
use dermtone_train::clinical::tone_groups::tone_indices;
use dermtone_train::clinical::train::selection_score;
use dermtone_train::datasets::fitzpatrick17k::{Record, read_image, read_labels};
use dermtone_train::dermoscopy::eval::{
    LabelledImages, evaluate_probabilities, load_for_eval, load_shipped, load_shipped_task,
};
use dermtone_train::evaluation::bootstrap::bootstrap_ci;
use dermtone_train::fit::predict::{mean_probabilities, predict, predict_calibrated};
use dermtone_train::parallel::map_on_all_cores;
use dermtone_train::tone::agreement::agreement;
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
        "tone" => return tone_views(models),
        other => return Err(format!("unknown task {other:?}: photo, dermoscopy or tone")),
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

/// The tone estimator's agreement with the labelled types on val, one view at a time and
/// averaged over the first 2, 4 and 6, with a 95 % paired bootstrap of the change in its
/// selection score (within ±1 + 0.1 × exact).
fn tone_views(models: &Path) -> Result<(), String> {
    let data = Path::new("../shared/data/fitzpatrick17k_ajl_subset");
    let types = ["1", "2", "3", "4", "5", "6"];
    let (entry, model) = load_shipped_task(models, "tone", &types, "types 1–6")?;
    let chosen: Vec<Record> = read_labels(data)?
        .into_iter()
        .filter(|r| r.split == "val" && r.fitzpatrick.is_some())
        .collect();
    let resized = map_on_all_cores(&chosen, |r| {
        Ok(resize_for_model(
            &read_image(data, r)?.real("val")?,
            entry.input.size,
        ))
    })?;
    let labels: Vec<u8> = chosen.iter().filter_map(|r| r.fitzpatrick).collect();
    let estimates = |p: &[Vec<f32>]| -> Vec<u8> {
        p.iter()
            .map(|p| {
                (0..p.len())
                    .max_by(|&a, &b| p[a].total_cmp(&p[b]))
                    .unwrap_or(0) as u8
                    + 1
            })
            .collect()
    };
    let score = |rows: &[usize], estimated: &[u8]| -> Option<f64> {
        let pairs: Vec<(u8, Option<u8>)> = rows
            .iter()
            .map(|&i| (labels[i], Some(estimated[i])))
            .collect();
        let a = agreement(&pairs);
        Some(a.within_one? + 0.1 * a.exact?)
    };
    let mut views = Vec::new();
    let print = |name: &str, estimated: &[u8]| {
        let pairs: Vec<(u8, Option<u8>)> = labels
            .iter()
            .zip(estimated)
            .map(|(&l, &e)| (l, Some(e)))
            .collect();
        let a = agreement(&pairs);
        let figure = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.3}"));
        println!(
            "{name:>12}: within ±1 {}, exact {}, n {}",
            figure(a.within_one),
            figure(a.exact),
            a.n
        );
    };
    for (name, view) in VIEWS {
        let turned: Vec<RgbImage> = resized.iter().map(view).collect();
        views.push(predict(&model, &turned, &entry.input)?);
        print(name, &estimates(views.last().unwrap()));
    }
    let plain = estimates(&views[0]);
    for k in [2, 4, 6] {
        let averaged = estimates(&mean_probabilities(&views[..k]));
        print(&format!("mean of {k}"), &averaged);
        let change = |rows: &[usize]| Some(score(rows, &averaged)? - score(rows, &plain)?);
        let all: Vec<usize> = (0..labels.len()).collect();
        let interval = bootstrap_ci(labels.len(), RESAMPLES, 42, change);
        println!(
            "{:>12}  val score change {:+.4} {} (95 % paired bootstrap, {RESAMPLES} resamples)",
            "",
            change(&all).unwrap_or(0.0),
            interval.map_or("–".into(), |[lo, hi]| format!("[{lo:+.4}, {hi:+.4}]"))
        );
    }
    Ok(())
}
