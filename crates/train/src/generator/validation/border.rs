//! Border artefacts: does a rendering change the photo's outermost pixels differently from the
//! pixels just inside them? A change of tone shifts both alike, whatever the photo shows; a
//! network that pads its convolutions with zeros can paint a band along an edge (generator-v1's
//! renderings carried a green band along the top edge on some photos). Measured per side, in 8-bit
//! levels, as the mean over renderings of the *signed* difference, so what photos happen to show
//! along their edges averages out while a band the network paints every time does not; a figure
//! near the re-toning's (which has no network) means no band. A band painted on some photos
//! only (as generator-v1's was) is diluted in that mean, so each side also gets the 95th
//! percentile over renderings of one rendering's excess: the worst one in twenty, again beside
//! the re-toning's, whose excess comes from what the edges show, not from a network.

use image::RgbImage;
use serde::Serialize;

/// Rows (or columns) that make up the border band.
pub(crate) const BAND: u32 = 2;
/// The reference strip runs from this far inside the edge...
pub(crate) const INNER_FROM: u32 = 4;
/// ...to just before this far.
pub(crate) const INNER_TO: u32 = 12;

/// |mean over renderings of (change on the border band − change just inside it)|, the mean
/// taken per RGB channel and its length in 8-bit levels, per side of the image.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BorderFigures {
    /// Renderings measured (those at least 24 px on each side and the size of their photo).
    pub n: usize,
    /// The first rows.
    pub top: f64,
    /// The last rows.
    pub bottom: f64,
    /// The first columns.
    pub left: f64,
    /// The last columns.
    pub right: f64,
    /// One rendering's excess (the length of its RGB difference, 8-bit levels), 95th
    /// percentile over renderings, per side.
    pub per_rendering_95th: SideLevels,
}

impl BorderFigures {
    /// The means as one figure a side.
    pub fn means(&self) -> SideLevels {
        SideLevels {
            top: self.top,
            bottom: self.bottom,
            left: self.left,
            right: self.right,
        }
    }
}

/// One figure for each side of the image, in 8-bit levels.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SideLevels {
    /// The first rows.
    pub top: f64,
    /// The last rows.
    pub bottom: f64,
    /// The first columns.
    pub left: f64,
    /// The last columns.
    pub right: f64,
}

impl SideLevels {
    /// "top / bottom / left / right", one decimal each, as the reports print them.
    pub fn row(&self) -> String {
        format!(
            "{:.1} / {:.1} / {:.1} / {:.1}",
            self.top, self.bottom, self.left, self.right
        )
    }
}

/// Running sums and per-rendering lengths behind [`BorderFigures`].
#[derive(Default)]
pub struct BorderTally {
    n: usize,
    sums: [[f64; 3]; 4],
    lengths: [Vec<f64>; 4],
}

impl BorderTally {
    /// Adds one rendering of `original`; sizes that differ or are too small are skipped.
    pub fn add(&mut self, original: &RgbImage, rendering: &RgbImage) {
        if let Some(excess) = border_excess(original, rendering) {
            self.n += 1;
            for ((sum, lengths), side) in self.sums.iter_mut().zip(&mut self.lengths).zip(excess) {
                for (s, d) in sum.iter_mut().zip(side) {
                    *s += d;
                }
                lengths.push(side.iter().map(|d| d * d).sum::<f64>().sqrt());
            }
        }
    }

    /// The means, or `None` when nothing was measured.
    pub fn figures(&self) -> Option<BorderFigures> {
        let mean = |i: usize| {
            let n = self.n as f64;
            self.sums[i]
                .iter()
                .map(|s| (s / n).powi(2))
                .sum::<f64>()
                .sqrt()
        };
        let p95 = |i: usize| {
            let mut sorted = self.lengths[i].clone();
            sorted.sort_by(f64::total_cmp);
            let rank = (0.95 * sorted.len() as f64).ceil() as usize;
            sorted[rank.clamp(1, sorted.len()) - 1]
        };
        (self.n > 0).then(|| BorderFigures {
            n: self.n,
            top: mean(0),
            bottom: mean(1),
            left: mean(2),
            right: mean(3),
            per_rendering_95th: SideLevels {
                top: p95(0),
                bottom: p95(1),
                left: p95(2),
                right: p95(3),
            },
        })
    }
}

