//! The Fitzpatrick groups the photo model is trained, selected and reported on ("I-II",
//! "III-IV", "V-VI", then unknown), as indices of a labelled type.

use dermtone_engine::fitzpatrick_group;

/// Labelled Fitzpatrick groups in order; an image without a type is in [`UNKNOWN_TONE`].
pub const TONE_GROUPS: [&str; 3] = ["I-II", "III-IV", "V-VI"];

/// Index of the "unknown" tone group (after [`TONE_GROUPS`]).
pub const UNKNOWN_TONE: usize = TONE_GROUPS.len();

/// Tone group index of a labelled Fitzpatrick type.
pub fn tone_index(fitzpatrick: Option<u8>) -> usize {
    let group = fitzpatrick_group(fitzpatrick);
    TONE_GROUPS
        .iter()
        .position(|g| *g == group)
        .unwrap_or(UNKNOWN_TONE)
}

/// The malignant scores and truths of the images in tone group `tone`.
pub fn in_tone(
    scores: &[f32],
    truth: &[bool],
    tones: &[usize],
    tone: usize,
) -> (Vec<f32>, Vec<bool>) {
    (0..scores.len())
        .filter(|&i| tones[i] == tone)
        .map(|i| (scores[i], truth[i]))
        .unzip()
}
