//! `dermtone validate-generator` (phase 3): is the tone generator fit to show people? Measured on
//! held-out photos only, and always beside the plain biophysical re-toning it must beat:
//! - **tone hit**: the learned tone estimator (and the ITA rule) puts each rendering in the
//!   group it was rendered at; ITA° error of its healthy skin;
//! - **lesion kept**: the classifiers' top-1 answer unchanged; SSIM of luminance inside the
//!   HAM10000 lesion masks;
//! - **realism**: Fréchet distance, in the photo classifier's penultimate features, between
//!   renderings at V–VI and real V–VI photos, against the re-toning and the untouched photos;
//! - **artefacts**: radially averaged power spectra of skin patches, against real V–VI skin.

use std::path::{Path, PathBuf};

use burn::prelude::*;
use dermtone_color::{Mask, retone, ssim_luminance_masked};
use dermtone_engine::{
    BackendInfo, Engine, Manifest, ModelRef, ToneReport, fitzpatrick_group, normalise_chw,
    resize_for_model,
};
use dermtone_net::Classifier;
use image::RgbImage;
use serde::Serialize;

use crate::datasets::fitzpatrick17k::{read_image, read_labels};
use crate::datasets::ham10000::{self, read_split_csv};
use crate::datasets::ham10000_masks::{MASKS_FILE, load_lesion_masks};
use crate::frechet::frechet_distance;
use crate::generator_data::{ToneSource, source};
use crate::spectrum::{BINS, high_frequency_share, skin_patch_spectrum};

/// What to validate on.
pub struct ValidationOptions<'a> {
    /// Fitzpatrick17k subset folder.
    pub fitzpatrick17k: &'a Path,
    /// HAM10000 folder (dermoscopy with lesion masks), if used.
    pub ham10000: Option<&'a Path>,
    /// Folder with the manifest and every model.
    pub models: &'a Path,
    /// Held-out split: `val` to choose between candidates, `test` to report.
    pub split: &'a str,
    /// At most this many photos per dataset.
    pub limit: Option<usize>,
}

/// The report (`--json` prints it; a public interface: fields are only ever added).
#[derive(Debug, Clone, Serialize)]
pub struct GeneratorValidation {
    /// Split measured.
    pub split: String,
    /// The generator measured.
    pub generator: ModelRef,
    /// Every figure here is about synthetic images.
    pub synthetic: bool,
    /// Photos used: Fitzpatrick17k (tone, realism, photo diagnosis) and HAM10000 (lesion SSIM,
    /// dermoscopy diagnosis).
    pub photos: PhotoCounts,
    /// Target ITA° per Fitzpatrick type, from the manifest.
    pub target_ita: [f32; 6],
    /// The learned estimator on the real photos of the split against their labels: the most a
    /// rendering's tone hit can be expected to reach.
    pub real_photos_tone: RealTone,
    /// Tone hit, diagnosis kept and lesion SSIM for the generator and the plain re-toning.
    pub methods: Vec<MethodFigures>,
    /// Realism at Fitzpatrick V–VI.
    pub realism: Realism,
    /// Frequency-spectrum artefact check at Fitzpatrick V–VI.
    pub artefacts: Artefacts,
    /// The targets, met or not.
    pub targets: Targets,
}

/// Photos measured per dataset.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoCounts {
    /// Fitzpatrick17k photos whose skin tone could be measured (and so could be rendered).
    pub fitzpatrick17k: usize,
    /// Fitzpatrick17k photos left out: too little healthy skin to tell their tone.
    pub fitzpatrick17k_unmeasurable: usize,
    /// HAM10000 photos with lesion masks used.
    pub ham10000: usize,
}

/// The tone estimators on real photos with a labelled type.
#[derive(Debug, Clone, Serialize)]
pub struct RealTone {
    /// Labelled photos whose tone could be estimated.
    pub n: usize,
    /// Learned estimate in the labelled group.
    pub tone_group_hit: Option<f64>,
    /// Learned estimate exactly the labelled type.
    pub tone_exact_hit: Option<f64>,
    /// ITA-rule type in the labelled group.
    pub ita_group_hit: Option<f64>,
}

