//! The photo model taught by an ensemble (issue 19's distillation): several trained photo
//! models, e.g. runs of other recipes and seeds, whose averaged calibrated probabilities score
//! better on val than any one of them (`examples/ensemble_on_val.rs` measures it first).
//! Their probabilities on each training photo become soft targets ([`Teacher`]).

use std::path::{Path, PathBuf};

use dermtone_engine::resize_for_model;
use image::RgbImage;

use crate::clinical::eval::load_shipped_photo;
use crate::fit::distillation::Teacher;
use crate::fit::predict::{mean_probabilities, predict_calibrated};

/// The teachers and their weight against the labels.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Distillation {
    /// Folders each holding a trained photo model and its manifest (`models/`, a run's `out/`).
    pub teachers: Vec<PathBuf>,
    /// Share of each target that is the teachers' average, in (0, 1].
    pub weight: f32,
    /// Each teacher's model id and weight file sha256, in the order of `teachers`, so the
    /// card names what taught the student.
    pub teacher_models: Vec<String>,
    /// Each teacher's data licence, read from its card: the student learns from what they
    /// say, so their terms apply to it as well.
    #[serde(skip)]
    pub teacher_licences: Vec<String>,
}

impl Distillation {
    /// Names the teachers in `teachers` (each must load as a photo model) with `weight`.
    pub fn new(teachers: Vec<PathBuf>, weight: f32) -> Result<Self, String> {
        if teachers.is_empty() {
            return Err("distillation needs at least one teacher".into());
        }
        let mut teacher_models = Vec::new();
        let mut teacher_licences = Vec::new();
        for dir in &teachers {
            let (entry, _) = load_shipped_photo(dir)?;
            teacher_models.push(format!("{} (sha256 {})", entry.id, entry.sha256));
            teacher_licences.push(card_licence(&dir.join(&entry.card))?);
        }
        Ok(Self {
            teachers,
            weight,
            teacher_models,
            teacher_licences,
        })
    }

    /// The teachers' mean calibrated probabilities on each of `images` (the train split, in its
    /// order), each teacher seeing the whole image at its own input size.
    pub fn teacher(&self, images: &[RgbImage]) -> Result<Teacher, String> {
        let mut sets = Vec::with_capacity(self.teachers.len());
        for dir in &self.teachers {
            let (entry, model) = load_shipped_photo(dir)?;
            let resized: Vec<RgbImage> = images
                .iter()
                .map(|image| resize_for_model(image, entry.input.size))
                .collect();
            sets.push(predict_calibrated(
                &model,
                &resized,
                &entry.input,
                entry.temperature(),
            )?);
        }
        Teacher::new(mean_probabilities(&sets), self.weight)
    }
}

/// The data licence a model card states (`data.licence`).
fn card_licence(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("teacher card {}: {e}", path.display()))?;
    let card: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("teacher card {}: {e}", path.display()))?;
    card["data"]["licence"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("teacher card {} states no data licence", path.display()))
}
