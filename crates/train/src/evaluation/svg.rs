//! The evaluation's charts as standalone SVG text, in the audit charts' style: the confusion
//! heat-map, ROC curves and the reliability diagram. Each reads at 640 px wide; colours are the
//! Okabe–Ito palette (distinct under colour-vision deficiencies) and a one-hue blue ramp.

use std::fmt::Write;

use crate::svg::{close, esc, heading, heat_cell, open, outline_diagonal};

use super::calibration::ReliabilityBin;
use super::report::RocCurve;

/// Okabe–Ito colours for curves, black last (the malignant curve after seven classes).
const CURVE_COLOURS: [&str; 8] = [
    "#e69f00", "#56b4e9", "#009e73", "#c9b800", "#0072b2", "#d55e00", "#cc79a7", "#000000",
];
/// Side, left and top edge of the square [0, 1] × [0, 1] plots.
const PLOT: (f64, f64, f64) = (400.0, 72.0, 96.0);

/// True classes (rows) against predicted ones (columns), each cell shaded by its share of the
/// row so rare classes read as clearly as common ones; correct cells are outlined.
pub fn confusion_svg(codes: &[String], confusion: &[Vec<usize>]) -> String {
    let k = codes.len().max(1);
    let cell = (440.0 / k as f64).clamp(36.0, 72.0).floor();
    let longest = codes.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    let left = 56.0 + (longest as f64 * 7.5).max(24.0);
    let top = 128.0;
    let width = (left + cell * k as f64 + 32.0).max(640.0);
    let height = top + cell * k as f64 + 32.0;
    let n: usize = confusion.iter().flatten().sum();
    let correct: usize = (0..codes.len())
        .filter_map(|c| confusion.get(c).and_then(|row| row.get(c)))
        .sum();
    let title = "Confusion matrix";
    let mut svg = open(width, height, title);
    heading(
        &mut svg,
        title,
        &format!(
            "n = {n}, {correct} correct; shade: share of the true class's images; outlined: correct"
        ),
    );
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-weight="600">predicted</text>"##,
        left + cell * k as f64 / 2.0,
        top - 30.0
    );
    let middle = top + cell * k as f64 / 2.0;
    let _ = writeln!(
        svg,
        r##"<text x="24" y="{middle:.1}" text-anchor="middle" font-weight="600" transform="rotate(-90 24 {middle:.1})">true</text>"##
    );
    for (c, code) in codes.iter().enumerate() {
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            left + cell * (c as f64 + 0.5),
            top - 8.0,
            esc(code)
        );
    }
    for (r, code) in codes.iter().enumerate() {
        let y = top + cell * r as f64;
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" dominant-baseline="middle">{}</text>"##,
            left - 10.0,
            y + cell / 2.0,
            esc(code)
        );
        let row = confusion.get(r).map_or(&[][..], Vec::as_slice);
        let total: usize = row.iter().sum();
        for (c, predicted) in codes.iter().enumerate() {
            let count = row.get(c).copied().unwrap_or(0);
            let x = left + cell * c as f64;
            let title = format!("true {}, predicted {}", code, predicted);
            heat_cell(&mut svg, (x, y, cell), count, total, &title, cell >= 44.0);
        }
    }
    outline_diagonal(&mut svg, (left, top, cell), codes.len());
    close(svg)
}

/// ROC curves, one polyline per (name, points, AUROC), over the chance diagonal; the legend
/// gives each curve's AUROC so the chart stands alone.
pub fn roc_svg(curves: &[RocCurve]) -> String {
    let (size, left, top) = PLOT;
    let legend_x = left + size + 24.0;
    let longest = curves
        .iter()
        .map(|c| c.0.chars().count())
        .max()
        .unwrap_or(0);
    let width = (legend_x + 80.0 + longest as f64 * 7.5).max(640.0);
    let height = (top + size + 64.0).max(top + 22.0 * curves.len() as f64 + 48.0);
    let title = "ROC curves";
    let mut svg = open(width, height, title);
    heading(
        &mut svg,
        title,
        "one class against the rest, and malignant against benign; dashed: chance",
    );
    unit_axes(
        &mut svg,
        "false-positive rate (1 − specificity)",
        "true-positive rate (sensitivity)",
    );
    diagonal(&mut svg);
    let _ = writeln!(
        svg,
        r##"<text x="{legend_x:.1}" y="{:.1}" font-weight="600">AUROC</text>"##,
        top + 4.0
    );
    for (i, (name, points, area)) in curves.iter().enumerate() {
        let colour = CURVE_COLOURS[i % CURVE_COLOURS.len()];
        if points.len() > 1 {
            let path: Vec<String> = points
                .iter()
                .map(|&(fpr, tpr)| {
                    let (x, y) = at(fpr, tpr);
                    format!("{x:.1},{y:.1}")
                })
                .collect();
            let _ = writeln!(
                svg,
                r##"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round"><title>{}</title></polyline>"##,
                path.join(" "),
                esc(name)
            );
        }
        let y = top + 26.0 + 22.0 * i as f64;
        let _ = writeln!(
            svg,
            r##"<line x1="{legend_x:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="3"/><text x="{:.1}" y="{y:.1}" dominant-baseline="middle">{} {}</text>"##,
            legend_x + 20.0,
            legend_x + 28.0,
            esc(name),
            area.map_or("–".to_string(), |a| format!("{a:.3}"))
        );
    }
    close(svg)
}

