//! Stage 2 of the tone generator's training: unpaired refinement on real photos of every
//! Fitzpatrick type against a patch critic with an auxiliary type classifier, with cycle
//! consistency, identity at the source tone, lesion preservation, the re-toning as an anchor
//! and, where weighted, the rendered skin's ITA° against the one asked for, the change along
//! each edge against the re-toning's, the dermoscopy classifier's view of dermoscopic crops and
//! the finest detail of the skin against the re-toning's and the tone estimator's reading of the
//! rendering.

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, softmax};
use dermtone_engine::InputSpec;
use dermtone_net::{Classifier, GeneratorConfig};
use image::RgbImage;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use super::data::{Pair, Retoning, ToneSource, Window};
use super::diagnosers::Diagnosers;
use super::discriminator::{Discriminator, TYPES};
use super::edge_band::edge_band_loss;
use super::skin_detail::skin_detail_loss;
use super::skin_ita::skin_ita_loss;
use super::stages::{GeneratorEvent, StageOptions, StageResult, draw_batch, keep_best};
use super::tensors::{conditions, images_tensor, int_tensor, scalar};
use super::tone_estimate::{rows_asked, tone_group_loss};

/// Weights of stage 2's loss terms.
#[derive(Debug, Clone, Serialize)]
pub struct RefineWeights {
    /// Critic: "looks like a real photo".
    pub adversarial: f32,
    /// Critic's type classifier: "looks like the target type".
    pub tone: f32,
    /// I → VI → I returns the input (L1).
    pub cycle: f32,
    /// Asked for its own tone, the photo comes back unchanged (L1).
    pub identity: f32,
    /// The photo classifier's prediction unchanged (KL divergence).
    pub diagnosis: f32,
    /// Gradients of log-luminance unchanged (L1): melanin scales reflectance, so a pure tone
    /// change leaves them as they are while blurring or inventing structure does not.
    pub structure: f32,
    /// L1 to the biophysical re-toning: keeps colours anchored while the critic refines them.
    pub anchor: f32,
    /// The rendered skin's ITA° against the ITA° asked for ([`skin_ita_loss`]); 0 leaves the
    /// term out (generator-v1's recipe) and out of the recorded recipe.
    #[serde(skip_serializing_if = "is_zero")]
    pub ita: f32,
    /// The change on each edge's outer band, against the strip inside it, as the re-toning's
    /// ([`edge_band_loss`]); 0 leaves the term out (generator-v1's and v2's recipe) and out of
    /// the recorded recipe.
    #[serde(skip_serializing_if = "is_zero")]
    pub edge_band: f32,
    /// The dermoscopy classifier's prediction on the dermoscopic crops unchanged (KL
    /// divergence), beside the photo classifier's on every crop; 0 leaves the term out (the
    /// recipe of generator-v1 and v2) and out of the recorded recipe.
    #[serde(skip_serializing_if = "is_zero")]
    pub dermoscopy_diagnosis: f32,
    /// The finest detail of the rendered skin against the re-toning's ([`skin_detail_loss`]);
    /// 0 leaves the term out (the recipe of generator-v1 to v3) and out of the recorded recipe.
    #[serde(skip_serializing_if = "is_zero")]
    pub skin_detail: f32,
    /// The shipped tone estimator's reading of the rendering against the type's group
    /// ([`tone_group_loss`]); 0 leaves the term out (the recipe of generator-v1 to v4) and out of
    /// the recorded recipe.
    #[serde(skip_serializing_if = "is_zero")]
    pub tone_estimator: f32,
    /// The lightest Fitzpatrick type (1–6) whose renderings the tone-estimator term reads:
    /// 5 asks it of types V–VI only, where the estimator's reading falls short, and leaves the
    /// lighter renderings to the other terms. 1 (every type, generator-v5's arms E1–E2) stays out
    /// of the recorded recipe.
    #[serde(skip_serializing_if = "is_every_type")]
    pub tone_estimator_from_type: usize,
}

