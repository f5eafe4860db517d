//! An exponential moving average of a network's weights (Polyak averaging), updated after every
//! optimiser step. The average is smoother than the last step's weights, so it usually scores
//! better on val and its epoch-to-epoch val figures are less noisy to select on.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use dermtone_net::Classifier;

/// The averaged weights and how fast they follow the live ones.
pub struct WeightAverage {
    model: Classifier,
    decay: f64,
    updates: u64,
}

impl WeightAverage {
    /// Starts the average at `model`'s weights.
    pub fn new(model: &Classifier, decay: f64) -> Self {
        Self {
            model: model.valid(),
            decay,
            updates: 0,
        }
    }

    /// Continues an average saved with [`WeightAverage::model`] after `updates` steps.
    pub fn resume(model: Classifier, decay: f64, updates: u64) -> Self {
        Self {
            model,
            decay,
            updates,
        }
    }

    /// Moves the average towards `live`'s weights. The decay ramps up over the first steps
    /// ((1 + t) / (10 + t)), so the average does not stay anchored to the random start.
    pub fn update(&mut self, live: &Classifier) {
        self.updates += 1;
        let t = self.updates as f64;
        let decay = self.decay.min((1.0 + t) / (10.0 + t));
        let mut collect = Collect::default();
        live.valid().visit(&mut collect);
        let mut blend = Blend {
            live: collect.tensors.into_iter(),
            decay,
        };
        self.model = self.model.clone().map(&mut blend);
    }

    /// The averaged network (on the inner, non-autodiff device).
    pub fn model(&self) -> &Classifier {
        &self.model
    }

    /// Optimiser steps averaged so far.
    pub fn updates(&self) -> u64 {
        self.updates
    }
}

/// Every float tensor of a module (parameters and batch-norm statistics), flattened, in visit
/// order. Matched by order, not by [`ParamId`]: a batch-norm statistic gets a fresh id every
/// time a network is loaded from a record, so after `--resume` the live network's and the
/// average's statistics no longer share ids (parameters keep theirs).
#[derive(Default)]
struct Collect {
    tensors: Vec<Tensor<1>>,
}

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        let count = value.shape().num_elements();
        self.tensors.push(value.reshape([count]));
    }
}

/// average ← decay · average + (1 − decay) · live, tensor by tensor in visit order (both
/// networks come from one config, so their tensors line up).
struct Blend {
    live: std::vec::IntoIter<Tensor<1>>,
    decay: f64,
}

impl ModuleMapper for Blend {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(live) = self.live.next() else {
            return param;
        };
        let decay = self.decay;
        param.map(|average| {
            let shape = average.shape();
            average * decay + live.reshape(shape) * (1.0 - decay)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dermtone_net::ClassifierConfig;

    fn weights(model: &Classifier) -> Vec<Vec<f32>> {
        let mut collect = Collect::default();
        model.visit(&mut collect);
        collect
            .tensors
            .into_iter()
            .map(|t| t.to_data().try_to_vec::<f32>().unwrap())
            .collect()
    }

    /// Every tensor of `average` is `decay · start + (1 − decay) · live`.
    fn assert_blended(start: &Classifier, live: &Classifier, average: &Classifier, decay: f32) {
        let (a, b, m) = (weights(start), weights(live), weights(average));
        assert!(!m.is_empty());
        assert_eq!((a.len(), b.len()), (m.len(), m.len()));
        for ((a, b), m) in a.iter().zip(&b).zip(&m) {
            for ((a, b), m) in a.iter().zip(b).zip(m) {
                assert!((m - (decay * a + (1.0 - decay) * b)).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn the_average_moves_part_of_the_way_to_the_live_weights() {
        let device = Device::flex();
        let config = ClassifierConfig::new(3).with_base_width(8);
        let start = config.init(&device);
        let mut average = WeightAverage::new(&start, 0.5);
        // A second network with other values. (`valid`, not `clone`: a clone shares its
        // batch-norm statistics with the original, so mapping it would change both.)
        let other = start.valid().map(&mut Shift);
        average.update(&other);
        // First step: decay min(0.5, 2/11) = 2/11.
        assert_blended(&start, &other, average.model(), 2.0 / 11.0);
        assert_eq!(average.updates(), 1);
    }

    #[test]
    fn a_resumed_average_still_follows_the_batch_norm_statistics() {
        // What `--resume` does: both networks come back from records, which gives their
        // batch-norm statistics fresh ids; the average must still follow every tensor.
        let device = Device::flex();
        let config = ClassifierConfig::new(3).with_base_width(8);
        let reload = |model: &Classifier| {
            let bytes = model.valid().record_bytes().unwrap();
            config.load_record(&bytes, &device).unwrap()
        };
        let start = config.init(&device);
        let live = reload(&start.valid().map(&mut Shift));
        let mut average = WeightAverage::resume(reload(&start), 0.5, 100);
        average.update(&live);
        assert_blended(&start, &live, average.model(), 0.5);
    }

    /// Adds 1 to every float tensor.
    struct Shift;

    impl ModuleMapper for Shift {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            param.map(|t| t + 1.0)
        }
    }
}
