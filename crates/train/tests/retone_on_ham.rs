//! Melanin re-toning on real photos: HAM10000 train images taken to ITA° targets across
//! Fitzpatrick I–VI (the healthy skin hits the target, the lesion keeps its structure), a no-op
//! at a photo's own tone, Fitzpatrick17k clinical photos lightened and darkened, and preview
//! grids in /tmp/retone_preview/ for a person to look at. The ignored test derives the pigment
//! directions and the surface reflectance frozen in `dermtone_color`. One file past 500 lines
//! because that derivation shares these tests' dataset helpers and checks what they rely on.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use dermtone_color::{
    HAEMOGLOBIN_OD, MAX_TARGET_ITA, MELANIN_OD, MIN_TARGET_ITA, Mask, RetoneError,
    SURFACE_REFLECTANCE, SsimScores, estimate_tone, individual_typology_angle, optical_density,
    retone, skin_mask, skin_tone, srgb_to_lab, ssim_scores_masked,
};
use dermtone_engine::decode_image;
use dermtone_train::datasets::{fitzpatrick17k, ham10000, ham10000_masks};
use image::{Rgb, RgbImage};

/// Targets spanning Fitzpatrick I–VI (Groh cut-offs: > 40 I … ≤ −25 VI).
const TARGETS: [f32; 6] = [50.0, 30.0, 18.0, 6.0, -12.0, -40.0];
/// HAM10000 train images re-toned.
const HAM_IMAGES: usize = 30;
/// Largest accepted error of the measured ITA°, in degrees.
const ITA_TOLERANCE: f32 = 3.0;
/// Where previews go (never into the repository).
const PREVIEW_DIR: &str = "/tmp/retone_preview";

fn data_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(name)
}

fn load(path: &Path) -> RgbImage {
    decode_image(&std::fs::read(path).unwrap()).unwrap()
}

/// A HAM10000 photo with its hand-drawn lesion and the healthy skin around it.
struct Case {
    id: String,
    image: RgbImage,
    lesion: Mask,
    skin: Mask,
}

/// Every 100th train image whose skin tone can be measured, up to [`HAM_IMAGES`], loaded once.
fn ham_cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let dir = data_dir("ham10000");
        let records = ham10000::read_split_csv(&dir).unwrap();
        let ids: Vec<String> = records
            .iter()
            .filter(|r| r.split == "train")
            .step_by(100)
            .map(|r| r.image_id.clone())
            .collect();
        let wanted: HashSet<String> = ids.iter().cloned().collect();
        let mut masks = ham10000_masks::load_lesion_masks(&dir, Some(&wanted)).unwrap();
        ids.into_iter()
            .filter_map(|id| {
                let image = load(&ham10000::image_path(&dir, &id));
                let lesion = masks.remove(&id)?;
                let skin = skin_mask(&image, Some(&lesion));
                estimate_tone(&image, &skin).ita.map(|_| Case {
                    id,
                    image,
                    lesion,
                    skin,
                })
            })
            .take(HAM_IMAGES)
            .collect()
    })
}

/// What one re-toning of one case measured.
struct Outcome {
    ita_error: f32,
    ita_error_fresh_mask: f32,
    lesion: SsimScores,
    image: RgbImage,
    seconds: f32,
}

fn retone_case(case: &Case, target: f32) -> Outcome {
    let started = Instant::now();
    let out = retone(&case.image, &case.skin, target)
        .unwrap_or_else(|e| panic!("{} → {target}: {e}", case.id));
    let seconds = started.elapsed().as_secs_f32();
    let fresh = skin_mask(&out.image, Some(&case.lesion));
    let fresh_ita = estimate_tone(&out.image, &fresh).ita.unwrap_or(f32::NAN);
    Outcome {
        ita_error: estimate_tone(&out.image, &case.skin).ita.unwrap() - target,
        ita_error_fresh_mask: fresh_ita - target,
        lesion: ssim_scores_masked(&case.image, &out.image, &case.lesion).unwrap(),
        image: out.image,
        seconds,
    }
}

