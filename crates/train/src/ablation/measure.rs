//! One run measured on every set: its figures per Fitzpatrick group and its malignant scores,
//! which the paired comparisons resample.

use std::collections::BTreeMap;

use dermtone_engine::ModelEntry;
use dermtone_net::Classifier;

use super::paired::Scored;
use super::report::RunReport;
use super::runs::Run;
use super::sets::{EvalSet, VAL};
use crate::clinical::taxonomy::{GROUPS, malignant_group_indices};
use crate::clinical::tone_groups::TONE_GROUPS;
use crate::dermoscopy::eval::evaluate_probabilities;
use crate::evaluation::{ToneEval, malignant_scores};
use crate::fit::predict::predict_calibrated;

/// One run on every set: its per-group figures and its malignant scores per set.
pub(super) fn measure_run(
    run: &Run,
    (entry, model): (&ModelEntry, &Classifier),
    sets: &[EvalSet],
    size: u32,
) -> Result<(RunReport, Vec<Scored>), String> {
    if entry.input.size != size {
        return Err(format!(
            "{}: input size {} differs from the other runs' {size}",
            run.dir.display(),
            entry.input.size
        ));
    }
    let malignant: Vec<usize> = malignant_group_indices();
    let threshold = entry
        .operating_point
        .as_ref()
        .map(|p| p.threshold)
        .ok_or_else(|| format!("model {} has no operating point", entry.id))?;
    let mut by_set = BTreeMap::new();
    let mut scores = Vec::new();
    let mut val_score = None;
    for set in sets {
        let probabilities = predict_calibrated(
            model,
            &set.images.resized,
            &entry.input,
            entry.temperature(),
        )?;
        let evaluated = evaluate_probabilities(
            entry,
            &set.name,
            &probabilities,
            &set.images,
            GROUPS[0].code,
        )?;
        let by_tone: BTreeMap<String, ToneEval> = evaluated
            .report
            .by_tone
            .into_iter()
            .filter(|(g, _)| TONE_GROUPS.contains(&g.as_str()))
            .collect();
        if set.name == VAL {
            let worst = by_tone
                .values()
                .filter_map(|t| t.malignant_auroc)
                .min_by(f64::total_cmp);
            val_score = evaluated
                .report
                .malignant
                .auroc
                .zip(worst)
                .map(|(a, w)| (a + w) / 2.0);
        }
        by_set.insert(set.name.clone(), by_tone);
        scores.push(Scored {
            malignant: malignant_scores(&probabilities, &malignant),
            threshold,
        });
    }
    Ok((
        RunReport {
            arm: run.arm.clone(),
            seed: run.seed,
            model: entry.id.clone(),
            val_score,
            sets: by_set,
        },
        scores,
    ))
}
