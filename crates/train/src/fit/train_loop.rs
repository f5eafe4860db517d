//! The loop itself: epochs of AdamW steps on a cosine schedule (mixup, group DRO, a teacher's
//! soft targets and a weight average where asked), each epoch scored on val, the best kept,
//! and every epoch checkpointed so an interrupted run resumes where it stopped.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, GradientsParams};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use image::RgbImage;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::auxiliary::resize_head;
use super::checkpoint::{self, Checkpoint};
use super::fitted::Fitted;
use super::group_robust::GroupWeights;
use super::mixup;
use super::options::{FitOptions, Split};
use super::predict::{batch_tensor, load_record, predict};
use super::progress::TrainEvent;
use super::sampling::next_order;
use super::targets::{Targets, ordinal_targets, smoothed_targets};
use super::weight_average::WeightAverage;
use crate::evaluation::metrics::classification_metrics;

/// Trains a classifier on `train` and returns the epoch that scored best on `val`. With a
/// checkpoint folder, every epoch is saved there and `resume` continues after the last one: the
/// weights, the best epoch so far and the random stream (replayed) are restored, so a resumed run
/// draws the same batches as an uninterrupted one; AdamW's moment estimates (and group DRO's
/// group weights) restart.
pub fn fit(
    train: &Split,
    val: &Split,
    options: &FitOptions,
    on_event: &mut dyn FnMut(TrainEvent),
) -> Result<Fitted, String> {
    let device = options.device.clone().autodiff();
    device.seed(options.seed);
    let num_classes = options.config.num_classes;
    // With a second task, the network trained has both tasks' classes; this task's model is
    // cut back out of it to be scored, selected and exported.
    let mut trained = options.config.clone();
    if let Some(auxiliary) = options.auxiliary {
        trained.num_classes += auxiliary.classes();
    }
    let this_task = |record: &[u8]| match options.auxiliary {
        Some(_) => resize_head(&trained, record, num_classes),
        None => Ok(record.to_vec()),
    };
    let mut model = match options.initial_record {
        Some(record) if options.auxiliary.is_some() => trained.load_record(
            &resize_head(&options.config, record, trained.num_classes)?,
            &device,
        )?,
        Some(record) => options.config.load_record(record, &device)?,
        None => trained.init(&device),
    };
    let mut optimizer = AdamWConfig::new().with_weight_decay(1e-4).init();
    let auxiliary_loss = CrossEntropyLossConfig::new().init(&device);
    let hard_loss = CrossEntropyLossConfig::new()
        .with_weights(Some(options.class_weights.clone()))
        .with_smoothing((options.label_smoothing > 0.0).then_some(options.label_smoothing))
        .init(&device);
    let mut rng = StdRng::seed_from_u64(options.seed);
    let draws = options.draws_per_epoch.unwrap_or(train.images.len()).max(1);
    let batches = draws.div_ceil(options.batch_size);
    let total_steps = (batches * options.epochs).max(1);
    let mut best: Option<Fitted> = None;
    let mut first_epoch = 1;
    let mut order: Vec<usize> = (0..train.images.len()).collect();
    let strata = options.strata.unwrap_or(&train.labels);
    let mut group_weights = options.group_robust.map(GroupWeights::new);
    if options.mixup.is_some()
        && (options.group_robust.is_some() || options.targets != Targets::Hard)
    {
        return Err("mixup works with hard targets and without group DRO only".into());
    }
    if let Some(teacher) = options.teacher {
        if options.group_robust.is_some() || options.targets != Targets::Hard {
            return Err("distillation works with hard targets and without group DRO only".into());
        }
        if teacher.images() != train.images.len() {
            return Err(format!(
                "the teacher has probabilities for {} images, the train split {}",
                teacher.images(),
                train.images.len()
            ));
        }
    }
    let mut average = options
        .weight_average
        .map(|decay| WeightAverage::new(&model, decay));
    if let Some(Checkpoint {
        dir,
        resume: true,
        recipe,
    }) = &options.checkpoint
        && let Some(saved) = checkpoint::load(dir, recipe)?
    {
        model = trained
            .load_record(&saved.last, &device)
            .map_err(|e| format!("checkpoint in {}: {e}", dir.display()))?;
        // A run that already stopped early (or finished) stays stopped: resuming only re-exports.
        let stopped = saved.state.epoch >= options.epochs
            || options
                .patience
                .is_some_and(|p| saved.state.epoch - saved.state.best_epoch >= p);
        if stopped {
            first_epoch = options.epochs + 1;
        } else {
            for _ in 1..=saved.state.epoch {
                next_order(&mut order, strata, options.sampling, draws, &mut rng);
                for &i in order.iter().take(draws) {
                    (options.augment)(&train.images[i], i, &mut rng);
                }
            }
            first_epoch = saved.state.epoch + 1;
        }
        if let Some(decay) = options.weight_average {
            average = Some(match saved.average {
                Some((record, updates)) => {
                    let inner = trained
                        .load_record(&record, &options.device)
                        .map_err(|e| format!("weight average in {}: {e}", dir.display()))?;
                    WeightAverage::resume(inner, decay, updates)
                }
                None => WeightAverage::new(&model, decay),
            });
        }
        best = Some(Fitted {
            record: saved.best,
            epoch: saved.state.best_epoch,
            val: saved.state.best_val,
            score: saved.state.best_score,
        });
        on_event(TrainEvent::Resumed {
            epoch: saved.state.epoch,
        });
    }

    for epoch in first_epoch..=options.epochs {
        on_event(TrainEvent::EpochStarted {
            epoch,
            epochs: options.epochs,
            batches,
        });
        next_order(&mut order, strata, options.sampling, draws, &mut rng);
        // Mixup draws from its own stream, seeded per epoch, so resuming needs no replay of it.
        let mut mixup_rng = StdRng::seed_from_u64(
            options.seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        // So does the second task, from a stream of its own.
        let mut auxiliary_rng = StdRng::seed_from_u64(
            !options.seed ^ (epoch as u64).wrapping_mul(0xD1B5_4A32_D192_ED03),
        );
        let mut loss_sum = 0f32;
        for (b, chunk) in order[..draws.min(order.len())]
            .chunks(options.batch_size)
            .enumerate()
        {
            let step = (epoch - 1) * batches + b;
            let lr = options.learning_rate
                * 0.5
                * (1.0 + (std::f64::consts::PI * step as f64 / total_steps as f64).cos());
            let images: Vec<RgbImage> = chunk
                .iter()
                .map(|&i| (options.augment)(&train.images[i], i, &mut rng))
                .collect();
            let labels: Vec<usize> = chunk.iter().map(|&i| train.labels[i]).collect();
            let inputs = batch_tensor(&images, &options.input, &device);
            let blend = options
                .mixup
                .map(|alpha| mixup::draw(chunk.len(), alpha, &mut mixup_rng));
            let inputs = match &blend {
                Some(blend) => {
                    let partners = Tensor::<1, Int>::from_data(
                        TensorData::new(
                            blend.partners.iter().map(|&i| i as i64).collect::<Vec<_>>(),
                            [chunk.len()],
                        ),
                        &device,
                    );
                    inputs.clone() * blend.lambda
                        + inputs.select(0, partners) * (1.0 - blend.lambda)
                }
                None => inputs,
            };
            let (logits, auxiliary_term) = match options.auxiliary {
                Some(auxiliary) => {
                    let batch = auxiliary.draw(&options.input, &device, &mut auxiliary_rng);
                    let (logits, term) =
                        auxiliary.forward(&model, inputs, batch, num_classes, &auxiliary_loss);
                    (logits, Some(term))
                }
                None => (model.forward(inputs), None),
            };
            let loss = if blend.is_some() || options.teacher.is_some() {
                let mut soft = smoothed_targets(
                    &labels,
                    num_classes,
                    options.label_smoothing,
                    &options.class_weights,
                );
                if let Some(teacher) = options.teacher {
                    soft = teacher.mix(chunk, &labels, &soft, num_classes, &options.class_weights);
                }
                if let Some(blend) = &blend {
                    soft = mixup::blend_targets(&soft, num_classes, blend);
                }
                let soft = Tensor::<2>::from_data(
                    TensorData::new(soft, [chunk.len(), num_classes]),
                    &device,
                );
                (log_softmax(logits, 1) * soft).sum().neg() / chunk.len() as f32
            } else {
                match (options.targets, &mut group_weights) {
                    (Targets::Hard, Some(weights)) => {
                        let soft = smoothed_targets(
                            &labels,
                            num_classes,
                            options.label_smoothing,
                            &options.class_weights,
                        );
                        let soft = Tensor::<2>::from_data(
                            TensorData::new(soft, [chunk.len(), num_classes]),
                            &device,
                        );
                        let per_image: Tensor<1> = (log_softmax(logits, 1) * soft)
                            .sum_dim(1)
                            .neg()
                            .flatten(0, 1);
                        let losses = per_image
                            .clone()
                            .into_data()
                            .try_to_vec::<f32>()
                            .map_err(|e| format!("{e:?}"))?;
                        let scale = weights.step(chunk, &losses);
                        per_image
                            .mul(Tensor::from_data(
                                TensorData::new(scale, [chunk.len()]),
                                &device,
                            ))
                            .sum()
                    }
                    (Targets::Hard, None) => {
                        let targets = labels.iter().map(|&l| l as i64).collect::<Vec<_>>();
                        let targets = Tensor::<1, Int>::from_data(
                            TensorData::new(targets, [chunk.len()]),
                            &device,
                        );
                        hard_loss.forward(logits, targets)
                    }
                    (Targets::Ordinal { sigma }, _) => {
                        let soft =
                            ordinal_targets(&labels, num_classes, sigma, &options.class_weights);
                        let soft = Tensor::<2>::from_data(
                            TensorData::new(soft, [chunk.len(), num_classes]),
                            &device,
                        );
                        (log_softmax(logits, 1) * soft).sum().neg() / chunk.len() as f32
                    }
                }
            };
            let loss = match auxiliary_term {
                Some(term) => loss + term,
                None => loss,
            };
            let loss_value = loss
                .clone()
                .into_data()
                .try_to_vec::<f32>()
                .map_err(|e| format!("{e:?}"))?[0];
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(lr, model, grads);
            if let Some(average) = &mut average {
                average.update(&model);
            }
            loss_sum += loss_value;
            on_event(TrainEvent::Batch { loss: loss_value });
        }
        let record = model.valid().record_bytes()?;
        let averaged = match &average {
            Some(average) => Some((average.model().clone().record_bytes()?, average.updates())),
            None => None,
        };
        let selectable = this_task(averaged.as_ref().map_or(&record, |(bytes, _)| bytes))?;
        let probabilities = predict(
            &load_record(&options.config, &selectable)?,
            &val.images,
            &options.input,
        )?;
        let score = (options.score)(&probabilities, &val.labels);
        let metrics = classification_metrics(&probabilities, &val.labels, num_classes);
        let history = checkpoint::EpochRecord {
            epoch,
            train_loss: loss_sum / batches as f32,
            val_score: score,
            val_accuracy: metrics.accuracy,
            val_balanced_accuracy: metrics.balanced_accuracy,
        };
        let is_best = best.as_ref().is_none_or(|b| score > b.score);
        on_event(TrainEvent::EpochFinished {
            epoch,
            train_loss: loss_sum / batches as f32,
            val: metrics.clone(),
            score,
            best: is_best,
        });
        if is_best {
            best = Some(Fitted {
                record: selectable,
                epoch,
                val: metrics,
                score,
            });
        }
        let best_so_far = best.as_ref().expect("set above on the first epoch");
        if let Some(Checkpoint { dir, recipe, .. }) = &options.checkpoint {
            checkpoint::append_history(dir, &history)?;
            let average = averaged
                .as_ref()
                .map(|(bytes, updates)| (bytes.as_slice(), *updates));
            checkpoint::save(dir, recipe, epoch, &record, best_so_far, average)?;
        }
        if let Some(patience) = options.patience
            && epoch - best_so_far.epoch >= patience
        {
            on_event(TrainEvent::StoppedEarly { epoch, patience });
            break;
        }
    }
    best.ok_or_else(|| "no epoch was trained (epochs must be at least 1)".into())
}
