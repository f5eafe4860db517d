//! Ordered tallies with their shares: the cells of every audit table. Keys keep the order of the
//! scale (type 1 before 6, `very_light` before `dark`), in Rust and in the JSON.

use dermtone_color::ToneEstimate;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// Fitzpatrick types, then unknown.
pub const FITZPATRICK_KEYS: [&str; 7] = ["1", "2", "3", "4", "5", "6", UNKNOWN];
/// DESIGN.md's Fitzpatrick groups, then unknown.
pub const GROUP_KEYS: [&str; 4] = ["I-II", "III-IV", "V-VI", UNKNOWN];
/// Chardon's ITA categories, then unknown.
pub const ITA_KEYS: [&str; 7] = [
    "very_light",
    "light",
    "intermediate",
    "tan",
    "brown",
    "dark",
    UNKNOWN,
];
/// Monk Skin Tone swatches, then unknown.
pub const MONK_KEYS: [&str; 11] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", UNKNOWN];
/// The key of anything that could not be told.
pub const UNKNOWN: &str = "unknown";

/// Counts under fixed keys, serialised as `{"key": {"n": 3, "share": 0.25}, ...}` in key order;
/// a share is of all counted items, unknown included (`null` when nothing was counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    entries: Vec<(&'static str, usize)>,
}

impl Counts {
    /// All-zero counts under `keys`.
    pub fn new(keys: &[&'static str]) -> Self {
        Self {
            entries: keys.iter().map(|&k| (k, 0)).collect(),
        }
    }

    /// Counts one item under `key`, which must be one of the keys.
    pub fn add(&mut self, key: &str) {
        let entry = self
            .entries
            .iter_mut()
            .find(|(k, _)| *k == key)
            .unwrap_or_else(|| panic!("{key:?} is not a key of these counts"));
        entry.1 += 1;
    }

    /// Items counted under `key` (0 for a key it does not have).
    pub fn get(&self, key: &str) -> usize {
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |e| e.1)
    }

    /// All items counted.
    pub fn total(&self) -> usize {
        self.entries.iter().map(|e| e.1).sum()
    }

    /// `key`'s share of all items; `None` when there are none.
    pub fn share(&self, key: &str) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| self.get(key) as f64 / total as f64)
    }

    /// (key, count) in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, usize)> + '_ {
        self.entries.iter().copied()
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Cell {
            n: usize,
            share: Option<f64>,
        }
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, n) in self.iter() {
            map.serialize_entry(
                key,
                &Cell {
                    n,
                    share: self.share(key).map(round4),
                },
            )?;
        }
        map.end()
    }
}

/// Fitzpatrick types and groups of a set of images or label rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeCounts {
    /// Items counted.
    pub n: usize,
    /// By type `1`..`6` and `unknown`.
    pub fitzpatrick: Counts,
    /// By group `I-II`, `III-IV`, `V-VI` and `unknown`.
    pub groups: Counts,
}

impl Default for TypeCounts {
    fn default() -> Self {
        Self {
            n: 0,
            fitzpatrick: Counts::new(&FITZPATRICK_KEYS),
            groups: Counts::new(&GROUP_KEYS),
        }
    }
}

impl TypeCounts {
    /// Counts one item of Fitzpatrick type `t` (`None`: unknown).
    pub fn add(&mut self, t: Option<u8>) {
        self.n += 1;
        self.fitzpatrick.add(type_key(t));
        self.groups.add(group_key(t));
    }
}

/// The estimated tones of a set of images: types and groups, ITA categories, Monk swatches and
/// the spread of ITA° itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToneCounts {
    /// Fitzpatrick types from ITA° and their groups.
    #[serde(flatten)]
    pub types: TypeCounts,
    /// By ITA category.
    pub ita_category: Counts,
    /// By Monk swatch `1`..`10`.
    pub monk: Counts,
    /// Quartiles of the images' ITA° (those with a known tone); `null` when none.
    pub ita: Option<Quartiles>,
}

/// Lower quartile, median and upper quartile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quartiles {
    /// 25th percentile.
    pub p25: f64,
    /// 50th percentile.
    pub median: f64,
    /// 75th percentile.
    pub p75: f64,
}

impl ToneCounts {
    /// Tallies `tones`.
    pub fn of<'a>(tones: impl IntoIterator<Item = &'a ToneEstimate>) -> Self {
        let mut counts = Self {
            types: TypeCounts::default(),
            ita_category: Counts::new(&ITA_KEYS),
            monk: Counts::new(&MONK_KEYS),
            ita: None,
        };
        let mut itas = Vec::new();
        for tone in tones {
            counts.types.add(tone.fitzpatrick);
            counts
                .ita_category
                .add(tone.ita_category.map_or(UNKNOWN, |c| c.as_str()));
            counts.monk.add(monk_key(tone.monk));
            itas.extend(tone.ita.map(f64::from));
        }
        itas.sort_by(f64::total_cmp);
        counts.ita = (!itas.is_empty()).then(|| Quartiles {
            p25: round2(quantile(&itas, 0.25)),
            median: round2(quantile(&itas, 0.5)),
            p75: round2(quantile(&itas, 0.75)),
        });
        counts
    }
}

/// `"1"`..`"6"` or `"unknown"`.
pub fn type_key(t: Option<u8>) -> &'static str {
    match t {
        Some(t @ 1..=6) => FITZPATRICK_KEYS[usize::from(t - 1)],
        _ => UNKNOWN,
    }
}

/// `"I-II"`, `"III-IV"`, `"V-VI"` or `"unknown"`.
pub fn group_key(t: Option<u8>) -> &'static str {
    match t {
        Some(1 | 2) => GROUP_KEYS[0],
        Some(3 | 4) => GROUP_KEYS[1],
        Some(5 | 6) => GROUP_KEYS[2],
        _ => UNKNOWN,
    }
}

fn monk_key(m: Option<u8>) -> &'static str {
    match m {
        Some(m @ 1..=10) => MONK_KEYS[usize::from(m - 1)],
        _ => UNKNOWN,
    }
}

/// Linear-interpolated quantile of sorted, non-empty values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Rounds to 2 decimals (degrees: finer is noise).
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Rounds to 4 decimals (shares).
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_serialise_in_key_order_with_shares() {
        let mut t = TypeCounts::default();
        for x in [Some(1), Some(2), Some(5), None] {
            t.add(x);
        }
        assert_eq!(t.groups.get("I-II"), 2);
        assert_eq!(t.fitzpatrick.share("5"), Some(0.25));
        let json = serde_json::to_string(&t.groups).unwrap();
        assert_eq!(
            json,
            r#"{"I-II":{"n":2,"share":0.5},"III-IV":{"n":0,"share":0.0},"V-VI":{"n":1,"share":0.25},"unknown":{"n":1,"share":0.25}}"#
        );
        assert_eq!(Counts::new(&GROUP_KEYS).share("V-VI"), None);
    }

    #[test]
    fn groups_follow_design_names() {
        assert_eq!(
            [1, 2, 3, 4, 5, 6].map(|t| group_key(Some(t))),
            ["I-II", "I-II", "III-IV", "III-IV", "V-VI", "V-VI"]
        );
        assert_eq!(group_key(None), "unknown");
        assert_eq!(type_key(Some(7)), "unknown");
    }

    #[test]
    fn quartiles_interpolate() {
        let sorted = [0.0, 10.0, 20.0, 30.0, 40.0];
        assert_eq!(quantile(&sorted, 0.5), 20.0);
        assert_eq!(quantile(&sorted, 0.25), 10.0);
        assert_eq!(quantile(&[0.0, 10.0], 0.25), 2.5);
    }
}
