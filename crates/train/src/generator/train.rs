//! `dermtone train generator`: reads the photos, runs the two stages of
//! [`crate::generator::stages`] with a checkpoint file per stage (a finished stage with the same
//! recipe is reused, not retrained), and reports both stages' val figures.

use std::path::{Path, PathBuf};

use dermtone_net::GeneratorConfig;
use serde::{Deserialize, Serialize};

use crate::fit::checkpoint::recipe;
use crate::generator::data::{Retoning, SourceOptions, ToneSource, load_sources};
use crate::generator::diagnosers::{Diagnoser, Diagnosers};
use crate::generator::discriminator::TYPES;
use crate::generator::refine::{RefineWeights, train_refined, type_target_itas};
use crate::generator::stages::{GeneratorEvent, StageOptions, StageResult, val_pairs};
use crate::generator::supervised::train_supervised;

/// Target ITA° of the fixed val pairs: light to very dark.
const VAL_TARGETS: [f32; 5] = [55.0, 30.0, 5.0, -20.0, -45.0];

/// Everything `dermtone train generator` can set.
#[derive(Debug, Clone, Serialize)]
pub struct GeneratorTrainOptions {
    /// HAM10000 folder (dermoscopy with lesion masks), if used.
    pub ham10000: Option<PathBuf>,
    /// Fitzpatrick17k subset folder (clinical photos with labelled types).
    pub fitzpatrick17k: PathBuf,
    /// Models folder holding the photo classifier whose predictions stage 2 keeps.
    pub models: PathBuf,
    /// Side of the square working size (the size the generator renders at).
    pub size: u32,
    /// Channels of the generator's first level (a multiple of 4).
    pub base_width: usize,
    /// Hidden units of the condition network.
    pub condition_width: usize,
    /// Whether the network's fourth output scales the photo ([`GeneratorConfig::gain`]).
    pub gain: bool,
    /// How the paired targets (stage 1's, the val pairs', stage 2's anchor) are made.
    pub retoning: Retoning,
    /// Stage 1 (supervised) options.
    pub supervised: StageOptions,
    /// Stage 2 (refinement) options; 0 steps skips the stage.
    pub refine: StageOptions,
    /// Stage 2's loss weights.
    pub weights: RefineWeights,
    /// At most this many HAM10000 training photos (it has 7,000; dermoscopy is one of two looks).
    pub ham_limit: Option<usize>,
    /// At most this many val photos per dataset (val pairs are 5 targets each).
    pub val_limit: usize,
    /// At most this many photos per split and dataset (smoke runs).
    pub limit: Option<usize>,
}

impl GeneratorTrainOptions {
    /// The network shape these options train.
    pub fn config(&self) -> GeneratorConfig {
        GeneratorConfig::new()
            .with_base_width(self.base_width)
            .with_condition_width(self.condition_width)
            .with_gain(self.gain)
    }
}

/// What a finished stage reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageSummary {
    /// Step selected on val.
    pub step: usize,
    /// Its val L1 to the biophysical re-toning.
    pub val_l1: f32,
    /// The options it ran with, as text (a saved stage is reused only with the same recipe).
    pub recipe: String,
}

/// The outcome of a training run.
pub struct GeneratorReport {
    /// Stage 1.
    pub supervised: StageSummary,
    /// Stage 1's f32 record.
    pub supervised_record: Vec<u8>,
    /// Stage 2, when it ran.
    pub refined: Option<(StageSummary, Vec<u8>)>,
    /// Target ITA° per Fitzpatrick type (matched by rank to the labelled train photos).
    pub type_itas: [f32; TYPES],
    /// Training photos used: (HAM10000, Fitzpatrick17k).
    pub train_photos: (usize, usize),
    /// Val pairs each stage was scored on.
    pub val_pairs: usize,
    /// Ids of the models whose outputs stage 2 was trained against (its diagnosis and
    /// tone-estimator terms): their figures in the validation are not independent evidence.
    pub trained_against: Vec<String>,
}