fn is_zero(weight: &f32) -> bool {
    *weight == 0.0
}

fn every_type() -> usize {
    1
}

fn is_every_type(lightest: &usize) -> bool {
    *lightest == every_type()
}

impl Default for RefineWeights {
    fn default() -> Self {
        Self {
            adversarial: 0.5,
            tone: 0.5,
            cycle: 5.0,
            identity: 2.0,
            diagnosis: 1.0,
            structure: 5.0,
            anchor: 5.0,
            ita: 0.0,
            edge_band: 0.0,
            dermoscopy_diagnosis: 0.0,
            skin_detail: 0.0,
            tone_estimator: 0.0,
            tone_estimator_from_type: every_type(),
        }
    }
}

/// Stage 2: starts from `initial` (stage 1's record) and refines against real photos of every
/// Fitzpatrick type (`real`, each with its labelled type); keeps the step with the lowest val
/// L1 among those after half the steps, so that the critic has had time to act.
#[allow(clippy::too_many_arguments)]
pub fn train_refined(
    config: &GeneratorConfig,
    initial: &[u8],
    sources: &[ToneSource],
    real: &[ToneSource],
    type_itas: &[f32; TYPES],
    val: &[Pair],
    diagnosers: &Diagnosers,
    weights: &RefineWeights,
    retoning: Retoning,
    options: &StageOptions,
    on_event: &mut dyn FnMut(GeneratorEvent),
) -> Result<StageResult, String> {
    let device = Device::flex().autodiff();
    device.seed(options.seed);
    let mut generator = config.load_record(initial, &device)?;
    let mut critic = Discriminator::new(16, &device);
    let classifier = diagnosers.photo.load(&device)?;
    let dermoscopy_classifier = diagnosers
        .dermoscopy
        .as_ref()
        .map(|d| Ok::<_, String>((d.load(&device)?, d.input)))
        .transpose()?;
    let tone_estimator = diagnosers
        .tone
        .as_ref()
        .map(|d| Ok::<_, String>((d.load_frozen(&device)?, d.input)))
        .transpose()?;
    let mut g_optimizer = AdamConfig::new().with_beta_1(0.5).init();
    let mut d_optimizer = AdamConfig::new().with_beta_1(0.5).init();
    let cross_entropy = CrossEntropyLossConfig::new().init(&device);
    let mut rng = StdRng::seed_from_u64(options.seed);
    let labelled: Vec<&ToneSource> = real.iter().filter(|s| s.fitzpatrick.is_some()).collect();
    if labelled.is_empty() {
        return Err("stage 2 needs real photos with a labelled Fitzpatrick type".into());
    }
    let mut best: Option<StageResult> = None;
    let batch = options.batch_size;
    for step in 1..=options.steps {
        let lr = options.learning_rate;
        let draws = draw_refine_batch(sources, type_itas, retoning, options, &mut rng)?;
        let inputs = images_tensor(draws.iter().map(|d| &d.input), &device);
        let anchors = images_tensor(draws.iter().map(|d| &d.anchor), &device);
        let there = conditions(draws.iter().map(|d| (d.source_ita, d.target_ita)), &device);
        let back = conditions(draws.iter().map(|d| (d.target_ita, d.source_ita)), &device);
        let stay = conditions(draws.iter().map(|d| (d.source_ita, d.source_ita)), &device);
        let target_types = int_tensor(draws.iter().map(|d| d.target_type), &device);

        let fake = generator.forward(inputs.clone(), there);
        let (patch, tone_logits) = critic.forward(fake.clone());
        let adversarial = (patch - 1.0).powi_scalar(2).mean();
        let tone = cross_entropy.forward(tone_logits, target_types);
        let cycle = (generator.forward(fake.clone(), back) - inputs.clone())
            .abs()
            .mean();
        let identity = (generator.forward(inputs.clone(), stay) - inputs.clone())
            .abs()
            .mean();
        let diagnosis = kl_divergence(
            &classifier,
            normalise(inputs.clone(), diagnosers.photo.input),
            normalise(fake.clone(), diagnosers.photo.input),
        );
        let dermoscopic: Vec<i64> = (0..draws.len())
            .filter(|&i| draws[i].dermoscopic)
            .map(|i| i as i64)
            .collect();
        let dermoscopy_diagnosis = match &dermoscopy_classifier {
            Some((dermoscopy, input)) if !dermoscopic.is_empty() => {
                let rows = Tensor::<1, Int>::from_data(
                    TensorData::new(dermoscopic.clone(), [dermoscopic.len()]),
                    &device,
                );
                kl_divergence(
                    dermoscopy,
                    normalise(inputs.clone().select(0, rows.clone()), input),
                    normalise(fake.clone().select(0, rows), input),
                )
            }
            _ => Tensor::zeros([1], &device),
        };
        let structure = (log_luminance_gradients(fake.clone())
            - log_luminance_gradients(inputs.clone()))
        .abs()
        .mean();
        let edge_band = edge_band_loss(fake.clone(), anchors.clone(), inputs.clone());
        let skin = skin_tensor(&draws, &device);
        let skin_detail = skin_detail_loss(fake.clone(), anchors.clone(), skin.clone());
        let anchor = (fake.clone() - anchors).abs().mean();
        let target_itas: Vec<f32> = draws.iter().map(|d| d.target_ita).collect();
        let ita = skin_ita_loss(fake.clone(), skin, &target_itas);
        let tone_estimate = match &tone_estimator {
            Some((estimator, input)) => {
                let all: Vec<usize> = draws.iter().map(|d| d.target_type).collect();
                let asked = rows_asked(&all, weights.tone_estimator_from_type);
                let types: Vec<usize> = asked.iter().map(|&i| all[i]).collect();
                if asked.is_empty() {
                    Tensor::zeros([1], &device)
                } else {
                    let rows = int_tensor(asked.into_iter(), &device);
                    let rendered = normalise(fake.clone().select(0, rows), input);
                    tone_group_loss(estimator.forward(rendered), &types)
                }
            }
            None => Tensor::zeros([1], &device),
        };
        let terms = [
            ("adversarial", adversarial, weights.adversarial),
            ("tone", tone, weights.tone),
            ("cycle", cycle, weights.cycle),
            ("identity", identity, weights.identity),
            ("diagnosis", diagnosis, weights.diagnosis),
            ("structure", structure, weights.structure),
            ("anchor", anchor, weights.anchor),
            ("ita", ita, weights.ita),
            ("edge band", edge_band, weights.edge_band),
            (
                "dermoscopy diagnosis",
                dermoscopy_diagnosis,
                weights.dermoscopy_diagnosis,
            ),
            ("skin detail", skin_detail, weights.skin_detail),
            ("tone estimator", tone_estimate, weights.tone_estimator),
        ];
        let mut losses = Vec::with_capacity(terms.len() + 1);
        let mut total = None;
        for (name, term, weight) in terms {
            losses.push((name, scalar(term.clone())?));
            let weighted = term * weight;
            total = Some(match total {
                Some(t) => weighted + t,
                None => weighted,
            });
        }
        let total = total.expect("twelve terms");
        let grads = GradientsParams::from_grads(total.backward(), &generator);
        generator = g_optimizer.step(lr, generator, grads);

        let reals: Vec<&ToneSource> = (0..batch)
            .map(|_| labelled[rng.random_range(0..labelled.len())])
            .collect();
        let real_images: Vec<RgbImage> = reals
            .iter()
            .map(|s| Window::random(s.image.dimensions(), options.crop, &mut rng).apply(&s.image))
            .collect();
        let real_types = int_tensor(
            reals
                .iter()
                .map(|s| usize::from(s.fitzpatrick.unwrap_or(1) - 1)),
            &device,
        );
        let (real_patch, real_logits) = critic.forward(images_tensor(real_images.iter(), &device));
        let (fake_patch, _) = critic.forward(fake.detach());
        let critic_loss = (real_patch - 1.0).powi_scalar(2).mean()
            + fake_patch.powi_scalar(2).mean()
            + cross_entropy.forward(real_logits, real_types);
        losses.push(("critic", scalar(critic_loss.clone())?));
        let grads = GradientsParams::from_grads(critic_loss.backward(), &critic);
        critic = d_optimizer.step(lr, critic, grads);

        on_event(GeneratorEvent::Step {
            stage: 2,
            step,
            steps: options.steps,
            losses,
        });
        let settled = step * 2 >= options.steps;
        if settled && (step % options.eval_every == 0 || step == options.steps) {
            keep_best(&mut best, &generator.valid(), val, 2, step, on_event)?;
        }
    }
    best.ok_or_else(|| "no step was trained (steps must be at least 1)".into())
}