/// One way of changing tone, measured.
#[derive(Debug, Clone, Serialize)]
pub struct MethodFigures {
    /// `generator` or `retoning` (the `color` crate's biophysical re-toning).
    pub method: String,
    /// Renderings made (photos × six types; the re-toning skips photos it cannot settle).
    pub renderings: usize,
    /// Share whose learned tone estimate is in the target's group (I-II, III-IV, V-VI).
    pub tone_group_hit: Option<f64>,
    /// Share whose learned estimate is exactly the target type.
    pub tone_exact_hit: Option<f64>,
    /// Share whose ITA-rule type is in the target's group.
    pub ita_group_hit: Option<f64>,
    /// Mean |ITA° of the rendering's healthy skin − target ITA°|.
    pub ita_error_mean: Option<f64>,
    /// Mean signed (ITA° − target): positive when renderings come out lighter than asked.
    pub ita_bias_mean: Option<f64>,
    /// Per target type.
    pub by_target: Vec<TargetFigures>,
    /// Photo classifier top-1 unchanged (Fitzpatrick17k renderings).
    pub photo_top1_kept: Option<f64>,
    /// Photo classifier's screening decision (malignancy at or above its operating point)
    /// unchanged: the answer the app acts on.
    pub photo_flag_kept: Option<f64>,
    /// Dermoscopy classifier top-1 unchanged (HAM10000 renderings).
    pub dermoscopy_top1_kept: Option<f64>,
    /// Mean SSIM of luminance inside the HAM10000 lesion mask, rendering vs original.
    pub lesion_ssim: Option<f64>,
}

/// Figures for renderings at one Fitzpatrick type.
#[derive(Debug, Clone, Serialize)]
pub struct TargetFigures {
    /// Target type 1–6.
    pub fitzpatrick: u8,
    /// Renderings.
    pub n: usize,
    /// Learned estimate in the target's group.
    pub tone_group_hit: Option<f64>,
    /// Learned estimate exactly the target type.
    pub tone_exact_hit: Option<f64>,
    /// Mean learned Fitzpatrick estimate.
    pub mean_estimated_type: Option<f64>,
    /// Mean |ITA° − target|.
    pub ita_error_mean: Option<f64>,
    /// Mean signed (ITA° − target): positive when lighter than asked.
    pub ita_bias_mean: Option<f64>,
    /// Photo classifier top-1 unchanged.
    pub photo_top1_kept: Option<f64>,
}

/// Fréchet distances to real Fitzpatrick V–VI photos of the split.
#[derive(Debug, Clone, Serialize)]
pub struct Realism {
    /// Feature extractor.
    pub features: String,
    /// Real V–VI photos.
    pub real_n: usize,
    /// Sources rendered (Fitzpatrick17k photos labelled I–IV), each at V and VI.
    pub rendered_sources: usize,
    /// Generator renderings at V and VI.
    pub generator: Option<f64>,
    /// Re-toned to V and VI.
    pub retoning: Option<f64>,
    /// The same source photos untouched.
    pub untouched: Option<f64>,
    /// How to read the figures.
    pub note: String,
}

/// Radially averaged log10 power spectra of skin patches.
#[derive(Debug, Clone, Serialize)]
pub struct Artefacts {
    /// Patch side in pixels (at the generator's size).
    pub patch: u32,
    /// One entry per image set.
    pub sets: Vec<SpectrumFigures>,
}

/// The spectrum statistics of one set of skin patches.
#[derive(Debug, Clone, Serialize)]
pub struct SpectrumFigures {
    /// `real V-VI`, `generator`, `retoning` or `untouched`.
    pub set: String,
    /// Patches (images with a 32 px window that is ≥ 90 % healthy skin).
    pub patches: usize,
    /// Mean share of power above a quarter of the sampling rate.
    pub high_frequency_share: Option<f64>,
    /// Mean log10 power per radial bin (1..23 cycles per patch).
    pub mean_log_power: Vec<f64>,
    /// Root-mean-square difference of `mean_log_power` from real V–VI skin's.
    pub distance_to_real: Option<f64>,
}

