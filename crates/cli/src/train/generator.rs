//! `dermtone train generator`: options, progress and the summary line; the work is in
//! `dermtone_train::generator::train`.

use std::path::{Path, PathBuf};

use clap::Args;
use dermtone_train::generator::data::Retoning;
use dermtone_train::generator::export::{ShippedStage, export_generator};
use dermtone_train::generator::refine::RefineWeights;
use dermtone_train::generator::stages::{GeneratorEvent, StageOptions};
use dermtone_train::generator::train::{GeneratorProgress, GeneratorTrainOptions, train_generator};

/// The tone generator, trained in two stages: supervised on the biophysical re-toning, then an
/// unpaired refinement against real photos of every Fitzpatrick type. Each finished stage is
/// saved in the checkpoint folder and reused by a rerun with the same options.
#[derive(Args)]
pub struct GeneratorArgs {
    /// Fitzpatrick17k subset folder (labels.csv + images/).
    #[arg(long)]
    data: PathBuf,
    /// HAM10000 folder (split.csv + images_200x150/, lesion masks optional).
    #[arg(long)]
    ham10000: Option<PathBuf>,
    /// Where the weights, cards and manifest go; also where the photo classifier (kept by
    /// stage 2's diagnosis term) is read from.
    #[arg(long, default_value = "models")]
    out: PathBuf,
    /// Model id (file stem of weights and cards).
    #[arg(long, default_value = "generator-v1")]
    id: String,
    /// Seed for initialisation, sampling and crops.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Side of the square size the generator renders at (a multiple of 16).
    #[arg(long, default_value_t = 96)]
    size: u32,
    /// Side of the training crops (a multiple of 16).
    #[arg(long, default_value_t = 64)]
    crop: u32,
    /// Channels of the generator's first level (a multiple of 4).
    #[arg(long, default_value_t = 12)]
    width: usize,
    /// Images per step.
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    /// Stage 1 steps.
    #[arg(long, default_value_t = 1500)]
    supervised_steps: usize,
    /// Stage 1 peak learning rate (Adam, cosine schedule).
    #[arg(long, default_value_t = 2e-3)]
    lr: f64,
    /// Stage 2 steps (0 skips it).
    #[arg(long, default_value_t = 600)]
    refine_steps: usize,
    /// Stage 2 learning rate (Adam, β1 0.5, constant).
    #[arg(long, default_value_t = 2e-4)]
    refine_lr: f64,
    /// Score val every this many steps.
    #[arg(long, default_value_t = 100)]
    eval_every: usize,
    /// At most this many HAM10000 training photos.
    #[arg(long, default_value_t = 2500)]
    ham_limit: usize,
    /// At most this many val photos per dataset.
    #[arg(long, default_value_t = 40)]
    val_limit: usize,
    /// Weight of stage 2's ITA term (the rendered skin's ITA° against the one asked for); 0
    /// leaves it out, as generator-v1 was trained.
    #[arg(long, default_value_t = 0.0)]
    ita_weight: f32,
    /// Weight of stage 2's edge-band term (each edge's outer 2 px must change as the
    /// biophysical re-toning changes them, against the pixels just inside); 0 leaves it out, as
    /// generator-v1 and v2 were trained. Needs crops of at least 32 px.
    #[arg(long, default_value_t = 0.0)]
    edge_band_weight: f32,
    /// Weight of stage 2's dermoscopy diagnosis term (the dermoscopy classifier in --out keeps
    /// its prediction on the HAM10000 crops, beside the photo classifier on every crop); 0
    /// leaves it out, as generator-v1 and v2 were trained. Needs --ham10000.
    #[arg(long, default_value_t = 0.0)]
    dermoscopy_diagnosis_weight: f32,
    /// Weight of stage 2's skin-detail term (the luminance Laplacian of the rendered healthy
    /// skin against the biophysical re-toning's: fine texture changed as the re-toning changes
    /// it); 0 leaves it out, as generator-v1 to v3 were trained.
    #[arg(long, default_value_t = 0.0)]
    skin_detail_weight: f32,
    /// Weight of stage 2's tone-estimator term (the tone estimator in --out, frozen, should read
    /// each rendering in the group of the type asked for); 0 leaves it out, as generator-v1 to
    /// v4 were trained. The validation's learned-estimator figures are then no longer
    /// independent evidence.
    #[arg(long, default_value_t = 0.0)]
    tone_estimator_weight: f32,
    /// The lightest Fitzpatrick type (1–6) whose renderings the tone-estimator term reads: 5
    /// asks it of types V–VI only, where the estimator's reading falls short; 1 (every type)
    /// as generator-v5's first arms were trained.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=6))]
    tone_estimator_from_type: u8,
    /// Give the network a per-pixel gain on the photo beside its residual (the rendering is
    /// `photo · (1 + gain) + residual`), so darkening can scale the skin's texture as the
    /// re-toning does; generator-v1 to v3 have the residual only.
    #[arg(long)]
    gain: bool,
    /// Make the paired targets keep the healthy skin's own variation (shading, texture) at
    /// scales finer than about this many pixels while its tone changes, as real photos of dark
    /// skin do; without it the targets are the plain biophysical re-toning, which darkens the
    /// variation with the tone (generator-v1 to v3).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    keep_skin_variation: Option<u32>,
    /// Which stage's weights to ship: `refined` or `supervised`.
    #[arg(long, default_value = "refined")]
    ship: ShippedStage,
    /// Folder for the stages' records (default `checkpoints/<id>`).
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Use at most this many photos per split and dataset (quick smoke runs).
    #[arg(long)]
    limit: Option<usize>,
}

