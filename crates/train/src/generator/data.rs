//! What the tone generator learns from: real photos with their healthy-skin masks and measured
//! tone (HAM10000 dermoscopy with its hand-drawn lesion masks, Fitzpatrick17k clinical photos
//! with their labelled type), and the paired targets the `color` crate's biophysical re-toning
//! makes from them.

use std::collections::HashSet;
use std::path::Path;

use dermtone_color::{Mask, RetoneError, estimate_tone, keep_skin_variation, retone, skin_mask};
use dermtone_engine::resize_for_model;
use image::RgbImage;
use image::imageops::crop_imm;
use rand::Rng;
use rand::rngs::StdRng;

use crate::datasets::fitzpatrick17k::{read_image, read_labels};
use crate::datasets::ham10000::{self, read_split_csv};
use crate::datasets::ham10000_masks::{MASKS_FILE, load_lesion_masks};
use crate::parallel::map_on_all_cores;

/// Lowest target ITA° drawn for training pairs: darker than the darkest type-VI photos.
pub const DARKEST_TARGET_ITA: f32 = -55.0;
/// Highest target ITA° drawn for training pairs.
pub const LIGHTEST_TARGET_ITA: f32 = 65.0;

/// One real photo ready for re-toning.
#[derive(Clone)]
pub struct ToneSource {
    /// The photo at the generator's working size.
    pub image: RgbImage,
    /// Its healthy skin.
    pub skin: Mask,
    /// The lesion, where the dataset draws one (HAM10000).
    pub lesion: Option<Mask>,
    /// Median ITA° of the healthy skin.
    pub ita: f32,
    /// Labelled Fitzpatrick type (Fitzpatrick17k), where known.
    pub fitzpatrick: Option<u8>,
    /// A dermoscopic image (HAM10000), which the dermoscopy classifier reads, rather than a
    /// plain photo.
    pub dermoscopic: bool,
}

/// An input, its target and both tones: one supervised training pair.
pub struct Pair {
    /// The real photo (crop).
    pub input: RgbImage,
    /// The same crop re-toned biophysically.
    pub target: RgbImage,
    /// ITA° of the input's skin.
    pub source_ita: f32,
    /// ITA° the re-toning reached.
    pub target_ita: f32,
}

/// Where the photos come from and how many to take.
pub struct SourceOptions<'a> {
    /// HAM10000 folder (optional lesion masks are used where present).
    pub ham10000: Option<&'a Path>,
    /// Fitzpatrick17k subset folder.
    pub fitzpatrick17k: Option<&'a Path>,
    /// Split to read from each.
    pub split: &'a str,
    /// Side of the square working size.
    pub size: u32,
    /// At most this many photos per dataset.
    pub limit: Option<usize>,
}

/// The photos of `options.split` whose skin tone can be measured; photos without enough
/// healthy skin are left out (they cannot be re-toned either). Synthetic-stamped files are
/// refused: the generator learns from real photos only.
pub fn load_sources(options: &SourceOptions) -> Result<Vec<ToneSource>, String> {
    let mut sources = Vec::new();
    if let Some(dir) = options.ham10000 {
        sources.extend(ham_sources(dir, options)?);
    }
    if let Some(dir) = options.fitzpatrick17k {
        sources.extend(fitzpatrick_sources(dir, options)?);
    }
    if sources.is_empty() {
        return Err(format!(
            "no photo of the {} split had enough healthy skin to measure its tone",
            options.split
        ));
    }
    Ok(sources)
}

fn ham_sources(dir: &Path, options: &SourceOptions) -> Result<Vec<ToneSource>, String> {
    let records: Vec<_> = read_split_csv(dir)?
        .into_iter()
        .filter(|r| r.split == options.split)
        .take(options.limit.unwrap_or(usize::MAX))
        .collect();
    let masks = if dir.join(MASKS_FILE).is_file() {
        let ids: HashSet<String> = records.iter().map(|r| r.image_id.clone()).collect();
        load_lesion_masks(dir, Some(&ids))?
    } else {
        Default::default()
    };
    let loaded = map_on_all_cores(&records, |record| {
        let path = ham10000::image_path(dir, &record.image_id);
        let image = crate::datasets::synthetic::load_image(&path)?.real(options.split)?;
        let lesion = masks.get(&record.image_id);
        Ok(
            source(&image, lesion, None, options.size).map(|photo| ToneSource {
                dermoscopic: true,
                ..photo
            }),
        )
    })?;
    Ok(loaded.into_iter().flatten().collect())
}

