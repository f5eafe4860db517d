//! The ablation report (what `models/ablation.json` holds): every run's figures per set and
//! Fitzpatrick group, each arm's means, the paired comparisons with the baseline and the choice.

use std::collections::BTreeMap;

use serde::Serialize;

use super::paired::{Difference, Figure};
use crate::evaluation::ToneEval;

/// The whole comparison; its JSON is what `models/ablation.json` holds.
#[derive(Debug, Clone, Serialize)]
pub struct AblationReport {
    /// The arm the others are compared with.
    pub baseline: String,
    /// Images per Fitzpatrick group in each measured set: "val", "test" (real) and
    /// "synthetic-generator", "synthetic-retoning" (renderings of the test set's type I–III
    /// photos at IV, V and VI; never used to choose anything).
    pub images: BTreeMap<String, BTreeMap<String, usize>>,
    /// Every run, measured on every set.
    pub runs: Vec<RunReport>,
    /// Per arm, the mean over its seeds of each figure per set and group.
    pub arms: Vec<ArmSummary>,
    /// Per arm other than the baseline, set, group and figure: arm − baseline, paired.
    pub paired: Vec<PairedRow>,
    /// The arm and run the evidence supports shipping, chosen on val only; None when no arm has
    /// a val V–VI malignant AUROC (too few val photos, e.g. in a smoke run).
    pub chosen: Option<Choice>,
}

/// One run's figures per set (as in `dermtone eval`'s `by_tone`, keyed by group).
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Its arm.
    pub arm: String,
    /// Its training seed.
    pub seed: u64,
    /// The model id it was exported as.
    pub model: String,
    /// The val selection score: mean of the malignant AUROC over all val photos and the lowest
    /// among the Fitzpatrick groups.
    pub val_score: Option<f64>,
    /// Per set, per Fitzpatrick group.
    pub sets: BTreeMap<String, BTreeMap<String, ToneEval>>,
}

/// An arm's figures averaged over its seeds.
#[derive(Debug, Clone, Serialize)]
pub struct ArmSummary {
    /// The arm.
    pub arm: String,
    /// The seeds averaged.
    pub seeds: Vec<u64>,
    /// Mean val selection score.
    pub val_score: Option<f64>,
    /// Per set, group and figure ("malignant_auroc", "malignant_sensitivity", "ece"): the mean
    /// over the seeds where the figure is defined.
    pub mean: BTreeMap<String, BTreeMap<String, BTreeMap<String, f64>>>,
}

/// One paired comparison with the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct PairedRow {
    /// The arm compared.
    pub arm: String,
    /// Which set ("val", "test", "synthetic-generator", ...).
    pub set: String,
    /// Which Fitzpatrick group.
    pub group: String,
    /// Which figure.
    pub figure: Figure,
    /// The seeds paired (the same seed of both arms).
    pub seeds: Vec<u64>,
    /// The difference.
    #[serde(flatten)]
    pub difference: Difference,
}

/// Which arm to ship, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// The arm with the highest mean val V–VI malignant AUROC among those not worse than the
    /// baseline on val in another group (a paired interval wholly below zero).
    pub arm: String,
    /// Its run with the highest val selection score.
    pub seed: u64,
    /// Arms ruled out for losing on another group, with the group.
    pub ruled_out: Vec<String>,
}
