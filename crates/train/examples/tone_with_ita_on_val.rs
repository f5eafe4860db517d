//! Issue 19's "ITA measurement as an input to the tone estimator", measured before any network
//! is changed: does the ITA rule's measurement carry information the shipped learned estimator
//! lacks? The shipped estimator's type probabilities are combined with the photo's median skin
//! ITA° in a one-parameter rule,
//!   score(type k) = ln p(k) + β · (k − 3.5) · (mean ITA − ITA) / sd ITA,
//! so β = 0 is the estimator as shipped and β > 0 pulls darker-measured skin toward higher types.
//! β is chosen by 5-fold cross-validation **on val** (repeated over shuffles) and the
//! out-of-fold agreement is compared with the estimator alone, with a paired bootstrap of the
//! change; test is scored once, with β fitted on all of val, after the figures are printed.
//!   cargo run --release -p dermtone-train --example tone_with_ita_on_val
//! (from the repository root, with the data in ../shared/data).

use std::path::Path;

use dermtone_engine::{ita_estimate, resize_for_model};
use dermtone_train::datasets::fitzpatrick17k::{Record, read_image, read_labels};
use dermtone_train::dermoscopy::eval::load_shipped_task;
use dermtone_train::fit::predict::predict;
use dermtone_train::parallel::map_on_all_cores;
use dermtone_train::tone::agreement::agreement;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// One labelled photo: its type (1–6), the estimator's probabilities and the measured ITA°.
struct Case {
    label: u8,
    probabilities: Vec<f32>,
    ita: Option<f32>,
}

/// The β values searched (negative ones too, in case the estimator over-reads dark skin).
const BETAS: [f64; 17] = [
    -0.3, -0.2, -0.1, -0.05, 0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0,
];
const FOLDS: usize = 5;
const SHUFFLES: usize = 20;
const RESAMPLES: usize = 1000;

fn main() -> Result<(), String> {
    let data = Path::new("../shared/data/fitzpatrick17k_ajl_subset");
    let labels: Vec<&str> = ["1", "2", "3", "4", "5", "6"].to_vec();
    let (entry, model) = load_shipped_task(Path::new("models"), "tone", &labels, "types 1–6")?;
    let records = read_labels(data)?;
    let cases = |split: &str| -> Result<Vec<Case>, String> {
        let chosen: Vec<Record> = records
            .iter()
            .filter(|r| r.split == split && r.fitzpatrick.is_some())
            .cloned()
            .collect();
        let measured = map_on_all_cores(&chosen, |r| {
            let photo = read_image(data, r)?.real(split)?;
            Ok((
                resize_for_model(&photo, entry.input.size),
                ita_estimate(&photo).ita,
            ))
        })?;
        let images: Vec<_> = measured.iter().map(|(i, _)| i.clone()).collect();
        let probabilities = predict(&model, &images, &entry.input)?;
        Ok(chosen
            .iter()
            .zip(measured)
            .zip(probabilities)
            .map(|((r, (_, ita)), probabilities)| Case {
                label: r.fitzpatrick.unwrap_or(0),
                probabilities,
                ita,
            })
            .collect())
    };
    let (val, test) = (cases("val")?, cases("test")?);
    println!(
        "estimator {} ({} px); val n {}, test n {}; ITA measured on {} / {} val photos",
        entry.id,
        entry.input.size,
        val.len(),
        test.len(),
        val.iter().filter(|c| c.ita.is_some()).count(),
        val.len()
    );

    let mut rng = StdRng::seed_from_u64(19);
    let all: Vec<&Case> = val.iter().collect();
    let plain = estimates(&all, 0.0, Scale::of(&all));
    let mut chosen_betas = Vec::new();
    let mut combined = 0.0;
    let mut order: Vec<usize> = (0..val.len()).collect();
    let mut last_out_of_fold = vec![0u8; val.len()];
    for _ in 0..SHUFFLES {
        order.shuffle(&mut rng);
        let mut out_of_fold = vec![0u8; val.len()];
        for fold in 0..FOLDS {
            let (held, kept): (Vec<usize>, Vec<usize>) =
                (0..order.len()).partition(|&i| i % FOLDS == fold);
            let fit_on: Vec<&Case> = kept.iter().map(|&i| &val[order[i]]).collect();
            let (beta, scale) = fit_beta(&fit_on);
            chosen_betas.push(beta);
            for &i in &held {
                out_of_fold[order[i]] = estimate(&val[order[i]], beta, scale);
            }
        }
        combined += score(&all, &out_of_fold);
        last_out_of_fold = out_of_fold;
    }
    chosen_betas.sort_by(f64::total_cmp);
    println!(
        "val, 5-fold cross-validated over {SHUFFLES} shuffles: score (within ±1 + 0.1 × exact) alone {:.3}, with ITA {:.3}; β chosen per fold: median {:.2}, range {:.2}–{:.2}",
        score(&all, &plain),
        combined / SHUFFLES as f64,
        chosen_betas[chosen_betas.len() / 2],
        chosen_betas[0],
        chosen_betas[chosen_betas.len() - 1],
    );
    report("val alone", &all, &plain);
    report(
        "val with ITA (out of fold, last shuffle)",
        &all,
        &last_out_of_fold,
    );
    let (low, high) = bootstrap(&all, &plain, &last_out_of_fold, &mut rng);
    println!(
        "val change in within ±1 (last shuffle), 95 % paired bootstrap: [{low:+.3}, {high:+.3}]"
    );

    let curve: Vec<String> = BETAS
        .iter()
        .map(|&b| {
            format!(
                "{b}: {:.3}",
                score(&all, &estimates(&all, b, Scale::of(&all)))
            )
        })
        .collect();
    println!(
        "val score by β (fitted and scored on all of val): {}",
        curve.join(", ")
    );
    let (beta, scale) = fit_beta(&all);
    let tests: Vec<&Case> = test.iter().collect();
    println!("β fitted on all of val: {beta:.2}; test scored once:");
    report("test alone", &tests, &estimates(&tests, 0.0, scale));
    report("test with ITA", &tests, &estimates(&tests, beta, scale));
    Ok(())
}

