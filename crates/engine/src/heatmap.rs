//! Where in the photo the classifier looked: the class activation map of its most likely class
//! (see `dermtone_net`'s `cam` module), as plain data the page draws over the photo and the CLI
//! writes as an overlay. It shows what drove the model's answer, not where the lesion or any
//! disease is.

use image::{Rgb, RgbImage};
use serde::Serialize;

/// Said wherever the map is shown.
pub const HEATMAP_CAVEAT: &str = "Where the model looked, not a diagnosis.";

/// A coarse map over the whole photo (the model sees the photo squashed to a square, so cell
/// `(x, y)` covers the same fraction of the photo's width and height).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heatmap {
    /// Code of the class the map explains: the most likely one.
    pub class: String,
    /// Cells across.
    pub width: usize,
    /// Cells down.
    pub height: usize,
    /// `height` rows of `width` values in 0..=1: the class's activation with negative evidence
    /// cut to 0, divided by the largest value. All 0 when no position speaks for the class.
    pub values: Vec<f32>,
    /// Centre of the strongest cell as fractions of the photo's width and height.
    pub peak: [f32; 2],
    /// Which ninth of the photo holds the peak, for words rather than pixels: `top-left`,
    /// `top`, `top-right`, `left`, `centre`, `right`, `bottom-left`, `bottom`, `bottom-right`.
    pub region: &'static str,
    /// [`HEATMAP_CAVEAT`].
    pub caveat: &'static str,
}

impl Heatmap {
    /// The map of `class` from its raw activations, `height` rows of `width`.
    pub fn from_activations(class: &str, width: usize, height: usize, raw: &[f32]) -> Self {
        let positive: Vec<f32> = raw.iter().map(|v| v.max(0.0)).collect();
        let (peak_index, &largest) = positive
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap_or((0, &0.0));
        let values = if largest > 0.0 {
            positive.iter().map(|v| v / largest).collect()
        } else {
            vec![0.0; positive.len()]
        };
        let cell = |index: usize, cells: usize| (index as f32 + 0.5) / cells.max(1) as f32;
        let peak = [
            cell(peak_index % width.max(1), width),
            cell(peak_index / width.max(1), height),
        ];
        Self {
            class: class.to_string(),
            width,
            height,
            values,
            peak,
            region: region(peak),
            caveat: HEATMAP_CAVEAT,
        }
    }

    /// The map at fractional position `(x, y)` of the photo, bilinear between cell centres.
    pub fn at(&self, x: f32, y: f32) -> f32 {
        if self.values.is_empty() {
            return 0.0;
        }
        let grid = |t: f32, cells: usize| {
            let position = (t * cells as f32 - 0.5).clamp(0.0, (cells - 1) as f32);
            let low = position.floor() as usize;
            (low, (low + 1).min(cells - 1), position - low as f32)
        };
        let (x0, x1, fx) = grid(x, self.width);
        let (y0, y1, fy) = grid(y, self.height);
        let value = |cx: usize, cy: usize| self.values[cy * self.width + cx];
        let top = value(x0, y0) * (1.0 - fx) + value(x1, y0) * fx;
        let bottom = value(x0, y1) * (1.0 - fx) + value(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// `photo` with the map laid over it: transparent where the map is 0, through yellow to red
    /// where it is 1, at most 60 % opaque so the skin stays visible.
    pub fn overlay(&self, photo: &RgbImage) -> RgbImage {
        let (width, height) = photo.dimensions();
        RgbImage::from_fn(width, height, |x, y| {
            let value = self.at(
                (x as f32 + 0.5) / width as f32,
                (y as f32 + 0.5) / height as f32,
            );
            let colour = heat_colour(value);
            let alpha = 0.6 * value;
            let pixel = photo.get_pixel(x, y);
            Rgb(std::array::from_fn(|c| {
                (f32::from(pixel[c]) * (1.0 - alpha) + colour[c] * alpha).round() as u8
            }))
        })
    }
}

/// The ninth of the photo (three columns by three rows) that holds `peak`.
fn region([x, y]: [f32; 2]) -> &'static str {
    const REGIONS: [[&str; 3]; 3] = [
        ["top-left", "top", "top-right"],
        ["left", "centre", "right"],
        ["bottom-left", "bottom", "bottom-right"],
    ];
    let third = |t: f32| ((t * 3.0).floor().max(0.0) as usize).min(2);
    REGIONS[third(y)][third(x)]
}

/// Yellow (weak) to red (strong), readable in print and for the common colour-vision
/// deficiencies because it also runs light to dark.
fn heat_colour(value: f32) -> [f32; 3] {
    let v = value.clamp(0.0, 1.0);
    [255.0 - 55.0 * v, 230.0 * (1.0 - v), 40.0 * (1.0 - v)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_scaled_to_the_peak_and_negatives_cut() {
        let map = Heatmap::from_activations("mel", 3, 2, &[-1.0, 0.5, 2.0, 1.0, 0.0, -3.0]);
        assert_eq!(map.values, vec![0.0, 0.25, 1.0, 0.5, 0.0, 0.0]);
        assert_eq!(map.peak, [5.0 / 6.0, 0.25]);
        assert_eq!(map.region, "top-right");
        assert_eq!(map.at(5.0 / 6.0, 0.25), 1.0);
        assert!(
            (map.at(0.5, 0.25) - 0.25).abs() < 1e-6,
            "a cell centre is its value"
        );
    }

    #[test]
    fn a_map_with_no_positive_evidence_is_all_zero() {
        let map = Heatmap::from_activations("nv", 2, 2, &[-1.0, -2.0, -0.5, -4.0]);
        assert_eq!(map.values, vec![0.0; 4]);
        let photo = RgbImage::from_pixel(8, 6, Rgb([120, 90, 80]));
        assert_eq!(
            map.overlay(&photo),
            photo,
            "nothing is drawn over the photo"
        );
    }

    #[test]
    fn the_overlay_reddens_the_peak_and_leaves_cold_corners_alone() {
        let mut raw = vec![0.0; 16];
        raw[5] = 3.0; // cell (1, 1) of 4×4
        let map = Heatmap::from_activations("bcc", 4, 4, &raw);
        assert_eq!(
            map.region, "centre",
            "cell (1, 1) of 4×4 is centred at a third and a bit"
        );
        let photo = RgbImage::from_pixel(40, 40, Rgb([100, 100, 100]));
        let drawn = map.overlay(&photo);
        let peak = drawn.get_pixel(15, 15);
        assert!(peak[0] > 150 && peak[1] < 80, "{peak:?}");
        assert_eq!(drawn.get_pixel(39, 39), &Rgb([100, 100, 100]));
    }
}