/// The acceptance targets.
#[derive(Debug, Clone, Serialize)]
pub struct Targets {
    /// Tone group hit ≥ 90 % (learned estimator).
    pub tone_hit_90: bool,
    /// Photo classifier top-1 kept ≥ 95 %.
    pub diagnosis_kept_95: bool,
    /// Generator's Fréchet distance below the re-toning's.
    pub beats_retoning: bool,
}

/// Everything loaded once.
struct Models {
    photo: Engine,
    dermoscopy: Engine,
    features: Classifier,
    features_input: dermtone_engine::InputSpec,
    generator: ModelRef,
    target_ita: [f32; 6],
    size: u32,
}

/// Measures the manifest's generator on `options.split`.
pub fn validate_generator(options: &ValidationOptions) -> Result<GeneratorValidation, String> {
    let models = load_models(options.models)?;
    let photos = fitzpatrick_photos(options, models.size)?;
    let measurable: Vec<&Photo> = photos.iter().filter(|p| p.source.is_some()).collect();
    let ham = ham_photos(options, models.size)?;
    let real_photos_tone = real_tone(&models, &photos)?;
    let mut methods = Vec::new();
    let mut renders = Vec::new();
    for method in [Method::Generator, Method::Retoning] {
        let (figures, at_dark) = measure_method(&models, method, &measurable, &ham)?;
        methods.push(figures);
        renders.push(at_dark);
    }
    let realism_sources: Vec<&Photo> = measurable
        .iter()
        .filter(|p| p.fitzpatrick.is_some_and(|t| t <= 4))
        .copied()
        .collect();
    let real_dark: Vec<&Photo> = photos
        .iter()
        .filter(|p| p.fitzpatrick.is_some_and(|t| t >= 5))
        .collect();
    let feature = |images: &[RgbImage]| features(&models, images);
    let real_images: Vec<RgbImage> = real_dark.iter().map(|p| p.working.clone()).collect();
    let untouched: Vec<RgbImage> = realism_sources.iter().map(|p| p.working.clone()).collect();
    let real_features = feature(&real_images)?;
    let distance = |images: &[RgbImage]| -> Result<Option<f64>, String> {
        if images.len() < 2 || real_features.len() < 2 {
            return Ok(None);
        }
        frechet_distance(&feature(images)?, &real_features).map(Some)
    };
    let realism = Realism {
        features: "penultimate features of the shipped photo classifier (int8), at its input size".into(),
        real_n: real_images.len(),
        rendered_sources: realism_sources.len(),
        generator: distance(&renders[0])?,
        retoning: distance(&renders[1])?,
        untouched: distance(&untouched)?,
        note: "lower is closer to real V–VI photos; sample sizes are small, so compare methods, not absolute values".into(),
    };
    let artefacts = artefacts(&real_images, &renders[0], &renders[1], &untouched);
    let generator = &methods[0];
    let targets = Targets {
        tone_hit_90: generator.tone_group_hit.is_some_and(|h| h >= 0.90),
        diagnosis_kept_95: generator.photo_top1_kept.is_some_and(|k| k >= 0.95),
        beats_retoning: matches!((realism.generator, realism.retoning), (Some(g), Some(r)) if g < r),
    };
    Ok(GeneratorValidation {
        split: options.split.into(),
        generator: models.generator.clone(),
        synthetic: true,
        photos: PhotoCounts {
            fitzpatrick17k: measurable.len(),
            fitzpatrick17k_unmeasurable: photos.len() - measurable.len(),
            ham10000: ham.len(),
        },
        target_ita: models.target_ita,
        real_photos_tone,
        methods,
        realism,
        artefacts,
        targets,
    })
}

/// A held-out Fitzpatrick17k photo at the generator's size.
struct Photo {
    working: RgbImage,
    source: Option<ToneSource>,
    fitzpatrick: Option<u8>,
}

/// A held-out HAM10000 photo with its lesion mask.
struct HamPhoto {
    source: ToneSource,
    lesion: Mask,
}

