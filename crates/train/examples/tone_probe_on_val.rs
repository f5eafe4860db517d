//! Issue 19's "one shared body ... with one head per task", asked of the tone estimator before
//! any network is trained: do the shipped classifiers' pooled features already say the skin
//! type as well as the shipped estimator (tone-v2) does? A linear head (softmax over types 1–6
//! on the standardised features, the estimator's ordinal soft targets, L2 penalty) is fitted on
//! the **train** photos' features of each body, its penalty chosen by 5-fold cross-validation
//! on train, and scored once on val beside tone-v2, with a paired bootstrap of the change in
//! the estimator's selection score (within ±1 + 0.1 × exact). If a head on the photo model's
//! body did as well, the photo model could estimate tone in the pass it already makes.
//!   cargo run --release -p dermtone-train --example tone_probe_on_val
//! (from the repository root, with the data in ../shared/data).

use std::path::Path;

use dermtone_engine::{InputSpec, resize_for_model};
use dermtone_net::Classifier;
use dermtone_train::clinical::eval::load_shipped_photo;
use dermtone_train::datasets::fitzpatrick17k::{Record, read_image, read_labels};
use dermtone_train::dermoscopy::eval::load_shipped_task;
use dermtone_train::evaluation::bootstrap::bootstrap_ci;
use dermtone_train::fit::predict::{pooled_features, predict};
use dermtone_train::parallel::map_on_all_cores;
use dermtone_train::tone::agreement::agreement;
use image::RgbImage;

const TYPES: usize = 6;
/// tone-v2's ordinal soft targets' width in types.
const SIGMA: f64 = 0.75;
const PENALTIES: [f64; 6] = [1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];
const FOLDS: usize = 5;
const STEPS: usize = 400;
const RESAMPLES: usize = 1000;

/// The labelled photos of one split: types 0–5 and each model's input.
struct Split {
    labels: Vec<usize>,
    photos: Vec<RgbImage>,
}

fn main() -> Result<(), String> {
    let data = Path::new("../shared/data/fitzpatrick17k_ajl_subset");
    let models = Path::new("models");
    let records = read_labels(data)?;
    let load = |split: &str| -> Result<Split, String> {
        let chosen: Vec<Record> = records
            .iter()
            .filter(|r| r.split == split && r.fitzpatrick.is_some())
            .cloned()
            .collect();
        let photos = map_on_all_cores(&chosen, |r| read_image(data, r)?.real(split))?;
        let labels = chosen
            .iter()
            .map(|r| usize::from(r.fitzpatrick.unwrap_or(1)) - 1)
            .collect();
        Ok(Split { labels, photos })
    };
    let (train, val) = (load("train")?, load("val")?);
    println!(
        "labelled photos: train {}, val {}",
        train.labels.len(),
        val.labels.len()
    );

    let types: Vec<&str> = ["1", "2", "3", "4", "5", "6"].to_vec();
    let (tone_entry, tone) = load_shipped_task(models, "tone", &types, "types 1–6")?;
    let resized = |split: &Split, size| -> Vec<RgbImage> {
        split
            .photos
            .iter()
            .map(|p| resize_for_model(p, size))
            .collect()
    };
    let shipped = predict(
        &tone,
        &resized(&val, tone_entry.input.size),
        &tone_entry.input,
    )?;
    let shipped: Vec<usize> = shipped.iter().map(|p| argmax_f32(p)).collect();
    report(
        &format!("{} (shipped)", tone_entry.id),
        &val.labels,
        &shipped,
    );

    let (photo_entry, photo) = load_shipped_photo(models)?;
    let (derm_entry, derm) = load_shipped_task(
        models,
        "dermoscopy",
        &["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"],
        "HAM10000's classes",
    )?;
    for (name, model, input) in [
        (&photo_entry.id, &photo, &photo_entry.input),
        (&derm_entry.id, &derm, &derm_entry.input),
    ] {
        let fit_x = features(model, &resized(&train, input.size), input)?;
        let val_x = features(model, &resized(&val, input.size), input)?;
        let (fit_x, val_x) = standardised(fit_x, val_x);
        let penalty = cross_validated_penalty(&fit_x, &train.labels)?;
        let head = Head::fit(&fit_x, &train.labels, penalty);
        let estimated: Vec<usize> = val_x.iter().map(|x| head.predict(x)).collect();
        println!(
            "{name}: {} pooled features, penalty {penalty} by 5-fold cross-validation on train",
            fit_x[0].len()
        );
        report(
            &format!("linear head on {name}'s body"),
            &val.labels,
            &estimated,
        );
        paired_change(&val.labels, &shipped, &estimated);
    }
    Ok(())
}

