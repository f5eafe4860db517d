//! One network's forward pass on inputs already prepared (resized, normalised, conditioned), read
//! back as plain numbers: what the benchmark page runs, on the same tensors, through both this
//! engine and ONNX Runtime Web, whose graphs `dermtone export-onnx` writes from the same weights.

use crate::{Engine, EngineError};

/// Which of an engine's networks runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// The mode's classifier: logits, `classes` per image.
    Classifier,
    /// The learned tone estimator: logits over Fitzpatrick I–VI.
    Tone,
    /// The tone generator: the rendering, NCHW, not clamped (as the exported graph).
    Generator,
}

impl Network {
    /// `classifier`, `tone` or `generator`.
    pub fn parse(name: &str) -> Result<Self, EngineError> {
        match name {
            "classifier" => Ok(Self::Classifier),
            "tone" => Ok(Self::Tone),
            "generator" => Ok(Self::Generator),
            other => Err(EngineError::new(
                "input",
                format!("unknown network {other:?}: use classifier, tone or generator"),
            )),
        }
    }
}

impl Engine {
    /// Side of the square images `network` takes, if this engine holds it.
    pub fn input_size(&self, network: Network) -> Option<u32> {
        match network {
            Network::Classifier => Some(self.classifier.entry.input.size),
            Network::Tone => self.tone.as_ref().map(|t| t.entry.input.size),
            Network::Generator => self.renderer.as_ref().map(|r| r.entry.input.size),
        }
    }

    /// `network` on `batch` prepared NCHW images (`input`, at [`Engine::input_size`]) and, for
    /// the generator, `conditions` (3 per image); the raw outputs, read back.
    pub async fn forward_prepared(
        &self,
        network: Network,
        input: Vec<f32>,
        batch: usize,
        conditions: Vec<f32>,
    ) -> Result<Vec<f32>, EngineError> {
        let side = self
            .input_size(network)
            .ok_or_else(|| EngineError::new("model", "this engine holds no such network"))?
            as usize;
        if batch == 0 || input.len() != batch * 3 * side * side {
            return Err(EngineError::new(
                "input",
                format!(
                    "expected {batch} images of 3×{side}×{side} values, got {}",
                    input.len()
                ),
            ));
        }
        let classifier = match network {
            Network::Classifier => &self.classifier,
            Network::Tone => self
                .tone
                .as_ref()
                .ok_or_else(|| EngineError::new("model", "no tone model is loaded"))?,
            Network::Generator => {
                let renderer = self
                    .renderer
                    .as_ref()
                    .ok_or_else(|| EngineError::new("model", "no tone generator is loaded"))?;
                let width = dermtone_net::CONDITION_INPUTS;
                if conditions.len() != batch * width {
                    return Err(EngineError::new(
                        "input",
                        format!("expected {width} condition values per image"),
                    ));
                }
                return renderer
                    .forward(input, conditions, batch, side, &self.device)
                    .await;
            }
        };
        classifier.logits(input, batch, &self.device).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_names_parse_and_others_are_refused() {
        assert_eq!(Network::parse("tone").unwrap(), Network::Tone);
        assert_eq!(Network::parse("generator").unwrap(), Network::Generator);
        assert_eq!(Network::parse("gan").unwrap_err().code, "input");
    }
}
