//! Stage 1 of the tone generator's training: learn the `color` crate's biophysical re-toning
//! from random crops (photo + target tone → re-toned photo), which keeps the lesion by
//! construction.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use dermtone_net::GeneratorConfig;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::data::{Pair, Retoning, ToneSource};
use super::stages::{GeneratorEvent, StageOptions, StageResult, draw_batch, keep_best};
use super::tensors::{pair_tensors, scalar};

/// Stage 1: learns the biophysical re-toning (as `retoning` makes its targets); keeps the step
/// with the lowest val L1.
pub fn train_supervised(
    config: &GeneratorConfig,
    train: &[ToneSource],
    val: &[Pair],
    retoning: Retoning,
    options: &StageOptions,
    on_event: &mut dyn FnMut(GeneratorEvent),
) -> Result<StageResult, String> {
    let device = Device::flex().autodiff();
    device.seed(options.seed);
    let mut generator = config.init(&device);
    let mut optimizer = AdamConfig::new().init();
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut best: Option<StageResult> = None;
    for step in 1..=options.steps {
        let lr = cosine(options.learning_rate, step, options.steps);
        let pairs = draw_pairs(train, retoning, options, &mut rng)?;
        let (inputs, targets, conditions) = pair_tensors(&pairs, &device);
        let loss = (generator.forward(inputs, conditions) - targets)
            .abs()
            .mean();
        let value = scalar(loss.clone())?;
        let grads = GradientsParams::from_grads(loss.backward(), &generator);
        generator = optimizer.step(lr, generator, grads);
        on_event(GeneratorEvent::Step {
            stage: 1,
            step,
            steps: options.steps,
            losses: vec![("l1", value)],
        });
        if step % options.eval_every == 0 || step == options.steps {
            keep_best(&mut best, &generator.valid(), val, 1, step, on_event)?;
        }
    }
    best.ok_or_else(|| "no step was trained (steps must be at least 1)".into())
}

/// `batch_size` random supervised pairs.
fn draw_pairs(
    sources: &[ToneSource],
    retoning: Retoning,
    options: &StageOptions,
    rng: &mut StdRng,
) -> Result<Vec<Pair>, String> {
    draw_batch(options.batch_size, rng, |rng| {
        let source = &sources[rng.random_range(0..sources.len())];
        retoning.random_pair(source, options.crop, rng)
    })
}

fn cosine(peak: f64, step: usize, steps: usize) -> f64 {
    peak * 0.5 * (1.0 + (std::f64::consts::PI * (step - 1) as f64 / steps as f64).cos())
}
