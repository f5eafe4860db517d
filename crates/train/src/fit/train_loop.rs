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
use super::stream::{Stream, TrainRng};
use super::targets::{Targets, ordinal_targets, smoothed_targets};
use super::weight_average::WeightAverage;
use crate::evaluation::metrics::classification_metrics;

/// Trains a classifier on `train` and returns the epoch that scored best on `val`. With a
/// checkpoint folder, every epoch is saved there and `resume` continues after the last one: the
/// weights, the best epoch so far and the random stream (its saved position, or replayed for a
/// checkpoint from before positions were kept) are restored, so a resumed run draws the same
/// batches as an uninterrupted one; AdamW's moment estimates (and group DRO's group weights)
/// restart.
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
    let mut rng = TrainRng::seed_from_u64(options.seed);
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
            match &saved.state.stream {
                Some(stream) => (rng, order) = stream.restore(options.seed, train.images.len())?,
                None => {
                    for _ in 1..=saved.state.epoch {
                        next_order(&mut order, strata, options.sampling, draws, &mut rng);
                        for &i in order.iter().take(draws) {
                            (options.augment)(&train.images[i], i, &mut rng);
                        }
                    }
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
        let mut auxiliary_rng = TrainRng::seed_from_u64(
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
            checkpoint::save(
                dir,
                recipe,
                epoch,
                &record,
                best_so_far,
                average,
                Stream::after(&rng, &order),
            )?;
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

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::path::Path;
    use std::rc::Rc;

    use dermtone_net::ClassifierConfig;
    use rand::RngCore;

    use super::super::checkpoint::Checkpoint;
    use super::super::sampling::Sampling;
    use super::super::targets::Targets;
    use super::*;

    type Draws = Rc<RefCell<Vec<(usize, u64)>>>;

    /// Trains a tiny network on six 16 px images, each augmentation recording which image it
    /// drew and the next word of the stream.
    fn run(dir: &Path, epochs: usize, resume: bool, sampling: Sampling, seen: &Draws) {
        let images: Vec<RgbImage> = (0..6u8)
            .map(|i| RgbImage::from_pixel(16, 16, image::Rgb([i * 40, 90, 200 - i * 30])))
            .collect();
        let labels = vec![0, 1, 0, 1, 0, 1];
        let split = Split { images, labels };
        let seen = Rc::clone(seen);
        let augment = move |image: &RgbImage, index: usize, rng: &mut TrainRng| {
            seen.borrow_mut().push((index, rng.next_u64()));
            image.clone()
        };
        let options = FitOptions {
            device: Device::flex(),
            seed: 7,
            epochs,
            batch_size: 4,
            learning_rate: 1e-3,
            config: ClassifierConfig::new(2).with_base_width(4),
            input: dermtone_engine::InputSpec {
                size: 16,
                mean: [0.5; 3],
                std: [0.25; 3],
            },
            class_weights: vec![1.0, 1.0],
            targets: Targets::Hard,
            augment: &augment,
            score: &|probabilities, _| f64::from(probabilities[0][0]),
            sampling,
            label_smoothing: 0.0,
            patience: None,
            checkpoint: Some(Checkpoint {
                dir,
                resume,
                recipe: "tiny".into(),
            }),
            strata: None,
            group_robust: None,
            initial_record: None,
            draws_per_epoch: None,
            weight_average: None,
            mixup: None,
            auxiliary: None,
            teacher: None,
        };
        fit(&split, &split, &options, &mut |_| {}).unwrap();
    }

    #[test]
    fn a_resumed_run_draws_what_an_uninterrupted_one_draws_without_replaying_them() {
        for sampling in [Sampling::Shuffle, Sampling::Balanced] {
            let seen = Draws::default();
            let root = std::env::temp_dir().join(format!(
                "dermtone-resume-{}-{sampling:?}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&root);
            run(&root.join("whole"), 3, false, sampling, &seen);
            let whole = seen.take();
            assert_eq!(whole.len(), 18);

            run(&root.join("parted"), 2, false, sampling, &seen);
            assert_eq!(seen.take(), whole[..12]);
            run(&root.join("parted"), 3, true, sampling, &seen);
            assert_eq!(
                seen.take(),
                whole[12..],
                "{sampling:?}: epoch 3 only, as drawn whole"
            );

            // A checkpoint from before the stream was kept replays the finished epochs instead.
            let state = root.join("old/state.json");
            run(&root.join("old"), 2, false, sampling, &seen);
            seen.take();
            let mut json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
            assert!(json.as_object_mut().unwrap().remove("stream").is_some());
            std::fs::write(&state, json.to_string()).unwrap();
            run(&root.join("old"), 3, true, sampling, &seen);
            assert_eq!(seen.take(), whole, "{sampling:?}: replayed, then epoch 3");
            let _ = std::fs::remove_dir_all(&root);
        }
    }
}
