//! The head both classifiers end in (global average pooling, one linear layer), with its class
//! activation maps.

use crate::generator::Dense;

/// One image's logits and the head applied at each position of the last feature map (class
/// activation maps, Zhou et al. 2016: each map's mean is its class's logit).
pub struct ClassMaps {
    pub logits: Vec<f32>,
    /// `classes` maps of `height` rows of `width`, class-major.
    pub maps: Vec<f32>,
    pub height: usize,
    pub width: usize,
}

/// A copy of `head` for `features` inputs, refused unless its weights are `features × classes`.
pub(crate) fn checked_head(head: &Dense, features: usize) -> Result<Dense, String> {
    let classes = head.bias.len();
    if head.weight.len() != features * classes {
        return Err(format!(
            "the head has {} weights for {features} features and {classes} classes",
            head.weight.len()
        ));
    }
    Ok(Dense {
        weight: head.weight.clone(),
        bias: head.bias.clone(),
    })
}

/// The pooled head's logits and maps for `features`: channel-major planes of `height × width`.
pub(crate) fn pooled_head(
    head: &Dense,
    features: &[f32],
    height: usize,
    width: usize,
) -> ClassMaps {
    let pixels = height * width;
    let pooled: Vec<f32> = features
        .chunks_exact(pixels)
        .map(|plane| plane.iter().sum::<f32>() / pixels as f32)
        .collect();
    let classes = head.bias.len();
    let mut maps: Vec<f32> = head
        .bias
        .iter()
        .flat_map(|&b| std::iter::repeat_n(b, pixels))
        .collect();
    for (plane, row) in features
        .chunks_exact(pixels)
        .zip(head.weight.chunks_exact(classes))
    {
        for (map, &w) in maps.chunks_exact_mut(pixels).zip(row) {
            for (m, &f) in map.iter_mut().zip(plane) {
                *m += w * f;
            }
        }
    }
    ClassMaps {
        logits: head.forward(&pooled),
        maps,
        height,
        width,
    }
}
