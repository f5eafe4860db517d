//! [`DirectClassifier`]: either classifier on the direct path.

use crate::head::ClassMaps;
use crate::mobile::DirectMobileNet;
use crate::plain::DirectPlainNet;

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