/// The ITA° the generator is asked for at each Fitzpatrick type, matched by rank: the labelled
/// photos are sorted from lightest to darkest skin, each type takes the share of them its labels
/// have, and its target is the ITA° in the middle of that share. So type VI renders as dark as
/// the darkest real photos, in proportion to how many are labelled VI. (Per-type medians would
/// not do: crowd labels and measured ITA° disagree so much that type VI's median is lighter
/// than type V's, which would render V and VI alike.)
pub fn type_target_itas(labelled: &[ToneSource]) -> Result<[f32; TYPES], String> {
    let mut photos: Vec<(f32, u8)> = labelled
        .iter()
        .filter_map(|s| s.fitzpatrick.map(|t| (s.ita, t)))
        .filter(|&(_, t)| (1..=6).contains(&t))
        .collect();
    if photos.is_empty() {
        return Err("need photos with a labelled Fitzpatrick type".into());
    }
    photos.sort_by(|a, b| b.0.total_cmp(&a.0));
    let n = photos.len();
    let mut before = 0usize;
    Ok(std::array::from_fn(|t| {
        let count = photos.iter().filter(|p| usize::from(p.1) == t + 1).count();
        let middle = ((2 * before + count) / 2).min(n - 1);
        before += count;
        photos[middle].0
    }))
}

