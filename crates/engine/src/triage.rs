//! The triage level a person reads first: three plain steps, decided from the calibrated
//! malignancy probability, the model card's operating point and whether the decision holds at
//! every skin tone. Every doubt moves the level toward "see a clinician", never away from it.

use serde::{Deserialize, Serialize};

use crate::Malignancy;

/// Calibrated malignancy probability from which a flagged result is "see a clinician soon":
/// above it the model finds cancer more likely than not.
pub const SOON_PROBABILITY: f32 = 0.5;

/// What to do next.
/// Ordered from least to most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriageLevel {
    /// Below the screening threshold at the person's tone and at every rendered tone. Not an
    /// all-clear: a new, changing or worrying mark still goes to a clinician.
    LowConcern,
    /// Above the screening threshold, or the decision changes with skin tone.
    ShowClinician,
    /// Above the threshold and more likely malignant than not.
    SeeClinicianSoon,
}

/// The level and every reason that set it, as stable codes the page words in its language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Triage {
    /// What to do next.
    pub level: TriageLevel,
    /// `high_probability`, `above_threshold`, `depends_on_tone`, `below_threshold`.
    pub reasons: Vec<&'static str>,
}

/// The triage for a screening decision and its per-tone consistency; `None` without a decision
/// (a failed quality check, or a model card without an operating point).
pub fn triage(malignancy: Option<&Malignancy>, consistent: Option<bool>) -> Option<Triage> {
    let malignancy = malignancy?;
    let mut reasons = Vec::new();
    if malignancy.flagged && malignancy.probability >= SOON_PROBABILITY {
        reasons.push("high_probability");
    }
    if malignancy.flagged {
        reasons.push("above_threshold");
    }
    if consistent == Some(false) {
        reasons.push("depends_on_tone");
    }
    let level = if reasons.contains(&"high_probability") {
        TriageLevel::SeeClinicianSoon
    } else if reasons.is_empty() {
        reasons.push("below_threshold");
        TriageLevel::LowConcern
    } else {
        TriageLevel::ShowClinician
    };
    Some(Triage { level, reasons })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(probability: f32, threshold: f32) -> Malignancy {
        Malignancy {
            classes: vec!["mel".into()],
            probability,
            threshold,
            flagged: probability >= threshold,
        }
    }

    #[test]
    fn below_the_threshold_at_every_tone_is_low_concern() {
        let t = triage(Some(&decision(0.1, 0.3)), Some(true)).unwrap();
        assert_eq!(t.level, TriageLevel::LowConcern);
        assert_eq!(t.reasons, ["below_threshold"]);
        let no_renderings = triage(Some(&decision(0.1, 0.3)), None).unwrap();
        assert_eq!(no_renderings.level, TriageLevel::LowConcern);
    }

    #[test]
    fn a_decision_that_changes_with_tone_goes_to_a_clinician() {
        let t = triage(Some(&decision(0.1, 0.3)), Some(false)).unwrap();
        assert_eq!(t.level, TriageLevel::ShowClinician);
        assert_eq!(t.reasons, ["depends_on_tone"]);
    }

    #[test]
    fn flagged_results_go_to_a_clinician_and_likely_ones_soon() {
        let flagged = triage(Some(&decision(0.4, 0.3)), Some(true)).unwrap();
        assert_eq!(flagged.level, TriageLevel::ShowClinician);
        let likely = triage(Some(&decision(0.7, 0.3)), Some(false)).unwrap();
        assert_eq!(likely.level, TriageLevel::SeeClinicianSoon);
        assert_eq!(
            likely.reasons,
            ["high_probability", "above_threshold", "depends_on_tone"]
        );
    }

    #[test]
    fn a_high_probability_under_a_higher_threshold_is_not_soon() {
        let t = triage(Some(&decision(0.55, 0.6)), Some(true)).unwrap();
        assert_eq!(t.level, TriageLevel::LowConcern);
    }

    #[test]
    fn no_decision_gives_no_triage() {
        assert_eq!(triage(None, Some(false)), None);
    }
}
