//! The photo classifier's taxonomy: Fitzpatrick17k's 21 condition labels merged into 12
//! condition groups, each inside one coarse triage class (malignant, benign, non-neoplastic).
//!
//! Why these groups: the three melanoma labels (`melanoma`, `malignant-melanoma`,
//! `superficial-spreading-melanoma-ssm`) name one disease, as do the two basal-cell labels and
//! the two acne labels (folliculitis looks alike and joins them); the two eczema labels merge;
//! benign lesions follow the dataset's own nine-partition (dermal vs epidermal). Every group
//! sits inside one coarse class, so the triage probability is simply the sum of the malignant
//! groups' probabilities: the condition list and the triage can never contradict each other.

/// Coarse triage class of a group, as Fitzpatrick17k's `three_partition_label` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Triage {
    /// Cancer or pre-cancer: see a clinician.
    Malignant,
    /// A benign growth.
    Benign,
    /// Inflammatory or other non-neoplastic skin disease.
    NonNeoplastic,
}

impl Triage {
    /// The dataset's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Triage::Malignant => "malignant",
            Triage::Benign => "benign",
            Triage::NonNeoplastic => "non-neoplastic",
        }
    }
}

/// One condition group: code, plain name, triage class and the dataset labels it merges.
pub struct Group {
    /// Stable code, used as the label code in the manifest.
    pub code: &'static str,
    /// Plain-language name shown to people.
    pub name: &'static str,
    /// Triage class every member label has in the dataset.
    pub triage: Triage,
    /// Fitzpatrick17k labels merged into this group.
    pub labels: &'static [&'static str],
}

/// The groups in network order (12 outputs: a multiple of 4, as wgpu's int8 packing wants).
pub const GROUPS: [Group; 12] = [
    Group {
        code: "melanoma",
        name: "Melanoma",
        triage: Triage::Malignant,
        labels: &[
            "melanoma",
            "malignant-melanoma",
            "superficial-spreading-melanoma-ssm",
        ],
    },
    Group {
        code: "basal-cell-carcinoma",
        name: "Basal cell carcinoma",
        triage: Triage::Malignant,
        labels: &["basal-cell-carcinoma", "basal-cell-carcinoma-morpheiform"],
    },
    Group {
        code: "squamous-cell-carcinoma",
        name: "Squamous cell carcinoma (incl. Bowen's disease)",
        triage: Triage::Malignant,
        labels: &["squamous-cell-carcinoma"],
    },
    Group {
        code: "actinic-keratosis",
        name: "Actinic keratosis (pre-cancer)",
        triage: Triage::Malignant,
        labels: &["actinic-keratosis"],
    },
    Group {
        code: "kaposi-sarcoma",
        name: "Kaposi sarcoma",
        triage: Triage::Malignant,
        labels: &["kaposi-sarcoma"],
    },
    Group {
        code: "cutaneous-lymphoma",
        name: "Cutaneous T-cell lymphoma (mycosis fungoides)",
        triage: Triage::Malignant,
        labels: &["mycosis-fungoides"],
    },
    Group {
        code: "benign-dermal",
        name: "Benign dermal growth (dermatofibroma, pyogenic granuloma)",
        triage: Triage::Benign,
        labels: &["dermatofibroma", "pyogenic-granuloma"],
    },
    Group {
        code: "benign-epidermal",
        name: "Benign epidermal growth (seborrheic keratosis, epidermal nevus, prurigo nodularis)",
        triage: Triage::Benign,
        labels: &[
            "seborrheic-keratosis",
            "epidermal-nevus",
            "prurigo-nodularis",
        ],
    },
    Group {
        code: "acne-folliculitis",
        name: "Acne or folliculitis",
        triage: Triage::NonNeoplastic,
        labels: &["acne", "acne-vulgaris", "folliculitis"],
    },
    Group {
        code: "eczema",
        name: "Eczema (incl. dyshidrotic)",
        triage: Triage::NonNeoplastic,
        labels: &["eczema", "dyshidrotic-eczema"],
    },
    Group {
        code: "dermatomyositis",
        name: "Dermatomyositis",
        triage: Triage::NonNeoplastic,
        labels: &["dermatomyositis"],
    },
    Group {
        code: "keloid",
        name: "Keloid",
        triage: Triage::NonNeoplastic,
        labels: &["keloid"],
    },
];

/// Index of the group a dataset label belongs to, or an error naming the unknown label.
pub fn group_of(label: &str) -> Result<usize, String> {
    GROUPS
        .iter()
        .position(|g| g.labels.contains(&label))
        .ok_or_else(|| format!("condition {label:?} is not in the photo model's taxonomy"))
}

/// Codes of the malignant groups: the operating point sums their probabilities.
pub fn malignant_codes() -> Vec<String> {
    GROUPS
        .iter()
        .filter(|g| g.triage == Triage::Malignant)
        .map(|g| g.code.to_string())
        .collect()
}

/// The manifest labels, in network order.
pub fn labels() -> Vec<dermtone_engine::Label> {
    GROUPS
        .iter()
        .map(|g| dermtone_engine::Label {
            code: g.code.into(),
            name: g.name.into(),
        })
        .collect()
}

/// Which groups of the network output are malignant.
pub fn malignant_group_indices() -> Vec<usize> {
    (0..GROUPS.len())
        .filter(|&g| GROUPS[g].triage == Triage::Malignant)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::fitzpatrick17k::read_labels;
    use std::path::Path;

    #[test]
    fn every_dataset_label_has_one_group_of_its_own_triage_class() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/fitzpatrick17k_ajl_subset");
        let records = read_labels(&dir).unwrap();
        let classes = std::fs::read_to_string(dir.join("classes.txt")).unwrap();
        assert_eq!(classes.lines().filter(|l| !l.is_empty()).count(), 21);
        for record in &records {
            let group = &GROUPS[group_of(&record.label).unwrap()];
            assert_eq!(group.triage.as_str(), record.three_partition, "{record:?}");
        }
        let members: usize = GROUPS.iter().map(|g| g.labels.len()).sum();
        assert_eq!(members, 21);
        assert_eq!(malignant_codes().len(), 6);
        assert!(group_of("psoriasis").is_err());
    }
}
