//! sRGB (D65) → CIELAB and the Individual Typology Angle (ITA°) used to describe skin tone.

use palette::white_point::D65;
use palette::{FromColor, Srgb};

/// A CIELAB colour (D65 white).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lab {
    /// Lightness, 0–100.
    pub l: f32,
    /// Green (−) to red (+).
    pub a: f32,
    /// Blue (−) to yellow (+).
    pub b: f32,
}

/// Converts an 8-bit sRGB colour to CIELAB (D65) via linear RGB and XYZ (IEC 61966-2-1, CIE 15).
/// The maths is the `palette` crate's: it matched our own implementation of the standard
/// formulas within 1e-4 and ran faster (see the README's colour-science notes).
pub fn srgb_to_lab(rgb: [u8; 3]) -> Lab {
    let linear = Srgb::new(rgb[0], rgb[1], rgb[2])
        .into_format::<f32>()
        .into_linear();
    let lab: palette::Lab<D65, f32> = palette::Lab::from_color(linear);
    Lab {
        l: lab.l,
        a: lab.a,
        b: lab.b,
    }
}

/// ITA° = atan2(L* − 50, b*) in degrees: higher is lighter skin.
pub fn individual_typology_angle(lab: Lab) -> f32 {
    (lab.l - 50.0).atan2(lab.b).to_degrees()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(lab: Lab, expected: [f32; 3]) {
        let got = [lab.l, lab.a, lab.b];
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 0.02, "{got:?} vs {expected:?}");
        }
    }

    #[test]
    fn matches_published_reference_values() {
        close(srgb_to_lab([255, 255, 255]), [100.0, 0.0, 0.0]);
        close(srgb_to_lab([0, 0, 0]), [0.0, 0.0, 0.0]);
        close(srgb_to_lab([255, 0, 0]), [53.24, 80.09, 67.20]);
        close(srgb_to_lab([0, 255, 0]), [87.73, -86.18, 83.18]);
        close(srgb_to_lab([0, 0, 255]), [32.30, 79.19, -107.86]);
    }

    #[test]
    fn ita_orders_light_above_dark_skin() {
        let light = individual_typology_angle(srgb_to_lab([241, 220, 200]));
        let dark = individual_typology_angle(srgb_to_lab([90, 60, 45]));
        assert!(light > 41.0, "light skin ITA {light}");
        assert!(dark < -30.0, "dark skin ITA {dark}");
    }
}
