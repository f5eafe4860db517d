//! `dermtone train ...`: option parsing and a progress bar around the train crate.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use dermtone_train::clinical::dark_synthesis::{Synthesis, SynthesisMethod};
use dermtone_train::clinical::export::export_clinical;
use dermtone_train::clinical::new_photos::AddPhotos;
use dermtone_train::clinical::train::{ClinicalTrainOptions, train_clinical};
use dermtone_train::dermoscopy::export::export_dermoscopy;
use dermtone_train::fit::backend::TrainBackend;
use dermtone_train::fit::checkpoint::{Checkpoint, recipe};
use dermtone_train::fit::sampling::Sampling;
use dermtone_train::tone::estimator::{ToneTrainOptions, train_tone_estimator};
use dermtone_train::tone::export::export_tone_estimator;
use dermtone_train::{NetKind, TrainEvent, TrainOptions, train_dermoscopy};
use indicatif::{ProgressBar, ProgressStyle};

/// Regularisers both classifiers' training can add (each off by default, as the shipped
/// models were trained).
#[derive(clap::Args)]
pub struct Regularisers {
    /// Keep an exponential moving average of the weights with this decay (e.g. 0.999) and
    /// select the average on val instead of the last step's weights.
    #[arg(long)]
    ema: Option<f64>,
    /// Mixup with Beta(α, α) blends (e.g. 0.2): each batch blended with a shuffled copy of
    /// itself, images and targets alike.
    #[arg(long)]
    mixup: Option<f32>,
}

impl Regularisers {
    fn check(&self) -> Result<(), String> {
        if self.ema.is_some_and(|d| !(0.0..1.0).contains(&d)) {
            return Err("--ema must be in [0, 1)".into());
        }
        if self.mixup.is_some_and(|a| !(a > 0.0 && a <= 4.0)) {
            return Err("--mixup must be in (0, 4]".into());
        }
        Ok(())
    }
}

#[derive(Subcommand)]
pub enum TrainTask {
    /// The dermoscopy classifier on HAM10000 (train split; selected on val; reported on test).
    /// The defaults are the recipe of the shipped model.
    Dermoscopy {
        /// HAM10000 folder (split.csv + images_200x150/).
        #[arg(long)]
        data: PathBuf,
        /// Where the weights, cards and manifest go.
        #[arg(long, default_value = "models")]
        out: PathBuf,
        /// Model id (file stem of weights and cards).
        #[arg(long, default_value = "dermoscopy-v2")]
        id: String,
        /// Seed for initialisation, shuffling and augmentation.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Passes over the training split (at most; see --patience).
        #[arg(long, default_value_t = 40)]
        epochs: usize,
        /// Images per optimiser step.
        #[arg(long, default_value_t = 64)]
        batch_size: usize,
        /// Peak learning rate of the cosine schedule (AdamW).
        #[arg(long, default_value_t = 3e-3)]
        lr: f64,
        /// Side of the square network input in pixels.
        #[arg(long, default_value_t = 80)]
        size: u32,
        /// Channels of the first block (a multiple of 8 for the mobile network).
        #[arg(long, default_value_t = 16)]
        width: usize,
        /// Where the network trains: `cpu` or `wgpu` (a GPU where one is present).
        #[arg(long, default_value = "cpu")]
        backend: TrainBackend,
        /// Network body: `mobile` (inverted residuals) or `plain` (3×3 convs).
        #[arg(long, default_value = "mobile")]
        arch: NetKind,
        /// `balanced` (square-root class sampling, plain loss) or `shuffle` (every image once,
        /// square-root class weights in the loss).
        #[arg(long, default_value = "balanced")]
        sampling: Sampling,
        /// Label smoothing of the targets.
        #[arg(long, default_value_t = 0.1)]
        label_smoothing: f32,
        /// Stop after this many epochs without a better val balanced accuracy.
        #[arg(long, default_value_t = 10)]
        patience: usize,
        /// Share of training draws re-toned to a random skin tone by the melanin model (0 = off,
        /// the default until it is shown to help on real dark-skin images).
        #[arg(long, default_value_t = 0.0)]
        tone_augment: f64,
        /// Folder for per-epoch checkpoints (default `checkpoints/<id>`).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// Continue from the checkpoint folder instead of starting afresh. When training had
        /// finished, this only re-exports the best epoch.
        #[arg(long)]
        resume: bool,
        /// Use at most this many images per split (quick smoke runs).
        #[arg(long)]
        limit: Option<usize>,
        #[command(flatten)]
        regularise: Regularisers,
    },
    /// The photo (clinical) classifier on the Fitzpatrick17k subset: 12 condition groups whose
    /// malignant groups give the triage score (train split; selected on val by malignant AUROC
    /// overall and in the worst Fitzpatrick group; reported per group on test). The defaults
    /// are the recipe of the shipped model.
    Clinical {
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
        /// Side of the square network input in pixels.
        #[arg(long, default_value_t = 64)]
        size: u32,
        /// Channels of the first block (a multiple of 8).
        #[arg(long, default_value_t = 16)]
        width: usize,
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
    },
    /// The tone generator (see `train generator --help`).
    Generator(crate::train_generator::GeneratorArgs),
    /// The learned skin-tone estimator on the Fitzpatrick17k subset (labelled types; selected on
    /// val; compared with the ITA rule). It enters the manifest only if it beats ITA on val.
    Tone {
        /// Fitzpatrick17k subset folder (labels.csv + images/).
        #[arg(long)]
        data: PathBuf,
        /// Where the weights, cards and manifest go.
        #[arg(long, default_value = "models")]
        out: PathBuf,
        /// Model id (file stem of weights and cards).
        #[arg(long, default_value = "tone-v1")]
        id: String,
        /// Seed for initialisation, shuffling and augmentation.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Passes over the training split.
        #[arg(long, default_value_t = 30)]
        epochs: usize,
        /// Images per optimiser step.
        #[arg(long, default_value_t = 64)]
        batch_size: usize,
        /// Peak learning rate of the cosine schedule (AdamW).
        #[arg(long, default_value_t = 3e-3)]
        lr: f64,
        /// Side of the square network input in pixels.
        #[arg(long, default_value_t = 64)]
        size: u32,
        /// Channels of the first conv block.
        #[arg(long, default_value_t = 16)]
        width: usize,
        /// Width in types of the ordinal soft targets (0: plain one-hot cross-entropy).
        #[arg(long, default_value_t = 0.75)]
        sigma: f32,
        /// Use at most this many images per split (quick smoke runs).
        #[arg(long)]
        limit: Option<usize>,
    },
}

