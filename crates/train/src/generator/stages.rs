//! Training the tone generator in two stages, each measured on val:
//! 1. **supervised warm-start**: learn the `color` crate's biophysical re-toning (photo + target
//!    tone → re-toned photo), which keeps the lesion by construction;
//! 2. **unpaired refinement** on real photos of every Fitzpatrick type: a patch critic with an
//!    auxiliary type classifier, cycle consistency (I → VI → I returns the input), identity at
//!    the source tone, lesion preservation (the photo classifier's prediction and the gradients
//!    of log-luminance unchanged) and, as an anchor, the re-toning target.
//!
//! This file holds what both stages share: their options, progress events, batch drawing and
//! selection on val; each stage has a file of its own.

use burn::prelude::*;
use dermtone_net::Generator;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use super::data::{Pair, Retoning, ToneSource};
use super::tensors::{pair_tensors, scalar};
use crate::parallel::map_on_all_cores;

/// Options shared by both stages.
#[derive(Debug, Clone, Serialize)]
pub struct StageOptions {
    /// Seed for initialisation, sampling and crops.
    pub seed: u64,
    /// Optimiser steps.
    pub steps: usize,
    /// Images per step.
    pub batch_size: usize,
    /// Side of the square training crops (a multiple of 16).
    pub crop: u32,
    /// Peak learning rate (Adam; cosine-decayed in stage 1, constant in stage 2).
    pub learning_rate: f64,
    /// Score val every this many steps (and at the end).
    pub eval_every: usize,
}

/// What the CLI shows while training.
#[derive(Debug, Clone)]
pub enum GeneratorEvent {
    /// One step done; `losses` are the named terms of this stage.
    Step {
        stage: u8,
        step: usize,
        steps: usize,
        losses: Vec<(&'static str, f32)>,
    },
    /// Val scored after `step`; `best` when it is the stage's new selection.
    Val {
        stage: u8,
        step: usize,
        l1: f32,
        best: bool,
    },
}

/// A stage's selected weights.
pub struct StageResult {
    /// f32 record of the generator.
    pub record: Vec<u8>,
    /// Step it was taken at.
    pub step: usize,
    /// Mean absolute error (0..1 per channel) to the biophysical re-toning on the val pairs.
    pub val_l1: f32,
}

/// Fixed val pairs: each val photo re-toned (as `retoning` makes targets) to a spread of
/// targets, whole (no crop).
pub fn val_pairs(
    sources: &[ToneSource],
    targets: &[f32],
    retoning: Retoning,
) -> Result<Vec<Pair>, String> {
    let jobs: Vec<(usize, f32)> = (0..sources.len())
        .flat_map(|i| targets.iter().map(move |&t| (i, t)))
        .collect();
    let pairs = map_on_all_cores(&jobs, |&(i, target)| {
        let source = &sources[i];
        Ok(retoning
            .apply(source, target)
            .map(|(image, target_ita)| Pair {
                input: source.image.clone(),
                target: image,
                source_ita: source.ita,
                target_ita,
            }))
    })?;
    Ok(pairs.into_iter().flatten().collect())
}

/// `batch_size` items made by `draw` on all cores, each from its own seed taken from `rng`.
/// Twice as many are drawn as needed, since a photo that cannot settle at its target tone gives
/// none.
pub(super) fn draw_batch<T: Send>(
    batch_size: usize,
    rng: &mut StdRng,
    draw: impl Fn(&mut StdRng) -> Option<T> + Sync,
) -> Result<Vec<T>, String> {
    let seeds: Vec<u64> = (0..batch_size * 2).map(|_| rng.random()).collect();
    let drawn = map_on_all_cores(&seeds, |&seed| Ok(draw(&mut StdRng::seed_from_u64(seed))))?;
    let batch: Vec<T> = drawn.into_iter().flatten().take(batch_size).collect();
    if batch.is_empty() {
        return Err("no training photo could be re-toned".into());
    }
    Ok(batch)
}

/// Scores `generator` on the val pairs and keeps its record when it is the best so far.
pub(super) fn keep_best(
    best: &mut Option<StageResult>,
    generator: &Generator,
    val: &[Pair],
    stage: u8,
    step: usize,
    on_event: &mut dyn FnMut(GeneratorEvent),
) -> Result<(), String> {
    let l1 = val_l1(generator, val)?;
    let is_best = best.as_ref().is_none_or(|b| l1 < b.val_l1);
    on_event(GeneratorEvent::Val {
        stage,
        step,
        l1,
        best: is_best,
    });
    if is_best {
        *best = Some(StageResult {
            record: generator.clone().record_bytes()?,
            step,
            val_l1: l1,
        });
    }
    Ok(())
}

/// Mean absolute error (0..1 per channel) of `generator` against the val pairs' targets.
pub fn val_l1(generator: &Generator, val: &[Pair]) -> Result<f32, String> {
    if val.is_empty() {
        return Err("no val pair could be re-toned".into());
    }
    let device = Device::flex();
    let mut sum = 0.0;
    for chunk in val.chunks(16) {
        let (inputs, targets, conditions) = pair_tensors(chunk, &device);
        let error = (generator.forward(inputs, conditions).clamp(0.0, 1.0) - targets)
            .abs()
            .mean();
        sum += scalar(error)? * chunk.len() as f32;
    }
    Ok(sum / val.len() as f32)
}
