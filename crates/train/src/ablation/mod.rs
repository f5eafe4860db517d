//! Issue 9's ablation report: does synthetic dark-skin data help the photo model? Every run of
//! every arm (`<arm>-s<seed>` folders, as `scripts/ablation.sh` writes them) is measured on the
//! same **real** val and test photos per Fitzpatrick group, with bootstrap intervals, and each
//! arm is compared with the baseline arm by a paired bootstrap over the same photos. The same
//! models are also measured on synthetic renderings of the test photos, reported apart, to show
//! how far an evaluation on synthetic images would have misled. Val alone picks the arm to ship.

mod markdown;
mod paired;
mod runs;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use markdown::markdown_report;
pub use paired::{Difference, Figure, Scored, paired_difference};
pub use runs::{Run, find_runs, parse_run_name};

use dermtone_engine::ModelEntry;
use dermtone_net::Classifier;

use crate::clinical::dark_synthesis::{Synthesis, SynthesisMethod, synthesize};
use crate::clinical::eval::{load_clinical_for_eval, load_shipped_photo};
use crate::clinical::taxonomy::GROUPS;
use crate::clinical::taxonomy::malignant_group_indices;
use crate::clinical::tone_groups::TONE_GROUPS;
use crate::datasets::fitzpatrick17k::read_labels;
use crate::dermoscopy::eval::{BOOTSTRAP_SEED, LabelledImages, RESAMPLES, evaluate_probabilities};
use crate::evaluation::{ToneEval, malignant_scores};
use crate::fit::predict::predict_calibrated;

/// Renderings per light test photo in the synthetic test sets: one at each of types IV, V, VI.
pub const RENDERINGS_PER_TEST_PHOTO: usize = 3;

/// What to measure.
#[derive(Debug, Clone)]
pub struct AblationOptions {
    /// Folder of run folders (`<arm>-s<seed>`).
    pub runs: PathBuf,
    /// Fitzpatrick17k-layout folder whose val and test splits measure every run.
    pub data: PathBuf,
    /// Folder whose manifest names the tone generator that renders the synthetic test sets.
    pub models: PathBuf,
    /// The arm every other arm is compared with.
    pub baseline: String,
    /// Use at most this many photos per split (smoke runs).
    pub limit: Option<usize>,
}

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

/// A set of photos every run is measured on.
struct EvalSet {
    name: String,
    images: LabelledImages,
    /// Malignant truth per image.
    truth: Vec<bool>,
    /// Image indices per Fitzpatrick group, in [`TONE_GROUPS`] order.
    members: Vec<Vec<usize>>,
    /// Per group, its images clustered by the real photo they show (one each for real sets).
    clusters: Vec<Vec<Vec<usize>>>,
}

impl EvalSet {
    /// A set of `images`, each showing the real photo `sources[i]` (its own index for a real
    /// set).
    fn new(name: &str, images: LabelledImages, sources: &[usize]) -> Self {
        let malignant = malignant_group_indices();
        let truth = images
            .labels
            .iter()
            .map(|l| malignant.contains(l))
            .collect();
        let members = TONE_GROUPS
            .iter()
            .map(|g| {
                (0..images.labels.len())
                    .filter(|&i| images.tone_groups[i].iter().any(|k| k == g))
                    .collect()
            })
            .collect::<Vec<Vec<usize>>>();
        let clusters = members
            .iter()
            .map(|group| {
                let mut by_source: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
                for &i in group {
                    by_source.entry(sources[i]).or_default().push(i);
                }
                by_source.into_values().collect()
            })
            .collect();
        Self {
            name: name.to_string(),
            images,
            truth,
            members,
            clusters,
        }
    }
}

/// The real val set: it chooses (epochs, thresholds, the arm to ship).
const VAL: &str = "val";
/// The real test set: it measures and chooses nothing.
const TEST: &str = "test";

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

/// The report name of a synthetic test set.
pub fn synthetic_set_name(method: SynthesisMethod) -> String {
    match method {
        SynthesisMethod::Generator => "synthetic-generator".into(),
        SynthesisMethod::Retoning => "synthetic-retoning".into(),
    }
}

/// The test photos of type I–III rendered at IV, V and VI by `method` (labels kept, each
/// counted under the group of the type it was rendered at), with the test photo each shows;
/// `fitzpatrick` holds the test photos' labelled types.
fn synthetic_test_set(
    options: &AblationOptions,
    test: &LabelledImages,
    fitzpatrick: &[Option<u8>],
    method: SynthesisMethod,
) -> Result<(LabelledImages, Vec<usize>), String> {
    let synthesis = Synthesis {
        per_photo: RENDERINGS_PER_TEST_PHOTO,
        method,
        models: options.models.clone(),
    };
    let made = synthesize(&synthesis, &test.resized, &test.labels, fitzpatrick)?;
    let images = LabelledImages {
        tone_groups: made
            .tones
            .iter()
            .map(|&t| vec![TONE_GROUPS[t].to_string()])
            .collect(),
        resized: made.images,
        labels: made.labels,
        estimated_tone_groups: Vec::new(),
    };
    Ok((images, made.sources))
}

/// One run on every set: its per-group figures and its malignant scores per set.
fn measure_run(
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

/// Reads one figure from a group's [`ToneEval`].
type ReadFigure = fn(&ToneEval) -> Option<f64>;

/// The figures averaged per arm.
const SUMMARISED: [(&str, ReadFigure); 3] = [
    ("malignant_auroc", |t| t.malignant_auroc),
    ("malignant_sensitivity", |t| t.malignant_sensitivity),
    ("ece", |t| Some(t.ece)),
];

fn summarise_arms(reports: &[RunReport]) -> Vec<ArmSummary> {
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
fn paired_rows(
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

fn choose(
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
