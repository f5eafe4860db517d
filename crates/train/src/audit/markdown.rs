//! The report as Markdown tables: what `dermtone audit` prints and what `audit.md` holds.

use std::fmt::Write;

use super::counts::{Counts, GROUP_KEYS, ITA_KEYS, ToneCounts, TypeCounts};
use super::report::{AuditReport, LabelledGroup, SplitAgreement};

const TYPE_NAMES: [&str; 7] = ["I", "II", "III", "IV", "V", "VI", "unknown"];

/// Renders the whole report.
pub fn render(report: &AuditReport) -> String {
    let mut md = String::new();
    summary(&mut md, report);
    if report.images.listed > 0 {
        estimated(&mut md, report);
    }
    if let Some(labelled) = &report.labelled {
        section(
            &mut md,
            &format!("Labelled Fitzpatrick type ({})", labelled.source),
        );
        labelled_table(&mut md, "class", &labelled.by_class, &labelled.overall);
        for (title, groups) in [
            ("partition", &labelled.by_partition),
            ("split", &labelled.by_split),
        ] {
            if !groups.is_empty() {
                md.push('\n');
                labelled_table(&mut md, title, groups, &labelled.overall);
            }
        }
    }
    if let Some(agreement) = &report.agreement {
        section(
            &mut md,
            &format!(
                "Agreement of the estimate ({}) with the labels ({})",
                agreement.estimate, agreement.label
            ),
        );
        agreement_tables(&mut md, &agreement.overall, &agreement.by_split);
    }
    if report.synthetic.n > 0 {
        synthetic(&mut md, report);
    }
    if !report.errors.is_empty() {
        section(&mut md, "Unreadable files");
        for e in &report.errors {
            let _ = writeln!(md, "- `{}`: {}", e.path, e.message);
        }
    }
    md
}

fn summary(md: &mut String, report: &AuditReport) {
    let i = &report.images;
    let _ = writeln!(md, "# Skin-tone audit\n");
    let _ = writeln!(
        md,
        "- Dataset: `{}` (layout `{}`)",
        report.dataset, report.layout
    );
    if i.listed > 0 {
        let _ = writeln!(
            md,
            "- Images: {} listed: {} real ({} with a tone estimate, {} without: too little \
             visible skin or, for {}, a blue colour cast), {} synthetic (counted apart), {} unreadable",
            i.listed, i.real, i.tone_known, i.tone_unknown, i.colour_cast, i.synthetic, i.errors
        );
    }
    if let Some(e) = &report.estimator {
        let _ = writeln!(
            md,
            "- Tone estimate: {}; photos shrunk to a {} px short side; lesion masks: {} \
             hand-drawn, {} automatic\n- Fitzpatrick from ITA°: {}",
            e.method,
            e.short_side,
            e.lesion_masks.hand,
            e.lesion_masks.automatic,
            e.fitzpatrick_from_ita
        );
    }
}

fn estimated(md: &mut String, report: &AuditReport) {
    let rows: Vec<(&str, &ToneCounts)> = report
        .by_class
        .iter()
        .map(|c| (c.class.as_str(), &c.tones))
        .chain([("**all**", &report.overall)])
        .collect();
    section(md, "Estimated Fitzpatrick type (from ITA°) per class");
    table(
        md,
        "class",
        &TYPE_NAMES,
        rows.iter().map(|(k, t)| (*k, &t.types.fitzpatrick)),
    );
    section(md, "Estimated Fitzpatrick group per class");
    table(
        md,
        "class",
        &GROUP_KEYS,
        rows.iter().map(|(k, t)| (*k, &t.types.groups)),
    );
    section(md, "ITA category per class");
    table(
        md,
        "class",
        &ITA_KEYS,
        rows.iter().map(|(k, t)| (*k, &t.ita_category)),
    );
    md.push_str("\n| class | median ITA° | IQR of ITA° |\n| --- | ---: | ---: |\n");
    for (key, tones) in &rows {
        let (median, iqr) = tones.ita.map_or(("–".into(), "–".into()), |q| {
            (
                format!("{:.1}", q.median),
                format!("{:.1} – {:.1}", q.p25, q.p75),
            )
        });
        let _ = writeln!(md, "| {key} | {median} | {iqr} |");
    }
    if !report.by_split.is_empty() {
        section(md, "Estimated Fitzpatrick group per split");
        table(
            md,
            "split",
            &GROUP_KEYS,
            report
                .by_split
                .iter()
                .map(|s| (s.split.as_str(), &s.tones.types.groups)),
        );
    }
}

