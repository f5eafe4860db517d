//! `dermtone train clinical`: the photo classifier on the Fitzpatrick17k subset, trained (or
//! fine-tuned with `--add`), exported and summarised.

use std::path::{Path, PathBuf};

use dermtone_train::NetKind;
use dermtone_train::clinical::cross_fit::Fold;
use dermtone_train::clinical::dark_synthesis::{Synthesis, SynthesisMethod};
use dermtone_train::clinical::distillation::Distillation;
use dermtone_train::clinical::export::export_clinical;
use dermtone_train::clinical::new_photos::AddPhotos;
use dermtone_train::clinical::shared_body::SharedBody;
use dermtone_train::clinical::tone_head::ToneHead;
use dermtone_train::clinical::train::{ClinicalTrainOptions, train_clinical};
use dermtone_train::fit::backend::TrainBackend;
use dermtone_train::fit::checkpoint::{Checkpoint, recipe};

use super::args::{Regularisers, check_shape};
use super::progress::{CLINICAL_SCORE, progress_bar, show};
use crate::command_line::command_line;

/// Input side and first-block width of a fresh photo model.
const DEFAULT_SIZE: u32 = 64;
const DEFAULT_WIDTH: usize = 16;

/// The input side, width and expansion of the photo model shipped in `models`, which `--add`
/// fine-tunes and `--continue-from` goes on from.
fn shipped_shape(models: &Path) -> Result<(u32, usize, usize), String> {
    let path = models.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let manifest = dermtone_engine::Manifest::from_json(&text).map_err(|e| e.to_string())?;
    let entry = manifest
        .model_for("photo")
        .map_err(|e| format!("{}: {e}", models.display()))?;
    Ok((
        entry.input.size,
        entry.architecture.base_width,
        entry.architecture.expansion,
    ))
}

