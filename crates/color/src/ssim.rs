//! Structural similarity (SSIM, Wang et al. 2004) of two photos' luminance, averaged over a
//! mask, with its factors, so a re-toning can be checked for what it keeps (structure) apart
//! from what it is meant to change (brightness, and with it contrast).
//!
//! Standard choices: BT.601 luma on the 0–255 scale (L = 255), an 11 × 11 Gaussian window with
//! σ = 1.5, C1 = (0.01·L)², C2 = (0.03·L)², C3 = C2 / 2. At the border the window is cut and
//! renormalised rather than the border dropped, so masks that touch the edge still count.
//!
//! SSIM = luminance × contrast × structure. Darkening skin by adding melanin scales linear
//! reflectance, so it lowers the luminance factor (means differ) and the contrast factor (a
//! darker lesion has less luma contrast, as real lesions on dark skin do), while the structure
//! factor (the correlation of the local patterns) stays high when the lesion's pattern survives.
//! [`SsimScores`] reports all of them so each claim can cite the right one.

use image::RgbImage;

use crate::Mask;

/// Gaussian window standard deviation, in pixels.
const SIGMA: f32 = 1.5;
/// Window half-width: 11 taps, as in Wang et al.
const RADIUS: usize = 5;
/// Dynamic range of the luma values.
const RANGE: f32 = 255.0;
const C1: f32 = (0.01 * RANGE) * (0.01 * RANGE);
const C2: f32 = (0.03 * RANGE) * (0.03 * RANGE);
const C3: f32 = C2 / 2.0;

/// Mean SSIM and its factors over the pixels of a mask.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SsimScores {
    /// Standard SSIM: luminance × contrast × structure.
    pub ssim: f32,
    /// Luminance factor (2μaμb + C1) / (μa² + μb² + C1).
    pub luminance: f32,
    /// Contrast factor (2σaσb + C2) / (σa² + σb² + C2).
    pub contrast: f32,
    /// Structure factor (σab + C3) / (σaσb + C3): local correlation, blind to brightness and contrast.
    pub structure: f32,
    /// Contrast × structure (SSIM without the luminance factor).
    pub contrast_structure: f32,
}

/// Standard SSIM of the luma of `a` and `b`, averaged over the pixels set in `mask`; `None` when
/// the mask is empty or the sizes differ.
pub fn ssim_luminance_masked(a: &RgbImage, b: &RgbImage, mask: &Mask) -> Option<f32> {
    ssim_scores_masked(a, b, mask).map(|s| s.ssim)
}

/// SSIM and its factors over the pixels set in `mask`; `None` when the mask is empty or the
/// sizes of `a`, `b` and `mask` differ.
pub fn ssim_scores_masked(a: &RgbImage, b: &RgbImage, mask: &Mask) -> Option<SsimScores> {
    let (w, h) = a.dimensions();
    if b.dimensions() != (w, h) || (mask.width(), mask.height()) != (w, h) || mask.count() == 0 {
        return None;
    }
    let (ya, yb) = (luma(a), luma(b));
    let product = |p: &[f32], q: &[f32]| p.iter().zip(q).map(|(x, y)| x * y).collect::<Vec<_>>();
    let blur = |v: &[f32]| gaussian_blur(v, w as usize, h as usize);
    let (mu_a, mu_b) = (blur(&ya), blur(&yb));
    let (aa, bb, ab) = (
        blur(&product(&ya, &ya)),
        blur(&product(&yb, &yb)),
        blur(&product(&ya, &yb)),
    );
    let mut sums = [0f64; 5];
    for i in (0..ya.len()).filter(|&i| mask.as_slice()[i]) {
        let (ma, mb) = (mu_a[i], mu_b[i]);
        let var_a = (aa[i] - ma * ma).max(0.0);
        let var_b = (bb[i] - mb * mb).max(0.0);
        let cov = ab[i] - ma * mb;
        let (sd_a, sd_b) = (var_a.sqrt(), var_b.sqrt());
        let l = (2.0 * ma * mb + C1) / (ma * ma + mb * mb + C1);
        let c = (2.0 * sd_a * sd_b + C2) / (var_a + var_b + C2);
        let s = (cov + C3) / (sd_a * sd_b + C3);
        for (sum, v) in sums.iter_mut().zip([l * c * s, l, c, s, c * s]) {
            *sum += f64::from(v);
        }
    }
    let n = mask.count() as f64;
    let [ssim, luminance, contrast, structure, contrast_structure] = sums.map(|s| (s / n) as f32);
    Some(SsimScores {
        ssim,
        luminance,
        contrast,
        structure,
        contrast_structure,
    })
}

/// BT.601 luma, 0–255, row-major.
fn luma(image: &RgbImage) -> Vec<f32> {
    image
        .pixels()
        .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
        .collect()
}

