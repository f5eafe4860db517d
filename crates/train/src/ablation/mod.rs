//! Issue 9's ablation report: does synthetic dark-skin data help the photo model? Every run of
//! every arm (`<arm>-s<seed>` folders, as `scripts/ablation.sh` writes them) is measured on the
//! same **real** val and test photos per Fitzpatrick group, with bootstrap intervals, and each
//! arm is compared with the baseline arm by a paired bootstrap over the same photos. The same
//! models are also measured on synthetic renderings of the test photos, reported apart, to show
//! how far an evaluation on synthetic images would have misled. Val alone picks the arm to ship.

mod compare;
mod markdown;
mod measure;
mod options;
mod paired;
mod report;
mod runs;
mod sets;

use std::path::{Path, PathBuf};

pub use markdown::markdown_report;
pub use options::AblationOptions;
pub use paired::{Difference, Figure, Scored, paired_difference};
pub use report::{AblationReport, ArmSummary, Choice, PairedRow, RunReport};
pub use runs::{Run, find_runs, parse_run_name};
pub use sets::{RENDERINGS_PER_TEST_PHOTO, synthetic_set_name};

use compare::{choose, paired_rows, summarise_arms};
use measure::measure_run;
use sets::{EvalSet, TEST, VAL, synthetic_test_set};

use crate::clinical::dark_synthesis::SynthesisMethod;
use crate::clinical::eval::{load_clinical_for_eval, load_shipped_photo};
use crate::clinical::tone_groups::TONE_GROUPS;
use crate::datasets::fitzpatrick17k::read_labels;
use crate::dermoscopy::eval::LabelledImages;

/// Measures every run in `options.runs` and compares each arm with the baseline.
pub fn ablation_report(
    options: &AblationOptions,
    on_progress: &mut dyn FnMut(&str),
) -> Result<AblationReport, String> {
    let runs = find_runs(&options.runs, &options.baseline)?;
    // Each run's model is loaded once and measured on every set.
    let models = runs
        .iter()
        .map(|run| load_shipped_photo(&run.dir))
        .collect::<Result<Vec<_>, _>>()?;
    let size = models[0].0.input.size;
    on_progress("decoding the val and test photos");
    let val = load_clinical_for_eval(&options.data, VAL, size, options.limit)?;
    let test = load_clinical_for_eval(&options.data, TEST, size, options.limit)?;
    let itself = |images: &LabelledImages| (0..images.labels.len()).collect::<Vec<_>>();
    let val_sources = itself(&val);
    let mut sets = vec![EvalSet::new(VAL, val, &val_sources)];
    let test_types: Vec<Option<u8>> = read_labels(&options.data)?
        .into_iter()
        .filter(|r| r.split == TEST)
        .take(options.limit.unwrap_or(usize::MAX))
        .map(|r| r.fitzpatrick)
        .collect();
    for method in [SynthesisMethod::Generator, SynthesisMethod::Retoning] {
        on_progress(&format!("rendering the test photos ({method:?})"));
        let (rendered, sources) = synthetic_test_set(options, &test, &test_types, method)?;
        sets.push(EvalSet::new(
            &synthetic_set_name(method),
            rendered,
            &sources,
        ));
    }
    let test_sources = itself(&test);
    sets.insert(1, EvalSet::new(TEST, test, &test_sources));
    let mut reports = Vec::new();
    let mut scored: Vec<Vec<Scored>> = Vec::new();
    for (run, (entry, model)) in runs.iter().zip(&models) {
        on_progress(&format!("measuring {}-s{}", run.arm, run.seed));
        let (report, run_scores) = measure_run(run, (entry, model), &sets, size)?;
        reports.push(report);
        scored.push(run_scores);
    }
    let arms = summarise_arms(&reports);
    let paired = paired_rows(&runs, &scored, &sets, &options.baseline);
    let chosen = choose(&arms, &reports, &paired, &options.baseline);
    Ok(AblationReport {
        baseline: options.baseline.clone(),
        images: sets
            .iter()
            .map(|s| {
                let counts = TONE_GROUPS
                    .iter()
                    .zip(&s.members)
                    .map(|(g, m)| (g.to_string(), m.len()))
                    .collect();
                (s.name.clone(), counts)
            })
            .collect(),
        runs: reports,
        arms,
        paired,
        chosen,
    })
}

/// Writes the report as `ablation.json` and `ablation-results.md` into `out`.
pub fn write_report(report: &AblationReport, out: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    let files = [
        ("ablation.json", json + "\n"),
        ("ablation-results.md", markdown_report(report)),
    ];
    files
        .into_iter()
        .map(|(name, text)| {
            let path = out.join(name);
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(path)
        })
        .collect()
}
