//! The sets of photos every run is measured on: the real val and test splits, and synthetic
//! renderings of the light test photos at darker types (reported apart, never used to choose).

use std::collections::BTreeMap;

use super::options::AblationOptions;
use crate::clinical::dark_synthesis::{Synthesis, SynthesisMethod, synthesize};
use crate::clinical::taxonomy::malignant_group_indices;
use crate::clinical::tone_groups::TONE_GROUPS;
use crate::dermoscopy::eval::LabelledImages;

/// Renderings per light test photo in the synthetic test sets: one at each of types IV, V, VI.
pub const RENDERINGS_PER_TEST_PHOTO: usize = 3;

/// A set of photos every run is measured on.
pub(super) struct EvalSet {
    pub(super) name: String,
    pub(super) images: LabelledImages,
    /// Malignant truth per image.
    pub(super) truth: Vec<bool>,
    /// Image indices per Fitzpatrick group, in [`TONE_GROUPS`] order.
    pub(super) members: Vec<Vec<usize>>,
    /// Per group, its images clustered by the real photo they show (one each for real sets).
    pub(super) clusters: Vec<Vec<Vec<usize>>>,
}

impl EvalSet {
    /// A set of `images`, each showing the real photo `sources[i]` (its own index for a real
    /// set).
    pub(super) fn new(name: &str, images: LabelledImages, sources: &[usize]) -> Self {
        let malignant = malignant_group_indices();
        let truth = images
            .labels
            .iter()
            .map(|l| malignant.contains(l))
            .collect();
        let members = TONE_GROUPS
            .iter()
            .map(|g| {
                (0..images.labels.len())
                    .filter(|&i| images.tone_groups[i].iter().any(|k| k == g))
                    .collect()
            })
            .collect::<Vec<Vec<usize>>>();
        let clusters = members
            .iter()
            .map(|group| {
                let mut by_source: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
                for &i in group {
                    by_source.entry(sources[i]).or_default().push(i);
                }
                by_source.into_values().collect()
            })
            .collect();
        Self {
            name: name.to_string(),
            images,
            truth,
            members,
            clusters,
        }
    }
}

/// The real val set: it chooses (epochs, thresholds, the arm to ship).
pub(super) const VAL: &str = "val";
/// The real test set: it measures and chooses nothing.
pub(super) const TEST: &str = "test";

/// The report name of a synthetic test set.
pub fn synthetic_set_name(method: SynthesisMethod) -> String {
    match method {
        SynthesisMethod::Generator => "synthetic-generator".into(),
        SynthesisMethod::Retoning => "synthetic-retoning".into(),
    }
}

/// The test photos of type I–III rendered at IV, V and VI by `method` (labels kept, each
/// counted under the group of the type it was rendered at), with the test photo each shows;
/// `fitzpatrick` holds the test photos' labelled types.
pub(super) fn synthetic_test_set(
    options: &AblationOptions,
    test: &LabelledImages,
    fitzpatrick: &[Option<u8>],
    method: SynthesisMethod,
) -> Result<(LabelledImages, Vec<usize>), String> {
    let synthesis = Synthesis {
        per_photo: RENDERINGS_PER_TEST_PHOTO,
        method,
        models: options.models.clone(),
    };
    let made = synthesize(&synthesis, &test.resized, &test.labels, fitzpatrick)?;
    let images = LabelledImages {
        tone_groups: made
            .tones
            .iter()
            .map(|&t| vec![TONE_GROUPS[t].to_string()])
            .collect(),
        resized: made.images,
        labels: made.labels,
        estimated_tone_groups: Vec::new(),
    };
    Ok((images, made.sources))
}
