//! `dermtone validate-generator` (phase 3): is the tone generator fit to show people? Measured on
//! held-out photos only, and always beside the plain biophysical re-toning it must beat:
//! - **tone hit**: the learned tone estimator (and the ITA rule) puts each rendering in the
//!   group it was rendered at; ITA° error of its healthy skin;
//! - **lesion kept**: the classifiers' top-1 answer unchanged; SSIM of luminance inside the
//!   HAM10000 lesion masks;
//! - **realism**: Fréchet distance, in the photo classifier's penultimate features, between
//!   renderings at V–VI and real V–VI photos, against the re-toning and the untouched photos;
//! - **artefacts**: radially averaged power spectra of skin patches, against real V–VI skin, and
//!   bands along the image's edges.

pub mod border;
pub mod figures;
pub mod frechet;
pub mod grids;
pub mod inputs;
pub mod report;
pub mod spectrum;
pub mod validate;
