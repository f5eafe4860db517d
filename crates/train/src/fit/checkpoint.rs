//! Per-epoch training checkpoints: the last epoch's weights, the best epoch's weights and a small
//! JSON state, so an interrupted run (training takes hours on two cores) can continue.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::fitted::Fitted;
use super::stream::Stream;
use crate::evaluation::metrics::ClassificationMetrics;

/// Where per-epoch checkpoints go, and whether to continue from them.
pub struct Checkpoint<'a> {
    /// Folder for `last.bpk`, `best.bpk` and `state.json`.
    pub dir: &'a Path,
    /// Continue after the last finished epoch instead of starting afresh.
    pub resume: bool,
    /// The run's options as text; resuming a checkpoint saved with other options is refused.
    pub recipe: String,
}

const LAST: &str = "last.bpk";
const BEST: &str = "best.bpk";
const STATE: &str = "state.json";
const HISTORY: &str = "history.jsonl";
const AVERAGE: &str = "average.bpk";

/// What `state.json` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    /// Last finished epoch (1-based).
    pub epoch: usize,
    /// Epoch of `best.bpk`.
    pub best_epoch: usize,
    /// Its selection score on val.
    pub best_score: f64,
    /// Its val metrics.
    pub best_val: ClassificationMetrics,
    /// The options of the run that wrote it (absent in checkpoints written before this field).
    #[serde(default)]
    pub recipe: Option<String>,
    /// Optimiser steps in `average.bpk`, for runs that keep a weight average.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_updates: Option<u64>,
    /// Where the run's random draws stand after `epoch` (absent in checkpoints written before
    /// this field: resuming those replays the finished epochs' draws instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<Stream>,
}

/// A checkpoint read back from disk.
pub struct Saved {
    /// Progress and the best epoch so far.
    pub state: State,
    /// f32 record after the last finished epoch.
    pub last: Vec<u8>,
    /// f32 record of the best epoch.
    pub best: Vec<u8>,
    /// f32 record of the weight average and its step count, for runs that keep one.
    pub average: Option<(Vec<u8>, u64)>,
}

/// Writes the checkpoint after `epoch`, its draws standing at `stream`. Each file is replaced
/// whole (written aside, then renamed) and the state goes last, so a crash never leaves a torn
/// file; at worst a resumed run repeats one epoch from slightly newer weights.
pub fn save(
    dir: &Path,
    recipe: &str,
    epoch: usize,
    last: &[u8],
    best: &Fitted,
    average: Option<(&[u8], u64)>,
    stream: Stream,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        let partial = dir.join(format!("{name}.partial"));
        std::fs::write(&partial, bytes)
            .and_then(|()| std::fs::rename(&partial, &path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(LAST, last)?;
    write(BEST, &best.record)?;
    if let Some((record, _)) = average {
        write(AVERAGE, record)?;
    }
    let state = State {
        epoch,
        best_epoch: best.epoch,
        best_score: best.score,
        best_val: best.val.clone(),
        recipe: Some(recipe.to_string()),
        average_updates: average.map(|(_, updates)| updates),
        stream: Some(stream),
    };
    let json = serde_json::to_string_pretty(&state).map_err(|e| e.to_string())?;
    write(STATE, json.as_bytes())
}

/// A run's options as checkpoint recipe text: all but the number of epochs, which may be raised
/// to train longer.
pub fn recipe(options: &impl Serialize) -> String {
    let mut value = serde_json::to_value(options).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.remove("epochs");
    }
    value.to_string()
}

/// One epoch's figures, appended to `history.jsonl` so learning curves can be drawn after a
/// run (resumed or not) without the console log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Epoch (1-based).
    pub epoch: usize,
    /// Mean training loss over the epoch's batches.
    pub train_loss: f32,
    /// Selection score on val.
    pub val_score: f64,
    /// Val accuracy.
    pub val_accuracy: f64,
    /// Val balanced accuracy.
    pub val_balanced_accuracy: f64,
}

/// Appends one line to the run's `history.jsonl`. A resumed run that repeats an epoch appends
/// it again; readers keep the last line of each epoch.
pub fn append_history(dir: &Path, record: &EpochRecord) -> Result<(), String> {
    use std::io::Write;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(HISTORY);
    let line = serde_json::to_string(record).map_err(|e| e.to_string())?;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| writeln!(file, "{line}"))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Reads the checkpoint in `dir`; `None` when there is none yet. A checkpoint written with
/// another `recipe` is an error: resuming it would continue (or export) a different model.
pub fn load(dir: &Path, recipe: &str) -> Result<Option<Saved>, String> {
    let state_path = dir.join(STATE);
    let text = match std::fs::read_to_string(&state_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", state_path.display())),
    };
    let state: State = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a checkpoint state: {e}", state_path.display()))?;
    if let Some(saved) = &state.recipe
        && saved != recipe
    {
        return Err(format!(
            "the checkpoint in {} was made with other options ({saved}); use another --checkpoint \
             folder or the same options",
            dir.display()
        ));
    }
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let average = match state.average_updates {
        Some(updates) => Some((read(AVERAGE)?, updates)),
        None => None,
    };
    Ok(Some(Saved {
        last: read(LAST)?,
        best: read(BEST)?,
        average,
        state,
    }))
}