fn labelled_table(md: &mut String, title: &str, groups: &[LabelledGroup], overall: &TypeCounts) {
    let rows = groups
        .iter()
        .map(|g| (g.group.as_str(), &g.types.fitzpatrick))
        .chain([("**all**", &overall.fitzpatrick)]);
    table(md, title, &TYPE_NAMES, rows);
}

fn agreement_tables(md: &mut String, overall: &SplitAgreement, by_split: &[SplitAgreement]) {
    md.push_str(
        "| split | n | unknown estimates | exact | within ±1 | Spearman (type) | Spearman (ITA°) |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    let percent = |x: Option<f64>| x.map_or("–".into(), |x| format!("{:.1}%", 100.0 * x));
    let number = |x: Option<f64>| x.map_or("–".into(), |x| format!("{x:.3}"));
    for s in by_split.iter().chain([overall]) {
        let a = &s.agreement;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            s.split,
            a.n,
            a.unknown_estimates,
            percent(a.exact),
            percent(a.within_one),
            number(a.spearman),
            number(s.spearman_ita)
        );
    }
    let _ = writeln!(
        md,
        "\nConfusion matrix (all splits): rows are labelled types, columns estimated ones.\n"
    );
    md.push_str("| labelled \\ estimated | I | II | III | IV | V | VI | unknown |\n");
    md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let c = &overall.agreement.confusion;
    for ((row, unknown), name) in c.matrix.iter().zip(c.unknown_estimates).zip(TYPE_NAMES) {
        let cells: Vec<String> = row.iter().map(usize::to_string).collect();
        let _ = writeln!(md, "| {name} | {} | {unknown} |", cells.join(" | "));
    }
}

fn synthetic(md: &mut String, report: &AuditReport) {
    section(md, "Synthetic images (not part of any figure above)");
    table(
        md,
        "class",
        &GROUP_KEYS,
        report
            .synthetic
            .by_class
            .iter()
            .map(|c| (c.class.as_str(), &c.tones.types.groups)),
    );
    md.push('\n');
    for s in &report.synthetic.images {
        let p = &s.provenance;
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".into());
        let _ = writeln!(
            md,
            "- `{}`: generator {}, source tone {}, target tone {}, estimated type {}",
            s.image.path,
            or_dash(&p.generator),
            or_dash(&p.source_tone),
            or_dash(&p.target_tone),
            s.image
                .fitzpatrick
                .map_or("unknown".into(), |t| t.to_string())
        );
    }
}

fn section(md: &mut String, title: &str) {
    let _ = writeln!(md, "\n## {title}\n");
}

/// A table with one row per (name, counts): `n`, then `count (share)` per key. Names may be
/// folder names, so a `|` in them is escaped.
fn table<'a>(
    md: &mut String,
    first: &str,
    headers: &[&str],
    rows: impl Iterator<Item = (&'a str, &'a Counts)>,
) {
    let _ = writeln!(md, "| {first} | n | {} |", headers.join(" | "));
    let _ = writeln!(md, "| --- | ---: |{}", " ---: |".repeat(headers.len()));
    for (name, counts) in rows {
        let cells: Vec<String> = counts
            .iter()
            .map(|(key, n)| match counts.share(key) {
                Some(share) if n > 0 => format!("{n} ({:.1}%)", 100.0 * share),
                _ => n.to_string(),
            })
            .collect();
        let name = name.replace('|', "\\|");
        let _ = writeln!(
            md,
            "| {name} | {} | {} |",
            counts.total(),
            cells.join(" | ")
        );
    }
}