/// Progress shown by the CLI: loading, then the stages' events.
pub enum GeneratorProgress {
    /// Photos are being read and measured.
    Loading(&'static str),
    /// A stage was found finished in the checkpoint folder and is reused.
    Reused { stage: u8, step: usize, val_l1: f32 },
    /// A training event.
    Train(GeneratorEvent),
}

/// Trains (or reuses from `checkpoint_dir`) both stages.
pub fn train_generator(
    options: &GeneratorTrainOptions,
    checkpoint_dir: &Path,
    on_event: &mut dyn FnMut(GeneratorProgress),
) -> Result<GeneratorReport, String> {
    check(options)?;
    on_event(GeneratorProgress::Loading("training photos"));
    let source = |dataset: Option<&Path>, fitz: Option<&Path>, split, limit| {
        load_sources(&SourceOptions {
            ham10000: dataset,
            fitzpatrick17k: fitz,
            split,
            size: options.size,
            limit,
        })
    };
    let limit = |cap: Option<usize>| match (cap, options.limit) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let ham = options.ham10000.as_deref();
    let fitz = Some(options.fitzpatrick17k.as_path());
    let ham_train = match ham {
        Some(dir) => source(Some(dir), None, "train", limit(options.ham_limit))?,
        None => Vec::new(),
    };
    let fitz_train = source(None, fitz, "train", options.limit)?;
    on_event(GeneratorProgress::Loading("val photos"));
    let mut val_sources = source(None, fitz, "val", Some(options.val_limit))?;
    if let Some(dir) = ham {
        val_sources.extend(source(Some(dir), None, "val", Some(options.val_limit))?);
    }
    let val = val_pairs(&val_sources, &VAL_TARGETS, options.retoning)?;
    let type_itas = type_target_itas(&fitz_train)?;
    let train: Vec<ToneSource> = ham_train.iter().chain(&fitz_train).cloned().collect();
    std::fs::create_dir_all(checkpoint_dir)
        .map_err(|e| format!("cannot create {}: {e}", checkpoint_dir.display()))?;

    let config = options.config();
    let mut supervised_recipe = recipe(&(
        &options.ham10000,
        &options.fitzpatrick17k,
        options.size,
        options.base_width,
        options.condition_width,
        &options.supervised,
        options.ham_limit,
        options.val_limit,
        options.limit,
    ));
    if options.gain {
        // Appended only when set, so a stage saved before the gain existed is still reused.
        supervised_recipe.push_str(" gain");
    }
    if let Some(radius) = options.retoning.keep_skin_variation {
        // Likewise: only when set, so saved stages of the plain re-toning are still reused.
        supervised_recipe.push_str(&format!(" keep-skin-variation {radius}"));
    }
    let supervised = run_stage(
        checkpoint_dir,
        "supervised",
        &supervised_recipe,
        1,
        on_event,
        |e| {
            train_supervised(
                &config,
                &train,
                &val,
                options.retoning,
                &options.supervised,
                e,
            )
        },
    )?;
    let mut trained_against = Vec::new();
    let refined = if options.refine.steps > 0 {
        let refine_recipe = recipe(&(
            &supervised_recipe,
            &options.refine,
            &options.weights,
            &options.models,
        ));
        let (entry, classifier_record) = photo_classifier(&options.models)?;
        let dermoscopy = (options.weights.dermoscopy_diagnosis > 0.0)
            .then(|| dermoscopy_classifier(&options.models))
            .transpose()?;
        let tone = (options.weights.tone_estimator > 0.0)
            .then(|| tone_estimator(&options.models))
            .transpose()?;
        let weighted = [
            (options.weights.diagnosis, Some(&entry)),
            (
                options.weights.dermoscopy_diagnosis,
                dermoscopy.as_ref().map(|d| &d.0),
            ),
            (options.weights.tone_estimator, tone.as_ref().map(|t| &t.0)),
        ];
        trained_against = weighted
            .into_iter()
            .filter_map(|(weight, entry)| entry.filter(|_| weight > 0.0))
            .map(|entry| entry.id.clone())
            .collect();
        let diagnosers = Diagnosers {
            photo: Diagnoser {
                record: &classifier_record,
                config: entry.architecture.config(),
                input: &entry.input,
            },
            dermoscopy: dermoscopy.as_ref().map(|(entry, record)| Diagnoser {
                record,
                config: entry.architecture.config(),
                input: &entry.input,
            }),
            tone: tone.as_ref().map(|(entry, record)| Diagnoser {
                record,
                config: entry.architecture.config(),
                input: &entry.input,
            }),
        };
        Some(run_stage(
            checkpoint_dir,
            "refined",
            &refine_recipe,
            2,
            on_event,
            |e| {
                train_refined(
                    &config,
                    &supervised.1,
                    &train,
                    &fitz_train,
                    &type_itas,
                    &val,
                    &diagnosers,
                    &options.weights,
                    options.retoning,
                    &options.refine,
                    e,
                )
            },
        )?)
    } else {
        None
    };
    Ok(GeneratorReport {
        supervised: supervised.0,
        supervised_record: supervised.1,
        refined,
        type_itas,
        train_photos: (ham_train.len(), fitz_train.len()),
        val_pairs: val.len(),
        trained_against,
    })
}

fn check(options: &GeneratorTrainOptions) -> Result<(), String> {
    if options.base_width == 0 || !options.base_width.is_multiple_of(4) {
        return Err("the generator's width must be a positive multiple of 4".into());
    }
    let sides = [options.size, options.supervised.crop, options.refine.crop];
    if sides.iter().any(|side| !side.is_multiple_of(16)) {
        return Err("the working size and crops must be multiples of 16".into());
    }
    if options.supervised.crop > options.size || options.refine.crop > options.size {
        return Err("crops cannot be larger than the working size".into());
    }
    for stage in [&options.supervised, &options.refine] {
        if stage.batch_size == 0 || stage.eval_every == 0 {
            return Err("batch size and eval interval must be at least 1".into());
        }
    }
    if options.supervised.steps == 0 {
        return Err("stage 1 needs at least one step".into());
    }
    let optional = [
        options.weights.ita,
        options.weights.edge_band,
        options.weights.dermoscopy_diagnosis,
        options.weights.skin_detail,
        options.weights.tone_estimator,
    ];
    if optional.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
        return Err(
            "the ITA, edge-band, dermoscopy diagnosis, skin-detail and tone-estimator weights \
             must be finite and not negative"
                .into(),
        );
    }
    if !(1..=TYPES).contains(&options.weights.tone_estimator_from_type) {
        return Err("the tone-estimator term's lightest type must be 1 to 6".into());
    }
    if options.weights.dermoscopy_diagnosis > 0.0 && options.ham10000.is_none() {
        return Err("the dermoscopy diagnosis term needs HAM10000's photos (--ham10000)".into());
    }
    if options.weights.edge_band > 0.0 && options.refine.crop < 32 {
        return Err("the edge-band term needs stage 2 crops of at least 32 px".into());
    }
    Ok(())
}