/// One stage-2 draw: a crop, its target type and tone, and the re-toning anchor.
struct RefineDraw {
    input: RgbImage,
    anchor: RgbImage,
    /// The crop's healthy skin, row by row (1 = skin).
    skin: Vec<f32>,
    source_ita: f32,
    target_ita: f32,
    target_type: usize,
    /// Whether the crop is of a dermoscopic image.
    dermoscopic: bool,
}

/// `batch_size` random stage-2 draws.
fn draw_refine_batch(
    sources: &[ToneSource],
    type_itas: &[f32; TYPES],
    retoning: Retoning,
    options: &StageOptions,
    rng: &mut StdRng,
) -> Result<Vec<RefineDraw>, String> {
    draw_batch(options.batch_size, rng, |rng| {
        let source = &sources[rng.random_range(0..sources.len())];
        let target_type = rng.random_range(0..TYPES);
        let (anchor, target_ita) = retoning.apply(source, type_itas[target_type])?;
        let window = Window::random(source.image.dimensions(), options.crop, rng);
        Some(RefineDraw {
            input: window.apply(&source.image),
            anchor: window.apply(&anchor),
            skin: window.apply_mask(&source.skin),
            source_ita: source.ita,
            target_ita,
            target_type,
            dermoscopic: source.dermoscopic,
        })
    })
}