fn mean(values: impl Iterator<Item = f32>) -> f32 {
    let (sum, n) = values.fold((0.0, 0), |(s, n), v| (s + v, n + 1));
    sum / n as f32
}

fn min(values: impl Iterator<Item = f32>) -> f32 {
    values.fold(f32::INFINITY, f32::min)
}

fn max_abs(values: impl Iterator<Item = f32>) -> f32 {
    values.fold(0.0, |m: f32, v| m.max(v.abs()))
}

/// Every target is hit on every image (ITA° of the healthy skin, measured over the same mask and
/// over a mask recomputed on the result). The lesion keeps its structure (SSIM's structure factor
/// ≥ 0.95 inside the hand-drawn mask); standard SSIM ≥ 0.9 holds for targets in Fitzpatrick I–II
/// only, because darker skin lowers the lesion's luma and luma contrast (the luminance and
/// contrast factors), as it does on real dark skin. The table prints every factor.
#[test]
fn ham_photos_reach_every_target_and_lesions_keep_their_structure() {
    let cases = ham_cases();
    assert_eq!(cases.len(), HAM_IMAGES);
    let outcomes: Vec<Vec<Outcome>> = TARGETS
        .iter()
        .map(|&t| cases.iter().map(|c| retone_case(c, t)).collect())
        .collect();
    let seconds = outcomes.iter().flatten().map(|o| o.seconds);
    println!(
        "{} HAM10000 train images, {:.1} ms per re-tone",
        cases.len(),
        1000.0 * mean(seconds)
    );
    print_table(&outcomes);
    write_grid(
        "ham10000.png",
        cases.iter().take(6).enumerate().map(|(i, c)| {
            std::iter::once(c.image.clone())
                .chain(outcomes.iter().map(|row| row[i].image.clone()))
                .collect()
        }),
    );
    for (&target, row) in TARGETS.iter().zip(&outcomes) {
        for (case, o) in cases.iter().zip(row) {
            let at = format!("{} → ITA {target}", case.id);
            assert!(o.ita_error.abs() <= ITA_TOLERANCE, "{at}: {}", o.ita_error);
            let fresh = o.ita_error_fresh_mask;
            assert!(fresh.abs() <= ITA_TOLERANCE, "{at}: fresh mask {fresh}");
            assert!(o.lesion.structure >= 0.95, "{at}: lesion {:?}", o.lesion);
            if target >= 30.0 {
                assert!(o.lesion.ssim >= 0.9, "{at}: lesion {:?}", o.lesion);
            }
        }
    }
}

/// Per target: ITA° error (mean and max |error|, max over the recomputed mask) and the lesion's
/// SSIM with its factors.
fn print_table(outcomes: &[Vec<Outcome>]) {
    println!(
        "target | ITA error mean max (fresh mask) | lesion SSIM mean min \
         | luminance contrast | structure mean min"
    );
    for (target, row) in TARGETS.iter().zip(outcomes) {
        let scores = || row.iter().map(|o| o.lesion);
        println!(
            "{target:6} | {:.2} {:.2} ({:.2}) | {:.3} {:.3} | {:.3} {:.3} | {:.3} {:.3}",
            mean(row.iter().map(|o| o.ita_error.abs())),
            max_abs(row.iter().map(|o| o.ita_error)),
            max_abs(row.iter().map(|o| o.ita_error_fresh_mask)),
            mean(scores().map(|s| s.ssim)),
            min(scores().map(|s| s.ssim)),
            mean(scores().map(|s| s.luminance)),
            mean(scores().map(|s| s.contrast)),
            mean(scores().map(|s| s.structure)),
            min(scores().map(|s| s.structure)),
        );
    }
}

