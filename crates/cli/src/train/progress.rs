//! The progress bar training shows, and how each training event appears on it.

use dermtone_train::TrainEvent;
use indicatif::{ProgressBar, ProgressStyle};

/// What the photo model's training selects on, as the progress bar names it.
pub(super) const CLINICAL_SCORE: &str = "val score (malignant AUROC, overall and worst tone group)";

/// The bar every training subcommand shows, one epoch long at a time.
pub(super) fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar
}

/// Shows one training event; `score_name` says what the selection score measures.
pub(super) fn show(bar: &ProgressBar, event: TrainEvent, score_name: &str) {
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
