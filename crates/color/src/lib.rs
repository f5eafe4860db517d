//! Skin colour science: CIELAB, ITA° and the skin-tone scales (ITA categories, Fitzpatrick,
//! Monk). No burn: plain colour maths that the engine, the training code and the tone audit share.

mod lab;
mod tone;

pub use lab::{Lab, individual_typology_angle, srgb_to_lab};
pub use tone::{ItaCategory, MONK_SWATCHES, fitzpatrick_from_ita, nearest_monk};