#[test]
fn retoning_to_its_own_tone_changes_almost_nothing() {
    let in_range = ham_cases().iter().filter_map(|case| {
        let own = estimate_tone(&case.image, &case.skin).ita?;
        (MIN_TARGET_ITA + 1.0..=MAX_TARGET_ITA)
            .contains(&own)
            .then_some((case, own))
    });
    for (case, own) in in_range.take(10) {
        let same = retone(&case.image, &case.skin, own).unwrap();
        assert_eq!(same.image, case.image, "{}", case.id);
        let near = retone(&case.image, &case.skin, own - 1.0).unwrap();
        let diff = mean_abs_diff(&near.image, &case.image);
        println!(
            "{}: ITA {own:.1} → {:.1}: mean |Δ| {diff:.2} codes",
            case.id,
            own - 1.0
        );
        assert!(diff < 2.5, "{}: 1° moved pixels by {diff} codes", case.id);
    }
}

fn mean_abs_diff(a: &RgbImage, b: &RgbImage) -> f32 {
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    total as f32 / a.as_raw().len() as f32
}

/// Fitzpatrick17k photos of types V–VI lightened to ITA 45° (type I) and of types I–II darkened
/// to −35° (type VI), over the automatic skin mask; photos whose tone is unknown are skipped.
/// Every result hits the target; a photo may instead be refused cleanly, e.g. very dark or nearly
/// colourless skin that would turn green or blue before reaching ITA 45° (3 of 12 today), but
/// at least two in three get there.
#[test]
fn clinical_photos_lighten_and_darken_to_the_target() {
    let dir = data_dir("fitzpatrick17k_ajl_subset");
    let records = fitzpatrick17k::read_labels(&dir).unwrap();
    let pick = |types: [u8; 2]| {
        records
            .iter()
            .filter(|r| r.split == "train" && r.fitzpatrick.is_some_and(|t| types.contains(&t)))
            .map(|r| load(&fitzpatrick17k::image_path(&dir, &r.md5hash)))
            .map(|image| (skin_mask(&image, None), image))
            .filter(|(skin, image)| estimate_tone(image, skin).ita.is_some())
            .take(12)
            .collect::<Vec<_>>()
    };
    let mut grid = Vec::new();
    for (photos, target) in [(pick([5, 6]), 45.0), (pick([1, 2]), -35.0)] {
        let mut reached = 0;
        for (skin, image) in &photos {
            let before = estimate_tone(image, skin).ita.unwrap();
            match retone(image, skin, target) {
                Ok(out) => {
                    let measured = estimate_tone(&out.image, skin).ita.unwrap();
                    println!("Fitzpatrick17k ITA {before:.1} → {target}: {measured:.1}");
                    assert!((measured - target).abs() <= ITA_TOLERANCE, "{measured}");
                    reached += 1;
                    grid.push(vec![image.clone(), out.image]);
                }
                Err(e) => {
                    println!("Fitzpatrick17k ITA {before:.1} → {target}: refused: {e}");
                    assert!(matches!(
                        e,
                        RetoneError::Unreachable { .. } | RetoneError::NotSettled { .. }
                    ));
                }
            }
        }
        println!("{reached} of {} photos reached ITA {target}", photos.len());
        assert!(
            reached * 3 >= photos.len() * 2,
            "only {reached} reached {target}"
        );
    }
    let rows = grid.chunks(3).map(|pairs| pairs.concat());
    write_grid("fitzpatrick17k.png", rows.collect::<Vec<_>>().into_iter());
}

#[test]
fn unknown_tones_and_targets_out_of_range_are_refused() {
    let case = &ham_cases()[0];
    let none = Mask::filled(case.image.width(), case.image.height(), false);
    assert!(matches!(
        retone(&case.image, &none, 20.0),
        Err(RetoneError::UnknownTone { skin_pixels: 0, .. })
    ));
    assert!(matches!(
        retone(&case.image, &case.skin, -80.0),
        Err(RetoneError::TargetOutOfRange { .. })
    ));
}