#[derive(Clone, Copy, PartialEq)]
enum Method {
    Generator,
    Retoning,
}

fn load_models(dir: &Path) -> Result<Models, String> {
    let manifest_path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    let manifest = Manifest::from_json(&text).map_err(|e| e.to_string())?;
    let read = |task: &str| -> Result<Vec<u8>, String> {
        let entry = manifest.model_for(task).map_err(|e| e.to_string())?;
        let path = dir.join(&entry.file);
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let tone = read("tone")?;
    let generator = read("generator")?;
    let engine = |task: &str| -> Result<Engine, String> {
        let backend = BackendInfo {
            name: "cpu".into(),
            reason: "validation runs on the CPU".into(),
        };
        Engine::new(
            &manifest,
            task,
            &read(task)?,
            Some(&tone),
            Device::flex(),
            backend,
        )
        .and_then(|e| e.with_generator(&manifest, &generator))
        .map_err(|e| e.to_string())
    };
    let entry = manifest.model_for("generator").map_err(|e| e.to_string())?;
    let spec = entry
        .generator
        .clone()
        .ok_or("the manifest's generator has no generator section")?;
    let (photo_entry, features) = crate::clinical::eval::load_shipped_photo(dir)?;
    Ok(Models {
        photo: engine("photo")?,
        dermoscopy: engine("dermoscopy")?,
        features,
        features_input: photo_entry.input,
        generator: ModelRef {
            id: entry.id.clone(),
            sha256: entry.sha256.clone(),
        },
        target_ita: spec.target_ita,
        size: entry.input.size,
    })
}

fn fitzpatrick_photos(options: &ValidationOptions, size: u32) -> Result<Vec<Photo>, String> {
    let records: Vec<_> = read_labels(options.fitzpatrick17k)?
        .into_iter()
        .filter(|r| r.split == options.split)
        .take(options.limit.unwrap_or(usize::MAX))
        .collect();
    if records.is_empty() {
        return Err(format!(
            "split {:?} has no photos in {}",
            options.split,
            options.fitzpatrick17k.display()
        ));
    }
    crate::parallel::map_on_all_cores(&records, |record| {
        let image = read_image(options.fitzpatrick17k, record)?.real(options.split)?;
        Ok(Photo {
            working: resize_for_model(&image, size),
            source: source(&image, None, record.fitzpatrick, size),
            fitzpatrick: record.fitzpatrick,
        })
    })
}

fn ham_photos(options: &ValidationOptions, size: u32) -> Result<Vec<HamPhoto>, String> {
    let Some(dir) = options.ham10000 else {
        return Ok(Vec::new());
    };
    if !dir.join(MASKS_FILE).is_file() {
        return Err(format!(
            "{} has no {MASKS_FILE}: lesion SSIM needs the lesion masks",
            dir.display()
        ));
    }
    let records: Vec<_> = read_split_csv(dir)?
        .into_iter()
        .filter(|r| r.split == options.split)
        .take(options.limit.unwrap_or(usize::MAX))
        .collect();
    let ids = records.iter().map(|r| r.image_id.clone()).collect();
    let masks = load_lesion_masks(dir, Some(&ids))?;
    let photos = crate::parallel::map_on_all_cores(&records, |record| {
        let Some(mask) = masks.get(&record.image_id) else {
            return Ok(None);
        };
        let path = ham10000::image_path(dir, &record.image_id);
        let image = crate::datasets::synthetic::load_image(&path)?.real(options.split)?;
        Ok(source(&image, Some(mask), None, size).and_then(|source| {
            let lesion = source.lesion.clone()?;
            Some(HamPhoto { source, lesion })
        }))
    })?;
    Ok(photos.into_iter().flatten().collect())
}

/// Renderings of `photo` at types 1–6 by `method` (`None` where the re-toning cannot settle).
fn render_all(
    models: &Models,
    engine: &Engine,
    method: Method,
    working: &RgbImage,
    source: &ToneSource,
) -> Result<Vec<Option<RgbImage>>, String> {
    match method {
        Method::Generator => {
            let rendered = pollster::block_on(engine.render(working, &[1, 2, 3, 4, 5, 6]))
                .map_err(|e| e.to_string())?;
            Ok(rendered
                .renderings
                .into_iter()
                .map(|r| Some(r.image))
                .collect())
        }
        Method::Retoning => Ok(models
            .target_ita
            .iter()
            .map(|&target| {
                retone(&source.image, &source.skin, target)
                    .ok()
                    .map(|r| r.image)
            })
            .collect()),
    }
}

/// Tallies for one method.
#[derive(Default)]
struct Tally {
    n: usize,
    group_hit: usize,
    exact_hit: usize,
    estimated: usize,
    estimated_sum: f64,
    ita_group_hit: usize,
    ita_measured: usize,
    ita_error: f64,
    ita_bias: f64,
    photo_kept: usize,
    flag_kept: usize,
    photo_n: usize,
}

impl Tally {
    fn share(part: usize, whole: usize) -> Option<f64> {
        (whole > 0).then(|| part as f64 / whole as f64)
    }
}

/// The method's figures and its renderings of the I–IV photos at V and VI (for realism).
fn measure_method(
    models: &Models,
    method: Method,
    photos: &[&Photo],
    ham: &[HamPhoto],
) -> Result<(MethodFigures, Vec<RgbImage>), String> {
    let mut by_target: Vec<Tally> = (0..6).map(|_| Tally::default()).collect();
    let mut dark = Vec::new();
    for photo in photos {
        let source = photo.source.as_ref().expect("measurable photos only");
        let (original_top, original_flag) = decision(&models.photo, &photo.working)?;
        let renders = render_all(models, &models.photo, method, &photo.working, source)?;
        for (t, render) in renders.iter().enumerate() {
            let Some(render) = render else { continue };
            let tally = &mut by_target[t];
            let target = t as u8 + 1;
            let tone = pollster::block_on(models.photo.estimate_tone(render))
                .map_err(|e| e.to_string())?;
            tally.n += 1;
            count_tone(tally, &tone, target, models.target_ita[t]);
            tally.photo_n += 1;
            let (top, flag) = decision(&models.photo, render)?;
            tally.photo_kept += usize::from(top == original_top);
            tally.flag_kept += usize::from(flag == original_flag);
            if target >= 5 && photo.fitzpatrick.is_some_and(|f| f <= 4) {
                dark.push(render.clone());
            }
        }
    }
    let (mut derm_kept, mut derm_n, mut ssim_sum, mut ssim_n) = (0, 0, 0.0, 0);
    for photo in ham {
        let original_top = top1(&models.dermoscopy, &photo.source.image)?;
        let renders = render_all(
            models,
            &models.dermoscopy,
            method,
            &photo.source.image,
            &photo.source,
        )?;
        for render in renders.iter().flatten() {
            derm_n += 1;
            derm_kept += usize::from(top1(&models.dermoscopy, render)? == original_top);
            if let Some(s) = ssim_luminance_masked(&photo.source.image, render, &photo.lesion) {
                ssim_sum += f64::from(s);
                ssim_n += 1;
            }
        }
    }
    let sum = |f: fn(&Tally) -> usize| by_target.iter().map(f).sum::<usize>();
    let n = sum(|t| t.n);
    let ita_measured = sum(|t| t.ita_measured);
    let figures = MethodFigures {
        method: match method {
            Method::Generator => "generator".into(),
            Method::Retoning => "retoning".into(),
        },
        renderings: n,
        tone_group_hit: Tally::share(sum(|t| t.group_hit), n),
        tone_exact_hit: Tally::share(sum(|t| t.exact_hit), n),
        ita_group_hit: Tally::share(sum(|t| t.ita_group_hit), n),
        ita_error_mean: (ita_measured > 0)
            .then(|| by_target.iter().map(|t| t.ita_error).sum::<f64>() / ita_measured as f64),
        ita_bias_mean: (ita_measured > 0)
            .then(|| by_target.iter().map(|t| t.ita_bias).sum::<f64>() / ita_measured as f64),
        by_target: by_target
            .iter()
            .enumerate()
            .map(|(t, tally)| TargetFigures {
                fitzpatrick: t as u8 + 1,
                n: tally.n,
                tone_group_hit: Tally::share(tally.group_hit, tally.n),
                tone_exact_hit: Tally::share(tally.exact_hit, tally.n),
                mean_estimated_type: (tally.estimated > 0)
                    .then(|| tally.estimated_sum / tally.estimated as f64),
                ita_error_mean: (tally.ita_measured > 0)
                    .then(|| tally.ita_error / tally.ita_measured as f64),
                ita_bias_mean: (tally.ita_measured > 0)
                    .then(|| tally.ita_bias / tally.ita_measured as f64),
                photo_top1_kept: Tally::share(tally.photo_kept, tally.photo_n),
            })
            .collect(),
        photo_top1_kept: Tally::share(sum(|t| t.photo_kept), sum(|t| t.photo_n)),
        photo_flag_kept: Tally::share(sum(|t| t.flag_kept), sum(|t| t.photo_n)),
        dermoscopy_top1_kept: Tally::share(derm_kept, derm_n),
        lesion_ssim: (ssim_n > 0).then(|| ssim_sum / ssim_n as f64),
    };
    Ok((figures, dark))
}

fn real_tone(models: &Models, photos: &[Photo]) -> Result<RealTone, String> {
    let (mut n, mut group, mut exact, mut ita_n, mut ita_group) = (0, 0, 0, 0, 0);
    for photo in photos {
        let Some(label) = photo.fitzpatrick else {
            continue;
        };
        let tone = pollster::block_on(models.photo.estimate_tone(&photo.working))
            .map_err(|e| e.to_string())?;
        let labelled = fitzpatrick_group(Some(label));
        if let Some(estimate) = tone.fitzpatrick {
            n += 1;
            group += usize::from(fitzpatrick_group(Some(estimate)) == labelled);
            exact += usize::from(estimate == label);
        }
        if tone.ita_fitzpatrick.is_some() {
            ita_n += 1;
            ita_group += usize::from(fitzpatrick_group(tone.ita_fitzpatrick) == labelled);
        }
    }
    Ok(RealTone {
        n,
        tone_group_hit: Tally::share(group, n),
        tone_exact_hit: Tally::share(exact, n),
        ita_group_hit: Tally::share(ita_group, ita_n),
    })
}

fn count_tone(tally: &mut Tally, tone: &ToneReport, target: u8, target_ita: f32) {
    let group = fitzpatrick_group(Some(target));
    if let Some(estimate) = tone.fitzpatrick {
        tally.estimated += 1;
        tally.estimated_sum += f64::from(estimate);
        tally.group_hit += usize::from(fitzpatrick_group(Some(estimate)) == group);
        tally.exact_hit += usize::from(estimate == target);
    }
    if let Some(ita) = tone.ita {
        tally.ita_measured += 1;
        tally.ita_error += f64::from((ita - target_ita).abs());
        tally.ita_bias += f64::from(ita - target_ita);
        tally.ita_group_hit += usize::from(fitzpatrick_group(tone.ita_fitzpatrick) == group);
    }
}

fn top1(engine: &Engine, image: &RgbImage) -> Result<String, String> {
    Ok(decision(engine, image)?.0)
}

/// The top-1 class and whether the screening threshold flags the image.
fn decision(engine: &Engine, image: &RgbImage) -> Result<(String, Option<bool>), String> {
    let classes = pollster::block_on(engine.classify(image)).map_err(|e| e.to_string())?;
    let flag = engine.malignancy(&classes).map(|m| m.flagged);
    let top = classes
        .first()
        .map(|c| c.code.clone())
        .ok_or("the classifier returned no class")?;
    Ok((top, flag))
}

/// Penultimate features of the photo classifier, in batches.
fn features(models: &Models, images: &[RgbImage]) -> Result<Vec<Vec<f32>>, String> {
    let spec = &models.features_input;
    let side = spec.size as usize;
    let device = Device::flex();
    let mut out = Vec::with_capacity(images.len());
    for chunk in images.chunks(32) {
        let pixels: Vec<f32> = chunk
            .iter()
            .flat_map(|i| normalise_chw(&resize_for_model(i, spec.size), spec))
            .collect();
        let input = Tensor::<4>::from_data(
            TensorData::new(pixels, [chunk.len(), 3, side, side]),
            &device,
        );
        let values = models
            .features
            .features(input)
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|e| format!("{e:?}"))?;
        let width = values.len() / chunk.len();
        out.extend(values.chunks(width).map(<[f32]>::to_vec));
    }
    Ok(out)
}

