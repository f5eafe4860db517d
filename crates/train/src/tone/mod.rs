//! The learned skin-tone estimator: training it on Fitzpatrick17k's labelled types, scoring any
//! estimate (it or the ITA rule) against those labels, and shipping it only where it agrees
//! with them better than ITA.

pub mod agreement;
pub mod estimator;
pub mod export;
