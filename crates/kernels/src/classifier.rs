//! [`DirectClassifier`]: either classifier on the direct path, and the head both end in (global
//! average pooling, one linear layer) with its class activation maps.

use crate::generator::Dense;
use crate::mobile::DirectMobileNet;
use crate::plain::DirectPlainNet;

/// One image's logits and the head applied at each position of the last feature map (class
/// activation maps, Zhou et al. 2016: each map's mean is its class's logit).
pub struct ClassMaps {
    pub logits: Vec<f32>,
    /// `classes` maps of `height` rows of `width`, class-major.
    pub maps: Vec<f32>,
    pub height: usize,
    pub width: usize,
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

/// A folded classifier of either kind on the direct CPU path.
pub enum DirectClassifier {
    Mobile(DirectMobileNet),
    Plain(DirectPlainNet),
}

impl DirectClassifier {
    /// Logits `[batch, classes]` flattened, for normalised `images` `[batch, 3, height, width]`
    /// flattened.
    pub fn forward(&self, images: &[f32], height: usize, width: usize) -> Result<Vec<f32>, String> {
        let pixels = self.check(height, width)?;
        if !images.len().is_multiple_of(pixels) {
            return Err(format!(
                "{} values do not make whole images of 3×{height}×{width}",
                images.len()
            ));
        }
        Ok(images
            .chunks(pixels)
            .flat_map(|image| self.one(image, height, width).logits)
            .collect())
    }

    /// Logits and class activation maps for one normalised image `[3, height, width]`.
    pub fn forward_with_maps(
        &self,
        image: &[f32],
        height: usize,
        width: usize,
    ) -> Result<ClassMaps, String> {
        let pixels = self.check(height, width)?;
        if image.len() != pixels {
            return Err(format!(
                "{} values are not one image of 3×{height}×{width}",
                image.len()
            ));
        }
        Ok(self.one(image, height, width))
    }

    /// Values in one image of `height × width`, if the network takes that size.
    fn check(&self, height: usize, width: usize) -> Result<usize, String> {
        let multiple = match self {
            Self::Mobile(_) => 2,
            Self::Plain(net) => net.side_multiple(),
        };
        if height == 0
            || width == 0
            || !height.is_multiple_of(multiple)
            || !width.is_multiple_of(multiple)
        {
            return Err(format!(
                "{height}×{width} pixels: this classifier needs sides that are positive multiples of {multiple}"
            ));
        }
        Ok(3 * height * width)
    }

    fn one(&self, image: &[f32], height: usize, width: usize) -> ClassMaps {
        match self {
            Self::Mobile(net) => net.one(image, height, width),
            Self::Plain(net) => net.one(image, height, width),
        }
    }
}
