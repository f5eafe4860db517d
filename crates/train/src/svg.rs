//! Small SVG building blocks shared by the audit's and the evaluation's charts: one look for
//! every chart dermtone writes.

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