fn fitzpatrick_sources(dir: &Path, options: &SourceOptions) -> Result<Vec<ToneSource>, String> {
    let records: Vec<_> = read_labels(dir)?
        .into_iter()
        .filter(|r| r.split == options.split)
        .take(options.limit.unwrap_or(usize::MAX))
        .collect();
    let loaded = map_on_all_cores(&records, |record| {
        let image = read_image(dir, record)?.real(options.split)?;
        Ok(source(&image, None, record.fitzpatrick, options.size))
    })?;
    Ok(loaded.into_iter().flatten().collect())
}

/// A photo at the working size with its skin mask and tone; `None` when the tone is unknown.
pub fn source(
    image: &RgbImage,
    lesion: Option<&Mask>,
    fitzpatrick: Option<u8>,
    size: u32,
) -> Option<ToneSource> {
    let image = resize_for_model(image, size);
    let lesion = lesion.map(|m| resample(m, size, size));
    let skin = skin_mask(&image, lesion.as_ref());
    let ita = estimate_tone(&image, &skin).ita?;
    Some(ToneSource {
        image,
        skin,
        lesion,
        ita,
        fitzpatrick,
        dermoscopic: false,
    })
}

/// Nearest-neighbour resampling of a mask to `width` × `height`.
pub fn resample(mask: &Mask, width: u32, height: u32) -> Mask {
    let (w, h) = (mask.width(), mask.height());
    Mask::from_fn(width, height, |x, y| {
        mask.get(x * w / width, y * h / height)
    })
}

/// How the paired targets are made from the biophysical re-toning.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Retoning {
    /// When set, the re-toned skin gets the photo's own variation back at scales finer than
    /// about this many pixels ([`keep_skin_variation`]): the tone changes, the skin's shading
    /// and texture keep their amplitude, as in real photos of dark skin. `None`: the plain
    /// re-toning, as generator-v1 to v3 learned.
    pub keep_skin_variation: Option<u32>,
}

impl Retoning {
    /// `source` re-toned to `target_ita`, or as close to it as the photo can go (a target out
    /// of reach is moved just inside the reachable range), with the ITA° its skin reached.
    /// `None` when the re-toning cannot settle.
    pub fn apply(&self, source: &ToneSource, target_ita: f32) -> Option<(RgbImage, f32)> {
        let (image, ita) = plain_retoning(source, target_ita)?;
        match self.keep_skin_variation {
            None => Some((image, ita)),
            Some(radius) => {
                let kept = keep_skin_variation(&source.image, &image, &source.skin, radius);
                let ita = estimate_tone(&kept, &source.skin).ita.unwrap_or(ita);
                Some((kept, ita))
            }
        }
    }

    /// What the targets are, in words, for the model card.
    pub fn describe(&self) -> String {
        match self.keep_skin_variation {
            None => "the biophysical re-toning".into(),
            Some(radius) => format!(
                "the biophysical re-toning with the healthy skin's own variation kept at scales \
                 finer than about {radius} px"
            ),
        }
    }

    /// A random supervised pair from `source`: a random target tone, the same random `crop` ×
    /// `crop` window (and flip) of input and target.
    pub fn random_pair(&self, source: &ToneSource, crop: u32, rng: &mut StdRng) -> Option<Pair> {
        let target = rng.random_range(DARKEST_TARGET_ITA..LIGHTEST_TARGET_ITA);
        let (retoned, target_ita) = self.apply(source, target)?;
        let window = Window::random(source.image.dimensions(), crop, rng);
        Some(Pair {
            input: window.apply(&source.image),
            target: window.apply(&retoned),
            source_ita: source.ita,
            target_ita,
        })
    }
}

fn plain_retoning(source: &ToneSource, target_ita: f32) -> Option<(RgbImage, f32)> {
    match retone(&source.image, &source.skin, target_ita) {
        Ok(r) => Some((r.image, r.ita_after)),
        Err(RetoneError::Unreachable {
            darkest, lightest, ..
        }) if lightest - darkest > 2.0 => {
            let inside = target_ita.clamp(darkest + 1.0, lightest - 1.0);
            retone(&source.image, &source.skin, inside)
                .ok()
                .map(|r| (r.image, r.ita_after))
        }
        Err(_) => None,
    }
}

/// A crop position and a horizontal flip, applied alike to paired images.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    x: u32,
    y: u32,
    side: u32,
    flip: bool,
}

impl Window {
    /// A random `side` × `side` window inside `dimensions`, flipped half of the time.
    pub fn random(dimensions: (u32, u32), side: u32, rng: &mut StdRng) -> Self {
        let (w, h) = dimensions;
        Self {
            x: rng.random_range(0..=w.saturating_sub(side)),
            y: rng.random_range(0..=h.saturating_sub(side)),
            side: side.min(w).min(h),
            flip: rng.random_bool(0.5),
        }
    }

