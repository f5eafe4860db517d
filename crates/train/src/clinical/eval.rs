//! `dermtone eval` on a Fitzpatrick17k-layout folder: the shipped photo model, loaded through
//! the manifest as the app loads it, measured per labelled Fitzpatrick group ("I-II", "III-IV",
//! "V-VI") and type ("1".."6", "unknown"), and per tone the `color` crate estimates from the
//! photo, so the labelled and estimated groupings can be compared.

use std::path::Path;

use dermtone_engine::{ModelEntry, fitzpatrick_group, ita_estimate, resize_for_model};
use dermtone_net::Classifier;
use image::{Rgb, RgbImage};

use crate::clinical::split::split_records;
use crate::clinical::taxonomy::GROUPS;
use crate::datasets::fitzpatrick17k::{read_image, read_labels};
use crate::dermoscopy::eval::{
    Evaluated, LabelledImages, evaluate_probabilities, load_shipped_task,
};
use crate::fit::predict::predict_calibrated;
use crate::parallel::map_on_all_cores;

/// The manifest task of the photo model.
pub const PHOTO_TASK: &str = "photo";

/// Share of the short side covered by each corner square in the watermark check.
pub const CORNER_SHARE: f32 = 0.25;

/// The shipped photo model (from `models_dir/manifest.json`) on `split` of a Fitzpatrick17k
/// folder (its first `limit` images when set).
pub fn evaluate_shipped_clinical(
    data: &Path,
    split: &str,
    models_dir: &Path,
    limit: Option<usize>,
) -> Result<Evaluated, String> {
    let (entry, model) = load_shipped_photo(models_dir)?;
    let images = load_clinical_for_eval(data, split, entry.input.size, limit)?;
    evaluate_loaded(&entry, &model, split, &images)
}

/// [`evaluate_shipped_clinical`] on images already loaded.
pub fn evaluate_loaded(
    entry: &ModelEntry,
    model: &Classifier,
    split: &str,
    images: &LabelledImages,
) -> Result<Evaluated, String> {
    let probabilities =
        predict_calibrated(model, &images.resized, &entry.input, entry.temperature())?;
    evaluate_probabilities(entry, split, &probabilities, images, GROUPS[0].code)
}

/// The manifest's photo entry and its verified int8 network, on the CPU.
pub fn load_shipped_photo(models_dir: &Path) -> Result<(ModelEntry, Classifier), String> {
    let expected: Vec<&str> = GROUPS.iter().map(|g| g.code).collect();
    load_shipped_task(
        models_dir,
        PHOTO_TASK,
        &expected,
        "the photo model's condition groups",
    )
}

/// Decodes `split` of a Fitzpatrick17k-layout folder on all cores: resized images, condition
/// groups, labelled tone groups (group and type) and estimated ones (the ITA rule on the photo).
/// A stamped synthetic image in it is an error: evaluation is on real images only.
pub fn load_clinical_for_eval(
    data: &Path,
    split: &str,
    size: u32,
    limit: Option<usize>,
) -> Result<LabelledImages, String> {
    let (records, labels) = split_records(data, &read_labels(data)?, split, limit)?;
    let loaded = map_on_all_cores(&records, |record| {
        let photo = read_image(data, record)?.real(split)?;
        let estimated = ita_estimate(&photo).fitzpatrick;
        Ok((resize_for_model(&photo, size), tone_keys(estimated)))
    })?;
    let (resized, estimated_tone_groups) = loaded.into_iter().unzip();
    Ok(LabelledImages {
        resized,
        labels,
        tone_groups: records.iter().map(|r| tone_keys(r.fitzpatrick)).collect(),
        estimated_tone_groups,
    })
}

/// The report keys an image with this Fitzpatrick type counts under: its group and its type
/// (`["V-VI", "5"]`), or `["unknown"]`.
pub fn tone_keys(fitzpatrick: Option<u8>) -> Vec<String> {
    match fitzpatrick {
        Some(t) => vec![fitzpatrick_group(Some(t)).to_string(), t.to_string()],
        None => vec!["unknown".to_string()],
    }
}

/// The watermark check's input: `image` with a square in each corner filled with the image's
/// mean colour, hiding the atlas watermarks (e.g. "SFS") that sit there.
pub fn mask_corners(image: &RgbImage) -> RgbImage {
    let (w, h) = image.dimensions();
    let side = ((w.min(h) as f32) * CORNER_SHARE).round() as u32;
    let count = (w as u64 * h as u64).max(1);
    let mut sum = [0u64; 3];
    for pixel in image.pixels() {
        for c in 0..3 {
            sum[c] += u64::from(pixel[c]);
        }
    }
    let mean = Rgb(sum.map(|s| (s / count) as u8));
    let mut out = image.clone();
    for (x, y, pixel) in out.enumerate_pixels_mut() {
        let near_x = x < side || x >= w - side;
        let near_y = y < side || y >= h - side;
        if near_x && near_y {
            *pixel = mean;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_are_filled_and_the_centre_is_kept() {
        let mut image = RgbImage::from_pixel(8, 8, Rgb([0, 0, 0]));
        image.put_pixel(0, 0, Rgb([255, 255, 255]));
        image.put_pixel(4, 4, Rgb([64, 64, 64]));
        let masked = mask_corners(&image);
        assert_eq!(masked.get_pixel(0, 0), &Rgb([4, 4, 4]));
        assert_eq!(masked.get_pixel(7, 7), &Rgb([4, 4, 4]));
        assert_eq!(masked.get_pixel(4, 4), &Rgb([64, 64, 64]));
        assert_eq!(masked.get_pixel(0, 4), &Rgb([0, 0, 0]));
    }

    #[test]
    fn an_image_counts_under_its_group_and_its_type() {
        assert_eq!(tone_keys(Some(5)), ["V-VI", "5"]);
        assert_eq!(tone_keys(None), ["unknown"]);
    }
}