/// Mean and standard deviation of the measured ITA° of the cases that have one.
#[derive(Clone, Copy)]
struct Scale {
    mean: f64,
    sd: f64,
}

impl Scale {
    fn of(cases: &[&Case]) -> Self {
        let values: Vec<f64> = cases.iter().filter_map(|c| c.ita).map(f64::from).collect();
        let n = values.len().max(1) as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        Self {
            mean,
            sd: variance.sqrt().max(1e-6),
        }
    }
}

/// The β (and the ITA scale) that score best on `cases`; the first in `BETAS` wins a tie.
fn fit_beta(cases: &[&Case]) -> (f64, Scale) {
    let scale = Scale::of(cases);
    let mut best = (f64::NEG_INFINITY, 0.0);
    for beta in BETAS {
        let s = score(cases, &estimates(cases, beta, scale));
        if s > best.0 + 1e-12 {
            best = (s, beta);
        }
    }
    (best.1, scale)
}

fn estimates(cases: &[&Case], beta: f64, scale: Scale) -> Vec<u8> {
    cases.iter().map(|c| estimate(c, beta, scale)).collect()
}

/// The combined rule's type for one photo (the estimator alone where ITA was not measured).
fn estimate(case: &Case, beta: f64, scale: Scale) -> u8 {
    let darker = case
        .ita
        .map_or(0.0, |ita| (scale.mean - f64::from(ita)) / scale.sd);
    let mut best = (f64::NEG_INFINITY, 0);
    for (k, p) in case.probabilities.iter().enumerate() {
        let s = f64::from(p.max(1e-9)).ln() + beta * (k as f64 - 2.5) * darker;
        if s > best.0 {
            best = (s, k);
        }
    }
    best.1 as u8 + 1
}

fn pairs(cases: &[&Case], estimated: &[u8]) -> Vec<(u8, Option<u8>)> {
    cases
        .iter()
        .zip(estimated)
        .map(|(c, &e)| (c.label, Some(e)))
        .collect()
}

/// The tone estimator's selection score: within ±1 + 0.1 × exact.
fn score(cases: &[&Case], estimated: &[u8]) -> f64 {
    let a = agreement(&pairs(cases, estimated));
    a.within_one.unwrap_or(0.0) + 0.1 * a.exact.unwrap_or(0.0)
}

fn report(name: &str, cases: &[&Case], estimated: &[u8]) {
    let a = agreement(&pairs(cases, estimated));
    let by_type = a.confusion.within_one_by_label();
    let types: Vec<String> = by_type
        .iter()
        .map(|v| v.map_or("–".into(), |v| format!("{v:.2}")))
        .collect();
    println!(
        "  {name}: n {}, within ±1 {:.3}, exact {:.3}, Spearman {:.3}; within ±1 by type I–VI {}",
        a.n,
        a.within_one.unwrap_or(0.0),
        a.exact.unwrap_or(0.0),
        a.spearman.unwrap_or(0.0),
        types.join(" / ")
    );
}

/// 95 % interval of the paired change in within-±1 agreement from `before` to `after`.
fn bootstrap(cases: &[&Case], before: &[u8], after: &[u8], rng: &mut StdRng) -> (f64, f64) {
    let hit = |e: u8, l: u8| f64::from(u8::from(e.abs_diff(l) <= 1));
    let mut changes: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let n = cases.len();
            (0..n)
                .map(|_| rng.random_range(0..n))
                .map(|i| hit(after[i], cases[i].label) - hit(before[i], cases[i].label))
                .sum::<f64>()
                / n as f64
        })
        .collect();
    changes.sort_by(f64::total_cmp);
    (
        changes[RESAMPLES * 25 / 1000],
        changes[RESAMPLES * 975 / 1000],
    )
}
