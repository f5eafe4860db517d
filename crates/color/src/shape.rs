//! What can be measured of a lesion's outline and colours without a ruler, for comparing two
//! photos of one mark over time: the A, B and C of the dermatologists' ABCD rule, and the share
//! of the frame the lesion covers. Size itself needs a reference in the photo, so it is not
//! measured: the frame share changes with the camera's distance as much as with the lesion.

use image::RgbImage;

use crate::lesion::lesion_at_working_size;
use crate::resize::at_analysis_size;
use crate::working::Working;
use crate::{Lab, Mask};

/// Fewest working-size pixels a lesion needs for its outline to mean anything.
const MIN_LESION_PIXELS: usize = 16;

/// A lesion's shape and colour measures, each independent of the photo's resolution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LesionShape {
    /// Share of the lesion that does not overlap its mirror image, averaged over the two
    /// principal axes through its centroid: 0 for a perfectly symmetric outline.
    pub asymmetry: f32,
    /// Perimeter² / (4π · area) of the outline: 1 for a circle, larger for ragged or notched
    /// borders.
    pub border_irregularity: f32,
    /// Mean colour difference ΔE*ab of the lesion's pixels from its mean colour: 0 for one
    /// even colour, larger for several.
    pub colour_variegation: f32,
    /// Share of the photo the lesion covers (0–1).
    pub frame_share: f32,
}

/// The measures of the lesion the automatic segmentation finds in `image` (the same mask the
/// quality check frames); `None` when it finds no lesion large enough to outline.
pub fn measure_lesion(image: &RgbImage) -> Option<LesionShape> {
    let work = Working::of(&at_analysis_size(image));
    shape_of_lesion(&work, &lesion_at_working_size(&work))
}

/// The measures of `lesion`, a mask at `work`'s size; `None` when it is too small to outline.
pub(crate) fn shape_of_lesion(work: &Working, lesion: &Mask) -> Option<LesionShape> {
    if lesion.count() < MIN_LESION_PIXELS {
        return None;
    }
    let labs: Vec<Lab> = (0..work.l.data.len())
        .map(|i| Lab {
            l: work.l.data[i],
            a: work.a.data[i],
            b: work.b.data[i],
        })
        .collect();
    Some(shape_of(lesion, &labs))
}

/// The measures of `lesion` (non-empty) over the CIELAB pixels `labs`, row by row.
fn shape_of(lesion: &Mask, labs: &[Lab]) -> LesionShape {
    LesionShape {
        asymmetry: asymmetry(lesion),
        border_irregularity: border_irregularity(lesion),
        colour_variegation: colour_variegation(lesion, labs),
        frame_share: lesion.fraction(),
    }
}

/// Pixel centres of the mask's pixels that are on.
fn points(mask: &Mask) -> Vec<(f32, f32)> {
    let w = mask.width() as usize;
    mask.as_slice()
        .iter()
        .enumerate()
        .filter(|&(_, &on)| on)
        .map(|(i, _)| ((i % w) as f32 + 0.5, (i / w) as f32 + 0.5))
        .collect()
}

/// Mean over the two principal axes of the share of pixels whose mirror image falls outside
/// the lesion.
fn asymmetry(lesion: &Mask) -> f32 {
    let pts = points(lesion);
    let n = pts.len() as f32;
    let (cx, cy) = pts
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x / n, sy + y / n));
    let (mut sxx, mut syy, mut sxy) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in &pts {
        sxx += (x - cx).powi(2);
        syy += (y - cy).powi(2);
        sxy += (x - cx) * (y - cy);
    }
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let axes = [angle, angle + std::f32::consts::FRAC_PI_2];
    let mismatched = |axis: f32| {
        let (ux, uy) = (axis.cos(), axis.sin());
        let outside = pts
            .iter()
            .filter(|(x, y)| {
                let (dx, dy) = (x - cx, y - cy);
                let along = dx * ux + dy * uy;
                let (mx, my) = (cx + 2.0 * along * ux - dx, cy + 2.0 * along * uy - dy);
                !inside(lesion, mx, my)
            })
            .count();
        outside as f32 / n
    };
    axes.iter().map(|&a| mismatched(a)).sum::<f32>() / 2.0
}

/// Whether the pixel containing the point (x, y) is on; points off the image are outside.
fn inside(mask: &Mask, x: f32, y: f32) -> bool {
    x >= 0.0
        && y >= 0.0
        && (x as u32) < mask.width()
        && (y as u32) < mask.height()
        && mask.get(x as u32, y as u32)
}

