//! The measurements: each way of changing tone (generator and re-toning) rendered at all six
//! types and scored for tone hit, diagnosis kept and lesion SSIM, then realism and artefacts at
//! Fitzpatrick V–VI.

use dermtone_color::{retone, ssim_luminance_masked};
use dermtone_engine::{Engine, ToneReport, fitzpatrick_group, resize_for_model};
use image::RgbImage;

use super::border::BorderTally;
use super::figures::{
    Artefacts, GeneratorValidation, MethodFigures, PhotoCounts, RealTone, Realism, SpectrumFigures,
    TargetFigures, Targets,
};
use super::frechet::frechet_distance;
use super::inputs::{
    HamPhoto, Models, Photo, ValidationOptions, fitzpatrick_photos, ham_photos, load_models,
};
use super::spectrum::{BINS, PATCH, high_frequency_share, skin_patch_spectrum};
use crate::fit::predict::pooled_features;
use crate::generator::data::ToneSource;

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
        judges: models.judges.clone(),
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

#[derive(Clone, Copy, PartialEq)]
enum Method {
    Generator,
    Retoning,
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
    let mut borders = BorderTally::default();
    let mut dark = Vec::new();
    for photo in photos {
        let source = photo.source.as_ref().expect("measurable photos only");
        let (original_top, original_flag) = decision(&models.photo, &photo.working)?;
        let renders = render_all(models, &models.photo, method, &photo.working, source)?;
        for (t, render) in renders.iter().enumerate() {
            let Some(render) = render else { continue };
            borders.add(&photo.working, render);
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
        border_excess: borders.figures(),
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
    let resized: Vec<RgbImage> = images
        .iter()
        .map(|i| resize_for_model(i, spec.size))
        .collect();
    pooled_features(&models.features, &resized, spec)
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
        patch: PATCH,
        sets: vec![
            figures("real V-VI", real_spectra.clone()),
            figures("generator", spectra(generator)),
            figures("retoning", spectra(retoning)),
            figures("untouched", spectra(untouched)),
        ],
    }
}
