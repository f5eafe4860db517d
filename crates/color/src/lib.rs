//! Skin colour science on `image::RgbImage`. No burn: plain colour maths that the engine,
//! the training code and the tone audit share.

mod lab;

pub use lab::{Lab, individual_typology_angle, srgb_to_lab};
