//! Small image operations shared by the lesion and skin masks: a float channel type with min/max
//! and box filters, disc dilation and erosion, connected components, hole filling, Otsu's
//! threshold and the working-size resampling. Plain loops over ~30,000 pixels, so they stay
//! fast in wasm too.

use image::RgbImage;

use crate::Mask;
use crate::resize::scale_to_short_side;

/// Short side, in pixels, at which masks are computed: HAM10000's 200×150 images are used as
/// they are, and a phone photo costs the same as a dermoscopy image.
const WORK_SIDE: u32 = 150;

/// One float channel, row-major.
#[derive(Debug, Clone)]
pub(crate) struct Plane {
    pub width: u32,
    pub height: u32,
    pub data: Vec<f32>,
}

impl Plane {
    /// A channel whose pixel (x, y) is `f(x, y)`.
    pub fn from_fn(width: u32, height: u32, mut f: impl FnMut(u32, u32) -> f32) -> Self {
        let data = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y))
            .collect();
        Self {
            width,
            height,
            data,
        }
    }

    /// Value at (x, y).
    pub fn get(&self, x: u32, y: u32) -> f32 {
        self.data[y as usize * self.width as usize + x as usize]
    }

    /// Minimum over a (2r+1)² square: grey-level erosion.
    pub fn min_filter(&self, radius: u32) -> Plane {
        self.separable(radius, f32::min, 1.0)
    }

    /// Maximum over a (2r+1)² square: grey-level dilation.
    pub fn max_filter(&self, radius: u32) -> Plane {
        self.separable(radius, f32::max, 1.0)
    }

    /// Removes bright structures narrower than 2r+1 pixels (hairs, in a darkness channel).
    pub fn opening(&self, radius: u32) -> Plane {
        self.min_filter(radius).max_filter(radius)
    }

    /// Removes dark structures narrower than 2r+1 pixels (hairs, on lightness).
    pub fn closing(&self, radius: u32) -> Plane {
        self.max_filter(radius).min_filter(radius)
    }

    /// Mean over a (2r+1)² square, with edge pixels repeated.
    pub fn box_blur(&self, radius: u32) -> Plane {
        let n = (2 * radius + 1) as f32;
        self.separable(radius, |a, b| a + b, 1.0 / (n * n))
    }

    /// Folds a window of 2r+1 pixels with `fold` along rows, then along columns (edge pixels
    /// repeated), and scales the result by `scale`.
    fn separable(&self, radius: u32, fold: impl Fn(f32, f32) -> f32 + Copy, scale: f32) -> Plane {
        let (w, h) = (self.width as usize, self.height as usize);
        let r = radius as usize;
        let rows = sliding(&self.data, w, h, r, 1, w, fold);
        let mut data = sliding(&rows, h, w, r, w, 1, fold);
        if scale != 1.0 {
            data.iter_mut().for_each(|v| *v *= scale);
        }
        Plane {
            width: self.width,
            height: self.height,
            data,
        }
    }
}

/// One pass of a sliding-window fold over `lines` lines of `len` pixels: pixel `i` of line `j`
/// sits at `j * line_step + i * step`.
fn sliding(
    src: &[f32],
    len: usize,
    lines: usize,
    radius: usize,
    step: usize,
    line_step: usize,
    fold: impl Fn(f32, f32) -> f32,
) -> Vec<f32> {
    let mut out = vec![0.0; src.len()];
    for line in 0..lines {
        let at = |i: usize| line * line_step + i * step;
        for i in 0..len {
            let first = src[at(i.saturating_sub(radius))];
            let folded = (i as isize - radius as isize + 1..=(i + radius) as isize)
                .map(|k| src[at((k.max(0) as usize).min(len - 1))])
                .fold(first, &fold);
            out[at(i)] = folded;
        }
    }
    out
}

/// `image` resized so that its short side is at most [`WORK_SIDE`] (never enlarged).
pub(crate) fn working_image(image: &RgbImage) -> RgbImage {
    scale_to_short_side(image, WORK_SIDE, false)
}