/// The options of `dermtone train clinical`; clap takes the help text above them from
/// the variant's doc in [`super::TrainTask`].
#[derive(clap::Args)]
pub struct ClinicalArgs {
    /// Fitzpatrick17k subset folder (labels.csv + images/).
    #[arg(long)]
    data: PathBuf,
    /// Where the weights, cards and manifest go.
    #[arg(long, default_value = "models")]
    out: PathBuf,
    /// Model id (file stem of weights and cards).
    #[arg(long, default_value = "clinical-v2")]
    id: String,
    /// Seed for initialisation, shuffling and augmentation.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Passes over the training split (at most; see --patience).
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Images per optimiser step.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Peak learning rate of the cosine schedule (AdamW).
    #[arg(long, default_value_t = 3e-3)]
    lr: f64,
    /// Side of the square network input in pixels (default 64; with --add, the shipped
    /// model's).
    #[arg(long)]
    size: Option<u32>,
    /// Channels of the first block, a multiple of 8 (default 16; with --add, the shipped
    /// model's).
    #[arg(long)]
    width: Option<usize>,
    /// How many times its input each block's hidden layer is, 2 to 8 (default 4; with --add,
    /// the shipped model's): more capacity without widening the blocks' inputs and outputs.
    #[arg(long)]
    expansion: Option<usize>,
    /// Where the network trains: `cpu` or `wgpu` (a GPU where one is present).
    #[arg(long, default_value = "cpu")]
    backend: TrainBackend,
    /// Label smoothing of the targets.
    #[arg(long, default_value_t = 0.1)]
    label_smoothing: f32,
    /// Stop after this many epochs without a better val score (the default lets the whole
    /// schedule run: the val score, driven by the small V-VI group, is noisy).
    #[arg(long, default_value_t = 30)]
    patience: usize,
    /// Balance sampling over condition group × Fitzpatrick group, not condition alone.
    #[arg(long)]
    tone_balanced: bool,
    /// Share of training draws re-toned to a random skin tone by the melanin model (0 = off).
    #[arg(long, default_value_t = 0.0)]
    tone_augment: f64,
    /// Step size of a group-robust (group DRO) loss over Fitzpatrick groups (0 = off).
    #[arg(long, default_value_t = 0.0)]
    group_robust: f32,
    /// Start from the body of the dermoscopy model shipped in this folder (a fresh head)
    /// instead of random weights.
    #[arg(long)]
    init_from: Option<PathBuf>,
    /// Start from the whole photo model shipped in this folder (body, head and input
    /// normalisation) on a new cosine schedule: a warm restart that lets a model's training
    /// go on in a later, session-sized run. Its size and width are the defaults.
    #[arg(long, conflicts_with_all = ["init_from", "add"])]
    continue_from: Option<PathBuf>,
    /// Train HAM10000's dermoscopy (this folder's train split) beside the photos on one body,
    /// through a dermoscopy head of its own; the photo model alone is selected and exported.
    #[arg(long, conflicts_with = "add")]
    shared_with_dermoscopy: Option<PathBuf>,
    /// With --shared-with-dermoscopy: dermoscopy images in each batch, beside its photos.
    #[arg(long, default_value_t = 32, requires = "shared_with_dermoscopy")]
    shared_per_batch: usize,
    /// With --shared-with-dermoscopy: weight of the dermoscopy loss beside the photo loss.
    #[arg(long, default_value_t = 0.5, requires = "shared_with_dermoscopy")]
    shared_weight: f32,
    /// Train a head for the labelled Fitzpatrick type beside the condition head, on the same
    /// body and training photos, with this loss weight; the condition model alone is selected
    /// and exported.
    #[arg(long, conflicts_with_all = ["add", "shared_with_dermoscopy"])]
    tone_head_weight: Option<f32>,
    /// With --tone-head-weight: labelled photos in each batch for the tone head.
    #[arg(long, default_value_t = 32, requires = "tone_head_weight")]
    tone_head_per_batch: usize,
    /// Distil from this trained photo model (a folder with its manifest, e.g. a run's out/);
    /// repeat it for an ensemble, whose calibrated probabilities are averaged. Each training
    /// photo's target mixes its label with the teachers' probabilities on it.
    #[arg(long, conflicts_with = "add")]
    distil_from: Vec<PathBuf>,
    /// With --distil-from: share of each target that is the teachers', in (0, 1].
    #[arg(long, default_value_t = 0.5, requires = "distil_from")]
    distil_weight: f32,
    /// Train without fold K of N of the train split (`K/N`, e.g. `1/4`; folds keep
    /// near-duplicate photos together): a cross-fitted teacher for --distil-from, which then
    /// teaches only the photos of that fold. Not a model to ship: it saw fewer photos.
    #[arg(long, conflicts_with = "add")]
    hold_out_fold: Option<Fold>,
    /// Add this many synthetic renderings at Fitzpatrick IV–VI of each real training photo
    /// of type I–III (train split only; counted as synthetic in the card). 0 = none.
    #[arg(long, default_value_t = 0)]
    synthetic: usize,
    /// How the synthetic renderings are made: the tone `generator`, or biophysical
    /// `retoning` (the cheaper baseline).
    #[arg(long, value_enum, default_value_t = SyntheticMethodArg::Generator)]
    synthetic_method: SyntheticMethodArg,
    /// Folder whose manifest names the generator (and the target tones) for --synthetic.
    #[arg(long, default_value = "models")]
    synthetic_from: PathBuf,
    /// Fine-tune the photo model shipped in --out with the newly labelled real photos in
    /// this folder, on top of --data's train split: either labels.csv + images/ (as the
    /// Fitzpatrick17k subset; every row is used) or a folder per condition (named as the
    /// Fitzpatrick17k labels, e.g. melanoma/) with a tones.csv of `file,fitzpatrick` rows
    /// (e.g. `melanoma/IMG_1.jpg,5`; -1 when unknown). It replaces the shipped model only
    /// if no Fitzpatrick group's malignant AUROC or sensitivity on --data's test split falls
    /// below the shipped model's 95% interval.
    #[arg(long)]
    add: Option<PathBuf>,
    /// With --add: replace the shipped model even if a group got worse.
    #[arg(long, requires = "add")]
    force: bool,
    /// Folder for per-epoch checkpoints (default `checkpoints/<id>`).
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint folder instead of starting afresh. When training had
    /// finished, this only re-exports the best epoch.
    #[arg(long)]
    resume: bool,
    /// Use at most this many images per split (quick smoke runs; with --add, the test split
    /// that decides is always whole).
    #[arg(long)]
    limit: Option<usize>,
    #[command(flatten)]
    regularise: Regularisers,
}

