//! The report's charts as standalone SVG, built as text: stacked tone bars per class, ITA°
//! histograms as small multiples, and the labelled-vs-estimated confusion heatmap. Colours are
//! viridis (ordered, readable in greyscale and with colour-vision deficiencies) and a one-hue
//! blue ramp for counts.

use std::fmt::Write;

use crate::svg::{close, esc, heading, heat_cell, open, outline_diagonal};

use super::counts::Counts;
use super::report::{AuditReport, SplitAgreement};

/// Types I–VI in viridis from light to dark, then grey for unknown.
const TYPE_COLOURS: [&str; 7] = [
    "#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154", "#bbbbbb",
];
/// Text that stays readable on each of [`TYPE_COLOURS`].
const TYPE_TEXT: [&str; 7] = ["#000", "#000", "#000", "#fff", "#fff", "#fff", "#000"];
const TYPE_NAMES: [&str; 7] = ["I", "II", "III", "IV", "V", "VI", "unknown"];
/// Fitzpatrick cut-offs on ITA° (Groh et al.): type I lies above the first, VI below the last.
const CUT_OFFS: [f64; 5] = [40.0, 23.0, 12.0, 0.0, -25.0];

/// Every chart the report supports, as (file name, SVG text).
pub fn charts(report: &AuditReport) -> Vec<(&'static str, String)> {
    let mut charts = Vec::new();
    if report.images.real > 0 {
        let rows: Vec<(&str, &Counts)> = report
            .by_class
            .iter()
            .map(|c| (c.class.as_str(), &c.tones.types.fitzpatrick))
            .chain([("all", &report.overall.types.fitzpatrick)])
            .collect();
        charts.push((
            "tone_by_class.svg",
            stacked_bars(
                "Estimated Fitzpatrick type per class",
                "type from the median ITA° of healthy skin; share of each class's real images",
                &rows,
            ),
        ));
        charts.push(("ita_histogram.svg", ita_histograms(report)));
    }
    if let Some(labelled) = &report.labelled {
        let rows: Vec<(&str, &Counts)> = labelled
            .by_class
            .iter()
            .map(|g| (g.group.as_str(), &g.types.fitzpatrick))
            .chain([("all", &labelled.overall.fitzpatrick)])
            .collect();
        charts.push((
            "labelled_by_class.svg",
            stacked_bars(
                "Labelled Fitzpatrick type per class",
                &format!("the dataset's own labels ({})", labelled.source),
                &rows,
            ),
        ));
    }
    if let Some(agreement) = &report.agreement {
        charts.push(("confusion.svg", confusion_heatmap(&agreement.overall)));
    }
    charts
}

/// One horizontal bar per row, split into the shares of types I–VI and unknown; the last row
/// (the total) is labelled in bold.
fn stacked_bars(title: &str, subtitle: &str, rows: &[(&str, &Counts)]) -> String {
    let label_w = label_width(rows.iter().map(|r| r.0));
    let (bar_x, bar_w, row_h, top) = (label_w + 16.0, 520.0, 24.0, 96.0);
    let width = bar_x + bar_w + 90.0;
    let height = top + row_h * rows.len() as f64 + 16.0;
    let mut svg = open(width, height, title);
    heading(&mut svg, title, subtitle);
    legend(&mut svg, bar_x, 70.0);
    for (i, (name, counts)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let weight = if i + 1 == rows.len() { "600" } else { "normal" };
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" dominant-baseline="middle" font-weight="{weight}">{}</text>"##,
            bar_x - 8.0,
            y + row_h / 2.0 - 2.0,
            esc(name)
        );
        let mut x = bar_x;
        for (k, (key, n)) in counts.iter().enumerate() {
            let share = counts.share(key).unwrap_or(0.0);
            if n == 0 {
                continue;
            }
            let w = bar_w * share;
            let _ = writeln!(
                svg,
                r##"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{}"><title>{}: {n} ({:.1}%)</title></rect>"##,
                y + 2.0,
                row_h - 6.0,
                TYPE_COLOURS[k],
                esc(&format!("{name}, type {}", TYPE_NAMES[k])),
                100.0 * share
            );
            if w >= 34.0 {
                let _ = writeln!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" dominant-baseline="middle" font-size="11" fill="{}">{:.0}%</text>"##,
                    x + w / 2.0,
                    y + row_h / 2.0 - 1.0,
                    TYPE_TEXT[k],
                    100.0 * share
                );
            }
            x += w;
        }
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" dominant-baseline="middle" fill="#444">n = {}</text>"##,
            bar_x + bar_w + 8.0,
            y + row_h / 2.0 - 2.0,
            counts.total()
        );
    }
    close(svg)
}

