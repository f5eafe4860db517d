//! Group DRO over the training images' groups, and the group weights it moves as training runs.

/// Group DRO (Sagawa et al., ICLR 2020): the loss is a weighted sum of per-group mean losses,
/// and after every step each group's weight grows with its loss, so training keeps pushing on
/// whichever group (e.g. a skin-tone group) it currently serves worst.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRobust {
    /// Group index per training image.
    pub groups: Vec<usize>,
    /// Step size of the exponentiated-gradient update of the group weights.
    pub step: f32,
}

/// The group weights of [`GroupRobust`] as training moves them.
pub(super) struct GroupWeights<'a> {
    groups: &'a [usize],
    step: f32,
    weights: Vec<f32>,
}

impl<'a> GroupWeights<'a> {
    pub(super) fn new(robust: &'a GroupRobust) -> Self {
        let count = robust.groups.iter().max().map_or(1, |g| g + 1);
        Self {
            groups: &robust.groups,
            step: robust.step,
            weights: vec![1.0 / count as f32; count],
        }
    }

    /// The factor of each image's loss in this batch (its group's weight over the group's
    /// images in the batch), then the update of the weights by the batch's group losses.
    pub(super) fn step(&mut self, batch: &[usize], losses: &[f32]) -> Vec<f32> {
        let mut count = vec![0usize; self.weights.len()];
        let mut total = vec![0f32; self.weights.len()];
        for (&i, &loss) in batch.iter().zip(losses) {
            count[self.groups[i]] += 1;
            total[self.groups[i]] += loss;
        }
        let present: f32 = (0..self.weights.len())
            .filter(|&g| count[g] > 0)
            .map(|g| self.weights[g])
            .sum();
        let scale = batch
            .iter()
            .map(|&i| self.weights[self.groups[i]] / present / count[self.groups[i]] as f32)
            .collect();
        for g in (0..self.weights.len()).filter(|&g| count[g] > 0) {
            self.weights[g] *= (self.step * total[g] / count[g] as f32).exp();
        }
        let sum: f32 = self.weights.iter().sum();
        self.weights.iter_mut().for_each(|w| *w /= sum);
        scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_weights_grow_for_the_group_with_the_higher_loss() {
        let robust = GroupRobust {
            groups: vec![0, 0, 1, 1, 1, 1],
            step: 0.5,
        };
        let mut weights = GroupWeights::new(&robust);
        let scale = weights.step(&[0, 1, 2, 3, 4, 5], &[2.0, 2.0, 0.1, 0.1, 0.1, 0.1]);
        // Equal group weights at first: each group's images share half of the loss.
        assert_eq!(scale, [0.25, 0.25, 0.125, 0.125, 0.125, 0.125]);
        assert!(weights.weights[0] > weights.weights[1]);
        assert!((weights.weights.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        // A batch with one group only gives that group's images the whole loss.
        let scale = weights.step(&[2, 3], &[1.0, 1.0]);
        assert_eq!(scale, [0.5, 0.5]);
    }
}