/// Separable Gaussian blur of a row-major plane, the window cut and renormalised at the border.
fn gaussian_blur(plane: &[f32], w: usize, h: usize) -> Vec<f32> {
    let kernel: Vec<f32> = (0..=2 * RADIUS)
        .map(|i| {
            let d = i as f32 - RADIUS as f32;
            (-d * d / (2.0 * SIGMA * SIGMA)).exp()
        })
        .collect();
    let horizontal = blur_1d(plane, w, h, &kernel, 1, w);
    blur_1d(&horizontal, h, w, &kernel, w, 1)
}

/// Blurs `lines` lines of `len` samples each; sample `i` of line `l` is at `l·line_step + i·step`.
fn blur_1d(
    plane: &[f32],
    len: usize,
    lines: usize,
    kernel: &[f32],
    step: usize,
    line_step: usize,
) -> Vec<f32> {
    let mut out = vec![0.0; plane.len()];
    for line in 0..lines {
        let at = |i: usize| line * line_step + i * step;
        for i in 0..len {
            let lo = i.saturating_sub(RADIUS);
            let hi = (i + RADIUS).min(len - 1);
            let (mut sum, mut weight) = (0.0, 0.0);
            for j in lo..=hi {
                let k = kernel[j + RADIUS - i];
                sum += k * plane[at(j)];
                weight += k;
            }
            out[at(i)] = sum / weight;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    /// A textured test image: smooth blobs plus fine stripes.
    fn texture() -> RgbImage {
        RgbImage::from_fn(64, 48, |x, y| {
            let (fx, fy) = (x as f32, y as f32);
            let v =
                120.0 + 50.0 * (fx / 5.0).sin() * (fy / 7.0).cos() + 20.0 * ((x + y) % 4) as f32;
            let v = v.clamp(0.0, 255.0) as u8;
            Rgb([v, v.saturating_sub(20), v.saturating_sub(40)])
        })
    }

    fn map(image: &RgbImage, f: impl Fn(u32, u32, u8) -> u8) -> RgbImage {
        RgbImage::from_fn(image.width(), image.height(), |x, y| {
            Rgb(image.get_pixel(x, y).0.map(|c| f(x, y, c)))
        })
    }

    #[test]
    fn identical_images_score_one() {
        let image = texture();
        let all = Mask::filled(64, 48, true);
        let s = ssim_scores_masked(&image, &image, &all).unwrap();
        for v in [s.ssim, s.luminance, s.contrast, s.structure] {
            assert!((v - 1.0).abs() < 1e-5, "{s:?}");
        }
    }

    #[test]
    fn noise_lowers_it() {
        let image = texture();
        let all = Mask::filled(64, 48, true);
        let noisy = map(&image, |x, y, c| {
            let n = ((x * 7919 + y * 104_729) % 61) as i32 - 30;
            (i32::from(c) + n).clamp(0, 255) as u8
        });
        let s = ssim_scores_masked(&image, &noisy, &all).unwrap();
        assert!(s.ssim < 0.8 && s.structure < 0.85, "{s:?}");
    }

    #[test]
    fn a_brightness_offset_keeps_structure_and_contrast() {
        let image = texture();
        let all = Mask::filled(64, 48, true);
        let brighter = map(&image, |_, _, c| c.saturating_add(40));
        let s = ssim_scores_masked(&image, &brighter, &all).unwrap();
        assert!(s.structure > 0.99 && s.contrast > 0.99, "{s:?}");
        assert!(s.luminance < 0.97, "{s:?}");
    }

    #[test]
    fn halving_contrast_keeps_structure_only() {
        let image = texture();
        let all = Mask::filled(64, 48, true);
        let flat = map(&image, |_, _, c| c / 2 + 64);
        let s = ssim_scores_masked(&image, &flat, &all).unwrap();
        assert!(s.structure > 0.98, "{s:?}");
        assert!(s.contrast < 0.85, "{s:?}");
    }

    #[test]
    fn only_masked_pixels_count() {
        let image = texture();
        let damaged = map(&image, |x, _, c| if x >= 32 { 255 - c } else { c });
        let left = Mask::from_fn(64, 48, |x, _| x < 20);
        let right = Mask::from_fn(64, 48, |x, _| x >= 44);
        assert!(ssim_luminance_masked(&image, &damaged, &left).unwrap() > 0.999);
        assert!(ssim_luminance_masked(&image, &damaged, &right).unwrap() < 0.2);
        let empty = Mask::filled(64, 48, false);
        assert_eq!(ssim_luminance_masked(&image, &damaged, &empty), None);
        assert_eq!(
            ssim_luminance_masked(&image, &damaged, &Mask::filled(2, 2, true)),
            None
        );
    }
}
