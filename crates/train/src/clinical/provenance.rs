//! Where a photo model's weights came from, for its card: the dermoscopy model training started
//! from, the photo model it went on from, and the terms all of them carry (HAM10000's too when
//! its images trained the body, and the teachers' when it was distilled).

use serde_json::{Value, json};

use crate::clinical::distillation::Distillation;
use crate::clinical::eval::PHOTO_TASK;
use crate::clinical::train::ClinicalTrainOptions;
use crate::export::manifest_entry;

/// The dermoscopy model training started from (`--init-from`), as `{id, sha256}` read from
/// that folder's manifest, so the card names the very weights even after `models/` moves on.
pub fn starting_model(options: &ClinicalTrainOptions) -> Result<Option<Value>, String> {
    let Some(dir) = &options.init_from else {
        return Ok(None);
    };
    let entry = manifest_entry(dir, "dermoscopy")?;
    Ok(Some(json!({ "id": entry.id, "sha256": entry.sha256 })))
}

/// The photo model training continued from (`--continue-from`), as `{id, sha256, licence}`:
/// its weights carry its own terms (HAM10000's too when it started from a dermoscopy body).
pub fn continued_model(options: &ClinicalTrainOptions) -> Result<Option<Value>, String> {
    let Some(dir) = &options.continue_from else {
        return Ok(None);
    };
    let entry = manifest_entry(dir, PHOTO_TASK)?;
    let card_path = dir.join(&entry.card);
    let card: Value = std::fs::read_to_string(&card_path)
        .map_err(|e| format!("cannot read {}: {e}", card_path.display()))
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))?;
    let terms = card["data"]["licence"]
        .as_str()
        .ok_or_else(|| format!("{} names no data.licence", card_path.display()))?;
    Ok(Some(
        json!({ "id": entry.id, "sha256": entry.sha256, "licence": terms }),
    ))
}

/// The weights' terms: Fitzpatrick17k's, HAM10000's too when training started from the
/// dermoscopy model `starting` (see [`starting_model`]), and those of the photo model
/// `continued` when training went on from it (see [`continued_model`]), HAM10000's when its
/// images trained the body beside the photos (`shared`), and the teachers' when their
/// predictions were its targets (`distillation`).
pub fn licence(
    starting: Option<&Value>,
    continued: Option<&Value>,
    shared: bool,
    distillation: Option<&Distillation>,
) -> String {
    let own = "CC BY-NC-SA 3.0 (non-commercial, share-alike); images © their source atlases; these weights are derived from them and carry the same terms";
    let name = |model: &Value, key: &str| model[key].as_str().unwrap_or("?").to_string();
    let terms = match (starting, continued) {
        (Some(model), _) => format!(
            "{own}. Training started from the dermoscopy model {}'s weights (sha256 {}), derived from HAM10000 (CC BY-NC 4.0, non-commercial), whose terms apply as well",
            name(model, "id"),
            name(model, "sha256")
        ),
        (None, Some(model)) => format!(
            "{own}. Training continued from the photo model {}'s weights (sha256 {}), whose terms apply as well: {}",
            name(model, "id"),
            name(model, "sha256"),
            name(model, "licence")
        ),
        (None, None) => own.to_string(),
    };
    let terms = if shared {
        format!(
            "{terms}. HAM10000's dermoscopy images (CC BY-NC 4.0, non-commercial) trained the same body beside the photos, so their terms apply as well"
        )
    } else {
        terms
    };
    match distillation {
        Some(taught) => {
            let mut theirs: Vec<&str> = Vec::new();
            for licence in &taught.teacher_licences {
                if !theirs.contains(&licence.as_str()) {
                    theirs.push(licence);
                }
            }
            format!(
                "{terms}. Its training targets mixed in the predictions of the photo models {} (distillation), whose terms apply as well: {}",
                taught.teacher_models.join(", "),
                theirs.join(" / ")
            )
        }
        None => terms,
    }
}
