//! `dermtone train dermoscopy`: the dermoscopy classifier on HAM10000, trained, exported and
//! summarised.

use std::path::{Path, PathBuf};

use dermtone_train::dermoscopy::export::export_dermoscopy;
use dermtone_train::fit::backend::TrainBackend;
use dermtone_train::fit::checkpoint::{Checkpoint, recipe};
use dermtone_train::fit::sampling::Sampling;
use dermtone_train::{NetKind, TrainOptions, train_dermoscopy};

use super::args::{Regularisers, check_shape};
use super::progress::{progress_bar, show};
use crate::command_line::command_line;

/// The options of `dermtone train dermoscopy`; clap takes the help text above them from
/// the variant's doc in [`super::TrainTask`].
#[derive(clap::Args)]
pub struct DermoscopyArgs {
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
    /// Each mobile block's hidden layer is this many times the block's input (2–8;
    /// MobileNetV2 uses 6). With --continue-from a wider network than the shipped one starts
    /// from it widened without changing what it computes.
    #[arg(long, default_value_t = dermtone_net::mobile::DEFAULT_EXPANSION)]
    expansion: usize,
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
    /// Start from the dermoscopy model shipped in this models folder (weights and input
    /// normalisation) instead of random weights: a warm restart with another recipe. The
    /// network's --arch and --width must be the shipped model's; its --expansion may be larger
    /// (the shipped network widened) and its --size another (a convolutional body reads any).
    #[arg(long)]
    continue_from: Option<PathBuf>,
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
}

/// Checks the options, trains, exports into `--out` and prints the summary.
pub fn run(args: DermoscopyArgs) -> Result<(), String> {
    let DermoscopyArgs {
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
        arch,
        sampling,
        label_smoothing,
        patience,
        tone_augment,
        continue_from,
        checkpoint,
        resume,
        limit,
        regularise,
    } = args;
    check_shape(epochs, batch_size, size, width)?;
    regularise.check()?;
    if arch == NetKind::Mobile && width % 8 != 0 {
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
    let options = TrainOptions {
        data,
        seed,
        epochs,
        batch_size,
        learning_rate: lr,
        input_size: size,
        base_width: width,
        expansion,
        kind: arch,
        backend,
        sampling,
        label_smoothing,
        patience: Some(patience.max(1)),
        tone_augment,
        limit,
        weight_average: regularise.ema,
        mixup: regularise.mixup,
        continue_from,
    };
    let checkpoint_dir = checkpoint.unwrap_or_else(|| Path::new("checkpoints").join(&id));
    dermoscopy(&options, &checkpoint_dir, resume, &id, &out)
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
