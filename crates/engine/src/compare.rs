//! Two analyses of one mark, taken weeks or months apart, compared measure by measure: the
//! public JSON of `dermtone compare --json` and of the page's history view. "New or changing"
//! is what dermatologists ask people to watch for, so a large measured change raises the triage
//! to "show a clinician" whatever the model says; it never lowers it.

use serde::{Deserialize, Serialize};

use crate::{Analysis, LesionMeasures, TriageLevel};

/// Why no size is given, beside every comparison.
pub const SIZE_NOTE: &str = "Size cannot be measured without a ruler or other reference in the photo: the lesion's share of the frame also changes with how close the camera was.";
/// What a change means, beside every comparison.
pub const CHANGE_NOTE: &str =
    "A mark that is changing is a reason to see a clinician, whatever the model says.";

/// How one measure's change is judged: within `same_within` it is unchanged (two photos of one
/// mark never measure alike), from `large_from` it is a large change. Both are in the measure's
/// units, or, for `ratio` measures, in |ln(new / old)|.
struct Tolerance {
    code: &'static str,
    same_within: f32,
    large_from: f32,
    ratio: bool,
}

/// The tolerances, set from 300 pairs of HAM10000 train photos of one unchanged lesion taken
/// at one visit (`crates/train/tests/compare_on_ham.rs` measures them and keeps the share of
/// such pairs judged a large change at most 12 %; it was 9.0 %). `same_within` is about those
/// pairs' median difference, `large_from` about their 97.5th percentile: asymmetry 0.014 /
/// 0.176, border 0.115 / 1.536, colour ΔE 1.06 / 5.00, frame share |ln ratio| 0.58 / 1.78
/// (photos of one lesion are often taken at another zoom), malignancy 0.067 / 0.518. These
/// measures are noisy: "same" is within the noise, not proof that nothing changed.
const TOLERANCES: [Tolerance; 5] = [
    Tolerance {
        code: "asymmetry",
        same_within: 0.015,
        large_from: 0.18,
        ratio: false,
    },
    Tolerance {
        code: "border_irregularity",
        same_within: 0.12,
        large_from: 1.5,
        ratio: false,
    },
    Tolerance {
        code: "colour_variegation",
        same_within: 1.0,
        large_from: 5.0,
        ratio: false,
    },
    Tolerance {
        code: "frame_share",
        same_within: 0.6,
        large_from: 1.8,
        ratio: true,
    },
    Tolerance {
        code: "malignancy",
        same_within: 0.06,
        large_from: 0.5,
        ratio: false,
    },
];

/// The part of an analysis a comparison reads: deserialised from the public JSON of a saved
/// analysis (unknown fields ignored), or taken from a fresh [`Analysis`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AnalysisSummary {
    /// Capture mode (`photo` or `dermoscopy`): only photos taken alike compare.
    pub mode: String,
    /// The classifier that gave the malignancy.
    pub model: ModelId,
    /// The lesion's measures; `None` after a failed quality check.
    #[serde(default)]
    pub lesion: Option<LesionMeasures>,
    /// The calibrated malignancy probability, where the model gave one.
    #[serde(default)]
    pub malignancy: Option<Probability>,
    /// That analysis's own triage.
    #[serde(default)]
    pub triage: Option<SavedTriage>,
}

/// A model's id, as saved with an analysis.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ModelId {
    /// Model id from the manifest.
    pub id: String,
}

/// A saved malignancy probability.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Probability {
    /// Summed calibrated probability of the malignant classes.
    pub probability: f32,
}

/// A triage as saved: its level and reason codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedTriage {
    /// What to do next.
    pub level: TriageLevel,
    /// Stable reason codes (see [`crate::Triage`]), plus `changed` after a large change.
    pub reasons: Vec<String>,
}

impl From<&Analysis> for AnalysisSummary {
    fn from(a: &Analysis) -> Self {
        Self {
            mode: a.mode.clone(),
            model: ModelId {
                id: a.model.id.clone(),
            },
            lesion: a.lesion,
            malignancy: a.malignancy.as_ref().map(|m| Probability {
                probability: m.probability,
            }),
            triage: a.triage.as_ref().map(|t| SavedTriage {
                level: t.level,
                reasons: t.reasons.iter().map(|r| r.to_string()).collect(),
            }),
        }
    }
}

