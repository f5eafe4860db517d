//! Learning from new real photos (the method's "keep adding new real dark-skin images"): the
//! shipped photo model is fine-tuned on its training split plus newly labelled real photos, then
//! measured before and after on the fixed test split, and it replaces the shipped model only if
//! no Fitzpatrick group got worse beyond the shipped model's 95% interval.

use std::path::Path;

use crate::clinical::eval::{evaluate_loaded, load_clinical_for_eval, load_shipped_photo};
use crate::clinical::export::export_clinical;
use crate::clinical::tone_groups::TONE_GROUPS;
use crate::clinical::train::{ClinicalTrainOptions, ClinicalTrainReport, train_clinical};
use crate::dermoscopy::eval::LabelledImages;
use crate::evaluation::EvalReport;
use crate::evaluation::ToneEval;
use crate::fit::checkpoint::Checkpoint;
use crate::fit::progress::TrainEvent;

/// An evaluation report's figures per tone group ([`crate::evaluation::EvalReport::by_tone`]).
pub type ByTone = std::collections::BTreeMap<String, ToneEval>;

/// What fine-tuning with new photos came to.
pub struct AddOutcome {
    /// The training run (its composition counts the new photos as real).
    pub trained: ClinicalTrainReport,
    /// Per group and figure, shipped model against the installed fine-tuned model on the whole
    /// test split.
    pub changes: Vec<GroupChange>,
}

