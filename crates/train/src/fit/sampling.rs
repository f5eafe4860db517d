//! How each epoch draws its training images: every image once, shuffled, or square-root
//! balanced draws over classes (or any strata, e.g. class × skin-tone group).

use rand::Rng;
use rand::seq::SliceRandom;

use super::stream::TrainRng;

/// How each epoch draws its training images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Every image once per epoch, shuffled; imbalance is left to the loss weights.
    Shuffle,
    /// As many draws as images, each from a class chosen with probability proportional to the
    /// square root of its size: rare classes are seen far more often than their share (their
    /// images repeat, with different augmentations) without starving the common class.
    Balanced,
}

impl std::str::FromStr for Sampling {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "shuffle" => Ok(Self::Shuffle),
            "balanced" => Ok(Self::Balanced),
            _ => Err(format!("unknown sampling {text:?} (shuffle or balanced)")),
        }
    }
}

/// Turns `order` (the previous epoch's) into the image indices the next epoch visits.
/// The next epoch's order: every image shuffled (of which the first `draws` are used), or
/// `draws` balanced draws.
pub(super) fn next_order(
    order: &mut Vec<usize>,
    strata: &[usize],
    sampling: Sampling,
    draws: usize,
    rng: &mut TrainRng,
) {
    match sampling {
        Sampling::Shuffle => order.shuffle(rng),
        Sampling::Balanced => *order = balanced_order(strata, draws, rng),
    }
}

/// `draws` indices, drawn stratum-first with square-root stratum weights.
fn balanced_order(labels: &[usize], draws: usize, rng: &mut TrainRng) -> Vec<usize> {
    let classes = labels.iter().max().map_or(0, |l| l + 1);
    let mut by_class = vec![Vec::new(); classes];
    for (i, &label) in labels.iter().enumerate() {
        by_class[label].push(i);
    }
    let present: Vec<&Vec<usize>> = by_class.iter().filter(|c| !c.is_empty()).collect();
    let weights: Vec<f64> = present.iter().map(|c| (c.len() as f64).sqrt()).collect();
    let total: f64 = weights.iter().sum();
    (0..draws)
        .map(|_| {
            let mut draw = rng.random_range(0.0..total);
            let mut class = present[present.len() - 1];
            for (members, weight) in present.iter().zip(&weights) {
                if draw < *weight {
                    class = members;
                    break;
                }
                draw -= weight;
            }
            class[rng.random_range(0..class.len())]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn balanced_sampling_favours_rare_classes() {
        let labels: Vec<usize> = (0..1000).map(|i| usize::from(i % 100 == 0)).collect();
        let mut rng = TrainRng::seed_from_u64(3);
        let mut order: Vec<usize> = (0..labels.len()).collect();
        next_order(
            &mut order,
            &labels,
            Sampling::Balanced,
            labels.len(),
            &mut rng,
        );
        assert_eq!(order.len(), labels.len());
        // sqrt(10) / (sqrt(10) + sqrt(990)) ≈ 9 % of draws, against 1 % of images.
        let rare = order.iter().filter(|&&i| labels[i] == 1).count();
        assert!((60..130).contains(&rare), "{rare}");
        next_order(&mut order, &labels, Sampling::Balanced, 64, &mut rng);
        assert_eq!(order.len(), 64, "an epoch draws as many as it is told");
        let mut shuffled: Vec<usize> = (0..labels.len()).collect();
        next_order(
            &mut shuffled,
            &labels,
            Sampling::Shuffle,
            labels.len(),
            &mut rng,
        );
        assert_eq!(shuffled.iter().filter(|&&i| labels[i] == 1).count(), 10);
    }
}
