//! burn networks for dermtone and the files their weights travel in.
//!
//! Networks are plain burn modules with no backend type parameter, so the same code runs on the
//! CPU (flex) and on wgpu/WebGPU. Weights ship as int8 ([`int8`]) and are dequantised once at
//! load, which keeps downloads small without tying the file to one backend's packing rules.

mod cam;
pub mod classifier;
mod direct;
pub mod flops;
mod fold;
mod from_bytes;
pub mod generator;
pub mod int8;
pub mod mobile;
pub mod onnx;
pub mod plain;
pub mod weights;
mod widen;

pub use classifier::{Classifier, ClassifierConfig, NetKind};
pub use dermtone_kernels::{ClassMaps, DirectClassifier, DirectGenerator};
pub use direct::{direct_classifier, direct_generator};
pub use flops::{Cost, classifier_cost, generator_cost};
pub use from_bytes::{direct_classifier_from_bytes, direct_generator_from_bytes};
pub use generator::{CONDITION_INPUTS, Generator, GeneratorConfig, ITA_SCALE, condition_row};
pub use mobile::MobileNet;
pub use plain::PlainNet;
pub use weights::{WeightsError, load_classifier, load_generator};