fn artefacts(
    real: &[RgbImage],
    generator: &[RgbImage],
    retoning: &[RgbImage],
    untouched: &[RgbImage],
) -> Artefacts {
    let spectra = |images: &[RgbImage]| -> Vec<[f64; BINS]> {
        images
            .iter()
            .filter_map(|i| skin_patch_spectrum(i, &dermtone_color::skin_mask(i, None)))
            .collect()
    };
    let mean = |spectra: &[[f64; BINS]]| -> Vec<f64> {
        (0..BINS)
            .map(|b| spectra.iter().map(|s| s[b]).sum::<f64>() / spectra.len().max(1) as f64)
            .collect()
    };
    let real_spectra = spectra(real);
    let real_mean = mean(&real_spectra);
    let figures = |set: &str, spectra: Vec<[f64; BINS]>| {
        let m = mean(&spectra);
        SpectrumFigures {
            set: set.into(),
            patches: spectra.len(),
            high_frequency_share: (!spectra.is_empty()).then(|| {
                spectra.iter().map(high_frequency_share).sum::<f64>() / spectra.len() as f64
            }),
            distance_to_real: (!spectra.is_empty() && !real_spectra.is_empty()).then(|| {
                (m.iter()
                    .zip(&real_mean)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
                    / BINS as f64)
                    .sqrt()
            }),
            mean_log_power: m,
        }
    };
    Artefacts {
        patch: crate::spectrum::PATCH,
        sets: vec![
            figures("real V-VI", real_spectra.clone()),
            figures("generator", spectra(generator)),
            figures("retoning", spectra(retoning)),
            figures("untouched", spectra(untouched)),
        ],
    }
}

