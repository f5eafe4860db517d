//! Cross-fitting for distillation (issue 19): a teacher trained without one fold of the train
//! split labels that fold's photos as it would label photos it never saw. Teachers trained on
//! every photo agree with the labels there (run D1 in `models/experiments.md`: their soft
//! targets passed nothing on); a teacher's view of photos it did not fit is what an ensemble
//! knows beyond one model.
//!
//! Folds are drawn by a fixed hash of each photo's near-duplicate group, so look-alike photos
//! share a fold, every run (and every machine) draws the same folds, and a photo's fold does not
//! depend on which other photos a run reads.

use std::fmt;
use std::str::FromStr;

use crate::datasets::fitzpatrick17k::Record;

/// Fold `index` of `of` (1-based), the photos a teacher is trained without.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fold {
    /// Which fold, 1 to `of`.
    pub index: usize,
    /// How many folds the train split is cut into.
    pub of: usize,
}

impl Fold {
    /// Whether `record` is a train photo of this fold (held out of this teacher's training).
    pub fn holds_out(&self, record: &Record) -> bool {
        record.split == "train" && fold_of(&record.dup_group, self.of) + 1 == self.index
    }
}

impl FromStr for Fold {
    type Err = String;

    /// `K/N`: fold K of N, 1 ≤ K ≤ N, 2 ≤ N ≤ 20.
    fn from_str(text: &str) -> Result<Self, String> {
        let parsed = text
            .split_once('/')
            .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, of)) if (2..=20).contains(&of) && (1..=of).contains(&index) => {
                Ok(Self { index, of })
            }
            _ => Err(format!(
                "fold {text:?} is not K/N with 1 ≤ K ≤ N and 2 ≤ N ≤ 20 (e.g. 1/4)"
            )),
        }
    }
}

impl fmt::Display for Fold {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.of)
    }
}

/// The fold (0-based, below `folds`) of a near-duplicate group: FNV-1a of its name, which no
/// Rust release can change.
fn fold_of(group: &str, folds: usize) -> usize {
    let hash = group.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % folds as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(group: &str, split: &str) -> Record {
        Record {
            md5hash: format!("{group}-{split}"),
            label: "melanoma".into(),
            three_partition: "malignant".into(),
            fitzpatrick: None,
            split: split.into(),
            dup_group: group.into(),
        }
    }

    #[test]
    fn every_train_photo_is_held_out_by_exactly_one_fold_of_a_similar_size() {
        let folds: Vec<Fold> = (1..=4).map(|index| Fold { index, of: 4 }).collect();
        let records: Vec<Record> = (0..2000)
            .map(|i| record(&format!("{i:012x}"), "train"))
            .collect();
        let mut sizes = [0usize; 4];
        for r in &records {
            let holding: Vec<usize> = (0..4).filter(|&f| folds[f].holds_out(r)).collect();
            assert_eq!(holding.len(), 1, "{}", r.dup_group);
            sizes[holding[0]] += 1;
        }
        assert!(sizes.iter().all(|&n| (430..=570).contains(&n)), "{sizes:?}");
    }

    #[test]
    fn look_alike_photos_share_a_fold_and_other_splits_are_never_held_out() {
        let fold = Fold { index: 2, of: 3 };
        for i in 0..50 {
            let group = format!("group{i}");
            // Two different photos (md5hash) of one near-duplicate group.
            let a = record(&group, "train");
            let b = Record {
                md5hash: format!("{group}-look-alike"),
                ..a.clone()
            };
            assert_ne!(a.md5hash, b.md5hash);
            assert_eq!(fold.holds_out(&a), fold.holds_out(&b));
            assert!(!fold.holds_out(&record(&group, "val")));
            assert!(!fold.holds_out(&record(&group, "test")));
        }
        // The hash is fixed (FNV-1a 64: "a" is 0xaf63dc4c8601ec8c): every build draws these.
        assert_eq!(["a", "b", "c", "d"].map(|g| fold_of(g, 4)), [0, 1, 2, 3]);
        assert_eq!(["a", "b", "0009d89a58da"].map(|g| fold_of(g, 7)), [5, 0, 5]);
    }

    #[test]
    fn folds_parse_from_k_of_n_and_bad_ones_are_refused() {
        assert_eq!("1/4".parse::<Fold>(), Ok(Fold { index: 1, of: 4 }));
        assert_eq!("4/4".parse::<Fold>().unwrap().to_string(), "4/4");
        for bad in ["0/4", "5/4", "1/1", "1/21", "a/4", "14", ""] {
            assert!(bad.parse::<Fold>().is_err(), "{bad}");
        }
    }
}
