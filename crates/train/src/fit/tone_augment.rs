//! Tone augmentation: with some probability, a training image's healthy skin is re-toned to a
//! random ITA° by the `color` crate's biophysical (melanin) model, so the network sees each
//! lesion on lighter and darker skin. Off by default: whether it helps on real dark-skin images
//! has to be measured first (HAM10000 has almost none to measure on).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use dermtone_color::{Mask, retone, skin_mask};
use image::RgbImage;
use rand::Rng;

use super::stream::TrainRng;
use crate::datasets::ham10000::Record;
use crate::datasets::ham10000_masks::{MASKS_FILE, load_lesion_masks};
use crate::parallel::map_on_all_cores;

/// Target ITA° range: from Fitzpatrick VI (below −30°) to I (above 55°).
const TARGET_ITA: std::ops::Range<f32> = -45.0..60.0;

/// Healthy-skin masks of the training images and how often to re-tone.
pub struct ToneAugment {
    skins: Vec<Mask>,
    probability: f64,
}

impl ToneAugment {
    /// Skin masks for `images` (the training images of `records`, in order), using the folder's
    /// lesion masks where it has them.
    pub fn prepare(
        data: &Path,
        records: &[&Record],
        images: &[RgbImage],
        probability: f64,
    ) -> Result<Self, String> {
        let lesions: HashMap<String, Mask> = if data.join(MASKS_FILE).is_file() {
            let ids: HashSet<String> = records.iter().map(|r| r.image_id.clone()).collect();
            load_lesion_masks(data, Some(&ids))?
        } else {
            HashMap::new()
        };
        let pairs: Vec<(&RgbImage, Option<&Mask>)> = records
            .iter()
            .zip(images)
            .map(|(record, image)| (image, lesions.get(&record.image_id)))
            .collect();
        Self::from_pairs(&pairs, probability)
    }

    /// For photos without hand-drawn lesion masks (e.g. clinical photos): the skin mask finds
    /// the lesion itself.
    pub fn without_lesion_masks(images: &[RgbImage], probability: f64) -> Result<Self, String> {
        let pairs: Vec<(&RgbImage, Option<&Mask>)> = images.iter().map(|i| (i, None)).collect();
        Self::from_pairs(&pairs, probability)
    }

    fn from_pairs(pairs: &[(&RgbImage, Option<&Mask>)], probability: f64) -> Result<Self, String> {
        let skins = map_on_all_cores(pairs, |(image, lesion)| Ok(skin_mask(image, *lesion)))?;
        Ok(Self {
            skins,
            probability: probability.clamp(0.0, 1.0),
        })
    }

    /// `image` (training image `index`), re-toned with the set probability; unchanged where the
    /// photo's skin tone cannot be measured or the target is out of its reach.
    pub fn apply(&self, index: usize, image: &RgbImage, rng: &mut TrainRng) -> Option<RgbImage> {
        if !rng.random_bool(self.probability) {
            return None;
        }
        let target = rng.random_range(TARGET_ITA);
        retone(image, self.skins.get(index)?, target)
            .ok()
            .map(|r| r.image)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::ham10000::{load_split, read_split_csv};
    use dermtone_color::skin_tone;
    use rand::SeedableRng;

    #[test]
    fn retones_real_training_images_to_varied_tones() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ham10000");
        let records = read_split_csv(&data).unwrap();
        let train: Vec<&Record> = records
            .iter()
            .filter(|r| r.split == "train")
            .take(12)
            .collect();
        let (split, _) = load_split(&data, &records, "train", 80, Some(12)).unwrap();
        let augment = ToneAugment::prepare(&data, &train, &split.images, 1.0).unwrap();
        let mut rng = TrainRng::seed_from_u64(5);
        let mut shifts = Vec::new();
        for (i, image) in split.images.iter().enumerate() {
            if let Some(out) = augment.apply(i, image, &mut rng) {
                assert_eq!(out.dimensions(), image.dimensions());
                let before = skin_tone(image, None).ita;
                let after = skin_tone(&out, None).ita;
                if let (Some(b), Some(a)) = (before, after) {
                    shifts.push((a - b).abs());
                }
            }
        }
        assert!(shifts.len() >= 4, "only {} images re-toned", shifts.len());
        assert!(shifts.iter().any(|&s| s > 10.0), "{shifts:?}");
    }
}