/// The draws' skin masks as `[batch, 1, side, side]`, the side of their crops.
fn skin_tensor(draws: &[RefineDraw], device: &Device) -> Tensor<4> {
    let side = draws.first().map_or(0, |d| d.input.width() as usize);
    let data: Vec<f32> = draws.iter().flat_map(|d| d.skin.iter().copied()).collect();
    Tensor::from_data(TensorData::new(data, [draws.len(), 1, side, side]), device)
}

/// `(x − mean) / std` per channel, as the classifier was trained.
fn normalise(images: Tensor<4>, spec: &InputSpec) -> Tensor<4> {
    let device = images.device();
    let mean = Tensor::<1>::from_floats(spec.mean, &device).reshape([1, 3, 1, 1]);
    let std = Tensor::<1>::from_floats(spec.std, &device).reshape([1, 3, 1, 1]);
    (images - mean) / std
}

/// KL(p(original) ‖ p(rendered)) of the classifier's predictions, averaged over the batch.
fn kl_divergence(classifier: &Classifier, original: Tensor<4>, rendered: Tensor<4>) -> Tensor<1> {
    let [batch, _, _, _] = original.dims();
    let p = softmax(classifier.forward(original), 1).detach();
    let log_q = log_softmax(classifier.forward(rendered), 1);
    let log_p = (p.clone() + 1e-6).log();
    ((log_p - log_q) * p).sum() / batch as f32
}

/// Horizontal and vertical differences of log-luminance, concatenated.
fn log_luminance_gradients(images: Tensor<4>) -> Tensor<2> {
    let [_, _, h, w] = images.dims();
    let device = images.device();
    let weights = Tensor::<1>::from_floats([0.2126, 0.7152, 0.0722], &device).reshape([1, 3, 1, 1]);
    let luminance = (images.clamp(0.0, 1.0) * weights).sum_dim(1);
    let log = (luminance + 0.02).log();
    let dx = log.clone().narrow(3, 1, w - 1) - log.clone().narrow(3, 0, w - 1);
    let dy = log.clone().narrow(2, 1, h - 1) - log.narrow(2, 0, h - 1);
    Tensor::cat(vec![dx.flatten::<2>(1, 3), dy.flatten::<2>(1, 3)], 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labelled(fitzpatrick: u8, ita: f32) -> ToneSource {
        ToneSource {
            image: RgbImage::new(1, 1),
            skin: dermtone_color::Mask::filled(1, 1, true),
            lesion: None,
            ita,
            fitzpatrick: Some(fitzpatrick),
            dermoscopic: false,
        }
    }

    #[test]
    fn type_targets_follow_the_rank_of_each_types_share() {
        let mut photos = Vec::new();
        for (i, ita) in [60.0, 50.0, 40.0, 30.0, 20.0, 10.0, 0.0, -10.0]
            .iter()
            .enumerate()
        {
            let t = [1, 1, 2, 3, 4, 6, 5, 6][i];
            photos.push(labelled(t, *ita));
        }
        let itas = type_target_itas(&photos).unwrap();
        assert_eq!(itas, [50.0, 40.0, 30.0, 20.0, 10.0, -10.0]);
        assert!(itas.windows(2).all(|w| w[0] > w[1]));
    }

    #[test]
    fn unchanged_luminance_structure_scores_zero_and_blurring_does_not() {
        let device = Device::flex();
        let image = Tensor::<4>::from_data(
            TensorData::new(
                (0..48).map(|i| 0.3 + (i % 7) as f32 / 10.0).collect(),
                [1, 3, 4, 4],
            ),
            &device,
        );
        let darker = image.clone() * 0.5;
        let flat = image.clone().mean_dim(3).mean_dim(2).expand([1, 3, 4, 4]);
        let diff = |a: Tensor<4>| {
            scalar(
                (log_luminance_gradients(a) - log_luminance_gradients(image.clone()))
                    .abs()
                    .mean(),
            )
            .unwrap()
        };
        assert!(diff(darker) < 0.05);
        assert!(diff(flat) > 0.1);
    }
}