/// Pooled features (the head's input) of resized photos, widened to f64 for the fit.
fn features(
    model: &Classifier,
    images: &[RgbImage],
    input: &InputSpec,
) -> Result<Vec<Vec<f64>>, String> {
    Ok(pooled_features(model, images, input)?
        .into_iter()
        .map(|row| row.into_iter().map(f64::from).collect())
        .collect())
}

/// Both sets scaled by the fitting set's per-feature mean and standard deviation.
fn standardised(fit: Vec<Vec<f64>>, other: Vec<Vec<f64>>) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let d = fit[0].len();
    let n = fit.len() as f64;
    let mean: Vec<f64> = (0..d)
        .map(|j| fit.iter().map(|x| x[j]).sum::<f64>() / n)
        .collect();
    let sd: Vec<f64> = (0..d)
        .map(|j| {
            let v = fit.iter().map(|x| (x[j] - mean[j]).powi(2)).sum::<f64>() / n;
            v.sqrt().max(1e-6)
        })
        .collect();
    let scale = |rows: Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        rows.into_iter()
            .map(|x| (0..d).map(|j| (x[j] - mean[j]) / sd[j]).collect())
            .collect()
    };
    (scale(fit), scale(other))
}

/// The penalty whose heads score best on the held-out fifths of the fitting photos.
fn cross_validated_penalty(x: &[Vec<f64>], labels: &[usize]) -> Result<f64, String> {
    let scored = map_on_all_cores(&PENALTIES, |&penalty| {
        let mut estimated = vec![0; x.len()];
        for fold in 0..FOLDS {
            let kept: Vec<usize> = (0..x.len()).filter(|i| i % FOLDS != fold).collect();
            let head = Head::fit(
                &kept.iter().map(|&i| x[i].clone()).collect::<Vec<_>>(),
                &kept.iter().map(|&i| labels[i]).collect::<Vec<_>>(),
                penalty,
            );
            for i in (fold..x.len()).step_by(FOLDS) {
                estimated[i] = head.predict(&x[i]);
            }
        }
        Ok((penalty, score(labels, &estimated)))
    })?;
    for (penalty, s) in &scored {
        println!("  penalty {penalty}: cross-validated train score {s:.3}");
    }
    Ok(scored
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(PENALTIES[0], |(p, _)| p))
}

/// A softmax layer over the six types.
struct Head {
    weights: Vec<[f64; TYPES]>,
    bias: [f64; TYPES],
}

impl Head {
    /// Full-batch Adam on the mean soft-target cross-entropy plus `penalty` × ‖W‖².
    fn fit(x: &[Vec<f64>], labels: &[usize], penalty: f64) -> Head {
        let d = x[0].len();
        let targets: Vec<[f64; TYPES]> = labels.iter().map(|&l| soft_target(l)).collect();
        let mut head = Head {
            weights: vec![[0.0; TYPES]; d],
            bias: [0.0; TYPES],
        };
        let (mut m, mut v) = (vec![[0.0; TYPES]; d + 1], vec![[0.0; TYPES]; d + 1]);
        let (rate, beta1, beta2) = (0.01, 0.9, 0.999);
        for step in 1..=STEPS {
            let mut grad = vec![[0.0; TYPES]; d + 1];
            for (row, target) in x.iter().zip(&targets) {
                let p = head.probabilities(row);
                for k in 0..TYPES {
                    let g = (p[k] - target[k]) / x.len() as f64;
                    for (j, &value) in row.iter().enumerate() {
                        grad[j][k] += g * value;
                    }
                    grad[d][k] += g;
                }
            }
            for j in 0..=d {
                for k in 0..TYPES {
                    let g = if j < d {
                        grad[j][k] + 2.0 * penalty * head.weights[j][k]
                    } else {
                        grad[j][k]
                    };
                    m[j][k] = beta1 * m[j][k] + (1.0 - beta1) * g;
                    v[j][k] = beta2 * v[j][k] + (1.0 - beta2) * g * g;
                    let m_hat = m[j][k] / (1.0 - beta1.powi(step as i32));
                    let v_hat = v[j][k] / (1.0 - beta2.powi(step as i32));
                    let delta = rate * m_hat / (v_hat.sqrt() + 1e-8);
                    if j < d {
                        head.weights[j][k] -= delta;
                    } else {
                        head.bias[k] -= delta;
                    }
                }
            }
        }
        head
    }