/// Checks the options, then trains and exports into `--out`, or fine-tunes with `--add`.
pub fn run(args: ClinicalArgs) -> Result<(), String> {
    let ClinicalArgs {
        data,
        out,
        id,
        seed,
        epochs,
        batch_size,
        lr,
        size,
        width,
        expansion,
        backend,
        label_smoothing,
        patience,
        tone_balanced,
        tone_augment,
        group_robust,
        init_from,
        continue_from,
        shared_with_dermoscopy,
        shared_per_batch,
        shared_weight,
        distil_from,
        distil_weight,
        tone_head_weight,
        tone_head_per_batch,
        hold_out_fold,
        synthetic,
        synthetic_method,
        synthetic_from,
        add,
        force,
        checkpoint,
        resume,
        limit,
        regularise,
    } = args;
    // --add fine-tunes the model in --out; --continue-from goes on from the one it names.
    let starting = continue_from.as_ref().or(add.as_ref().map(|_| &out));
    let (size, width, expansion) = match starting {
        Some(models) if size.is_none() || width.is_none() || expansion.is_none() => {
            let (shipped_size, shipped_width, shipped_expansion) = shipped_shape(models)?;
            (
                size.unwrap_or(shipped_size),
                width.unwrap_or(shipped_width),
                expansion.unwrap_or(shipped_expansion),
            )
        }
        _ => (
            size.unwrap_or(DEFAULT_SIZE),
            width.unwrap_or(DEFAULT_WIDTH),
            expansion.unwrap_or(dermtone_net::mobile::DEFAULT_EXPANSION),
        ),
    };
    check_shape(epochs, batch_size, size, width)?;
    regularise.check()?;
    if width % 8 != 0 {
        return Err("--width must be a multiple of 8 for the mobile network".into());
    }
    if !(2..=8).contains(&expansion) {
        return Err("--expansion must be between 2 and 8".into());
    }
    if !(0.0..0.5).contains(&label_smoothing) {
        return Err("--label-smoothing must be in [0, 0.5)".into());
    }
    if !(0.0..=1.0).contains(&tone_augment) {
        return Err("--tone-augment must be between 0 and 1".into());
    }
    if !(0.0..=1.0).contains(&group_robust) {
        return Err("--group-robust must be between 0 and 1".into());
    }
    if shared_per_batch == 0 || !(shared_weight > 0.0 && shared_weight <= 10.0) {
        return Err("--shared-per-batch must be at least 1 and --shared-weight in (0, 10]".into());
    }
    if tone_head_per_batch == 0 || tone_head_weight.is_some_and(|w| !(w > 0.0 && w <= 10.0)) {
        return Err(
            "--tone-head-per-batch must be at least 1 and --tone-head-weight in (0, 10]".into(),
        );
    }
    if !(distil_weight > 0.0 && distil_weight <= 1.0) {
        return Err("--distil-weight must be in (0, 1]".into());
    }
    let distillation = match distil_from.is_empty() {
        true => None,
        false => Some(Distillation::new(distil_from, distil_weight)?),
    };
    let options = ClinicalTrainOptions {
        data,
        seed,
        epochs,
        batch_size,
        learning_rate: lr,
        input_size: size,
        base_width: width,
        expansion,
        kind: NetKind::Mobile,
        backend,
        label_smoothing,
        patience: Some(patience.max(1)),
        tone_balanced,
        tone_augment,
        group_robust,
        init_from,
        continue_from,
        limit,
        synthesis: (synthetic > 0).then(|| Synthesis {
            per_photo: synthetic,
            method: synthetic_method.into(),
            models: synthetic_from,
        }),
        add: add.map(|new_photos| AddPhotos {
            new_photos,
            shipped: out.clone(),
        }),
        weight_average: regularise.ema,
        mixup: regularise.mixup,
        shared_body: shared_with_dermoscopy.map(|dermoscopy| SharedBody {
            dermoscopy,
            per_batch: shared_per_batch,
            weight: shared_weight,
        }),
        distillation,
        tone_head: tone_head_weight.map(|weight| ToneHead {
            per_batch: tone_head_per_batch,
            weight,
        }),
        held_out_fold: hold_out_fold,
    };
    let checkpoint_dir = checkpoint.unwrap_or_else(|| Path::new("checkpoints").join(&id));
    if options.add.is_some() {
        super::add::run(&options, &checkpoint_dir, resume, &id, &out, force)
    } else {
        clinical(&options, &checkpoint_dir, resume, &id, &out)
    }
}

