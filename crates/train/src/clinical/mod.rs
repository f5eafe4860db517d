//! The photo (clinical) classifier on the Fitzpatrick17k subset: its condition taxonomy and
//! Fitzpatrick groups, training (with synthetic darker renderings and new real photos where
//! asked, on one body with HAM10000's dermoscopy or with a tone head, and taught by an
//! ensemble), `dermtone eval` on photos, and shipping a trained one into `models/`.

pub mod add;
pub mod cross_fit;
pub mod dark_synthesis;
pub mod distillation;
pub mod eval;
pub mod export;
pub mod new_photos;
pub mod options;
pub mod provenance;
pub mod shared_body;
pub mod split;
mod starting_point;
pub mod taxonomy;
pub mod tone_groups;
pub mod tone_head;
pub mod train;
