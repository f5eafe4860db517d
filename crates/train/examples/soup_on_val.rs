//! Issue 19's "ensemble at one model's cost", asked of the weights: photo models trained from
//! the same initial weights may sit in one basin, where the mean of their weights (a "model
//! soup") scores like the mean of their predictions. Each run's weight average (`ck/average.bpk`)
//! is scored on **val** with the selection score, then the mean of their predictions (what a
//! soup has to match), then the uniform soup of all of them, or for two runs the straight path
//! between them (a dip in the middle says they are in different basins: no soup). Each is scored with its batch-norm statistics as averaged
//! (as the training's weight average keeps them) and measured anew on the training photos;
//! uncalibrated (the score ranks, so a temperature cannot move it).
//!   cargo run --release -p dermtone-train --example soup_on_val -- SIZE CK CK [CK…]
//! SIZE is the input side in pixels; each CK is a photo run's checkpoint folder (`state.json` and
//! `average.bpk`, e.g. `~/.cache/dermtone/runs/photo-fold-1-of-4/ck`). Run from the repository
//! root with the data in ../shared/data.

use std::path::Path;

use burn::module::Module;
use burn::prelude::*;
use dermtone_engine::{InputSpec, Manifest};
use dermtone_net::{Classifier, ClassifierConfig, NetKind};
use dermtone_train::clinical::eval::load_clinical_for_eval;
use dermtone_train::clinical::taxonomy::GROUPS;
use dermtone_train::clinical::tone_groups::tone_indices;
use dermtone_train::clinical::train::selection_score;
use dermtone_train::fit::predict::{batch_tensor, load_record, mean_probabilities, predict};
use dermtone_train::fit::weight_average::WeightAverage;
use image::RgbImage;
use serde::Deserialize;

/// What a checkpoint's recipe says about its network.
#[derive(Deserialize)]
struct Recipe {
    base_width: usize,
    kind: NetKind,
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let size: u32 = args
        .next()
        .ok_or("give the input size, then two or more checkpoint folders")?
        .parse()
        .map_err(|e| format!("input size: {e}"))?;
    let dirs: Vec<String> = args.collect();
    if dirs.len() < 2 {
        return Err("give two or more checkpoint folders".into());
    }
    let models = dirs
        .iter()
        .map(|dir| load_run(Path::new(dir)))
        .collect::<Result<Vec<_>, _>>()?;
    let input = photo_input(size)?;
    let data = Path::new("../shared/data/fitzpatrick17k_ajl_subset");
    let images = load_clinical_for_eval(data, "val", size, None)?;
    let train = load_clinical_for_eval(data, "train", size, None)?.resized;
    let tones = tone_indices(&images.tone_groups);
    // Each model's score as it is, and with its batch-norm statistics measured anew.
    let scores = |model: &Classifier| -> Result<String, String> {
        let score = |model: &Classifier| -> Result<f64, String> {
            let p = predict(model, &images.resized, &input)?;
            Ok(selection_score(&p, &images.labels, &tones))
        };
        let fresh = with_fresh_batch_norm(model, &train, &input);
        Ok(format!("{:>6.3} {:>6.3}", score(model)?, score(&fresh)?))
    };
    println!(
        "val selection score at {size} px (weight averages, uncalibrated): as averaged, then with \
         the batch-norm statistics measured anew on the training photos"
    );
    for (dir, model) in dirs.iter().zip(&models) {
        println!("{}  {dir}", scores(model)?);
    }
    // What a soup would have to match: the mean of the runs' predictions (each as trained).
    let each = models
        .iter()
        .map(|model| predict(model, &images.resized, &input))
        .collect::<Result<Vec<_>, _>>()?;
    println!(
        "{:>6.3}         the mean of their predictions (an ensemble)",
        selection_score(&mean_probabilities(&each), &images.labels, &tones)
    );
    if let [a, b] = &models[..] {
        for share in [0.25, 0.5, 0.75] {
            println!(
                "{}  {:.0} % of the way from the first to the second",
                scores(&blend(a, b, share))?,
                100.0 * share
            );
        }
    } else {
        println!(
            "{}  the soup of all {}",
            scores(&soup(&models))?,
            models.len()
        );
    }
    Ok(())
}

/// A run's averaged weights.
fn load_run(ck: &Path) -> Result<Classifier, String> {
    let read = |name: &str| {
        let path = ck.join(name);
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let state: serde_json::Value =
        serde_json::from_slice(&read("state.json")?).map_err(|e| e.to_string())?;
    let recipe: Recipe = serde_json::from_str(state["recipe"].as_str().unwrap_or_default())
        .map_err(|e| format!("{}: recipe: {e}", ck.display()))?;
    let config = ClassifierConfig::new(GROUPS.len())
        .with_base_width(recipe.base_width)
        .with_kind(recipe.kind);
    load_record(&config, &read("average.bpk")?)
}

/// The input normalisation to read the runs with, at `size`: a run started with `--init-from`
/// fits its own on its training photos, which its checkpoint does not keep, so clinical-v3's
/// (`models/`, run B0: every training photo, 96 px) stands in; a fold's or another size's fit
/// differs from it in the third decimal.
fn photo_input(size: u32) -> Result<InputSpec, String> {
    let text = std::fs::read_to_string("models/manifest.json")
        .map_err(|e| format!("models/manifest.json: {e}"))?;
    let manifest = Manifest::from_json(&text).map_err(|e| e.to_string())?;
    let entry = manifest.model_for("photo").map_err(|e| e.to_string())?;
    Ok(InputSpec {
        size,
        ..entry.input.clone()
    })
}

/// (1 − share) · a + share · b, every float tensor (batch-norm statistics included).
fn blend(a: &Classifier, b: &Classifier, share: f64) -> Classifier {
    // Past the ramp-up of its decay, one update of a weight average is exactly this blend.
    let mut average = WeightAverage::resume(a.valid(), 1.0 - share, u64::MAX / 2);
    average.update(b);
    average.model().valid()
}

/// `model` with its batch-norm statistics measured anew on `images`: three passes in training
/// mode (gradients off: nothing is kept for a backward pass), batches of 64, at the momentum it
/// trained with. Averaged weights make other activations than either run's, so statistics
/// averaged with them may no longer fit (Jordan et al., REPAIR, ICLR 2023); the runs alone are
/// measured the same way, as the control.
fn with_fresh_batch_norm(model: &Classifier, images: &[RgbImage], input: &InputSpec) -> Classifier {
    let device = Device::flex().autodiff();
    let model = model.valid().to_device(&device).train().no_grad();
    for _ in 0..3 {
        for chunk in images.chunks(64) {
            drop(model.forward(batch_tensor(chunk, input, &device)));
        }
    }
    model.valid()
}

/// The uniform mean of every model's tensors: the k-th joins with weight 1/k.
fn soup(models: &[Classifier]) -> Classifier {
    let mut mean = models[0].valid();
    for (k, model) in models.iter().enumerate().skip(1) {
        mean = blend(&mean, model, 1.0 / (k + 1) as f64);
    }
    mean
}