    fn probabilities(&self, row: &[f64]) -> [f64; TYPES] {
        let mut logits = self.bias;
        for (w, &value) in self.weights.iter().zip(row) {
            for k in 0..TYPES {
                logits[k] += w[k] * value;
            }
        }
        let top = logits.iter().cloned().fold(f64::MIN, f64::max);
        let mut p = logits.map(|l| (l - top).exp());
        let sum: f64 = p.iter().sum();
        p.iter_mut().for_each(|q| *q /= sum);
        p
    }

    fn predict(&self, row: &[f64]) -> usize {
        let p = self.probabilities(row);
        (0..TYPES)
            .max_by(|&a, &b| p[a].total_cmp(&p[b]))
            .unwrap_or(0)
    }
}

/// tone-v2's training target: a Gaussian over the types around the label.
fn soft_target(label: usize) -> [f64; TYPES] {
    let mut t = [0.0; TYPES];
    for (k, value) in t.iter_mut().enumerate() {
        *value = (-((k as f64 - label as f64).powi(2)) / (2.0 * SIGMA * SIGMA)).exp();
    }
    let sum: f64 = t.iter().sum();
    t.map(|value| value / sum)
}

fn argmax_f32(p: &[f32]) -> usize {
    (0..p.len())
        .max_by(|&a, &b| p[a].total_cmp(&p[b]))
        .unwrap_or(0)
}

/// The estimator's selection score: within ±1 + 0.1 × exact.
fn score(labels: &[usize], estimated: &[usize]) -> f64 {
    let n = labels.len() as f64;
    let within = labels
        .iter()
        .zip(estimated)
        .filter(|(l, e)| l.abs_diff(**e) <= 1)
        .count() as f64;
    let exact = labels.iter().zip(estimated).filter(|(l, e)| l == e).count() as f64;
    (within + 0.1 * exact) / n
}

fn report(name: &str, labels: &[usize], estimated: &[usize]) {
    let pairs: Vec<(u8, Option<u8>)> = labels
        .iter()
        .zip(estimated)
        .map(|(&l, &e)| (l as u8 + 1, Some(e as u8 + 1)))
        .collect();
    let a = agreement(&pairs);
    let by_type: Vec<String> = a
        .confusion
        .within_one_by_label()
        .iter()
        .map(|w| w.map_or("–".into(), |w| format!("{w:.2}")))
        .collect();
    println!(
        "val, {name}: within ±1 {:.3}, exact {:.3}, score {:.3}, Spearman {:.3}; within ±1 by type I–VI {}",
        a.within_one.unwrap_or(0.0),
        a.exact.unwrap_or(0.0),
        score(labels, estimated),
        a.spearman.unwrap_or(0.0),
        by_type.join(" / ")
    );
}

/// The change in the selection score from `base` to `other` on the same photos, with a 95 %
/// paired bootstrap interval.
fn paired_change(labels: &[usize], base: &[usize], other: &[usize]) {
    let pick =
        |rows: &[usize], from: &[usize]| -> Vec<usize> { rows.iter().map(|&i| from[i]).collect() };
    let change = |rows: &[usize]| {
        let l = pick(rows, labels);
        Some(score(&l, &pick(rows, other)) - score(&l, &pick(rows, base)))
    };
    let all: Vec<usize> = (0..labels.len()).collect();
    let interval = bootstrap_ci(labels.len(), RESAMPLES, 19, change);
    println!(
        "  change in val score against the shipped estimator: {:+.3} {}",
        change(&all).unwrap_or(0.0),
        interval.map_or("–".into(), |[lo, hi]| format!("[{lo:+.3}, {hi:+.3}]"))
    );
}
