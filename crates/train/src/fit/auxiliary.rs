//! A second task trained beside a classifier's own, on the same body: a batch of its images
//! joins every batch, its classes sit beside the first task's in the one output layer (a head
//! per task: each task's softmax sees only its own columns), and its cross-entropy is added
//! with a weight. The body so learns from both data sets (HAM10000's dermoscopy beside the
//! Fitzpatrick17k photos), while what is scored on val, selected and exported is the first
//! task's model alone, cut back out of the shared one.
//!
//! Both tasks' images go through one forward pass, so batch norm sees the same mix of the two
//! while training as its running statistics hold at inference.

use burn::nn::loss::CrossEntropyLoss;
use burn::prelude::*;
use dermtone_engine::InputSpec;
use dermtone_net::{Classifier, ClassifierConfig};
use image::RgbImage;
use rand::Rng;

use super::augment::Augment;
use super::predict::batch_tensor;
use super::stream::TrainRng;

/// The second task: its training images, how many join each batch and how much its loss counts.
pub struct Auxiliary<'a> {
    images: &'a [RgbImage],
    classes: usize,
    /// Each class that has images, and the indices of its images.
    by_class: Vec<(usize, Vec<usize>)>,
    augment: &'a Augment,
    per_batch: usize,
    weight: f32,
}

/// One batch of the second task: normalised images and their class indices.
pub struct AuxiliaryBatch {
    inputs: Tensor<4>,
    labels: Vec<usize>,
}

impl<'a> Auxiliary<'a> {
    /// The task of `images` and their `labels` (below `classes`; an image labelled `None` is
    /// never drawn, so a task can borrow the first task's images without copying the labelled
    /// ones out), `per_batch` images a step drawn class by class (a class uniformly, then one of
    /// its images), each through `augment`, its loss scaled by `weight`.
    pub fn new(
        images: &'a [RgbImage],
        labels: &[Option<usize>],
        classes: usize,
        augment: &'a Augment,
        per_batch: usize,
        weight: f32,
    ) -> Result<Self, String> {
        let mut by_class = vec![Vec::new(); classes];
        if images.len() != labels.len() {
            return Err("second task: one label per image".into());
        }
        for (i, label) in labels.iter().enumerate() {
            let Some(label) = *label else { continue };
            by_class
                .get_mut(label)
                .ok_or_else(|| format!("second task: label {label} of {classes} classes"))?
                .push(i);
        }
        let by_class: Vec<(usize, Vec<usize>)> = by_class
            .into_iter()
            .enumerate()
            .filter(|(_, members)| !members.is_empty())
            .collect();
        if by_class.is_empty() || per_batch == 0 {
            return Err("the second task needs images and at least one a batch".into());
        }
        Ok(Self {
            images,
            classes,
            by_class,
            augment,
            per_batch,
            weight,
        })
    }

    /// Its number of classes: the columns it adds to the output layer.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// A batch drawn from `rng` and normalised as the first task's images are.
    pub fn draw(&self, input: &InputSpec, device: &Device, rng: &mut TrainRng) -> AuxiliaryBatch {
        let (images, labels): (Vec<RgbImage>, Vec<usize>) = (0..self.per_batch)
            .map(|_| {
                let (label, members) = &self.by_class[rng.random_range(0..self.by_class.len())];
                let i = members[rng.random_range(0..members.len())];
                ((self.augment)(&self.images[i], i, rng), *label)
            })
            .unzip();
        AuxiliaryBatch {
            inputs: batch_tensor(&images, input, device),
            labels,
        }
    }

    /// The first task's logits for `inputs` (its `main_classes` columns) and the second task's
    /// weighted loss on `batch`, from one forward pass over both.
    pub fn forward(
        &self,
        model: &Classifier,
        inputs: Tensor<4>,
        batch: AuxiliaryBatch,
        main_classes: usize,
        loss: &CrossEntropyLoss,
    ) -> (Tensor<2>, Tensor<1>) {
        let own = inputs.dims()[0];
        let theirs = batch.labels.len();
        let device = inputs.device();
        let all = model.forward(Tensor::cat(vec![inputs, batch.inputs], 0));
        let logits = all.clone().slice([0..own, 0..main_classes]);
        let their_logits =
            all.slice([own..own + theirs, main_classes..main_classes + self.classes]);
        let targets = Tensor::<1, Int>::from_data(
            TensorData::new(
                batch.labels.iter().map(|&l| l as i64).collect::<Vec<_>>(),
                [theirs],
            ),
            &device,
        );
        (logits, loss.forward(their_logits, targets) * self.weight)
    }
}

/// `record` (of `config`'s shape) with its head resized to `classes` outputs, the classes both
/// have keeping their weights: the first task's model widened for the second, or cut back out.
pub fn resize_head(
    config: &ClassifierConfig,
    record: &[u8],
    classes: usize,
) -> Result<Vec<u8>, String> {
    let device = Device::flex();
    config
        .load_record(record, &device)?
        .with_head_classes(classes, &device)?
        .record_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn image(shade: u8) -> RgbImage {
        RgbImage::from_pixel(8, 8, image::Rgb([shade, shade, shade]))
    }

    #[test]
    fn draws_reach_every_class_however_rare() {
        // Eight images of class 0, one of class 2, none of class 1, one unlabelled.
        let images: Vec<RgbImage> = (0..10).map(|i| image(i as u8)).collect();
        let mut labels = [Some(0); 10];
        labels[4] = Some(2);
        labels[7] = None;
        let augment = |im: &RgbImage, _: usize, _: &mut TrainRng| im.clone();
        let task = Auxiliary::new(&images, &labels, 3, &augment, 200, 1.0).unwrap();
        let input = InputSpec {
            size: 8,
            mean: [0.5; 3],
            std: [0.25; 3],
        };
        let batch = task.draw(&input, &Device::flex(), &mut TrainRng::seed_from_u64(1));
        let rare = batch.labels.iter().filter(|&&l| l == 2).count();
        assert_eq!(
            task.by_class.iter().map(|(_, m)| m.len()).sum::<usize>(),
            9,
            "the unlabelled image is never drawn"
        );
        assert_eq!(batch.inputs.dims(), [200, 3, 8, 8]);
        assert!((70..130).contains(&rare), "class 2 drawn {rare} of 200");
        assert!(Auxiliary::new(&images, &labels, 2, &augment, 4, 1.0).is_err());
    }
}
