//! Small SVG building blocks shared by the audit's and the evaluation's charts: one look for
//! every chart dermtone writes.
//!
//! Why not a plotting crate (weighed for issue 21): plotters' SVG backend (plotters-svg) writes
//! only shapes and text (`svg`, `rect`, `line`, `polyline`, `polygon`, `circle`, `text`). Every
//! chart here is an image with an accessible name (`role="img"` and a `<title>`), and each
//! heat-map cell carries its count and share as a `<title>` a screen reader or a hover reads;
//! plotters has no way to emit either, so moving would make the cards' charts less accessible
//! and change every committed report. The charts are few and fixed (ROC, reliability,
//! confusion, tone histograms; learning curves are drawn by `scripts/learning-curves.mjs`), so
//! these blocks stay.

use std::fmt::Write;

/// The charts' font stack.
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/// A sequential light-to-dark blue for a share in [0, 1] (ColorBrewer Blues stops).
pub fn blue(share: f64) -> String {
    const STOPS: [[f64; 3]; 5] = [
        [247.0, 251.0, 255.0],
        [198.0, 219.0, 239.0],
        [107.0, 174.0, 214.0],
        [33.0, 113.0, 181.0],
        [8.0, 48.0, 107.0],
    ];
    let pos = share.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let t = pos - i as f64;
    let c: Vec<u8> = (0..3)
        .map(|k| (STOPS[i][k] + (STOPS[i + 1][k] - STOPS[i][k]) * t).round() as u8)
        .collect();
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// One heat-map cell at `(x, y, side)`: shaded by `count`'s share of its row `total`, labelled
/// with the count (and the share, when `with_share` and the row is not empty), with `title` as
/// its tooltip.
pub fn heat_cell(
    svg: &mut String,
    (x, y, cell): (f64, f64, f64),
    count: usize,
    total: usize,
    title: &str,
    with_share: bool,
) {
    let share = if total > 0 {
        count as f64 / total as f64
    } else {
        0.0
    };
    let _ = writeln!(
        svg,
        r##"<rect x="{x:.1}" y="{y:.1}" width="{cell}" height="{cell}" fill="{}" stroke="#fff"><title>{}: {count} ({:.1}% of the row)</title></rect>"##,
        blue(share),
        esc(title),
        100.0 * share
    );
    let ink = if share > 0.45 { "#fff" } else { "#000" };
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{ink}">{count}</text>"##,
        x + cell / 2.0,
        y + cell / 2.0
    );
    if total > 0 && with_share {
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="{ink}">{:.0}%</text>"##,
            x + cell / 2.0,
            y + cell / 2.0 + 14.0,
            100.0 * share
        );
    }
}

/// Black outlines around the diagonal cells of an `n`×`n` heat map whose top-left cell is at
/// (`left`, `top`); drawn last, so no neighbouring cell paints over them.
pub fn outline_diagonal(svg: &mut String, (left, top, cell): (f64, f64, f64), n: usize) {
    for d in 0..n {
        let at = d as f64 * cell;
        let _ = writeln!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="{cell}" height="{cell}" fill="none" stroke="#000" stroke-width="2"/>"##,
            left + at,
            top + at
        );
    }
}

/// Title, then the subtitle one line per `\n`, 16 px apart from y = 50.
pub fn heading(svg: &mut String, title: &str, subtitle: &str) {
    let _ = writeln!(
        svg,
        r##"<text x="24" y="30" font-size="18" font-weight="600">{}</text>"##,
        esc(title)
    );
    for (i, line) in subtitle.lines().enumerate() {
        let _ = writeln!(
            svg,
            r##"<text x="24" y="{}" fill="#444">{}</text>"##,
            50 + 16 * i,
            esc(line)
        );
    }
}

/// Opens an SVG document of the given size with a white background.
pub fn open(width: f64, height: f64, title: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" font-family="{FONT}" font-size="13" fill="#111" role="img">
<title>{}</title>
<rect width="100%" height="100%" fill="#fff"/>
"##,
        esc(title)
    )
}

/// Closes an SVG document.
pub fn close(mut svg: String) -> String {
    svg.push_str("</svg>\n");
    svg
}

/// Escapes text for SVG content and attribute values.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blue_runs_from_near_white_to_navy() {
        assert_eq!(blue(0.0), "#f7fbff");
        assert_eq!(blue(1.0), "#08306b");
        assert_eq!(blue(7.0), "#08306b");
    }

    #[test]
    fn heat_cells_escape_their_title_and_show_the_share_only_when_asked() {
        let mut svg = String::new();
        heat_cell(&mut svg, (0.0, 0.0, 50.0), 3, 4, "a<b", true);
        assert!(svg.contains("a&lt;b: 3 (75.0% of the row)"), "{svg}");
        assert!(svg.contains(">75%</text>"), "{svg}");
        let mut small = String::new();
        heat_cell(&mut small, (0.0, 0.0, 30.0), 3, 4, "x", false);
        assert!(!small.contains("75%</text>"), "{small}");
    }
}
