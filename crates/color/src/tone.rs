//! Skin-tone scales derived from colour: ITA° categories (Chardon et al. 1991), Fitzpatrick
//! types from ITA (Groh et al. 2021 cut-offs) and the nearest Monk Skin Tone swatch.

use crate::{Lab, srgb_to_lab};

/// Chardon's six ITA° categories, named as everywhere in dermtone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItaCategory {
    /// ITA > 55°.
    VeryLight,
    /// 41° < ITA ≤ 55°.
    Light,
    /// 28° < ITA ≤ 41°.
    Intermediate,
    /// 10° < ITA ≤ 28°.
    Tan,
    /// −30° < ITA ≤ 10°.
    Brown,
    /// ITA ≤ −30°.
    Dark,
}

impl ItaCategory {
    /// Every category, from light to dark.
    pub const ALL: [ItaCategory; 6] = [
        Self::VeryLight,
        Self::Light,
        Self::Intermediate,
        Self::Tan,
        Self::Brown,
        Self::Dark,
    ];

    /// The category an ITA° value falls in.
    pub fn from_ita(ita: f32) -> Self {
        match ita {
            x if x > 55.0 => Self::VeryLight,
            x if x > 41.0 => Self::Light,
            x if x > 28.0 => Self::Intermediate,
            x if x > 10.0 => Self::Tan,
            x if x > -30.0 => Self::Brown,
            _ => Self::Dark,
        }
    }

    /// Stable name used in JSON and reports (`very_light` … `dark`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VeryLight => "very_light",
            Self::Light => "light",
            Self::Intermediate => "intermediate",
            Self::Tan => "tan",
            Self::Brown => "brown",
            Self::Dark => "dark",
        }
    }
}

/// Fitzpatrick type 1–6 from ITA° with the cut-offs of Groh et al. (Fitzpatrick17k):
/// > 40 I, 23–40 II, 12–23 III, 0–12 IV, −25–0 V, ≤ −25 VI.
pub fn fitzpatrick_from_ita(ita: f32) -> u8 {
    match ita {
        x if x > 40.0 => 1,
        x if x > 23.0 => 2,
        x if x > 12.0 => 3,
        x if x > 0.0 => 4,
        x if x > -25.0 => 5,
        _ => 6,
    }
}

/// The ten Monk Skin Tone swatches, lightest (1) to darkest (10), as sRGB.
pub const MONK_SWATCHES: [[u8; 3]; 10] = [
    [0xf6, 0xed, 0xe4],
    [0xf3, 0xe7, 0xdb],
    [0xf7, 0xea, 0xd0],
    [0xea, 0xda, 0xba],
    [0xd7, 0xbd, 0x96],
    [0xa0, 0x7e, 0x56],
    [0x82, 0x5c, 0x43],
    [0x60, 0x41, 0x34],
    [0x3a, 0x31, 0x2a],
    [0x29, 0x24, 0x20],
];

/// Monk Skin Tone 1–10: the swatch nearest to `skin` in CIELAB (ΔE*76).
pub fn nearest_monk(skin: Lab) -> u8 {
    let distance = |swatch: &[u8; 3]| {
        let s = srgb_to_lab(*swatch);
        (s.l - skin.l).powi(2) + (s.a - skin.a).powi(2) + (s.b - skin.b).powi(2)
    };
    let nearest = MONK_SWATCHES
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| distance(a).total_cmp(&distance(b)))
        .map_or(0, |(i, _)| i);
    nearest as u8 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::individual_typology_angle;

    #[test]
    fn ita_categories_follow_chardon_boundaries() {
        let cases = [
            (60.0, ItaCategory::VeryLight),
            (55.0, ItaCategory::Light),
            (41.5, ItaCategory::Light),
            (41.0, ItaCategory::Intermediate),
            (28.0, ItaCategory::Tan),
            (10.0, ItaCategory::Brown),
            (-29.9, ItaCategory::Brown),
            (-30.0, ItaCategory::Dark),
        ];
        for (ita, expected) in cases {
            assert_eq!(ItaCategory::from_ita(ita), expected, "ITA {ita}");
        }
        assert_eq!(ItaCategory::Dark.as_str(), "dark");
    }

    #[test]
    fn fitzpatrick_follows_groh_cut_offs() {
        let cases = [
            (40.1, 1),
            (40.0, 2),
            (23.0, 3),
            (12.0, 4),
            (0.5, 4),
            (0.0, 5),
            (-25.0, 6),
            (-60.0, 6),
        ];
        for (ita, expected) in cases {
            assert_eq!(fitzpatrick_from_ita(ita), expected, "ITA {ita}");
        }
    }

    #[test]
    fn each_monk_swatch_is_its_own_nearest() {
        for (i, swatch) in MONK_SWATCHES.iter().enumerate() {
            assert_eq!(nearest_monk(srgb_to_lab(*swatch)), i as u8 + 1);
        }
    }

    #[test]
    fn scales_agree_on_light_and_dark_swatches() {
        let lightest = srgb_to_lab(MONK_SWATCHES[0]);
        let darkest = srgb_to_lab(MONK_SWATCHES[9]);
        assert_eq!(fitzpatrick_from_ita(individual_typology_angle(lightest)), 1);
        assert_eq!(fitzpatrick_from_ita(individual_typology_angle(darkest)), 6);
        assert_eq!(
            ItaCategory::from_ita(individual_typology_angle(darkest)),
            ItaCategory::Dark
        );
    }
}