/// Rows of images side by side, rows stacked, at twice the size, as a PNG in [`PREVIEW_DIR`].
fn write_grid(name: &str, rows: impl Iterator<Item = Vec<RgbImage>>) {
    let rows: Vec<Vec<RgbImage>> = rows.collect();
    let (cell_w, cell_h) = rows
        .iter()
        .flatten()
        .fold((0, 0), |(w, h), im| (w.max(im.width()), h.max(im.height())));
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0) as u32;
    let mut grid = RgbImage::from_pixel(
        2 * cell_w * columns,
        2 * cell_h * rows.len() as u32,
        Rgb([255; 3]),
    );
    for (r, row) in rows.iter().enumerate() {
        for (c, im) in row.iter().enumerate() {
            for (x, y, p) in im.enumerate_pixels() {
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let gx = 2 * (c as u32 * cell_w + x) + dx;
                    let gy = 2 * (r as u32 * cell_h + y) + dy;
                    grid.put_pixel(gx, gy, *p);
                }
            }
        }
    }
    std::fs::create_dir_all(PREVIEW_DIR).unwrap();
    grid.save(Path::new(PREVIEW_DIR).join(name)).unwrap();
}

/// Derives [`MELANIN_OD`], [`HAEMOGLOBIN_OD`] and [`SURFACE_REFLECTANCE`] from the shared data
/// and checks the frozen values against them, printing its working. Run with
/// `cargo test --release -p dermtone-train --test retone_on_ham -- --ignored --nocapture derive_pigment_directions`.
///
/// 1. Tsumura's ICA on photos' optical densities gives haemoglobin and one estimate of melanin
///    (spread over four disjoint folds of the photos printed).
/// 2. Eumelanin's published absorption spectrum gives a second estimate of melanin.
/// 3. The blend of the two, and the surface reflectance, that make re-toned Fitzpatrick17k train
///    photos look most like real photos of the target ITA° (ΔE*ab of mean skin colours) are
///    chosen; the val split is reported for the chosen and the pure directions.
#[test]
#[ignore = "derivation of frozen constants: slow, prints its working"]
fn derive_pigment_directions() {
    let photos = centred_skin_densities();
    let pooled: Vec<[f32; 3]> = photos.iter().flatten().copied().collect();
    let [ica, haemoglobin] = independent_directions(&pooled);
    println!(
        "ICA on {} photos, {} pixels: melanin {ica:.3?} haemoglobin {haemoglobin:.3?}",
        photos.len(),
        pooled.len()
    );
    for fold in 0..4 {
        let part: Vec<[f32; 3]> = photos
            .iter()
            .skip(fold)
            .step_by(4)
            .flatten()
            .copied()
            .collect();
        let [m, h] = independent_directions(&part);
        println!(
            "fold {fold}: melanin {m:.3?} ({:.1}° off) haemoglobin {h:.3?} ({:.1}° off)",
            angle(m, ica),
            angle(h, haemoglobin)
        );
    }
    let spectrum = eumelanin_direction();
    println!(
        "eumelanin spectrum: {spectrum:.3?}, {:.1}° from ICA",
        angle(spectrum, ica)
    );

    let train = clinical_skin_colours("train");
    let mut fits = Vec::new();
    for s in (0..=8).map(|k| 0.03 + 0.005 * k as f32) {
        let row: Vec<f32> = (0..=20)
            .map(|k| realism_error(&train, blend(ica, spectrum, k as f32 / 20.0), s))
            .collect();
        println!("surface {s:.3}: ΔE for blend 0, 0.05 … 1: {row:.2?}");
        fits.extend(
            row.iter()
                .enumerate()
                .map(|(k, &e)| (k as f32 / 20.0, s, e)),
        );
    }
    let (weight, surface, error) = *fits.iter().min_by(|a, b| a.2.total_cmp(&b.2)).unwrap();
    let melanin = blend(ica, spectrum, weight);
    println!(
        "best: spectrum weight {weight}, surface {surface}, ΔE {error:.2}: melanin {melanin:.3?}"
    );
    let val = clinical_skin_colours("val");
    for (name, d) in [("ICA", ica), ("spectrum", spectrum), ("blend", melanin)] {
        println!("val ΔE with {name}: {:.2}", realism_error(&val, d, surface));
    }
    assert!(
        angle(haemoglobin, HAEMOGLOBIN_OD) < 0.5,
        "frozen {HAEMOGLOBIN_OD:?}"
    );
    assert!(angle(melanin, MELANIN_OD) < 0.5, "frozen {MELANIN_OD:?}");
    assert!((surface - SURFACE_REFLECTANCE).abs() < 0.003);
}

