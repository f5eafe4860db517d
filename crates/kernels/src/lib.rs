//! The tone generator's and both classifiers' forward passes on the CPU, on plain f32 slices:
//! the six renderings of an analysis are most of its time, the seven classifications most of
//! the rest, and burn's CPU backend turns each small convolution into an
//! im2col buffer and a gemm of poor shape. Each FiLM convolution here is one pass that
//! accumulates in SIMD registers ([`conv`]) and applies bias, FiLM and leaky ReLU as it writes;
//! skip connections are read in place; and a 3×3 convolution after a ×2 nearest up-sampling runs
//! at the low resolution as four 2×2 convolutions, one per output phase (the same sums, 4 taps
//! instead of 9).
//!
//! A crate of its own, without burn, so the size-optimised wasm engine can build it for speed
//! (see the workspace's `wasm-release` profile). `dermtone-net` fills [`GeneratorWeights`],
//! [`MobileWeights`] and [`PlainWeights`] from its burn networks and tests that both give the
//! same outputs; the classifiers' class activation maps come from the same pass ([`ClassMaps`]).

mod classifier;
mod conv;
mod generator;
mod head;
mod lanes;
mod mobile;
mod plain;

pub use classifier::DirectClassifier;
pub use generator::{Dense, DirectGenerator, FilmWeights, GeneratorWeights, Sampling};
pub use head::ClassMaps;
pub use mobile::{BlockWeights, ConvWeights, DirectMobileNet, MobileWeights};
pub use plain::{DirectPlainNet, PlainBlock, PlainWeights};