/// `mask` resampled to `width × height` by nearest neighbour.
pub(crate) fn resample(mask: &Mask, width: u32, height: u32) -> Mask {
    if (mask.width(), mask.height()) == (width, height) {
        return mask.clone();
    }
    let (mw, mh) = (u64::from(mask.width()), u64::from(mask.height()));
    Mask::from_fn(width, height, |x, y| {
        let sx = (u64::from(x) * mw + mw / 2) / u64::from(width);
        let sy = (u64::from(y) * mh + mh / 2) / u64::from(height);
        mask.get(sx.min(mw - 1) as u32, sy.min(mh - 1) as u32)
    })
}

/// Pixels within Euclidean distance `radius` of a set pixel: dilation by a disc. A pixel is
/// reached when some row within `radius` has a set pixel within the disc's half-width at that
/// row offset, measured with each row's horizontal distances computed once.
pub(crate) fn dilate(mask: &Mask, radius: f32) -> Mask {
    let (w, h) = (mask.width() as usize, mask.height() as usize);
    let r = radius.max(0.0).floor() as usize;
    let along_rows = row_distances(mask);
    let mut out = vec![false; w * h];
    for (y, out_row) in out.chunks_mut(w.max(1)).enumerate() {
        for row in y.saturating_sub(r)..=(y + r).min(h.saturating_sub(1)) {
            let dy = row.abs_diff(y) as f32;
            let half_width = (radius * radius - dy * dy).max(0.0).sqrt().floor() as u16;
            let distances = &along_rows[row * w..(row + 1) * w];
            for (o, &d) in out_row.iter_mut().zip(distances) {
                *o |= d <= half_width;
            }
        }
    }
    Mask::from_vec(mask.width(), mask.height(), out).expect("same size")
}

/// Per pixel, the distance along its row to the nearest set pixel (`u16::MAX` when the row
/// has none): a forward and a backward scan.
fn row_distances(mask: &Mask) -> Vec<u16> {
    let w = mask.width() as usize;
    let mut out = vec![u16::MAX; mask.as_slice().len()];
    for (row, dist) in mask
        .as_slice()
        .chunks(w.max(1))
        .zip(out.chunks_mut(w.max(1)))
    {
        let mut last = u16::MAX;
        for (d, &on) in dist.iter_mut().zip(row) {
            last = if on { 0 } else { last.saturating_add(1) };
            *d = last;
        }
        last = u16::MAX;
        for (d, &on) in dist.iter_mut().zip(row).rev() {
            last = if on { 0 } else { last.saturating_add(1) };
            *d = (*d).min(last);
        }
    }
    out
}

/// Pixels farther than `radius` from any unset pixel: erosion by a disc (the image border does
/// not erode).
pub(crate) fn erode(mask: &Mask, radius: f32) -> Mask {
    dilate(&mask.not(), radius).not()
}

/// 4-connected components of `mask`: a label per pixel (0 = unset, 1.. = component) and the
/// number of components.
pub(crate) fn components(mask: &Mask) -> (Vec<u32>, u32) {
    let (w, h) = (mask.width() as usize, mask.height() as usize);
    let flags = mask.as_slice();
    let mut labels = vec![0u32; w * h];
    let mut count = 0;
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !flags[start] || labels[start] != 0 {
            continue;
        }
        count += 1;
        labels[start] = count;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            let neighbours = [
                (x > 0).then(|| i - 1),
                (x + 1 < w).then(|| i + 1),
                (y > 0).then(|| i - w),
                (y + 1 < h).then(|| i + w),
            ];
            for j in neighbours.into_iter().flatten() {
                if flags[j] && labels[j] == 0 {
                    labels[j] = count;
                    stack.push(j);
                }
            }
        }
    }
    (labels, count)
}

/// Set pixels of `mask` connected to the image border.
pub(crate) fn connected_to_border(mask: &Mask) -> Mask {
    let (w, h) = (mask.width(), mask.height());
    let (labels, count) = components(mask);
    let mut touches = vec![false; count as usize + 1];
    for y in 0..h {
        for x in 0..w {
            if x == 0 || y == 0 || x + 1 == w || y + 1 == h {
                touches[labels[(y * w + x) as usize] as usize] = true;
            }
        }
    }
    touches[0] = false;
    Mask::from_vec(w, h, labels.iter().map(|&l| touches[l as usize]).collect()).expect("same size")
}