/// How a mark changed between two analyses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The capture mode both were taken in.
    pub mode: String,
    /// One row per measure both analyses have, in a fixed order.
    pub measures: Vec<MeasureChange>,
    /// Whether any measure changed by a large amount.
    pub changed: bool,
    /// The newer analysis's triage, raised to at least "show a clinician" (reason `changed`)
    /// after a large change; `None` when the newer analysis has no triage and nothing changed.
    pub triage: Option<SavedTriage>,
    /// The classifiers of the older and newer analysis. When they differ (the app was updated
    /// between the photos) the malignancy row compares two models, so it never counts as large.
    pub models: [String; 2],
    /// `size_unmeasurable`: see [`SIZE_NOTE`].
    pub size_note: &'static str,
    /// [`SIZE_NOTE`], in English.
    pub size_note_text: &'static str,
    /// `change_needs_clinician`: see [`CHANGE_NOTE`].
    pub change_note: &'static str,
    /// [`CHANGE_NOTE`], in English.
    pub change_note_text: &'static str,
}

/// One measure in the older and the newer analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureChange {
    /// `asymmetry`, `border_irregularity`, `colour_variegation`, `frame_share` or `malignancy`.
    pub code: &'static str,
    /// The older value.
    pub old: f32,
    /// The newer value.
    pub new: f32,
    /// `new - old`.
    pub change: f32,
    /// `up`, `down` or `same` (within the measure's tolerance).
    pub direction: &'static str,
    /// A change larger than two photos of an unchanged mark show.
    pub large: bool,
}

/// Why two analyses cannot be compared, in words for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareError(pub String);

impl std::fmt::Display for CompareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CompareError {}

/// Compares the `old` and `new` analyses of one mark.
pub fn compare(old: &AnalysisSummary, new: &AnalysisSummary) -> Result<Comparison, CompareError> {
    if old.mode != new.mode {
        return Err(CompareError(format!(
            "these photos were analysed in different modes ({} and {}): compare photos taken the same way",
            old.mode, new.mode
        )));
    }
    let outline = |a: &AnalysisSummary, which: &str| {
        a.lesion.ok_or_else(|| {
            CompareError(format!(
                "the {which} photo has no lesion outline (it failed its quality check, or no lesion was found in it): retake it"
            ))
        })
    };
    let (before, after) = (outline(old, "older")?, outline(new, "newer")?);
    let same_model = old.model.id == new.model.id;
    let mut values = vec![
        (before.asymmetry, after.asymmetry),
        (before.border_irregularity, after.border_irregularity),
        (before.colour_variegation, after.colour_variegation),
        (before.frame_share, after.frame_share),
    ];
    if let (Some(o), Some(n)) = (old.malignancy, new.malignancy) {
        values.push((o.probability, n.probability));
    }
    let measures: Vec<MeasureChange> = TOLERANCES
        .iter()
        .zip(values)
        .map(|(t, (o, n))| {
            let mut row = judge(t, o, n);
            row.large &= same_model || t.code != "malignancy";
            row
        })
        .collect();
    let changed = measures.iter().any(|m| m.large);
    Ok(Comparison {
        mode: new.mode.clone(),
        changed,
        triage: raised(new.triage.clone(), changed),
        measures,
        models: [old.model.id.clone(), new.model.id.clone()],
        size_note: "size_unmeasurable",
        size_note_text: SIZE_NOTE,
        change_note: "change_needs_clinician",
        change_note_text: CHANGE_NOTE,
    })
}

/// How far apart `old` and `new` are by `t`'s scale.
fn distance(t: &Tolerance, old: f32, new: f32) -> f32 {
    if t.ratio {
        (new.max(f32::EPSILON) / old.max(f32::EPSILON)).ln().abs()
    } else {
        (new - old).abs()
    }
}

/// One measure's row: its direction and whether the change is large.
fn judge(t: &Tolerance, old: f32, new: f32) -> MeasureChange {
    let change = new - old;
    let size = distance(t, old, new);
    let direction = if size <= t.same_within {
        "same"
    } else if change > 0.0 {
        "up"
    } else {
        "down"
    };
    MeasureChange {
        code: t.code,
        old,
        new,
        change,
        direction,
        large: size >= t.large_from,
    }
}