/// Angle in degrees between two directions.
fn angle(a: [f32; 3], b: [f32; 3]) -> f32 {
    let dot = |p: [f32; 3], q: [f32; 3]| p.iter().zip(q).map(|(x, y)| x * y).sum::<f32>();
    let cosine = dot(a, b) / (dot(a, a) * dot(b, b)).sqrt();
    cosine.clamp(-1.0, 1.0).acos().to_degrees()
}

/// Per photo, the optical densities of its skin and lesion pixels (every fourth; hair,
/// vignette, highlights and non-skin colours left out), the photo's mean removed so that lighting
/// and camera offsets drop out and only the variation within it (pigment, blood, shading) is
/// left. Every 10th HAM10000 and every 4th Fitzpatrick17k train photo.
fn centred_skin_densities() -> Vec<Vec<[f32; 3]>> {
    let ham = data_dir("ham10000");
    let records = ham10000::read_split_csv(&ham).unwrap();
    let ham_paths = records
        .iter()
        .filter(|r| r.split == "train")
        .step_by(10)
        .map(|r| ham10000::image_path(&ham, &r.image_id));
    let f17k = data_dir("fitzpatrick17k_ajl_subset");
    let labels = fitzpatrick17k::read_labels(&f17k).unwrap();
    let f17k_paths = labels
        .iter()
        .filter(|r| r.split == "train")
        .step_by(4)
        .map(|r| fitzpatrick17k::image_path(&f17k, &r.md5hash));
    ham_paths
        .chain(f17k_paths)
        .filter_map(|path| {
            let image = load(&path);
            let no_lesion = Mask::filled(image.width(), image.height(), false);
            let skin = skin_mask(&image, Some(&no_lesion));
            let densities: Vec<[f32; 3]> = image
                .pixels()
                .zip(skin.as_slice())
                .filter(|&(_, &on)| on)
                .step_by(4)
                .map(|(p, _)| optical_density(p.0))
                .collect();
            (densities.len() >= 100).then(|| {
                let centre: [f32; 3] =
                    std::array::from_fn(|c| mean(densities.iter().map(|d| d[c])));
                densities
                    .iter()
                    .map(|d| [0, 1, 2].map(|c| d[c] - centre[c]))
                    .collect()
            })
        })
        .collect()
}