/// One ITA° histogram per class (and all), each scaled to its own tallest bar, over the range
/// where any image falls; bars coloured by the Fitzpatrick type their centre maps to.
fn ita_histograms(report: &AuditReport) -> String {
    let h = &report.tone_histogram;
    let first = h
        .all
        .iter()
        .position(|&c| c > 0)
        .unwrap_or(0)
        .saturating_sub(1);
    let last = (h
        .all
        .iter()
        .rposition(|&c| c > 0)
        .unwrap_or(h.all.len() - 1)
        + 2)
    .min(h.all.len());
    let (lo, hi) = (
        h.from + first as f64 * h.bin_width,
        h.from + last as f64 * h.bin_width,
    );
    let panels: Vec<(String, &[usize])> = h
        .by_class
        .iter()
        .map(|c| (c.class.clone(), c.counts.as_slice()))
        .chain([("all".to_string(), h.all.as_slice())])
        .collect();
    let (cols, panel_w, panel_h, top) = (3usize, 280.0, 184.0, 112.0);
    let rows = panels.len().div_ceil(cols);
    let width = cols as f64 * panel_w + 40.0;
    let height = top + rows as f64 * panel_h + 8.0;
    let title = "ITA° of healthy skin per class";
    let mut svg = open(width, height, title);
    heading(
        &mut svg,
        title,
        "real images with a tone, per 5° bin; each panel scaled to its own tallest bar\n\
         dashed: Fitzpatrick cut-offs; grey: beyond ±90° (skin b* < 0, a blue cast)",
    );
    legend(&mut svg, 24.0, 88.0);
    let (plot_w, plot_h) = (panel_w - 48.0, panel_h - 78.0);
    for (p, (name, counts)) in panels.iter().enumerate() {
        let (px, py) = (
            24.0 + (p % cols) as f64 * panel_w,
            top + (p / cols) as f64 * panel_h,
        );
        let (x0, y0) = (px + 8.0, py + 42.0);
        let total: usize = counts.iter().sum();
        let max = counts[first..last]
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
            .max(1);
        let _ = writeln!(
            svg,
            r##"<text x="{x0:.1}" y="{:.1}" font-weight="600">{}</text>
<text x="{x0:.1}" y="{:.1}" font-size="12" fill="#444">n = {total}, tallest bar {max}</text>"##,
            py + 14.0,
            esc(name),
            py + 30.0
        );
        let x_of = |ita: f64| x0 + (ita - lo) / (hi - lo) * plot_w;
        for (from, to) in [(lo, hi.min(-90.0)), (lo.max(90.0), hi)]
            .into_iter()
            .filter(|(a, b)| a < b)
        {
            let _ = writeln!(
                svg,
                r##"<rect x="{:.1}" y="{y0:.1}" width="{:.1}" height="{plot_h:.1}" fill="#ececec"/>"##,
                x_of(from),
                x_of(to) - x_of(from)
            );
        }
        let bar_w = plot_w / (last - first) as f64;
        for (b, &count) in counts.iter().enumerate().take(last).skip(first) {
            if count == 0 {
                continue;
            }
            let left = h.from + b as f64 * h.bin_width;
            let bh = plot_h * count as f64 / max as f64;
            let t = type_of(left + h.bin_width / 2.0);
            let _ = writeln!(
                svg,
                r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="{}"><title>{}: ITA° {left}–{}: {count}</title></rect>"##,
                x_of(left) + 0.5,
                y0 + plot_h - bh,
                (bar_w - 1.0).max(0.5),
                TYPE_COLOURS[t],
                esc(name),
                left + h.bin_width
            );
        }
        for cut in CUT_OFFS.iter().filter(|c| (lo..=hi).contains(*c)) {
            let _ = writeln!(
                svg,
                r##"<line x1="{x:.1}" x2="{x:.1}" y1="{y0:.1}" y2="{:.1}" stroke="#555" stroke-dasharray="3 3"/>"##,
                y0 + plot_h,
                x = x_of(*cut)
            );
        }
        let _ = writeln!(
            svg,
            r##"<line x1="{x0:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#222"/>"##,
            x0 + plot_w,
            y = y0 + plot_h
        );
        for tick in ticks(lo, hi) {
            let _ = writeln!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#444">{tick}°</text>"##,
                x_of(tick),
                y0 + plot_h + 14.0
            );
        }
    }
    close(svg)
}

