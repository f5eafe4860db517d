//! The classification of the photo itself, with the heatmap of where the model looked. Kept
//! apart from [`Engine::classify`], which the renderings use: they need no map.

use burn::prelude::*;
use image::RgbImage;

use crate::loaded::{LoadedModel, Runner, scaled_softmax};
use crate::{ClassProbability, Engine, EngineError, Heatmap, argmax};

impl Engine {
    /// Class probabilities for one photo, most likely first, and the class activation map of
    /// the most likely class. The probabilities are [`Engine::classify`]'s.
    pub async fn classify_explained(
        &self,
        image: &RgbImage,
    ) -> Result<(Vec<ClassProbability>, Heatmap), EngineError> {
        let (probabilities, maps, [width, height]) = self
            .classifier
            .probabilities_and_maps(image, &self.device)
            .await?;
        let top = argmax(&probabilities);
        let cells = width * height;
        let code = &self.classifier.entry.labels[top].code;
        let heatmap =
            Heatmap::from_activations(code, width, height, &maps[top * cells..(top + 1) * cells]);
        Ok((self.labelled(probabilities), heatmap))
    }
}

impl LoadedModel {
    /// Calibrated probabilities for one photo, every class's activation map (class-major, rows
    /// of `width`), and the maps' `[width, height]`: on the direct path on the CPU, else read
    /// back from the device in one transfer.
    async fn probabilities_and_maps(
        &self,
        image: &RgbImage,
        device: &Device,
    ) -> Result<(Vec<f32>, Vec<f32>, [usize; 2]), EngineError> {
        let side = self.entry.input.size as usize;
        let pixels = self.pixels(&[image]);
        match &self.runner {
            Runner::Direct(direct) => {
                let one = direct
                    .forward_with_maps(&pixels, side, side)
                    .map_err(|e| EngineError::new("input", e))?;
                let probabilities = scaled_softmax(&one.logits, self.entry.temperature());
                Ok((probabilities, one.maps, [one.width, one.height]))
            }
            Runner::Device(network) => {
                network
                    .probabilities_and_maps(pixels, side, self.entry.temperature(), device)
                    .await
            }
        }
    }
}
