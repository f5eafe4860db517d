//! The per-tone view of one analysis: the photo re-rendered at Fitzpatrick I–VI, the
//! classifier's answer on each (synthetic) rendering, and beside it how well the classifier was
//! checked on **real** photos of that tone, read from its model card. The two are kept apart:
//! a rendering's answer is never evidence of accuracy on that tone.

use std::collections::HashMap;

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::{ClassProbability, EngineError};

/// The classifier's answer on the photo rendered at one Fitzpatrick type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToneResult {
    /// Fitzpatrick type 1–6 it was rendered at.
    pub fitzpatrick: u8,
    /// Always `true`: the image classified here was made by the generator.
    pub synthetic: bool,
    /// Summed calibrated probability of the malignant classes on the rendering; `None` when the
    /// model card sets no operating point.
    pub malignancy: Option<f32>,
    /// Whether that is at or above the operating point ("see a clinician").
    pub flagged: Option<bool>,
    /// The three most likely classes on the rendering.
    pub top_classes: Vec<ClassProbability>,
    /// How the classifier did on real photos of this type (model card); `None` when the card
    /// has no figures for it.
    pub evidence: Option<Evidence>,
    /// The synthetic rendering itself, for the page to draw (left out of the JSON).
    #[serde(skip)]
    pub image: RgbImage,
}

/// The model card's test figures on real photos of one Fitzpatrick type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Real test photos of this type.
    #[serde(rename(deserialize = "n"))]
    pub real_n: usize,
    /// Malignant sensitivity at the operating point.
    pub sensitivity: Option<f64>,
    /// Malignant specificity at the operating point.
    pub specificity: Option<f64>,
    /// Malignant AUROC.
    pub auroc: Option<f64>,
    /// Too few photos for the figures to mean much.
    pub low_evidence: bool,
}

/// Per-type evidence from a classifier's card JSON (`evidence.groups`, keyed `"1"`..`"6"`).
/// A card without it gives none (the dermoscopy data has no labelled types).
pub fn evidence_from_card(card_json: &str) -> Result<HashMap<u8, Evidence>, EngineError> {
    #[derive(Deserialize)]
    struct Card {
        evidence: Option<Groups>,
    }
    #[derive(Deserialize)]
    struct Groups {
        groups: HashMap<String, Evidence>,
    }
    let card: Card = serde_json::from_str(card_json).map_err(|e| {
        EngineError::new("manifest", format!("the model card could not be read: {e}"))
    })?;
    Ok(card
        .evidence
        .map(|e| {
            e.groups
                .into_iter()
                .filter_map(|(key, evidence)| {
                    let t: u8 = key.parse().ok()?;
                    (1..=6).contains(&t).then_some((t, evidence))
                })
                .collect()
        })
        .unwrap_or_default())
}

/// `Some(true)` when every rendering gets the same screening decision, `Some(false)` when the
/// decision depends on skin tone (the page then advises showing a clinician), `None` without
/// renderings or an operating point.
pub fn consistent(results: &[ToneResult]) -> Option<bool> {
    let flags: Vec<bool> = results.iter().map(|r| r.flagged).collect::<Option<_>>()?;
    let first = *flags.first()?;
    Some(flags.iter().all(|&f| f == first))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(flagged: bool) -> ToneResult {
        ToneResult {
            fitzpatrick: 1,
            synthetic: true,
            malignancy: Some(0.5),
            flagged: Some(flagged),
            top_classes: Vec::new(),
            evidence: None,
            image: RgbImage::new(1, 1),
        }
    }

    #[test]
    fn one_decision_everywhere_is_consistent_and_a_change_is_not() {
        assert_eq!(consistent(&[result(true), result(true)]), Some(true));
        assert_eq!(consistent(&[result(false), result(true)]), Some(false));
        assert_eq!(consistent(&[]), None);
    }

    #[test]
    fn card_groups_by_single_type_become_evidence() {
        let card = r#"{"evidence": {"groups": {
            "5": {"n": 29, "sensitivity": 1.0, "specificity": 0.2, "auroc": 0.6, "low_evidence": true, "ece": 0.1},
            "V-VI": {"n": 40, "sensitivity": 0.9, "specificity": 0.3, "auroc": 0.64, "low_evidence": false}
        }}}"#;
        let evidence = evidence_from_card(card).unwrap();
        assert_eq!(evidence.len(), 1);
        assert_eq!(evidence[&5].real_n, 29);
        assert!(evidence[&5].low_evidence);
        assert!(evidence_from_card(r#"{"id": "x"}"#).unwrap().is_empty());
        assert!(evidence_from_card("not json").is_err());
    }
}
