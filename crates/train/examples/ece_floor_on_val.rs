//! Issue 19's calibration target (ECE ≤ 0.05 in every Fitzpatrick group) asked of the measure
//! before the model: what expected calibration error would a **perfectly calibrated** model show
//! on a group of n photos? n val photos of the group are drawn with replacement, keeping the
//! photo model's calibrated probabilities, and each is right with exactly its top-label
//! probability (`chance_ece`), so the model is calibrated by construction; the ECE (15 bins of
//! top-label probability, as every card reports it) of such draws is what chance alone gives at
//! that n. A measured ECE near that floor says nothing against the model.
//!   cargo run --release -p dermtone-train --example ece_floor_on_val -- DIR [N…]
//! DIR holds a photo model and its manifest (`models/`, a run's `out/`); each N is a group size
//! to give the floor at (default: each val group's own). Run from the repository root with the
//! data in ../shared/data.

use std::path::Path;

use dermtone_train::clinical::eval::{load_clinical_for_eval, load_shipped_photo};
use dermtone_train::clinical::tone_groups::{TONE_GROUPS, tone_indices};
use dermtone_train::evaluation::bootstrap::percentile;
use dermtone_train::evaluation::calibration::{ECE_BINS, chance_ece, expected_calibration_error};
use dermtone_train::fit::predict::predict_calibrated;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Simulated draws of a group at each size.
const DRAWS: usize = 2000;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("give a model folder")?;
    let sizes = args
        .map(|n| {
            n.parse::<usize>()
                .map_err(|e| format!("group size {n}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let data = Path::new("../shared/data/fitzpatrick17k_ajl_subset");
    let (entry, model) = load_shipped_photo(Path::new(&dir))?;
    let images = load_clinical_for_eval(data, "val", entry.input.size, None)?;
    let p = predict_calibrated(&model, &images.resized, &entry.input, entry.temperature())?;
    let tones = tone_indices(&images.tone_groups);
    let mut groups: Vec<(String, Vec<usize>)> = TONE_GROUPS
        .iter()
        .enumerate()
        .map(|(t, name)| {
            let rows = (0..p.len()).filter(|&i| tones[i] == t).collect();
            (name.to_string(), rows)
        })
        .collect();
    groups.push(("all".into(), (0..p.len()).collect()));
    println!(
        "{dir} on val: ECE measured, and a calibrated model's ECE at n (mean [2.5 %, 97.5 %] of {DRAWS} draws)"
    );
    for (name, rows) in &groups {
        let pick = |rows: &[usize]| rows.iter().map(|&i| p[i].clone()).collect::<Vec<_>>();
        let labels: Vec<usize> = rows.iter().map(|&i| images.labels[i]).collect();
        let measured = expected_calibration_error(&pick(rows), &labels, ECE_BINS);
        let own = [rows.len()];
        let sizes = if sizes.is_empty() {
            &own[..]
        } else {
            &sizes[..]
        };
        for &n in sizes {
            let [mean, low, high] = floor(&p, rows, n);
            println!(
                "{name:>7} (val n {:>3}): measured {measured:.3}; at n {n:>4}: {mean:.3} [{low:.3}, {high:.3}]",
                rows.len()
            );
        }
    }
    Ok(())
}

/// Mean, 2.5th and 97.5th percentile of a calibrated model's ECE on `n` photos drawn with
/// replacement from `rows` ([`chance_ece`] of one label draw each time).
fn floor(p: &[Vec<f32>], rows: &[usize], n: usize) -> [f64; 3] {
    let mut rng = StdRng::seed_from_u64(42);
    let mut eces: Vec<f64> = (0..DRAWS as u64)
        .map(|draw| {
            let drawn: Vec<Vec<f32>> = (0..n)
                .map(|_| p[rows[rng.random_range(0..rows.len())]].clone())
                .collect();
            chance_ece(&drawn, 1, draw)
        })
        .collect();
    eces.sort_by(f64::total_cmp);
    [
        eces.iter().sum::<f64>() / eces.len() as f64,
        percentile(&eces, 0.025),
        percentile(&eces, 0.975),
    ]
}