    /// The window of `image`.
    pub fn apply(&self, image: &RgbImage) -> RgbImage {
        let out = crop_imm(image, self.x, self.y, self.side, self.side).to_image();
        if self.flip {
            image::imageops::flip_horizontal(&out)
        } else {
            out
        }
    }

    /// The window of `mask` (the same pixels as [`Window::apply`] takes), row by row, 1 where set.
    pub fn apply_mask(&self, mask: &Mask) -> Vec<f32> {
        let mut out = Vec::with_capacity((self.side * self.side) as usize);
        for y in self.y..self.y + self.side {
            for i in 0..self.side {
                let x = if self.flip {
                    self.x + self.side - 1 - i
                } else {
                    self.x + i
                };
                out.push(if mask.get(x, y) { 1.0 } else { 0.0 });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn skin_photo() -> RgbImage {
        RgbImage::from_fn(48, 48, |x, y| {
            let d = (x as i32 - 24).pow(2) + (y as i32 - 24).pow(2);
            if d < 64 {
                image::Rgb([90, 50, 40])
            } else {
                image::Rgb([225, 180, 160])
            }
        })
    }

    #[test]
    fn a_pair_is_darker_when_its_target_tone_is_lower() {
        let source = source(&skin_photo(), None, None, 48).expect("skin is visible");
        let mut rng = StdRng::seed_from_u64(1);
        let pair = (0..20)
            .filter_map(|_| Retoning::default().random_pair(&source, 32, &mut rng))
            .find(|p| p.target_ita < source.ita - 20.0)
            .expect("some draw darkens the skin");
        let mean = |i: &RgbImage| i.pixels().map(|p| u32::from(p[1])).sum::<u32>();
        assert!(mean(&pair.target) < mean(&pair.input));
        assert_eq!(pair.input.dimensions(), (32, 32));
        assert_eq!(pair.target.dimensions(), (32, 32));
    }

    #[test]
    fn kept_variation_targets_reach_the_same_tone_with_the_photos_texture() {
        let photo = RgbImage::from_fn(48, 48, |x, y| {
            let p = skin_photo().get_pixel(x, y).0;
            let grain = if (x / 2 + y / 2) % 2 == 0 { 12 } else { 0 };
            image::Rgb(p.map(|v| v.saturating_sub(grain)))
        });
        let source = source(&photo, None, None, 48).expect("skin is visible");
        let plain = Retoning::default()
            .apply(&source, -30.0)
            .expect("reachable");
        let kept = Retoning {
            keep_skin_variation: Some(8),
        }
        .apply(&source, -30.0)
        .expect("reachable");
        assert!((kept.1 - plain.1).abs() < 3.0, "{} {}", kept.1, plain.1);
        let spread = |image: &RgbImage| {
            let g: Vec<f32> = (0..48 * 48)
                .filter(|i| source.skin.get(i % 48, i / 48))
                .map(|i| f32::from(image.get_pixel(i % 48, i / 48)[1]))
                .collect();
            let mean = g.iter().sum::<f32>() / g.len() as f32;
            (g.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / g.len() as f32).sqrt()
        };
        let (photo, plain, kept) = (spread(&source.image), spread(&plain.0), spread(&kept.0));
        assert!(plain < 0.7 * photo, "{plain} {photo}");
        assert!((kept - photo).abs() < 0.15 * photo, "{kept} {photo}");
    }

    #[test]
    fn a_masks_window_takes_the_pixels_the_images_window_takes() {
        let mask = Mask::from_fn(40, 30, |x, y| (x * 7 + y * 3) % 5 < 2);
        let marked = RgbImage::from_fn(40, 30, |x, y| image::Rgb([u8::from(mask.get(x, y)), 0, 0]));
        let mut rng = StdRng::seed_from_u64(3);
        let mut flips = [false, false];
        for _ in 0..20 {
            let window = Window::random((40, 30), 16, &mut rng);
            flips[usize::from(window.flip)] = true;
            let expected: Vec<f32> = window
                .apply(&marked)
                .pixels()
                .map(|p| f32::from(p[0]))
                .collect();
            assert_eq!(window.apply_mask(&mask), expected);
        }
        assert_eq!(flips, [true, true], "both orientations tried");
    }

    #[test]
    fn resampled_masks_keep_their_shape() {
        let mask = Mask::from_fn(4, 2, |x, _| x < 2);
        let big = resample(&mask, 8, 4);
        assert_eq!(big.count(), 16);
        assert!(big.get(3, 3) && !big.get(4, 0));
    }
}
