//! The networks stage 2 of the generator's training consults, frozen: the classifiers whose
//! predictions it keeps and the tone estimator that reads its renderings.

use burn::module::Module;
use burn::prelude::*;
use dermtone_engine::InputSpec;
use dermtone_net::Classifier;

/// The classifiers stage 2 consults: the photo model's prediction is kept on every crop and,
/// where given, the dermoscopy model's on the dermoscopic crops; where given, the tone
/// estimator reads each rendering.
pub struct Diagnosers<'a> {
    /// The photo classifier.
    pub photo: Diagnoser<'a>,
    /// The dermoscopy classifier.
    pub dermoscopy: Option<Diagnoser<'a>>,
    /// The tone estimator.
    pub tone: Option<Diagnoser<'a>>,
}

/// A classifier whose predictions stage 2 keeps, with its input normalisation. It runs
/// on the training device with its weights out of the gradient (`no_grad`) and dropout off, so
/// its batch norms normalise each pass by that batch's own statistics (the original and the
/// rendered batch separately): the term compares two predictions made alike, not the
/// classifier's deployed outputs.
pub struct Diagnoser<'a> {
    /// f32 record of the classifier.
    pub record: &'a [u8],
    /// Its shape (dropout is switched off here).
    pub config: dermtone_net::ClassifierConfig,
    /// Its input normalisation.
    pub input: &'a InputSpec,
}

impl Diagnoser<'_> {
    /// The classifier on `device`, out of the gradient, dropout off.
    pub(super) fn load(&self, device: &Device) -> Result<Classifier, String> {
        Ok(self.without_dropout(device)?.no_grad())
    }

    /// The network on `device` as it reads deployed: out of the gradient, with dropout off and
    /// batch norm on its running statistics (`freeze`), so a reading depends on the rendering
    /// alone, not on the rest of its batch. Gradients still reach the rendering.
    pub(super) fn load_frozen(&self, device: &Device) -> Result<Classifier, String> {
        Ok(self.without_dropout(device)?.freeze())
    }

    fn without_dropout(&self, device: &Device) -> Result<Classifier, String> {
        self.config
            .clone()
            .with_dropout(0.0)
            .load_record(self.record, device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::discriminator::TYPES;
    use crate::generator::tone_estimate::tone_group_loss;

    #[test]
    fn a_frozen_estimator_reads_each_image_alone_and_passes_gradients_to_it() {
        let device = Device::flex().autodiff();
        let config = dermtone_net::ClassifierConfig::new(TYPES).with_base_width(8);
        let record = config.init(&Device::flex()).record_bytes().unwrap();
        let input = InputSpec {
            size: 16,
            mean: [0.5; 3],
            std: [0.25; 3],
        };
        let estimator = Diagnoser {
            record: &record,
            config,
            input: &input,
        }
        .load_frozen(&device)
        .unwrap();
        let image = |seed: usize| -> Vec<f32> {
            (0..3 * 16 * 16)
                .map(|i| ((i * 7 + seed * 13) % 17) as f32 / 17.0)
                .collect()
        };
        let batch = |seeds: &[usize]| {
            let data: Vec<f32> = seeds.iter().flat_map(|&s| image(s)).collect();
            Tensor::<4>::from_data(TensorData::new(data, [seeds.len(), 3, 16, 16]), &device)
        };
        let first_row = |logits: Tensor<2>| logits.narrow(0, 0, 1).into_data().try_to_vec::<f32>();
        let alone = first_row(estimator.forward(batch(&[1]))).unwrap();
        let beside = first_row(estimator.forward(batch(&[1, 2, 3]))).unwrap();
        for (a, b) in alone.iter().zip(&beside) {
            assert!((a - b).abs() < 1e-5, "{alone:?} against {beside:?}");
        }
        let images = batch(&[1, 2]).require_grad();
        let loss = tone_group_loss(estimator.forward(images.clone()), &[5, 0]);
        let gradients = loss.backward();
        let values = images
            .grad(&gradients)
            .expect("a gradient on the images")
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert!(values.iter().all(|g| g.is_finite()));
        assert!(
            values.iter().any(|g| g.abs() > 0.0),
            "no gradient reached the images"
        );
    }
}