/// Perimeter² / (4π · area), the perimeter counted as the pixel edges between the lesion and
/// the rest, times π/4: a digitised disc's staircase edge is 4/π times its true perimeter.
fn border_irregularity(lesion: &Mask) -> f32 {
    let (w, h) = (lesion.width(), lesion.height());
    let mut edges = 0usize;
    for y in 0..h {
        for x in 0..w {
            if !lesion.get(x, y) {
                continue;
            }
            let off = |dx: i64, dy: i64| {
                let (nx, ny) = (i64::from(x) + dx, i64::from(y) + dy);
                nx < 0
                    || ny < 0
                    || nx >= i64::from(w)
                    || ny >= i64::from(h)
                    || !lesion.get(nx as u32, ny as u32)
            };
            edges += [(-1, 0), (1, 0), (0, -1), (0, 1)]
                .iter()
                .filter(|&&(dx, dy)| off(dx, dy))
                .count();
        }
    }
    let perimeter = edges as f32 * std::f32::consts::FRAC_PI_4;
    perimeter.powi(2) / (4.0 * std::f32::consts::PI * lesion.count() as f32)
}

/// Mean ΔE*ab of the lesion's pixels from the lesion's mean colour.
fn colour_variegation(lesion: &Mask, labs: &[Lab]) -> f32 {
    let inside: Vec<&Lab> = labs
        .iter()
        .zip(lesion.as_slice())
        .filter(|&(_, &on)| on)
        .map(|(c, _)| c)
        .collect();
    let n = inside.len() as f32;
    let mean = inside.iter().fold([0.0f32; 3], |m, c| {
        [m[0] + c.l / n, m[1] + c.a / n, m[2] + c.b / n]
    });
    inside
        .iter()
        .map(|c| {
            ((c.l - mean[0]).powi(2) + (c.a - mean[1]).powi(2) + (c.b - mean[2]).powi(2)).sqrt()
        })
        .sum::<f32>()
        / n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disc(side: u32, r: f32) -> Mask {
        let c = side as f32 / 2.0;
        Mask::from_fn(side, side, |x, y| {
            (x as f32 + 0.5 - c).hypot(y as f32 + 0.5 - c) <= r
        })
    }

    fn even(n: usize) -> Vec<Lab> {
        vec![
            Lab {
                l: 40.0,
                a: 10.0,
                b: 10.0
            };
            n
        ]
    }

    #[test]
    fn a_disc_is_symmetric_round_and_even() {
        let mask = disc(100, 30.0);
        let s = shape_of(&mask, &even(100 * 100));
        assert!(s.asymmetry < 0.03, "{s:?}");
        assert!((s.border_irregularity - 1.0).abs() < 0.1, "{s:?}");
        assert!(s.colour_variegation < 1e-3, "{s:?}");
        assert!(
            (s.frame_share - std::f32::consts::PI * 0.09).abs() < 0.01,
            "{s:?}"
        );
    }

    #[test]
    fn an_ellipse_is_symmetric_about_its_own_axes_even_when_tilted() {
        let (c, angle) = (50.0f32, 0.6f32);
        let mask = Mask::from_fn(100, 100, |x, y| {
            let (dx, dy) = (x as f32 + 0.5 - c, y as f32 + 0.5 - c);
            let u = dx * angle.cos() + dy * angle.sin();
            let v = -dx * angle.sin() + dy * angle.cos();
            (u / 40.0).powi(2) + (v / 15.0).powi(2) <= 1.0
        });
        let s = shape_of(&mask, &even(100 * 100));
        assert!(s.asymmetry < 0.06, "{s:?}");
    }

    #[test]
    fn a_lopsided_notched_two_coloured_lesion_measures_higher_on_each() {
        let round = disc(100, 30.0);
        let lopsided = Mask::from_fn(100, 100, |x, y| {
            let big = round.get(x, y) && !(x > 50 && y > 50);
            let notch = (x as i32 - 20).abs() < 4 && y < 60;
            big && !notch
        });
        let mut labs = even(100 * 100);
        for (i, c) in labs.iter_mut().enumerate() {
            if i % 100 < 50 {
                c.l = 20.0;
            }
        }
        let a = shape_of(&round, &even(100 * 100));
        let b = shape_of(&lopsided, &labs);
        assert!(b.asymmetry > a.asymmetry + 0.1, "{a:?} {b:?}");
        assert!(
            b.border_irregularity > a.border_irregularity + 0.2,
            "{a:?} {b:?}"
        );
        assert!(b.colour_variegation > 5.0, "{b:?}");
        assert!(b.frame_share < a.frame_share, "{a:?} {b:?}");
    }

    #[test]
    fn no_lesion_gives_no_measures() {
        let blank = RgbImage::from_pixel(200, 150, image::Rgb([200, 160, 140]));
        assert_eq!(measure_lesion(&blank), None);
    }
}
