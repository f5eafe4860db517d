//! `dermtone train tone`: the learned skin-tone estimator, trained, compared with the ITA rule,
//! exported and summarised.

use std::path::{Path, PathBuf};

use dermtone_train::fit::checkpoint::{Checkpoint, recipe};
use dermtone_train::tone::estimator::{ToneTrainOptions, train_tone_estimator};
use dermtone_train::tone::export::export_tone_estimator;

use super::args::check_shape;
use super::progress::{progress_bar, show};
use crate::command_line::command_line;

/// The options of `dermtone train tone`; clap takes the help text above them from
/// the variant's doc in [`super::TrainTask`].
#[derive(clap::Args)]
pub struct ToneArgs {
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
    /// Keep an exponential moving average of the weights with this decay (e.g. 0.999) and
    /// select the average on val instead of the last step's weights.
    #[arg(long)]
    ema: Option<f64>,
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
}

/// Checks the options, trains, exports into `--out` and prints the summary.
pub fn run(args: ToneArgs) -> Result<(), String> {
    let ToneArgs {
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
        ema,
        checkpoint,
        resume,
        limit,
    } = args;
    check_shape(epochs, batch_size, size, width)?;
    if !(0.0..=3.0).contains(&sigma) {
        return Err("--sigma must be between 0 and 3".into());
    }
    if ema.is_some_and(|d| !(0.0..1.0).contains(&d)) {
        return Err("--ema must be in [0, 1)".into());
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
        weight_average: ema,
    };
    let checkpoint_dir = checkpoint.unwrap_or_else(|| Path::new("checkpoints").join(&id));
    tone(&options, &checkpoint_dir, resume, &id, &out)
}

fn tone(
    options: &ToneTrainOptions,
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
    let report = train_tone_estimator(options, Some(checkpoint), &mut |event| {
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