/// Trains, exports and prints a summary.
pub fn run(args: GeneratorArgs, command: &str) -> Result<(), String> {
    let stage = |steps, learning_rate| StageOptions {
        seed: args.seed,
        steps,
        batch_size: args.batch_size,
        crop: args.crop,
        learning_rate,
        eval_every: args.eval_every,
    };
    let options = GeneratorTrainOptions {
        ham10000: args.ham10000.clone(),
        fitzpatrick17k: args.data.clone(),
        models: args.out.clone(),
        size: args.size,
        base_width: args.width,
        condition_width: 32,
        gain: args.gain,
        retoning: Retoning {
            keep_skin_variation: args.keep_skin_variation,
        },
        supervised: stage(args.supervised_steps, args.lr),
        refine: stage(args.refine_steps, args.refine_lr),
        weights: RefineWeights {
            ita: args.ita_weight,
            edge_band: args.edge_band_weight,
            dermoscopy_diagnosis: args.dermoscopy_diagnosis_weight,
            skin_detail: args.skin_detail_weight,
            tone_estimator: args.tone_estimator_weight,
            tone_estimator_from_type: usize::from(args.tone_estimator_from_type),
            ..RefineWeights::default()
        },
        ham_limit: Some(args.ham_limit),
        val_limit: args.val_limit,
        limit: args.limit,
    };
    let checkpoint = args
        .checkpoint
        .clone()
        .unwrap_or_else(|| Path::new("checkpoints").join(&args.id));
    let report = train_generator(&options, &checkpoint, &mut show)?;
    let export = export_generator(&report, &options, args.ship, &args.id, command, &args.out)?;
    println!(
        "stage 1: step {} val L1 {:.4}; stage 2: {}; shipped {:?}: {}/{} ({} bytes int8)",
        report.supervised.step,
        report.supervised.val_l1,
        report
            .refined
            .as_ref()
            .map_or("not run".into(), |(s, _)| format!(
                "step {} val L1 {:.4}",
                s.step, s.val_l1
            )),
        args.ship,
        args.out.display(),
        export.weights_file,
        export.int8_bytes,
    );
    println!(
        "validate it: dermtone validate-generator --data {} --models {}",
        args.data.display(),
        args.out.display()
    );
    Ok(())
}

/// Progress on stderr: one line per val score and every 20 steps.
fn show(progress: GeneratorProgress) {
    match progress {
        GeneratorProgress::Loading(what) => eprintln!("loading {what}"),
        GeneratorProgress::Reused {
            stage,
            step,
            val_l1,
        } => eprintln!("stage {stage}: reusing the saved record (step {step}, val L1 {val_l1:.4})"),
        GeneratorProgress::Train(GeneratorEvent::Step {
            stage,
            step,
            steps,
            losses,
        }) if step % 20 == 0 => {
            let terms: Vec<String> = losses.iter().map(|(n, v)| format!("{n} {v:.4}")).collect();
            eprintln!("stage {stage} step {step}/{steps}: {}", terms.join(", "));
        }
        GeneratorProgress::Train(GeneratorEvent::Val {
            stage,
            step,
            l1,
            best,
        }) => eprintln!(
            "stage {stage} step {step}: val L1 {l1:.4}{}",
            if best { "  (best so far)" } else { "" }
        ),
        GeneratorProgress::Train(_) => {}
    }
}