/// Band change − inner change, per RGB channel, for the top, bottom, left and right sides.
pub fn border_excess(original: &RgbImage, rendering: &RgbImage) -> Option<[[f64; 3]; 4]> {
    let (w, h) = original.dimensions();
    if rendering.dimensions() != (w, h) || w < 2 * INNER_TO || h < 2 * INNER_TO {
        return None;
    }
    let change = |x: u32, y: u32| -> [f64; 3] {
        let (a, b) = (original.get_pixel(x, y), rendering.get_pixel(x, y));
        std::array::from_fn(|c| f64::from(b[c]) - f64::from(a[c]))
    };
    let mean_change = |rows: std::ops::Range<u32>, columns: std::ops::Range<u32>| {
        let mut sum = [0.0; 3];
        let mut n = 0.0;
        for y in rows {
            for x in columns.clone() {
                for (s, d) in sum.iter_mut().zip(change(x, y)) {
                    *s += d;
                }
                n += 1.0;
            }
        }
        sum.map(|s| s / n)
    };
    let difference = |a: [f64; 3], b: [f64; 3]| std::array::from_fn(|c| a[c] - b[c]);
    let (far_from, far_to) = (h - INNER_TO, h - INNER_FROM);
    let top = difference(
        mean_change(0..BAND, 0..w),
        mean_change(INNER_FROM..INNER_TO, 0..w),
    );
    let bottom = difference(
        mean_change(h - BAND..h, 0..w),
        mean_change(far_from..far_to, 0..w),
    );
    let (far_from, far_to) = (w - INNER_TO, w - INNER_FROM);
    let left = difference(
        mean_change(0..h, 0..BAND),
        mean_change(0..h, INNER_FROM..INNER_TO),
    );
    let right = difference(
        mean_change(0..h, w - BAND..w),
        mean_change(0..h, far_from..far_to),
    );
    Some([top, bottom, left, right])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo() -> RgbImage {
        RgbImage::from_fn(40, 30, |x, y| {
            image::Rgb([(100 + x * 2) as u8, (80 + y * 3) as u8, 60])
        })
    }

    #[test]
    fn a_uniform_change_of_tone_has_no_border_excess() {
        let original = photo();
        let darker = RgbImage::from_fn(40, 30, |x, y| {
            let p = original.get_pixel(x, y);
            image::Rgb([p[0] - 40, p[1] - 30, p[2] - 20])
        });
        let excess = border_excess(&original, &darker).unwrap();
        assert!(
            excess.iter().flatten().all(|e| e.abs() < 1e-9),
            "{excess:?}"
        );
    }

    #[test]
    fn a_green_band_along_the_top_shows_on_the_top_only() {
        let original = photo();
        let mut banded = original.clone();
        for x in 0..40 {
            for y in 0..2 {
                banded.get_pixel_mut(x, y)[1] += 50;
            }
        }
        let [top, bottom, left, right] = border_excess(&original, &banded).unwrap();
        assert_eq!(top, [0.0, 50.0, 0.0]);
        // The band crosses the side strips and their inner strips alike.
        assert_eq!([bottom, left, right], [[0.0; 3]; 3]);
        let mut tally = BorderTally::default();
        tally.add(&original, &banded);
        tally.add(&original, &original);
        tally.add(&original, &RgbImage::new(10, 10));
        let figures = tally.figures().unwrap();
        assert_eq!(figures.n, 2);
        assert!((figures.top - 25.0).abs() < 1e-9);
        // The banded rendering is the worst of two: it sets the 95th percentile in full.
        assert!((figures.per_rendering_95th.top - 50.0).abs() < 1e-9);
        assert!(figures.per_rendering_95th.bottom.abs() < 1e-9);
    }

    #[test]
    fn differences_of_opposite_sign_average_out() {
        let original = photo();
        let shifted = |level: i16| {
            let mut image = original.clone();
            for x in 0..40 {
                let p = image.get_pixel_mut(x, 0);
                p[0] = (i16::from(p[0]) + level) as u8;
            }
            image
        };
        let mut tally = BorderTally::default();
        tally.add(&original, &shifted(30));
        tally.add(&original, &shifted(-30));
        let figures = tally.figures().unwrap();
        assert!(figures.top < 1e-9);
        // Each rendering has its band (30 levels on one of the band's two rows: 15), though
        // the mean cancels them.
        assert!((figures.per_rendering_95th.top - 15.0).abs() < 1e-9);
        let mut one_sided = BorderTally::default();
        one_sided.add(&original, &shifted(30));
        assert!(one_sided.figures().unwrap().top > 1.0);
    }
}
