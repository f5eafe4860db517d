//! A small artefact check on skin patches: the radially averaged power spectrum of luminance.
//! Generators often leave their mark at high spatial frequencies (checkerboards from
//! up-sampling, blur from L1 losses), which is invisible in colour statistics but plain here.

use dermtone_color::Mask;
use image::RgbImage;

/// Side of the square patches.
pub const PATCH: u32 = 32;
/// Radial frequency bins: 1 to 23 cycles per patch (the corner of the 32 × 32 spectrum is
/// 16·√2 ≈ 22.6 out); DC is left out.
pub const BINS: usize = 23;
/// Bins above this radius count as high frequencies (above a quarter of the sampling rate).
const HIGH_FROM: usize = (PATCH / 4) as usize;
/// A patch must be at least this share healthy skin.
const MIN_SKIN: f32 = 0.9;

/// Radially averaged log power per frequency bin of the patch of `image` with the most healthy
/// skin (`skin`, the same size); `None` when no patch is skin enough.
pub fn skin_patch_spectrum(image: &RgbImage, skin: &Mask) -> Option<[f64; BINS]> {
    let (w, h) = image.dimensions();
    if w < PATCH || h < PATCH {
        return None;
    }
    let mut best: Option<(f32, u32, u32)> = None;
    for y in (0..=h - PATCH).step_by(8) {
        for x in (0..=w - PATCH).step_by(8) {
            let on = (y..y + PATCH)
                .flat_map(|yy| (x..x + PATCH).map(move |xx| (xx, yy)))
                .filter(|&(xx, yy)| skin.get(xx, yy))
                .count();
            let share = on as f32 / (PATCH * PATCH) as f32;
            if best.is_none_or(|b| share > b.0) {
                best = Some((share, x, y));
            }
        }
    }
    let (share, x0, y0) = best?;
    if share < MIN_SKIN {
        return None;
    }
    let n = PATCH as usize;
    let luminance: Vec<f64> = (0..n * n)
        .map(|i| {
            let p = image.get_pixel(x0 + (i % n) as u32, y0 + (i / n) as u32);
            0.2126 * f64::from(p[0]) + 0.7152 * f64::from(p[1]) + 0.0722 * f64::from(p[2])
        })
        .collect();
    let mean = luminance.iter().sum::<f64>() / (n * n) as f64;
    let power = power_spectrum(&luminance.iter().map(|v| v - mean).collect::<Vec<_>>(), n);
    let mut sums = [0f64; BINS];
    let mut counts = [0usize; BINS];
    for v in 0..n {
        for u in 0..n {
            let fu = u.min(n - u) as f64;
            let fv = v.min(n - v) as f64;
            let radius = (fu * fu + fv * fv).sqrt().round() as usize;
            if (1..=BINS).contains(&radius) {
                sums[radius - 1] += power[v * n + u];
                counts[radius - 1] += 1;
            }
        }
    }
    Some(std::array::from_fn(|b| {
        (sums[b] / counts[b].max(1) as f64 + 1e-6).log10()
    }))
}

/// Share of a spectrum's power (from its log10 bins, each weighted by its ring's area) above a
/// quarter of the sampling rate.
pub fn high_frequency_share(spectrum: &[f64; BINS]) -> f64 {
    let power: Vec<f64> = spectrum
        .iter()
        .enumerate()
        .map(|(b, v)| 10f64.powf(*v) * (b + 1) as f64)
        .collect();
    let total: f64 = power.iter().sum();
    power[HIGH_FROM..].iter().sum::<f64>() / total.max(f64::MIN_POSITIVE)
}

/// |DFT|² of an `n × n` real signal (separable direct DFT: fine at 32 × 32).
fn power_spectrum(signal: &[f64], n: usize) -> Vec<f64> {
    let twiddle: Vec<(f64, f64)> = (0..n)
        .map(|k| {
            let a = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
            (a.cos(), a.sin())
        })
        .collect();
    let mut rows = vec![(0f64, 0f64); n * n];
    for y in 0..n {
        for u in 0..n {
            let (mut re, mut im) = (0.0, 0.0);
            for x in 0..n {
                let (c, s) = twiddle[(u * x) % n];
                re += signal[y * n + x] * c;
                im += signal[y * n + x] * s;
            }
            rows[y * n + u] = (re, im);
        }
    }
    let mut power = vec![0f64; n * n];
    for u in 0..n {
        for v in 0..n {
            let (mut re, mut im) = (0.0, 0.0);
            for y in 0..n {
                let (c, s) = twiddle[(v * y) % n];
                let (r, i) = rows[y * n + u];
                re += r * c - i * s;
                im += r * s + i * c;
            }
            power[v * n + u] = re * re + im * im;
        }
    }
    power
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spectrum_of(f: impl Fn(u32, u32) -> u8) -> [f64; BINS] {
        let image = RgbImage::from_fn(40, 40, |x, y| {
            let v = f(x, y);
            image::Rgb([v, v, v])
        });
        skin_patch_spectrum(&image, &Mask::filled(40, 40, true)).unwrap()
    }

    #[test]
    fn a_checkerboard_has_its_power_at_high_frequencies_and_a_ramp_at_low_ones() {
        let checker = spectrum_of(|x, y| if (x + y) % 2 == 0 { 100 } else { 160 });
        let ramp = spectrum_of(|x, _| (x * 4) as u8);
        assert!(high_frequency_share(&checker) > 0.9);
        assert!(high_frequency_share(&ramp) < 0.2);
    }

    #[test]
    fn too_little_skin_gives_no_patch() {
        let image = RgbImage::new(40, 40);
        assert!(skin_patch_spectrum(&image, &Mask::filled(40, 40, false)).is_none());
    }
}