/// Labelled types (rows) against estimated ones (columns, then unknown); each cell shaded by
/// its share of the row, so rows of every size read alike. Agreeing cells are outlined.
fn confusion_heatmap(overall: &SplitAgreement) -> String {
    let a = &overall.agreement;
    let (cell, left, top) = (62.0, 96.0, 130.0);
    let width = left + cell * 7.0 + 32.0;
    let height = top + cell * 6.0 + 56.0;
    let title = "Labelled vs estimated Fitzpatrick type";
    let mut svg = open(width, height, title);
    let figure = |x: Option<f64>, percent: bool| match x {
        Some(x) if percent => format!("{:.1}%", 100.0 * x),
        Some(x) => format!("{x:.2}"),
        None => "–".into(),
    };
    heading(
        &mut svg,
        title,
        &format!(
            "n = {}; exact {}; within ±1 {}; Spearman {}",
            a.n,
            figure(a.exact, true),
            figure(a.within_one, true),
            figure(a.spearman, false)
        ),
    );
    let _ = writeln!(
        svg,
        r##"<text x="24" y="70" fill="#444">shade: share of the row; outlined: agreement</text>"##
    );
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-weight="600">estimated (from ITA°)</text>"##,
        left + cell * 3.5,
        top - 30.0
    );
    let _ = writeln!(
        svg,
        r##"<text x="24" y="{:.1}" text-anchor="middle" font-weight="600" transform="rotate(-90 24 {:.1})">labelled</text>"##,
        top + cell * 3.0,
        top + cell * 3.0
    );
    for (c, name) in TYPE_NAMES.iter().enumerate() {
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{name}</text>"##,
            left + cell * (c as f64 + 0.5),
            top - 8.0
        );
    }
    for (r, row) in a.confusion.matrix.iter().enumerate() {
        let y = top + cell * r as f64;
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" dominant-baseline="middle">{}</text>"##,
            left - 10.0,
            y + cell / 2.0,
            TYPE_NAMES[r]
        );
        let cells: Vec<usize> = row
            .iter()
            .copied()
            .chain([a.confusion.unknown_estimates[r]])
            .collect();
        let total: usize = cells.iter().sum();
        for (c, &count) in cells.iter().enumerate() {
            let x = left + cell * c as f64;
            let title = format!("labelled {}, estimated {}", TYPE_NAMES[r], TYPE_NAMES[c]);
            heat_cell(&mut svg, (x, y, cell), count, total, &title, true);
        }
    }
    outline_diagonal(&mut svg, (left, top, cell), 6);
    close(svg)
}

/// The Fitzpatrick type (index into [`TYPE_COLOURS`]) an ITA° maps to.
fn type_of(ita: f64) -> usize {
    CUT_OFFS.iter().position(|&cut| ita > cut).unwrap_or(5)
}

/// Axis ticks inside [lo, hi]: every 30°, or every 60° or 90° when that would crowd a panel.
fn ticks(lo: f64, hi: f64) -> impl Iterator<Item = f64> {
    let step = [30.0, 60.0, 90.0]
        .into_iter()
        .find(|step| (hi - lo) / step <= 5.0)
        .unwrap_or(90.0);
    (-6..=6)
        .map(move |k| f64::from(k) * step)
        .filter(move |t| (-180.0..=180.0).contains(t) && (lo..=hi).contains(t))
}

/// Room for the longest row label, at about 7.5 px per character of 13 px text.
fn label_width<'a>(labels: impl Iterator<Item = &'a str>) -> f64 {
    let longest = labels.map(|l| l.chars().count()).max().unwrap_or(0);
    (longest as f64 * 7.5).clamp(40.0, 300.0)
}

fn legend(svg: &mut String, x: f64, y: f64) {
    let mut x = x;
    for (k, name) in TYPE_NAMES.iter().enumerate() {
        let _ = writeln!(
            svg,
            r##"<rect x="{x:.1}" y="{:.1}" width="14" height="14" fill="{}" stroke="#666" stroke-width="0.5"/><text x="{:.1}" y="{y:.1}" dominant-baseline="middle">{name}</text>"##,
            y - 7.0,
            TYPE_COLOURS[k],
            x + 19.0
        );
        x += 19.0 + name.len() as f64 * 8.0 + 14.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::counts::FITZPATRICK_KEYS;

    #[test]
    fn ita_maps_to_the_type_colour_of_its_cut_off() {
        assert_eq!(
            [50.0, 30.0, 20.0, 5.0, -10.0, -40.0].map(type_of),
            [0, 1, 2, 3, 4, 5]
        );
        assert_eq!(FITZPATRICK_KEYS.len(), TYPE_COLOURS.len());
    }

    #[test]
    fn stacked_bars_are_standalone_svg_with_escaped_labels() {
        let mut counts = Counts::new(&FITZPATRICK_KEYS);
        ["1", "1", "6", "unknown"]
            .iter()
            .for_each(|k| counts.add(k));
        let svg = stacked_bars("t", "s", &[("a<b & c", &counts)]);
        assert!(svg.starts_with(r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="##));
        assert!(svg.contains("a&lt;b &amp; c") && !svg.contains("a<b"));
        assert!(svg.contains(">50%<") && svg.contains("n = 4"));
        assert_eq!(svg.matches("<svg").count(), svg.matches("</svg>").count());
    }
}
