//! sRGB (D65) → CIELAB and the Individual Typology Angle (ITA°) used to describe skin tone.

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

/// D65 reference white in XYZ (Y = 1).
const WHITE: [f32; 3] = [0.950_47, 1.0, 1.088_83];

/// Converts an 8-bit sRGB colour to CIELAB via linear RGB and XYZ (IEC 61966-2-1, CIE 15).
pub fn srgb_to_lab(rgb: [u8; 3]) -> Lab {
    let [r, g, b] = rgb.map(|c| {
        let c = f32::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    let x = 0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175 * b;
    let z = 0.019_333_9 * r + 0.119_192 * g + 0.950_304_1 * b;
    let f = |t: f32| {
        const DELTA: f32 = 6.0 / 29.0;
        if t > DELTA * DELTA * DELTA {
            t.cbrt()
        } else {
            t / (3.0 * DELTA * DELTA) + 4.0 / 29.0
        }
    };
    let (fx, fy, fz) = (f(x / WHITE[0]), f(y / WHITE[1]), f(z / WHITE[2]));
    Lab {
        l: 116.0 * fy - 16.0,
        a: 500.0 * (fx - fy),
        b: 200.0 * (fy - fz),
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
