//! The dermoscopy classifier on HAM10000: training, `dermtone eval`'s measurement of the shipped
//! model (shared by the photo model's evaluation), and shipping a trained one into `models/`.

pub mod eval;
pub mod export;
pub mod train;