/// `triage` raised to "show a clinician" after a large change.
fn raised(triage: Option<SavedTriage>, changed: bool) -> Option<SavedTriage> {
    if !changed {
        return triage;
    }
    let mut t = triage.unwrap_or(SavedTriage {
        level: TriageLevel::ShowClinician,
        reasons: Vec::new(),
    });
    t.level = t.level.max(TriageLevel::ShowClinician);
    t.reasons.retain(|r| r != "below_threshold");
    t.reasons.push("changed".into());
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(asymmetry: f32, malignancy: f32, level: TriageLevel) -> AnalysisSummary {
        AnalysisSummary {
            mode: "photo".into(),
            model: ModelId {
                id: "clinical-v3".into(),
            },
            lesion: Some(LesionMeasures {
                asymmetry,
                border_irregularity: 1.3,
                colour_variegation: 6.0,
                frame_share: 0.1,
            }),
            malignancy: Some(Probability {
                probability: malignancy,
            }),
            triage: Some(SavedTriage {
                level,
                reasons: vec!["below_threshold".into()],
            }),
        }
    }

    #[test]
    fn an_analysis_against_itself_shows_no_change() {
        let a = summary(0.2, 0.1, TriageLevel::LowConcern);
        let c = compare(&a, &a).unwrap();
        assert_eq!(c.measures.len(), 5);
        assert!(c.measures.iter().all(|m| m.direction == "same" && !m.large));
        assert!(!c.changed);
        assert_eq!(c.triage.unwrap().level, TriageLevel::LowConcern);
    }

    #[test]
    fn a_large_change_raises_low_concern_to_show_a_clinician() {
        let old = summary(0.1, 0.1, TriageLevel::LowConcern);
        let new = summary(0.4, 0.1, TriageLevel::LowConcern);
        let c = compare(&old, &new).unwrap();
        let row = &c.measures[0];
        assert_eq!(
            (row.code, row.direction, row.large),
            ("asymmetry", "up", true)
        );
        assert!(c.changed);
        let t = c.triage.unwrap();
        assert_eq!(t.level, TriageLevel::ShowClinician);
        assert_eq!(t.reasons, ["changed"]);
    }

    #[test]
    fn a_change_never_lowers_the_triage() {
        let old = summary(0.4, 0.9, TriageLevel::SeeClinicianSoon);
        let new = summary(0.1, 0.9, TriageLevel::SeeClinicianSoon);
        let c = compare(&old, &new).unwrap();
        assert_eq!(c.measures[0].direction, "down");
        assert_eq!(c.triage.unwrap().level, TriageLevel::SeeClinicianSoon);
    }

    #[test]
    fn malignancy_from_two_different_models_never_counts_as_large() {
        let old = summary(0.1, 0.1, TriageLevel::LowConcern);
        let mut new = summary(0.1, 0.6, TriageLevel::LowConcern);
        new.model.id = "clinical-v4".into();
        let c = compare(&old, &new).unwrap();
        let row = c.measures.iter().find(|m| m.code == "malignancy").unwrap();
        assert_eq!((row.direction, row.large), ("up", false));
        assert!(!c.changed);
    }

    #[test]
    fn mixed_modes_and_missing_outlines_are_refused_in_words() {
        let photo = summary(0.1, 0.1, TriageLevel::LowConcern);
        let mut scope = photo.clone();
        scope.mode = "dermoscopy".into();
        assert!(
            compare(&photo, &scope)
                .unwrap_err()
                .0
                .contains("different modes")
        );
        let mut retake = photo.clone();
        retake.lesion = None;
        assert!(
            compare(&retake, &photo)
                .unwrap_err()
                .0
                .contains("older photo")
        );
    }

    #[test]
    fn a_saved_analysis_json_reads_back_ignoring_what_it_does_not_need() {
        let json = r#"{"mode":"photo","model":{"id":"clinical-v3","sha256":"ab"},"quality":{"ok":true},
            "lesion":{"asymmetry":0.2,"border_irregularity":1.3,"colour_variegation":6.0,"frame_share":0.1},
            "malignancy":{"classes":["mel"],"probability":0.1,"threshold":0.3,"flagged":false},
            "triage":{"level":"low_concern","reasons":["below_threshold"]},"per_tone":[]}"#;
        let read: AnalysisSummary = serde_json::from_str(json).unwrap();
        assert_eq!(read, summary(0.2, 0.1, TriageLevel::LowConcern));
    }
}
