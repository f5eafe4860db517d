//! The photo model taught by an ensemble (issue 19's distillation): several trained photo
//! models, e.g. runs of other recipes and seeds, whose averaged calibrated probabilities score
//! better on val than any one of them (`examples/ensemble_on_val.rs` measures it first).
//! Their probabilities on each training photo become soft targets ([`Teacher`]).
//!
//! Teachers trained without a fold of the train split (`train clinical --hold-out-fold K/N`,
//! [`crate::clinical::cross_fit`]) are cross-fitted: each teaches only the photos of the fold
//! it was trained without, so every soft target is a view of a photo its teacher never saw.

use std::path::{Path, PathBuf};

use dermtone_engine::resize_for_model;
use image::RgbImage;

use crate::clinical::cross_fit::Fold;
use crate::clinical::eval::load_shipped_photo;
use crate::datasets::fitzpatrick17k::Record;
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
    /// The fold each teacher was trained without, in the order of `teachers`: all `None` (every
    /// teacher teaches every photo) or all set (cross-fitted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held_out_folds: Vec<Option<Fold>>,
}

impl Distillation {
    /// Names the teachers in `teachers` (each must load as a photo model) with `weight`.
    pub fn new(teachers: Vec<PathBuf>, weight: f32) -> Result<Self, String> {
        if teachers.is_empty() {
            return Err("distillation needs at least one teacher".into());
        }
        let mut teacher_models = Vec::new();
        let mut teacher_licences = Vec::new();
        let mut held_out_folds = Vec::new();
        for dir in &teachers {
            let (entry, _) = load_shipped_photo(dir)?;
            let card = read_card(&dir.join(&entry.card))?;
            let fold = card_fold(&card, &dir.join(&entry.card))?;
            teacher_models.push(match fold {
                Some(fold) => format!(
                    "{} (sha256 {}, trained without fold {fold})",
                    entry.id, entry.sha256
                ),
                None => format!("{} (sha256 {})", entry.id, entry.sha256),
            });
            teacher_licences.push(card_licence(&card, &dir.join(&entry.card))?);
            held_out_folds.push(fold);
        }
        let cross_fitted = held_out_folds.iter().filter(|f| f.is_some()).count();
        if cross_fitted != 0 && cross_fitted != held_out_folds.len() {
            return Err(
                "some teachers were trained without a fold and some on every photo: a teacher \
                 that saw a photo would undo what the cross-fitted ones know of it"
                    .into(),
            );
        }
        if cross_fitted == 0 {
            held_out_folds.clear();
        }
        Ok(Self {
            teachers,
            weight,
            teacher_models,
            teacher_licences,
            held_out_folds,
        })
    }

    /// The teachers' targets as [`Teacher`] mixes them into training, with this distillation's
    /// weight: [`Distillation::soft_targets`].
    pub fn teacher(&self, images: &[RgbImage], records: &[Record]) -> Result<Teacher, String> {
        Teacher::new(self.soft_targets(images, records)?, self.weight)
    }

    /// The teachers' mean calibrated probabilities on each of `images` (the train split, in its
    /// order, whose first images are `records`), each teacher seeing the whole image at its own
    /// input size. Cross-fitted teachers each teach the photos they were trained without; an
    /// image without a record (a rendering or new photo added after the dataset's) is taught
    /// by all of them.
    pub fn soft_targets(
        &self,
        images: &[RgbImage],
        records: &[Record],
    ) -> Result<Vec<Vec<f32>>, String> {
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
        if self.held_out_folds.is_empty() {
            return Ok(mean_probabilities(&sets));
        }
        (0..images.len())
            .map(|i| {
                let chosen = cross_fitted_teachers(records.get(i), &self.held_out_folds)?;
                Ok((0..sets[0][i].len())
                    .map(|c| {
                        chosen.iter().map(|&t| sets[t][i][c]).sum::<f32>() / chosen.len() as f32
                    })
                    .collect())
            })
            .collect()
    }
}

/// Which teachers (indices into `folds`) teach the photo of `record`: those trained without its
/// fold; all of them for an image without a record. A photo no teacher held out is an error.
fn cross_fitted_teachers(
    record: Option<&Record>,
    folds: &[Option<Fold>],
) -> Result<Vec<usize>, String> {
    let Some(record) = record else {
        return Ok((0..folds.len()).collect());
    };
    let chosen: Vec<usize> = (0..folds.len())
        .filter(|&t| folds[t].is_some_and(|fold| fold.holds_out(record)))
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "training photo {} is in no teacher's held-out fold: cross-fitting needs a teacher \
             trained without each fold (one per K of the same N)",
            record.md5hash
        ));
    }
    Ok(chosen)
}

fn read_card(path: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("teacher card {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("teacher card {}: {e}", path.display()))
}

/// The fold a teacher was trained without (`training.options.held_out_fold`), if any.
fn card_fold(card: &serde_json::Value, path: &Path) -> Result<Option<Fold>, String> {
    match &card["training"]["options"]["held_out_fold"] {
        serde_json::Value::Null => Ok(None),
        value => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| format!("teacher card {}: held_out_fold: {e}", path.display())),
    }
}

/// The data licence a model card states (`data.licence`).
fn card_licence(card: &serde_json::Value, path: &Path) -> Result<String, String> {
    card["data"]["licence"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("teacher card {} states no data licence", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(group: &str) -> Record {
        Record {
            md5hash: group.into(),
            label: "melanoma".into(),
            three_partition: "malignant".into(),
            fitzpatrick: None,
            split: "train".into(),
            dup_group: group.into(),
        }
    }

    #[test]
    fn each_photo_is_taught_by_the_teachers_that_held_it_out() {
        let folds: Vec<Option<Fold>> = (1..=3).map(|index| Some(Fold { index, of: 3 })).collect();
        for i in 0..30 {
            let photo = record(&format!("group{i}"));
            let chosen = cross_fitted_teachers(Some(&photo), &folds).unwrap();
            assert_eq!(chosen.len(), 1);
            assert!(folds[chosen[0]].unwrap().holds_out(&photo));
        }
        assert_eq!(cross_fitted_teachers(None, &folds).unwrap(), vec![0, 1, 2]);
    }

    #[test]
    fn a_photo_no_teacher_held_out_is_an_error() {
        let only_first = [Some(Fold { index: 1, of: 3 })];
        let missed = (0..30)
            .map(|i| record(&format!("group{i}")))
            .find(|r| !only_first[0].unwrap().holds_out(r))
            .expect("some photo is in another fold");
        let err = cross_fitted_teachers(Some(&missed), &only_first).unwrap_err();
        assert!(err.contains("no teacher's held-out fold"), "{err}");
    }
}
