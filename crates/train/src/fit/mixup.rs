//! Mixup (Zhang et al., ICLR 2018): each training image is blended with another image of its
//! batch, and its target with that image's target, in one random proportion per batch. It
//! regularises small data sets, where a network otherwise memorises its few thousand photos.

use rand::Rng;

/// The blend for one batch: image `i` becomes `lambda · i + (1 − lambda) · partner[i]`.
pub struct Blend {
    /// Share of each image's own pixels and target.
    pub lambda: f32,
    /// The image each one is blended with (a permutation of the batch).
    pub partners: Vec<usize>,
}

/// Draws a blend for a batch of `size` images, `lambda` from Beta(`alpha`, `alpha`).
pub fn draw(size: usize, alpha: f32, rng: &mut impl Rng) -> Blend {
    let mut partners: Vec<usize> = (0..size).collect();
    rand::seq::SliceRandom::shuffle(partners.as_mut_slice(), rng);
    Blend {
        lambda: symmetric_beta(alpha, rng),
        partners,
    }
}

/// Blends per-image target rows (`classes` values each) as the images are blended.
pub fn blend_targets(targets: &[f32], classes: usize, blend: &Blend) -> Vec<f32> {
    (0..blend.partners.len())
        .flat_map(|i| {
            let own = &targets[i * classes..(i + 1) * classes];
            let other = &targets[blend.partners[i] * classes..(blend.partners[i] + 1) * classes];
            own.iter()
                .zip(other)
                .map(|(a, b)| blend.lambda * a + (1.0 - blend.lambda) * b)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Beta(alpha, alpha) by Jöhnk's method, exact for any alpha and quick for alpha ≤ 1 (the
/// values mixup uses).
fn symmetric_beta(alpha: f32, rng: &mut impl Rng) -> f32 {
    let exponent = 1.0 / alpha.max(1e-3);
    loop {
        let x = rng.random::<f32>().powf(exponent);
        let y = rng.random::<f32>().powf(exponent);
        if x + y <= 1.0 && x + y > 0.0 {
            return x / (x + y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn beta_one_is_uniform_and_small_alpha_pushes_to_the_ends() {
        let mut rng = StdRng::seed_from_u64(1);
        let draws: Vec<f32> = (0..20_000).map(|_| symmetric_beta(1.0, &mut rng)).collect();
        let mean = draws.iter().sum::<f32>() / draws.len() as f32;
        let below_tenth = draws.iter().filter(|&&v| v < 0.1).count() as f32 / draws.len() as f32;
        assert!((mean - 0.5).abs() < 0.01 && (below_tenth - 0.1).abs() < 0.01);
        let ends = (0..20_000)
            .map(|_| symmetric_beta(0.2, &mut rng))
            .filter(|&v| !(0.1..=0.9).contains(&v))
            .count() as f32
            / 20_000.0;
        // Beta(0.2, 0.2) puts about 70 % of its mass outside [0.1, 0.9].
        assert!(ends > 0.6, "{ends}");
    }

    #[test]
    fn targets_blend_with_their_partners() {
        let blend = Blend {
            lambda: 0.75,
            partners: vec![1, 0],
        };
        assert_eq!(
            blend_targets(&[1.0, 0.0, 0.0, 1.0], 2, &blend),
            vec![0.75, 0.25, 0.25, 0.75]
        );
    }
}