fn clinical(
    options: &ClinicalTrainOptions,
    checkpoint_dir: &Path,
    resume: bool,
    id: &str,
    out: &Path,
) -> Result<(), String> {
    let bar = progress_bar();
    let checkpoint = Checkpoint {
        dir: checkpoint_dir,
        resume,
        recipe: recipe(options),
    };
    let report = train_clinical(options, Some(checkpoint), &mut |event| {
        show(&bar, event, CLINICAL_SCORE)
    })?;
    bar.finish_and_clear();
    let summary = export_clinical(&report, options, id, &command_line(), out)?;
    println!(
        "trained on {} real and {} synthetic photos (stamped files or --synthetic renderings; per tone group in the card)",
        report.train_by_tone.iter().sum::<usize>(),
        report.train_synthetic_by_tone.iter().sum::<usize>()
    );
    println!(
        "selected epoch {} (val score {:.3}); wrote {}/{} ({} bytes int8)",
        report.best_epoch,
        report.val_score,
        out.display(),
        summary.weights_file,
        summary.int8_bytes,
    );
    let figure = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.3}"));
    for (split, r) in [("val", &summary.val), ("test", &summary.test)] {
        println!(
            "{split} (int8, calibrated): accuracy {:.3}, malignant AUROC {}, sensitivity {}, \
             specificity {} at threshold {:.3}, ECE {:.3}",
            r.accuracy,
            figure(r.malignant.auroc),
            figure(r.malignant.sensitivity),
            figure(r.malignant.specificity),
            r.malignant.threshold,
            r.ece
        );
        for group in dermtone_train::clinical::tone_groups::TONE_GROUPS {
            if let Some(t) = r.by_tone.get(group) {
                println!(
                    "  {split} {group:<7} n {:>4}  malignant AUROC {}  sensitivity {}  \
                     specificity {}  ECE {:.3}",
                    t.n,
                    figure(t.malignant_auroc),
                    figure(t.malignant_sensitivity),
                    figure(t.malignant_specificity),
                    t.ece
                );
            }
        }
    }
    println!(
        "full figures: dermtone eval --data {} --models {}",
        options.data.display(),
        out.display()
    );
    Ok(())
}

/// `--synthetic-method` on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SyntheticMethodArg {
    /// The tone generator.
    Generator,
    /// Biophysical (melanin) re-toning.
    Retoning,
}

impl From<SyntheticMethodArg> for SynthesisMethod {
    fn from(arg: SyntheticMethodArg) -> Self {
        match arg {
            SyntheticMethodArg::Generator => SynthesisMethod::Generator,
            SyntheticMethodArg::Retoning => SynthesisMethod::Retoning,
        }
    }
}