pub fn run(task: TrainTask) -> Result<(), String> {
    match task {
        TrainTask::Dermoscopy {
            data,
            out,
            id,
            seed,
            epochs,
            batch_size,
            lr,
            size,
            width,
            backend,
            arch,
            sampling,
            label_smoothing,
            patience,
            tone_augment,
            checkpoint,
            resume,
            limit,
            regularise,
        } => {
            check_shape(epochs, batch_size, size, width)?;
            regularise.check()?;
            if arch == NetKind::Mobile && width % 8 != 0 {
                return Err("--width must be a multiple of 8 for the mobile network".into());
            }
            if !(0.0..0.5).contains(&label_smoothing) {
                return Err("--label-smoothing must be in [0, 0.5)".into());
            }
            if !(0.0..=1.0).contains(&tone_augment) {
                return Err("--tone-augment must be between 0 and 1".into());
            }
            let options = TrainOptions {
                data,
                seed,
                epochs,
                batch_size,
                learning_rate: lr,
                input_size: size,
                base_width: width,
                kind: arch,
                backend,
                sampling,
                label_smoothing,
                patience: Some(patience.max(1)),
                tone_augment,
                limit,
                weight_average: regularise.ema,
                mixup: regularise.mixup,
            };
            let checkpoint_dir = checkpoint.unwrap_or_else(|| Path::new("checkpoints").join(&id));
            dermoscopy(&options, &checkpoint_dir, resume, &id, &out)
        }
        TrainTask::Clinical {
            data,
            out,
            id,
            seed,
            epochs,
            batch_size,
            lr,
            size,
            width,
            backend,
            label_smoothing,
            patience,
            tone_balanced,
            tone_augment,
            group_robust,
            init_from,
            synthetic,
            synthetic_method,
            synthetic_from,
            add,
            force,
            checkpoint,
            resume,
            limit,
            regularise,
        } => {
            check_shape(epochs, batch_size, size, width)?;
            regularise.check()?;
            if width % 8 != 0 {
                return Err("--width must be a multiple of 8 for the mobile network".into());
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
            let options = ClinicalTrainOptions {
                data,
                seed,
                epochs,
                batch_size,
                learning_rate: lr,
                input_size: size,
                base_width: width,
                kind: NetKind::Mobile,
                backend,
                label_smoothing,
                patience: Some(patience.max(1)),
                tone_balanced,
                tone_augment,
                group_robust,
                init_from,
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
            };
            let checkpoint_dir = checkpoint.unwrap_or_else(|| Path::new("checkpoints").join(&id));
            if options.add.is_some() {
                crate::train_add::run(&options, &checkpoint_dir, resume, &id, &out, force)
            } else {
                clinical(&options, &checkpoint_dir, resume, &id, &out)
            }
        }
        TrainTask::Generator(args) => crate::train_generator::run(args, &command_line()),
        TrainTask::Tone {
            data,
            out,
            id,
            seed,
            epochs,
            batch_size,
            lr,
            size,
            width,
            sigma,
            limit,
        } => {
            check_shape(epochs, batch_size, size, width)?;
            if !(0.0..=3.0).contains(&sigma) {
                return Err("--sigma must be between 0 and 3".into());
            }
            let options = ToneTrainOptions {
                data,
                seed,
                epochs,
                batch_size,
                learning_rate: lr,
                input_size: size,
                base_width: width,
                ordinal_sigma: sigma,
                limit,
            };
            tone(&options, &id, &out)
        }
    }
}

fn check_shape(epochs: usize, batch_size: usize, size: u32, width: usize) -> Result<(), String> {
    if batch_size == 0 || epochs == 0 || size < 16 || width == 0 {
        return Err(
            "--epochs, --batch-size and --width must be positive and --size at least 16".into(),
        );
    }
    Ok(())
}

fn dermoscopy(
    options: &TrainOptions,
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
    let report = train_dermoscopy(options, Some(checkpoint), &mut |event| {
        show(&bar, event, "val balanced accuracy")
    })?;
    bar.finish_and_clear();
    let summary = export_dermoscopy(&report, options, id, &command_line(), out)?;
    println!(
        "trained on {} images, {} of them stamped synthetic (counted apart in the card)",
        report.train_count, report.train_synthetic
    );
    println!(
        "selected epoch {} (val balanced accuracy {:.3}); wrote {}/{} ({} bytes int8, {} bytes f32)",
        report.best_epoch,
        report.val.balanced_accuracy,
        out.display(),
        summary.weights_file,
        summary.int8_bytes,
        summary.f32_bytes
    );
    let test = &summary.test;
    println!(
        "test (int8, calibrated): accuracy {:.3} (f32 {:.3}), balanced accuracy {:.3}, ECE {:.3}; \
         temperature {:.3}, malignant threshold {:.3}",
        test.accuracy,
        summary.test_accuracy_f32,
        test.balanced_accuracy,
        test.ece,
        test.temperature,
        test.malignant.threshold
    );
    println!(
        "full figures: dermtone eval --data {} --models {}",
        options.data.display(),
        out.display()
    );
    Ok(())
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

fn tone(options: &ToneTrainOptions, id: &str, out: &Path) -> Result<(), String> {
    let bar = progress_bar();
    let report = train_tone_estimator(options, &mut |event| {
        show(&bar, event, "val within-one + 0.1 exact")
    })?;
    bar.finish_and_clear();
    let summary = export_tone_estimator(&report, options, id, &command_line(), out)?;
    println!(
        "selected epoch {}; wrote {}/{} ({} bytes int8){}",
        report.best_epoch,
        out.display(),
        summary.weights_file,
        summary.int8_bytes,
        if summary.shipped {
            "; better than ITA on val, so it is in the manifest"
        } else {
            "; NOT better than ITA on val, so the manifest is unchanged"
        }
    );
    let figure = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.3}"));
    for (name, a) in [
        ("val, learned (int8)", &summary.val_int8),
        ("val, ITA rule", &summary.val_ita),
        ("test, learned (int8)", &summary.test_int8),
        ("test, learned (f32)", &summary.test_f32),
        ("test, ITA rule", &summary.test_ita),
    ] {
        println!(
            "{name}: n {}, exact {}, within one {}, Spearman {}",
            a.n,
            figure(a.exact),
            figure(a.within_one),
            figure(a.spearman)
        );
    }
    Ok(())
}

/// The command as a reader would retype it: `dermtone` and the arguments (the binary's own
/// path depends on the build folder, so it is left out).
pub fn command_line() -> String {
    std::iter::once("dermtone".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the photo model's training selects on, as the progress bar names it.
pub(crate) const CLINICAL_SCORE: &str = "val score (malignant AUROC, overall and worst tone group)";

pub(crate) fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar
}

/// Shows one training event; `score_name` says what the selection score measures.
pub(crate) fn show(bar: &ProgressBar, event: TrainEvent, score_name: &str) {
    match event {
        TrainEvent::Loading => bar.set_prefix("loading images"),
        TrainEvent::EpochStarted {
            epoch,
            epochs,
            batches,
        } => {
            bar.reset();
            bar.set_length(batches as u64);
            bar.set_prefix(format!("epoch {epoch}/{epochs}"));
        }
        TrainEvent::Batch { loss } => {
            bar.inc(1);
            bar.set_message(format!("loss {loss:.3}"));
        }
        TrainEvent::EpochFinished {
            epoch,
            train_loss,
            val,
            score,
            best,
        } => {
            let line = format!(
                "epoch {epoch}: train loss {train_loss:.4}, val accuracy {:.3}, {score_name} {score:.3}{}",
                val.accuracy,
                if best { "  (best so far)" } else { "" }
            );
            log(bar, &line);
        }
        TrainEvent::Resumed { epoch } => log(
            bar,
            &format!("resuming after epoch {epoch} from the checkpoint"),
        ),
        TrainEvent::StoppedEarly { epoch, patience } => log(
            bar,
            &format!("stopping after epoch {epoch}: no better val score for {patience} epochs"),
        ),
    }
}

/// A line above the bar; a hidden bar (output not a terminal, e.g. a background run) drops
/// println, so then the line goes to stderr plainly.
fn log(bar: &ProgressBar, line: &str) {
    if bar.is_hidden() {
        eprintln!("{line}")
    } else {
        bar.println(line)
    }
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
