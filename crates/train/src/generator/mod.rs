//! The tone generator (training only; the network itself is in `dermtone-net`): what it learns
//! from, its two training stages and their critic, `dermtone train generator`, shipping it into
//! `models/`, and `dermtone validate-generator`.

pub mod data;
pub mod diagnosers;
pub mod discriminator;
pub mod edge_band;
pub mod export;
pub mod refine;
pub mod skin_detail;
pub mod skin_ita;
pub mod stages;
pub mod supervised;
pub mod tensors;
pub mod tone_estimate;
pub mod train;
pub mod validation;