/// Two independent sources in the chromatic plane (orthogonal to shading, (1,1,1)): whiten, then
/// the rotation that maximises negentropy (log cosh contrast; 2° grid, then 0.1° around the best), as in
/// Tsumura's analysis. Each source's full 3-D direction is the regression of the densities on
/// it, so the shading part is estimated too. Melanin is the one absorbing blue most.
fn independent_directions(samples: &[[f32; 3]]) -> [[f32; 3]; 2] {
    let (s2, s6) = (2f64.sqrt(), 6f64.sqrt());
    let basis = [[1.0 / s2, -1.0 / s2, 0.0], [1.0 / s6, 1.0 / s6, -2.0 / s6]];
    let plane: Vec<[f64; 2]> = samples
        .iter()
        .map(|d| basis.map(|e| (0..3).map(|c| e[c] * f64::from(d[c])).sum()))
        .collect();
    let white = whiten(&plane);
    let n = white.len() as f64;
    let source = |theta: f64, z: &[f64; 2]| {
        [
            theta.cos() * z[0] + theta.sin() * z[1],
            -theta.sin() * z[0] + theta.cos() * z[1],
        ]
    };
    let gaussian_log_cosh = 0.374_567;
    let negentropy = |theta: f64| {
        let mut sums = [0.0; 2];
        for z in &white {
            let y = source(theta, z);
            sums[0] += y[0].cosh().ln();
            sums[1] += y[1].cosh().ln();
        }
        sums.iter()
            .map(|s| (s / n - gaussian_log_cosh).powi(2))
            .sum::<f64>()
    };
    let best_of = |candidates: Vec<f64>| {
        candidates
            .into_iter()
            .max_by(|a, b| negentropy(*a).total_cmp(&negentropy(*b)))
            .unwrap()
    };
    let coarse = best_of((0..45).map(|k| f64::from(k * 2).to_radians()).collect());
    let theta = best_of(
        (-20..=20)
            .map(|k| coarse + f64::from(k) * 0.1_f64.to_radians())
            .collect(),
    );
    let mut directions = [[0f64; 3]; 2];
    for (d, z) in samples.iter().zip(&white) {
        let y = source(theta, z);
        for (k, direction) in directions.iter_mut().enumerate() {
            for c in 0..3 {
                direction[c] += f64::from(d[c]) * y[k] / n;
            }
        }
    }
    let [a, b] = directions.map(|d| {
        let norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
        let sign = if d.iter().sum::<f64>() < 0.0 {
            -1.0
        } else {
            1.0
        };
        d.map(|v| (sign * v / norm) as f32)
    });
    if a[2] > b[2] { [a, b] } else { [b, a] }
}

/// Zero-mean 2-D samples scaled to unit covariance along their principal axes.
fn whiten(plane: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let n = plane.len() as f64;
    let (mut xx, mut xy, mut yy) = (0.0, 0.0, 0.0);
    for p in plane {
        xx += p[0] * p[0] / n;
        xy += p[0] * p[1] / n;
        yy += p[1] * p[1] / n;
    }
    let half_trace = 0.5 * (xx + yy);
    let spread = (0.25 * (xx - yy).powi(2) + xy * xy).sqrt();
    let (l1, l2) = (half_trace + spread, half_trace - spread);
    let angle = 0.5 * (2.0 * xy).atan2(xx - yy);
    let (c, s) = (angle.cos(), angle.sin());
    plane
        .iter()
        .map(|p| {
            [
                (c * p[0] + s * p[1]) / l1.sqrt(),
                (-s * p[0] + c * p[1]) / l2.sqrt(),
            ]
        })
        .collect()
}

/// Melanin's optical-density direction from eumelanin's absorption spectrum,
/// μa ∝ λ^−3.33 (Jacques 1998, "Skin optics", Oregon Medical Laser Center News), taken at the
/// effective wavelengths of a camera's sRGB channels (610, 550, 465 nm).
fn eumelanin_direction() -> [f32; 3] {
    normalise([610.0f32, 550.0, 465.0].map(|nm| nm.powf(-3.33)))
}

fn normalise(v: [f32; 3]) -> [f32; 3] {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.map(|x| x / norm)
}

/// `(1 − weight)·a + weight·b`, normalised.
fn blend(a: [f32; 3], b: [f32; 3], weight: f32) -> [f32; 3] {
    normalise([0, 1, 2].map(|c| (1.0 - weight) * a[c] + weight * b[c]))
}

