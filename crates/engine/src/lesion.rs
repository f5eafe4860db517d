//! The lesion's shape and colour measures as they appear in the public JSON (`Analysis.lesion`)
//! and are read back when two saved analyses are compared.

use serde::{Deserialize, Serialize};

/// What the engine measured of the lesion's outline and colours, without a ruler: see
/// [`dermtone_color::LesionShape`] for each measure's definition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LesionMeasures {
    /// 0 for a symmetric outline; the share of the lesion off its mirror image.
    pub asymmetry: f32,
    /// 1 for a circle; larger for a ragged or notched border.
    pub border_irregularity: f32,
    /// Mean ΔE*ab from the lesion's mean colour: larger for several colours.
    pub colour_variegation: f32,
    /// Share of the photo the lesion covers: depends on the camera's distance, so not a size.
    pub frame_share: f32,
}

impl From<dermtone_color::LesionShape> for LesionMeasures {
    fn from(s: dermtone_color::LesionShape) -> Self {
        Self {
            asymmetry: s.asymmetry,
            border_irregularity: s.border_irregularity,
            colour_variegation: s.colour_variegation,
            frame_share: s.frame_share,
        }
    }
}