/// Share of the image's edge pixels that `mask` covers.
pub(crate) fn edge_share(mask: &Mask) -> f32 {
    let (w, h) = (mask.width(), mask.height());
    if w == 0 || h == 0 {
        return 0.0;
    }
    let on_edge = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .filter(|&(x, y)| x == 0 || y == 0 || x + 1 == w || y + 1 == h)
        .filter(|&(x, y)| mask.get(x, y))
        .count();
    let edge_pixels = if w == 1 || h == 1 {
        (w * h) as usize
    } else {
        2 * (w + h) as usize - 4
    };
    on_edge as f32 / edge_pixels as f32
}

/// `mask` with every enclosed hole (unset region not reaching the border) set.
pub(crate) fn fill_holes(mask: &Mask) -> Mask {
    connected_to_border(&mask.not()).not()
}

/// Otsu's threshold of `values` (256 bins between their min and max): the cut that best
/// separates them into two classes. `None` when there are no values or they are all equal.
pub(crate) fn otsu(values: &[f32]) -> Option<f32> {
    let (lo, hi) = values
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if values.is_empty() || hi <= lo {
        return None;
    }
    const BINS: usize = 256;
    let bin_of = |v: f32| (((v - lo) / (hi - lo)) * (BINS - 1) as f32).round() as usize;
    let mut histogram = [0f64; BINS];
    for &v in values {
        histogram[bin_of(v)] += 1.0;
    }
    let total = values.len() as f64;
    let sum_all: f64 = histogram
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c)
        .sum();
    let (mut weight_low, mut sum_low) = (0.0, 0.0);
    let (mut best, mut best_bin) = (-1.0, 0);
    for (i, &c) in histogram.iter().enumerate() {
        weight_low += c;
        sum_low += i as f64 * c;
        let weight_high = total - weight_low;
        if weight_low == 0.0 || weight_high == 0.0 {
            continue;
        }
        let mean_low = sum_low / weight_low;
        let mean_high = (sum_all - sum_low) / weight_high;
        let between = weight_low * weight_high * (mean_low - mean_high).powi(2);
        if between > best {
            best = between;
            best_bin = i;
        }
    }
    Some(lo + (best_bin as f32 + 0.5) / (BINS - 1) as f32 * (hi - lo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otsu_splits_two_clusters() {
        let values: Vec<f32> = (0..100).map(|i| if i < 60 { 10.0 } else { 50.0 }).collect();
        let t = otsu(&values).unwrap();
        assert!(t > 10.0 && t < 50.0, "{t}");
        assert!(otsu(&[3.0, 3.0]).is_none());
    }

    #[test]
    fn holes_are_filled_and_border_regions_found() {
        let ring = Mask::from_fn(9, 9, |x, y| {
            (2..=6).contains(&x) && (2..=6).contains(&y) && !(x == 4 && y == 4)
        });
        assert_eq!(fill_holes(&ring).count(), 25);
        let edge = Mask::from_fn(9, 9, |x, _| x == 0);
        assert_eq!(connected_to_border(&edge).count(), 9);
        assert!((edge_share(&edge) - 9.0 / 32.0).abs() < 1e-6);
        assert_eq!(connected_to_border(&ring).count(), 0);
    }

    #[test]
    fn dilation_and_erosion_are_near_discs() {
        let dot = Mask::from_fn(21, 21, |x, y| x == 10 && y == 10);
        let disc = dilate(&dot, 5.0);
        assert!(disc.get(15, 10) && disc.get(13, 13) && !disc.get(15, 15));
        assert_eq!(erode(&disc, 5.0).count(), 1);
        let (_, n) = components(&Mask::from_fn(5, 1, |x, _| x != 2));
        assert_eq!(n, 2);
    }

    #[test]
    fn min_max_filters_remove_thin_lines() {
        let line = Plane::from_fn(20, 20, |x, _| if x == 10 { 0.0 } else { 100.0 });
        assert!(line.closing(1).data.iter().all(|&v| v == 100.0));
        let blurred = line.box_blur(1);
        assert!((blurred.get(10, 5) - 200.0 / 3.0).abs() < 1e-3);
    }
}
