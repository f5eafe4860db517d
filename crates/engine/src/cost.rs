//! [`NetworkFlops`]: what one image costs in each network an engine holds, so that timings can
//! be turned into achieved GFLOP/s (`dermtone bench`).

use crate::Analysis;

/// FLOPs of one image through each network an engine holds, at the network's input size (see
/// [`dermtone_net::flops`] for what is counted). A network that is not loaded costs 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkFlops {
    /// The classifier of the engine's mode.
    pub classifier: u64,
    /// The learned tone estimator (the ITA rule beside it is not a network).
    pub tone: u64,
    /// The tone generator, per rendering.
    pub generator: u64,
}

impl NetworkFlops {
    /// The network FLOPs an analysis ran: nothing for a photo that failed the quality check,
    /// else the tone estimate and one classification, plus one rendering and one
    /// classification per re-rendered tone.
    pub fn of_analysis(&self, analysis: &Analysis) -> u64 {
        if !analysis.quality.ok {
            return 0;
        }
        let renderings = analysis.per_tone.len() as u64;
        self.tone + self.classifier + renderings * (self.generator + self.classifier)
    }
}