/// Runs one stage, or reuses its saved record when the recipe matches.
fn run_stage(
    dir: &Path,
    name: &str,
    recipe: &str,
    stage: u8,
    on_event: &mut dyn FnMut(GeneratorProgress),
    train: impl FnOnce(&mut dyn FnMut(GeneratorEvent)) -> Result<StageResult, String>,
) -> Result<(StageSummary, Vec<u8>), String> {
    let record_path = dir.join(format!("{name}.bpk"));
    let summary_path = dir.join(format!("{name}.json"));
    if let (Ok(record), Ok(text)) = (
        std::fs::read(&record_path),
        std::fs::read_to_string(&summary_path),
    ) && let Ok(summary) = serde_json::from_str::<StageSummary>(&text)
        && summary.recipe == recipe
    {
        on_event(GeneratorProgress::Reused {
            stage,
            step: summary.step,
            val_l1: summary.val_l1,
        });
        return Ok((summary, record));
    }
    let result = train(&mut |e| on_event(GeneratorProgress::Train(e)))?;
    let summary = StageSummary {
        step: result.step,
        val_l1: result.val_l1,
        recipe: recipe.to_string(),
    };
    let write = |path: &Path, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(&record_path, &result.record)?;
    let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    write(&summary_path, text.as_bytes())?;
    Ok((summary, result.record))
}

/// The shipped photo classifier's manifest entry and f32 record.
fn photo_classifier(models: &Path) -> Result<(dermtone_engine::ModelEntry, Vec<u8>), String> {
    let (entry, _) = crate::clinical::eval::load_shipped_photo(models)?;
    f32_record(models, entry)
}

/// The dermoscopy classifier in `models`, as an f32 record with its manifest entry.
fn dermoscopy_classifier(models: &Path) -> Result<(dermtone_engine::ModelEntry, Vec<u8>), String> {
    let (entry, _) = crate::dermoscopy::eval::load_shipped(models)?;
    f32_record(models, entry)
}

/// The tone estimator in `models`, as an f32 record with its manifest entry.
fn tone_estimator(models: &Path) -> Result<(dermtone_engine::ModelEntry, Vec<u8>), String> {
    let codes = ["1", "2", "3", "4", "5", "6"];
    let (entry, _) =
        crate::dermoscopy::eval::load_shipped_task(models, "tone", &codes, "types 1–6")?;
    f32_record(models, entry)
}

/// The int8 weights `entry` names in `models`, dequantised to an f32 record.
fn f32_record(
    models: &Path,
    entry: dermtone_engine::ModelEntry,
) -> Result<(dermtone_engine::ModelEntry, Vec<u8>), String> {
    let path = models.join(&entry.file);
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let record = dermtone_net::int8::dequantize(&bytes).map_err(|e| e.to_string())?;
    Ok((entry, record))
}