/// Where the report files go: `<id>.validation.json` and `.md` beside the weights.
pub fn report_paths(models: &Path, id: &str) -> (PathBuf, PathBuf) {
    (
        models.join(format!("{id}.validation.json")),
        models.join(format!("{id}.validation.md")),
    )
}

/// Labelled, stamped PNG grids (file name, bytes) of the first `per_group` measurable photos of
/// each labelled Fitzpatrick group in the split: what the renderings look like.
pub fn example_grids(
    options: &ValidationOptions,
    per_group: usize,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let models = load_models(options.models)?;
    let photos = fitzpatrick_photos(options, models.size)?;
    let mut grids = Vec::new();
    for group in ["I-II", "III-IV", "V-VI"] {
        let chosen = photos
            .iter()
            .filter(|p| p.source.is_some() && fitzpatrick_group(p.fitzpatrick) == group)
            .take(per_group);
        for (i, photo) in chosen.enumerate() {
            let rendered =
                pollster::block_on(models.photo.render(&photo.working, &[1, 2, 3, 4, 5, 6]))
                    .map_err(|e| e.to_string())?;
            let grid = dermtone_engine::tone_grid(&photo.working, &rendered.renderings);
            let provenance = dermtone_engine::Provenance {
                synthetic: true,
                generator: Some(rendered.generator.sha256.clone()),
                source_tone: Some(
                    photo
                        .fitzpatrick
                        .map_or("unknown".into(), |t| t.to_string()),
                ),
                target_tone: Some("1-6".into()),
            };
            let stamped =
                dermtone_engine::stamped_png(&grid, &provenance).map_err(|e| e.to_string())?;
            grids.push((
                format!("{}-{}-{}.png", options.split, group, i + 1),
                stamped,
            ));
        }
    }
    Ok(grids)
}