/// Fine-tunes the photo model shipped in `out` with `options.add`'s new photos, measures both
/// on `options.data`'s whole test split, and installs the new model in `out` (as model `id`)
/// only if no group got worse beyond its interval, or when `force` is set. A refusal is an
/// error holding the per-group table; the shipped model and manifest are then untouched.
pub fn add_photos(
    options: &ClinicalTrainOptions,
    checkpoint: Option<Checkpoint>,
    id: &str,
    command: &str,
    out: &Path,
    force: bool,
    on_event: &mut dyn FnMut(TrainEvent),
) -> Result<AddOutcome, String> {
    if options.add.is_none() {
        return Err("no new photos were given (--add)".into());
    }
    // The test split is decoded once and measures both models (training keeps the input size).
    let (shipped, model) = load_shipped_photo(out)?;
    let test = load_clinical_for_eval(&options.data, "test", shipped.input.size, None)?;
    let before = evaluate_loaded(&shipped, &model, "test", &test)?;
    let trained = train_clinical(options, checkpoint, on_event)?;
    let staging = std::env::temp_dir().join(format!("dermtone-add-{id}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)
        .map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    let outcome = stage_and_compare(
        options,
        &trained,
        id,
        command,
        out,
        &staging,
        (&test, &before.report),
    )
    .and_then(|changes| {
        let worse = changes.iter().any(|c| c.worse_beyond_ci);
        if worse && !force {
            return Err(format!(
                "the fine-tuned model is worse beyond the shipped model's 95% interval in at \
                     least one Fitzpatrick group on the test split, so the shipped model in {} \
                     was kept (--force replaces it anyway):\n{}",
                out.display(),
                change_table(&changes)
            ));
        }
        install(&staging, out)?;
        Ok(changes)
    });
    let _ = std::fs::remove_dir_all(&staging);
    Ok(AddOutcome {
        trained,
        changes: outcome?,
    })
}

/// Exports the fine-tuned model into `staging` (beside a copy of `out`'s manifest) and compares
/// it with `before` on the same whole test split (`test`, already decoded).
fn stage_and_compare(
    options: &ClinicalTrainOptions,
    trained: &ClinicalTrainReport,
    id: &str,
    command: &str,
    out: &Path,
    staging: &Path,
    (test, before): (&LabelledImages, &EvalReport),
) -> Result<Vec<GroupChange>, String> {
    let manifest = out.join("manifest.json");
    std::fs::copy(&manifest, staging.join("manifest.json"))
        .map_err(|e| format!("cannot copy {}: {e}", manifest.display()))?;
    export_clinical(trained, options, id, command, staging)?;
    let (entry, model) = load_shipped_photo(staging)?;
    let after = evaluate_loaded(&entry, &model, "test", test)?;
    Ok(compare(&before.by_tone, &after.report.by_tone))
}

/// Copies every file of `staging` (the new model's weights, cards, figures and manifest) into
/// `out`.
fn install(staging: &Path, out: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(staging)
        .map_err(|e| format!("cannot read {}: {e}", staging.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = out.join(path.file_name().unwrap_or_default());
        std::fs::copy(&path, &target)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    Ok(())
}

/// The figures compared per Fitzpatrick group, as named in [`EvalReport`]'s `ci95`.
pub const COMPARED: [&str; 2] = ["malignant_auroc", "malignant_sensitivity"];

/// One figure of one group, before and after.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupChange {
    /// Fitzpatrick group ("I-II", ...).
    pub group: String,
    /// Figure name (one of [`COMPARED`]).
    pub figure: String,
    /// The shipped model's value.
    pub before: Option<f64>,
    /// Its 95% bootstrap interval.
    pub before_ci95: Option<[f64; 2]>,
    /// The fine-tuned model's value.
    pub after: Option<f64>,
    /// Whether `after` is below the interval's lower end (or missing where `before` had one).
    pub worse_beyond_ci: bool,
}

/// Every group's [`COMPARED`] figures on the same test split: `before` (the shipped model's
/// report's `by_tone`) and `after` (the fine-tuned one's).
pub fn compare(before: &ByTone, after: &ByTone) -> Vec<GroupChange> {
    TONE_GROUPS
        .iter()
        .flat_map(|&group| COMPARED.iter().map(move |&figure| (group, figure)))
        .map(|(group, figure)| {
            let old = before.get(group);
            let new = after.get(group);
            let value = |tone: Option<&ToneEval>| {
                tone.and_then(|t| match figure {
                    "malignant_auroc" => t.malignant_auroc,
                    _ => t.malignant_sensitivity,
                })
            };
            let before_ci95 = old.and_then(|t| t.ci95.get(figure).copied());
            let after_value = value(new);
            GroupChange {
                group: group.to_string(),
                figure: figure.to_string(),
                before: value(old),
                before_ci95,
                after: after_value,
                // A figure the new model no longer has (e.g. NaN scores) cannot be shown to be
                // no worse, so it counts as worse.
                worse_beyond_ci: match (after_value, before_ci95) {
                    (Some(a), Some([low, _])) => a < low,
                    (None, Some(_)) => true,
                    (_, None) => false,
                },
            }
        })
        .collect()
}

/// The before/after table for the terminal and the refusal message.
pub fn change_table(changes: &[GroupChange]) -> String {
    let figure = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
    let mut table = String::from(
        "| group | figure | before | before 95% CI | after | worse beyond CI |\n|---|---|---|---|---|---|\n",
    );
    for c in changes {
        let ci = c
            .before_ci95
            .map_or("–".to_string(), |[l, h]| format!("{l:.3}–{h:.3}"));
        table += &format!(
            "| {} | {} | {} | {ci} | {} | {} |\n",
            c.group,
            c.figure,
            figure(c.before),
            figure(c.after),
            if c.worse_beyond_ci { "yes" } else { "no" }
        );
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn report(auroc: f64, ci: [f64; 2]) -> ByTone {
        let tone = ToneEval {
            n: 100,
            low_evidence: false,
            accuracy: 0.5,
            balanced_accuracy: 0.5,
            malignant_auroc: Some(auroc),
            malignant_sensitivity: Some(0.9),
            malignant_specificity: Some(0.3),
            ece: 0.05,
            ece_at_chance: 0.04,
            ci95: BTreeMap::from([
                ("malignant_auroc".to_string(), ci),
                ("malignant_sensitivity".to_string(), [0.8, 1.0]),
            ]),
        };
        TONE_GROUPS
            .iter()
            .map(|g| (g.to_string(), tone.clone()))
            .collect()
    }

    #[test]
    fn only_a_drop_below_the_interval_counts_as_worse() {
        let before = report(0.75, [0.65, 0.85]);
        let inside = compare(&before, &report(0.66, [0.0, 1.0]));
        assert!(inside.iter().all(|c| !c.worse_beyond_ci), "{inside:?}");
        let below = compare(&before, &report(0.60, [0.0, 1.0]));
        let worse: Vec<_> = below.iter().filter(|c| c.worse_beyond_ci).collect();
        assert_eq!(worse.len(), 3, "each group's AUROC, not its sensitivity");
        assert!(worse.iter().all(|c| c.figure == "malignant_auroc"));
        assert!(
            change_table(&below)
                .contains("| V-VI | malignant_auroc | 0.750 | 0.650–0.850 | 0.600 | yes |")
        );
        let mut undefined = report(0.9, [0.0, 1.0]);
        undefined.get_mut("III-IV").unwrap().malignant_auroc = None;
        let lost = compare(&before, &undefined);
        assert_eq!(
            lost.iter().filter(|c| c.worse_beyond_ci).count(),
            1,
            "{lost:?}"
        );
    }
}
