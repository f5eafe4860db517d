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

/// The tone group index of each evaluated image from its tone group names (as
/// [`LabelledImages`](crate::dermoscopy::eval::LabelledImages) holds them: the labelled group
/// and type), [`UNKNOWN_TONE`] where none is a labelled group.
pub fn tone_indices(tone_groups: &[Vec<String>]) -> Vec<usize> {
    tone_groups
        .iter()
        .map(|groups| {
            TONE_GROUPS
                .iter()
                .position(|t| groups.iter().any(|g| g == t))
                .unwrap_or(UNKNOWN_TONE)
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_takes_the_first_labelled_group_among_its_names() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let groups = [
            names(&["V-VI", "6"]),
            names(&["unknown"]),
            names(&["3", "III-IV"]),
        ];
        assert_eq!(tone_indices(&groups), vec![2, UNKNOWN_TONE, 1]);
    }
}