/// The reliability diagram: accuracy per confidence bin as bars against the diagonal of perfect
/// calibration, with each bin's image count above its bar so sparse bins are not over-read.
pub fn reliability_svg(bins: &[ReliabilityBin], ece: f64) -> String {
    let (size, _, top) = PLOT;
    let width = 640.0;
    let height = top + size + 64.0;
    let title = "Reliability of the top label";
    let mut svg = open(width, height, title);
    let n: usize = bins.iter().map(|b| b.n).sum();
    heading(
        &mut svg,
        title,
        &format!(
            "n = {n}; ECE = {ece:.3} over {} bins; bars: accuracy per bin, numbers: images per bin\n\
             dashed: perfect calibration (accuracy equals confidence)",
            bins.len()
        ),
    );
    unit_axes(&mut svg, "confidence (top-label probability)", "accuracy");
    for bin in bins.iter().filter(|b| b.n > 0) {
        let (x, y) = at(bin.lower, bin.accuracy);
        let w = ((bin.upper - bin.lower) * size - 2.0).max(1.0);
        let _ = writeln!(
            svg,
            r##"<rect x="{:.1}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="#6baed6" stroke="#2171b5"><title>confidence {:.2}–{:.2}: n = {}, mean confidence {:.3}, accuracy {:.3}</title></rect>"##,
            x + 1.0,
            top + size - y,
            bin.lower,
            bin.upper,
            bin.n,
            bin.confidence,
            bin.accuracy
        );
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="#444">{}</text>"##,
            x + 1.0 + w / 2.0,
            y - 4.0,
            bin.n
        );
    }
    diagonal(&mut svg);
    close(svg)
}

/// Pixel position of (x, y) in the [0, 1] × [0, 1] plot.
fn at(x: f64, y: f64) -> (f64, f64) {
    let (size, left, top) = PLOT;
    (
        left + x.clamp(0.0, 1.0) * size,
        top + (1.0 - y.clamp(0.0, 1.0)) * size,
    )
}

/// Frame, grid every 0.2, tick labels and axis titles of the [0, 1] × [0, 1] plot.
fn unit_axes(svg: &mut String, x_label: &str, y_label: &str) {
    let (size, left, top) = PLOT;
    for k in 0..=5 {
        let v = f64::from(k) / 5.0;
        let (x, y) = at(v, v);
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{top:.1}" y2="{:.1}" stroke="#e5e5e5"/><line x1="{left:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e5e5"/>
<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#444">{v:.1}</text><text x="{:.1}" y="{y:.1}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="#444">{v:.1}</text>"##,
            top + size,
            left + size,
            top + size + 16.0,
            left - 6.0
        );
    }
    let _ = writeln!(
        svg,
        r##"<rect x="{left:.1}" y="{top:.1}" width="{size}" height="{size}" fill="none" stroke="#222"/>
<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
        left + size / 2.0,
        top + size + 40.0,
        esc(x_label)
    );
    let middle = top + size / 2.0;
    let _ = writeln!(
        svg,
        r##"<text x="24" y="{middle:.1}" text-anchor="middle" transform="rotate(-90 24 {middle:.1})">{}</text>"##,
        esc(y_label)
    );
}

/// The dashed y = x line: chance for ROC, perfect calibration for reliability.
fn diagonal(svg: &mut String) {
    let ((x0, y0), (x1, y1)) = (at(0.0, 0.0), at(1.0, 1.0));
    let _ = writeln!(
        svg,
        r##"<line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="#555" stroke-dasharray="5 4"/>"##
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balanced(svg: &str) -> bool {
        svg.starts_with("<svg xmlns=")
            && svg.matches("<svg").count() == svg.matches("</svg>").count()
    }

    #[test]
    fn confusion_shows_counts_and_escapes_codes() {
        let codes = ["a<b", "c&d"].map(String::from);
        let svg = confusion_svg(&codes, &[vec![3, 1], vec![0, 4]]);
        assert!(balanced(&svg));
        assert!(svg.contains("a&lt;b") && svg.contains("c&amp;d") && !svg.contains("a<b"));
        assert!(svg.contains(">3<") && svg.contains(">75%<") && svg.contains(">predicted<"));
        assert!(balanced(&confusion_svg(&[], &[])));
    }

    #[test]
    fn roc_draws_a_line_per_curve_and_names_its_auroc() {
        let curves = vec![
            (
                "mel".to_string(),
                vec![(0.0, 0.0), (0.2, 0.9), (1.0, 1.0)],
                Some(0.91),
            ),
            ("df".to_string(), Vec::new(), None),
        ];
        let svg = roc_svg(&curves);
        assert!(balanced(&svg));
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(svg.contains("mel 0.910") && svg.contains("df –"));
    }

    #[test]
    fn reliability_draws_occupied_bins_with_their_counts() {
        let bins = vec![
            ReliabilityBin {
                lower: 0.0,
                upper: 0.5,
                n: 0,
                confidence: 0.0,
                accuracy: 0.0,
            },
            ReliabilityBin {
                lower: 0.5,
                upper: 1.0,
                n: 12,
                confidence: 0.8,
                accuracy: 0.75,
            },
        ];
        let svg = reliability_svg(&bins, 0.05);
        assert!(balanced(&svg));
        assert!(svg.contains(">12<") && svg.contains("ECE = 0.050"));
        assert_eq!(svg.matches("fill=\"#6baed6\"").count(), 1);
    }
}
