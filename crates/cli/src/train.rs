//! `dermtone train ...`: option parsing and a progress bar around the train crate.

use std::path::PathBuf;

use clap::Subcommand;
use dermtone_train::export::export_classifier;
use dermtone_train::{TrainEvent, TrainOptions, train_dermoscopy};
use indicatif::{ProgressBar, ProgressStyle};

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
        #[arg(long, default_value = "dermoscopy-v1")]
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
        #[arg(long, default_value_t = 96)]
        size: u32,
        /// Channels of the first conv block.
        #[arg(long, default_value_t = 24)]
        width: usize,
        /// Use at most this many images per split (quick smoke runs).
        #[arg(long)]
        limit: Option<usize>,
    },
}

pub fn run(task: TrainTask) -> Result<(), String> {
    let TrainTask::Dermoscopy {
        data,
        out,
        id,
        seed,
        epochs,
        batch_size,
        lr,
        size,
        width,
        limit,
    } = task;
    if batch_size == 0 || epochs == 0 || size < 16 || width == 0 {
        return Err(
            "--epochs, --batch-size and --width must be positive and --size at least 16".into(),
        );
    }
    let options = TrainOptions {
        data,
        seed,
        epochs,
        batch_size,
        learning_rate: lr,
        input_size: size,
        base_width: width,
        limit,
    };
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    let report = train_dermoscopy(&options, &mut |event| {
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
                best,
            } => {
                let line = format!(
                    "epoch {epoch}: train loss {train_loss:.4}, val accuracy {:.3}, val balanced accuracy {:.3}{}",
                    val.accuracy,
                    val.balanced_accuracy,
                    if best { "  (best so far)" } else { "" }
                );
                // A hidden bar (output not a terminal, e.g. a background run) drops println: log plainly.
                if bar.is_hidden() {
                    eprintln!("{line}")
                } else {
                    bar.println(line)
                }
            }
        }
    })?;
    bar.finish_and_clear();
    let summary = export_classifier(&report, &options, &id, &command, &out)?;
    println!(
        "selected epoch {} (val balanced accuracy {:.3}); wrote {}/{} ({} bytes int8, {} bytes f32)",
        report.best_epoch,
        report.val.balanced_accuracy,
        out.display(),
        summary.weights_file,
        summary.int8_bytes,
        summary.f32_bytes
    );
    println!(
        "test (int8): accuracy {:.3}, balanced accuracy {:.3}; test (f32): accuracy {:.3}, balanced accuracy {:.3}",
        summary.test_int8.accuracy,
        summary.test_int8.balanced_accuracy,
        summary.test_f32.accuracy,
        summary.test_f32.balanced_accuracy
    );
    Ok(())
}
