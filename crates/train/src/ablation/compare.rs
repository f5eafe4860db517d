//! Arms compared: each arm's means over its seeds, each arm against the baseline seed by seed,
//! and the arm to ship, chosen on val only.

use std::collections::BTreeMap;

use super::paired::{Figure, Scored, paired_difference};
use super::report::{ArmSummary, Choice, PairedRow, RunReport};
use super::runs::Run;
use super::sets::{EvalSet, VAL};
use crate::clinical::tone_groups::TONE_GROUPS;
use crate::dermoscopy::eval::{BOOTSTRAP_SEED, RESAMPLES};
use crate::evaluation::ToneEval;

/// Reads one figure from a group's [`ToneEval`].
type ReadFigure = fn(&ToneEval) -> Option<f64>;

/// The figures averaged per arm.
const SUMMARISED: [(&str, ReadFigure); 3] = [
    ("malignant_auroc", |t| t.malignant_auroc),
    ("malignant_sensitivity", |t| t.malignant_sensitivity),
    ("ece", |t| Some(t.ece)),
];

pub(super) fn summarise_arms(reports: &[RunReport]) -> Vec<ArmSummary> {
    let mut arms: Vec<String> = Vec::new();
    for r in reports {
        if !arms.contains(&r.arm) {
            arms.push(r.arm.clone());
        }
    }
    arms.into_iter()
        .map(|arm| {
            let runs: Vec<&RunReport> = reports.iter().filter(|r| r.arm == arm).collect();
            let mut mean: BTreeMap<String, BTreeMap<String, BTreeMap<String, f64>>> =
                BTreeMap::new();
            for set in runs[0].sets.keys() {
                for group in TONE_GROUPS {
                    for (figure, read) in SUMMARISED {
                        let values: Vec<f64> = runs
                            .iter()
                            .filter_map(|r| r.sets.get(set)?.get(group).and_then(read))
                            .collect();
                        if let Some(m) = mean_of(&values) {
                            mean.entry(set.clone())
                                .or_default()
                                .entry(group.to_string())
                                .or_default()
                                .insert(figure.to_string(), m);
                        }
                    }
                }
            }
            let scores: Vec<f64> = runs.iter().filter_map(|r| r.val_score).collect();
            ArmSummary {
                seeds: runs.iter().map(|r| r.seed).collect(),
                val_score: mean_of(&scores),
                mean,
                arm,
            }
        })
        .collect()
}

fn mean_of(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Each non-baseline arm against the baseline, seed by seed, on every set, group and figure.
pub(super) fn paired_rows(
    runs: &[Run],
    scored: &[Vec<Scored>],
    sets: &[EvalSet],
    baseline: &str,
) -> Vec<PairedRow> {
    let mut rows = Vec::new();
    let mut arms: Vec<&str> = runs.iter().map(|r| r.arm.as_str()).collect();
    arms.dedup();
    for arm in arms.into_iter().filter(|a| *a != baseline) {
        let pairs: Vec<(u64, usize, usize)> = runs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.arm == arm)
            .filter_map(|(i, r)| {
                let base = runs
                    .iter()
                    .position(|b| b.arm == baseline && b.seed == r.seed)?;
                Some((r.seed, i, base))
            })
            .collect();
        if pairs.is_empty() {
            continue;
        }
        for (s, set) in sets.iter().enumerate() {
            let models: Vec<(&Scored, &Scored)> = pairs
                .iter()
                .map(|&(_, i, b)| (&scored[i][s], &scored[b][s]))
                .collect();
            for (group, clusters) in TONE_GROUPS.iter().zip(&set.clusters) {
                if clusters.is_empty() {
                    continue;
                }
                for figure in Figure::ALL {
                    rows.push(PairedRow {
                        arm: arm.to_string(),
                        set: set.name.clone(),
                        group: group.to_string(),
                        figure,
                        seeds: pairs.iter().map(|p| p.0).collect(),
                        difference: paired_difference(
                            &models,
                            &set.truth,
                            clusters,
                            figure,
                            (RESAMPLES, BOOTSTRAP_SEED),
                        ),
                    });
                }
            }
        }
    }
    rows
}

/// The group the choice is about.
const DARKEST: &str = "V-VI";

pub(super) fn choose(
    arms: &[ArmSummary],
    reports: &[RunReport],
    paired: &[PairedRow],
    baseline: &str,
) -> Option<Choice> {
    let loses_in = |arm: &str| -> Option<String> {
        paired
            .iter()
            .find(|p| {
                p.arm == arm
                    && p.set == VAL
                    && p.group != DARKEST
                    && p.figure == Figure::MalignantAuroc
                    && p.difference.ci95.is_some_and(|[_, hi]| hi < 0.0)
            })
            .map(|p| format!("{arm} (val {})", p.group))
    };
    let ruled_out: Vec<String> = arms.iter().filter_map(|a| loses_in(&a.arm)).collect();
    let dark_val = |a: &ArmSummary| {
        a.mean
            .get(VAL)
            .and_then(|g| g.get(DARKEST))
            .and_then(|f| f.get("malignant_auroc"))
            .copied()
    };
    let best = arms
        .iter()
        .filter(|a| a.arm == baseline || loses_in(&a.arm).is_none())
        .filter_map(|a| Some((a, dark_val(a)?)))
        .max_by(|x, y| x.1.total_cmp(&y.1))
        .map(|(a, _)| a)?;
    let seed = reports
        .iter()
        .filter(|r| r.arm == best.arm)
        .max_by(|x, y| {
            x.val_score
                .unwrap_or(f64::MIN)
                .total_cmp(&y.val_score.unwrap_or(f64::MIN))
        })
        .map(|r| r.seed)?;
    Some(Choice {
        arm: best.arm.clone(),
        seed,
        ruled_out,
    })
}
