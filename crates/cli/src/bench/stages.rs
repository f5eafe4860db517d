//! The pipeline stages `dermtone bench` times, each on its own, in pipeline order. Network
//! stages go through the engine's own functions, which read results back from the device, so
//! every timing includes the read-back.

use std::hint::black_box;
use std::time::Instant;

use dermtone_engine::{Engine, EngineError, decode_image};
use image::RgbImage;
use pollster::block_on;

use super::stats::Summary;

/// The six Fitzpatrick types the per-tone stages render.
const ALL_TONES: [u8; 6] = [1, 2, 3, 4, 5, 6];

/// How many times each stage runs.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Untimed runs first (caches, allocator, shader compilation on wgpu).
    pub warmup: usize,
    /// Timed runs (at least one).
    pub runs: usize,
}

/// One stage's timings and the network FLOPs of one run of it (0 where no network runs).
#[derive(Debug, Clone)]
pub struct StageTiming {
    pub stage: &'static str,
    pub summary: Summary,
    pub flops: u64,
}

/// Times every stage on the photo in `bytes` with `engine`. The photo must pass the quality
/// check, or `analyze` would skip the networks and its time would mean nothing.
pub fn measure(engine: &Engine, bytes: &[u8], plan: Plan) -> Result<Vec<StageTiming>, String> {
    let photo = decode_image(bytes).map_err(failed("decode"))?;
    let analysis = block_on(engine.analyze(&photo)).map_err(failed("analyze"))?;
    if !analysis.quality.ok {
        return Err(
            "the photo fails the quality check, so an analysis would run no network; \
             choose another with --image"
                .into(),
        );
    }
    let flops = engine.flops();
    let rendered = block_on(engine.render(&photo, &ALL_TONES)).map_err(failed("render"))?;
    let renderings: Vec<&RgbImage> = rendered.renderings.iter().map(|r| &r.image).collect();
    let tones = ALL_TONES.len() as u64;
    Ok(vec![
        time("decode", 0, plan, || decode_image(bytes))?,
        time("quality", 0, plan, || Ok(dermtone_color::assess(&photo)))?,
        time("tone_estimate", flops.tone, plan, || {
            block_on(engine.estimate_tone(&photo))
        })?,
        time("classify_1", flops.classifier, plan, || {
            block_on(engine.classify(&photo))
        })?,
        // Engine::render estimates the photo's own tone before rendering from it.
        time(
            "render_6",
            flops.tone + tones * flops.generator,
            plan,
            || block_on(engine.render(&photo, &ALL_TONES)),
        )?,
        time("classify_6", tones * flops.classifier, plan, || {
            block_on(engine.classify_all(&renderings))
        })?,
        time("analyze", flops.of_analysis(&analysis), plan, || {
            block_on(engine.analyze(&photo))
        })?,
    ])
}

/// Runs `stage` `plan.warmup` times untimed, then `plan.runs` times timed.
fn time<T>(
    name: &'static str,
    flops: u64,
    plan: Plan,
    mut stage: impl FnMut() -> Result<T, EngineError>,
) -> Result<StageTiming, String> {
    for _ in 0..plan.warmup {
        black_box(stage().map_err(failed(name))?);
    }
    let mut samples = Vec::with_capacity(plan.runs);
    for _ in 0..plan.runs {
        let start = Instant::now();
        let result = black_box(stage());
        samples.push(start.elapsed().as_secs_f64() * 1e3);
        result.map_err(failed(name))?;
    }
    Ok(StageTiming {
        stage: name,
        summary: Summary::of(samples),
        flops,
    })
}

/// An engine error as a message naming the stage it came from.
fn failed(stage: &'static str) -> impl Fn(EngineError) -> String {
    move |e| format!("{stage}: {e}")
}