/// Fitzpatrick type, ITA° and median skin L*a*b* of every other measurable Fitzpatrick17k photo
/// of `split`, over the automatic skin mask (as re-toning clinical photos uses).
fn clinical_skin_colours(split: &str) -> Vec<(Option<u8>, f32, [f32; 3])> {
    let dir = data_dir("fitzpatrick17k_ajl_subset");
    let records = fitzpatrick17k::read_labels(&dir).unwrap();
    records
        .iter()
        .filter(|r| r.split == split)
        .step_by(2)
        .filter_map(|r| {
            let tone = skin_tone(&load(&fitzpatrick17k::image_path(&dir, &r.md5hash)), None);
            let lab = tone.skin_lab?;
            Some((r.fitzpatrick, tone.ita?, [lab.l, lab.a, lab.b]))
        })
        .collect()
}

/// How unlike real photos re-toned ones look: for light photos (types I–II) darkened to ITA −35°
/// and −10° and dark ones (V–VI) lightened to 20° and 45°, the ΔE*ab between the mean re-toned
/// skin colour and the mean skin colour of real photos within 6° of that ITA, averaged.
fn realism_error(photos: &[(Option<u8>, f32, [f32; 3])], melanin: [f32; 3], s: f32) -> f32 {
    let cases = [
        (-35.0, [1, 2]),
        (-10.0, [1, 2]),
        (20.0, [5, 6]),
        (45.0, [5, 6]),
    ];
    let mean_lab = |labs: Vec<[f32; 3]>| -> [f32; 3] {
        std::array::from_fn(|c| mean(labs.iter().map(|lab| lab[c])))
    };
    let errors = cases.map(|(target, types): (f32, [u8; 2])| {
        let real = mean_lab(
            photos
                .iter()
                .filter(|p| (p.1 - target).abs() < 6.0)
                .map(|p| p.2)
                .collect(),
        );
        let made = mean_lab(
            photos
                .iter()
                .filter(|p| p.0.is_some_and(|t| types.contains(&t)))
                .map(|p| retone_colour(lab_to_linear(p.2), melanin, s, target))
                .collect(),
        );
        (0..3)
            .map(|c| (real[c] - made[c]).powi(2))
            .sum::<f32>()
            .sqrt()
    });
    mean(errors.into_iter())
}

/// L*a*b* of one colour (linear RGB) re-toned to `target` ITA° by the model of
/// `dermtone_color::retone` (melanin direction and surface reflectance as given), by bisection.
fn retone_colour(linear: [f32; 3], melanin: [f32; 3], s: f32, target: f32) -> [f32; 3] {
    let surface = s.min(0.5 * linear.iter().copied().fold(f32::MAX, f32::min));
    let at = |offset: f32| {
        let rgb = [0, 1, 2].map(|c| surface + (linear[c] - surface) * (-offset * melanin[c]).exp());
        srgb_to_lab(rgb.map(encode))
    };
    let (mut lo, mut hi) = (-4.0f32, 20.0f32);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if individual_typology_angle(at(mid)) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let lab = at(lo);
    [lab.l, lab.a, lab.b]
}

fn encode(linear: f32) -> u8 {
    let r = linear.clamp(0.0, 1.0);
    let v = if r <= 0.003_130_8 {
        12.92 * r
    } else {
        1.055 * r.powf(1.0 / 2.4) - 0.055
    };
    (v * 255.0).round() as u8
}

/// CIELAB (D65) back to linear sRGB.
fn lab_to_linear([l, a, b]: [f32; 3]) -> [f32; 3] {
    let fy = (l + 16.0) / 116.0;
    let inverse = |t: f32| {
        if t > 6.0 / 29.0 {
            t * t * t
        } else {
            3.0 * (6.0f32 / 29.0).powi(2) * (t - 4.0 / 29.0)
        }
    };
    let (x, y, z) = (
        0.950_47 * inverse(fy + a / 500.0),
        inverse(fy),
        1.088_83 * inverse(fy - b / 200.0),
    );
    [
        3.240_454_2 * x - 1.537_138_5 * y - 0.498_531_4 * z,
        -0.969_266 * x + 1.876_010_8 * y + 0.041_556 * z,
        0.055_643_4 * x - 0.204_025_9 * y + 1.057_225_2 * z,
    ]
}
