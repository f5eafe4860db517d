//! The datasets as they lie in `../shared/data`, read in place: the HAM10000 and Fitzpatrick17k
//! layouts, HAM10000's lesion masks, the folders new photos arrive in, and the checks that keep
//! stamped synthetic images out of val and test.

pub mod fitzpatrick17k;
pub mod ham10000;
pub mod ham10000_masks;
pub mod new_photo_layouts;
pub mod synthetic;
pub mod table;
