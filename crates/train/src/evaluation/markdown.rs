//! The evaluation for people: `report.md` with its headline figures and intervals, the
//! operating point, per-class and per-tone tables and the confusion matrix, plus the files it
//! links to.

use std::collections::BTreeMap;
use std::fmt::Write;

use dermtone_color::ItaCategory;

use super::calibration::ECE_BINS;
use super::report::{EvalReport, LOW_EVIDENCE_N, RocCurve, ToneEval};
use super::svg::{confusion_svg, reliability_svg, roc_svg};

/// The report and its charts as (file name, contents), ready to write side by side so the
/// Markdown's image links resolve.
pub fn report_files(report: &EvalReport, roc: &[RocCurve]) -> Vec<(&'static str, String)> {
    vec![
        ("report.md", markdown_report(report)),
        (
            "confusion.svg",
            confusion_svg(&report.class_codes, &report.confusion),
        ),
        ("roc.svg", roc_svg(roc)),
        (
            "reliability.svg",
            reliability_svg(&report.reliability, report.ece),
        ),
    ]
}

/// The whole report as Markdown.
pub fn markdown_report(report: &EvalReport) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Evaluation: {} model `{}` on the {} split\n",
        report.task, report.model, report.split
    );
    let _ = writeln!(
        md,
        "A screening aid, not a diagnosis: these figures describe how the model ranks and sorts \
         {} {}; they do not replace a clinician's examination. Probabilities were \
         calibrated by temperature scaling (T = {:.3}, fitted on the validation split). 95% \
         intervals come from a percentile bootstrap over images.\n",
        report.n,
        images_of(&report.task),
        report.temperature
    );
    headline(&mut md, report);
    operating_point(&mut md, report);
    per_class(&mut md, report);
    by_tone(&mut md, report);
    confusion(&mut md, report);
    let _ = writeln!(
        md,
        "## Charts\n\n![confusion](confusion.svg)\n\n![ROC](roc.svg)\n\n![reliability](reliability.svg)"
    );
    md
}

/// What the evaluated images are, by the model's task: a photo model's report must not call its
/// photos dermoscopy images.
fn images_of(task: &str) -> &'static str {
    match task {
        "dermoscopy" => "dermoscopy images",
        "photo" => "photos",
        _ => "images",
    }
}

fn headline(md: &mut String, report: &EvalReport) {
    let m = &report.malignant;
    let rows: [(&str, &str, Option<f64>, Format); 8] = [
        ("Accuracy", "accuracy", Some(report.accuracy), percent),
        (
            "Balanced accuracy (mean recall over classes)",
            "balanced_accuracy",
            Some(report.balanced_accuracy),
            percent,
        ),
        (
            "Macro AUROC (one class against the rest)",
            "macro_auroc",
            report.macro_auroc,
            decimal,
        ),
        (
            "Expected calibration error",
            "ece",
            Some(report.ece),
            decimal,
        ),
        ("Malignant AUROC", "malignant_auroc", m.auroc, decimal),
        (
            "Malignant sensitivity",
            "malignant_sensitivity",
            m.sensitivity,
            percent,
        ),
        (
            "Malignant specificity",
            "malignant_specificity",
            m.specificity,
            percent,
        ),
        (
            "Melanoma sensitivity",
            "melanoma_sensitivity",
            report.melanoma.sensitivity,
            percent,
        ),
    ];
    let _ = writeln!(
        md,
        "## Headline\n\n| Figure | Value | 95% CI |\n|---|---:|---:|"
    );
    for (name, key, value, format) in rows {
        let ci = report.ci95.get(key).map_or("–".to_string(), |[lo, hi]| {
            format!("{} – {}", format(Some(*lo)), format(Some(*hi)))
        });
        let _ = writeln!(md, "| {name} | {} | {ci} |", format(value));
    }
    let _ = writeln!(
        md,
        "\nCalibration error is over {ECE_BINS} equal-width bins of top-label probability; 0 is \
         perfect, yet a perfectly calibrated model would show {:.3} on these images by chance \
         alone (more on fewer images).\n",
        report.ece_at_chance
    );
}

fn operating_point(md: &mut String, report: &EvalReport) {
    let m = &report.malignant;
    let mel = &report.melanoma;
    let _ = writeln!(
        md,
        "## Operating point\n\n\
         The app flags an image when its malignant score (the summed probability of {}) is at \
         least **{:.3}**.\n\n\
         - Malignant: sensitivity {}, specificity {} ({} malignant of {} images)\n\
         - Melanoma, flagged by the same rule: sensitivity {}, specificity {} ({} melanoma \
         images)\n",
        m.classes.join(", "),
        m.threshold,
        percent(m.sensitivity),
        percent(m.specificity),
        m.n,
        report.n,
        percent(mel.sensitivity),
        percent(mel.specificity),
        mel.n
    );
}

fn per_class(md: &mut String, report: &EvalReport) {
    let _ = writeln!(
        md,
        "## Per class\n\nSensitivity and specificity of the top-class prediction; AUROC of the \
         class's probability against the rest.\n\n\
         | Class | n | Sensitivity | Specificity | AUROC |\n|---|---:|---:|---:|---:|"
    );
    for (code, c) in &report.per_class {
        let _ = writeln!(
            md,
            "| {code} | {} | {} | {} | {} |",
            c.n,
            percent(c.sensitivity),
            percent(c.specificity),
            decimal(c.auroc)
        );
    }
    md.push('\n');
}

fn by_tone(md: &mut String, report: &EvalReport) {
    let intro = if report.by_estimated_tone.is_empty() {
        "Tone groups come from the ITA° of non-lesion skin in each image, estimated by dermtone \
         rather than labelled, so they are approximate."
    } else {
        "Tone groups are the dataset's labelled Fitzpatrick types (crowd labels, noisy), as \
         groups (I-II, III-IV, V-VI) and single types (1–6); an image counts in its group and in \
         its type."
    };
    tone_table(md, "By skin tone", intro, &report.by_tone);
    if !report.by_estimated_tone.is_empty() {
        tone_table(
            md,
            "By estimated skin tone",
            "The same images grouped by the Fitzpatrick type dermtone's ITA rule estimates from \
             the photo, for comparison with the labelled groups above: where the two disagree, \
             the estimate (which the app uses) is the weaker guide.",
            &report.by_estimated_tone,
        );
    }
}

/// Fitzpatrick groups and types in reading order, after the ITA categories.
const FITZPATRICK_ORDER: [&str; 9] = ["I-II", "III-IV", "V-VI", "1", "2", "3", "4", "5", "6"];

fn tone_table(md: &mut String, title: &str, intro: &str, tones: &BTreeMap<String, ToneEval>) {
    let _ = writeln!(
        md,
        "## {title}\n\n{intro} Groups with fewer than {LOW_EVIDENCE_N} images are marked *low \
         evidence*: their figures can swing widely by chance. Brackets hold 95 % bootstrap \
         intervals. *ECE by chance* is the ECE a perfectly calibrated model would show on the \
         group's images: a measured ECE near it says nothing against the model.\n"
    );
    if tones.is_empty() {
        let _ = writeln!(md, "No images.\n");
        return;
    }
    let _ = writeln!(
        md,
        "| Tone | n | Accuracy | Balanced accuracy | Malignant AUROC | Malignant sensitivity | Malignant specificity | ECE | ECE by chance | Note |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    let mut groups: Vec<_> = tones.iter().collect();
    groups.sort_by_key(|(group, _)| {
        // Tone rows follow the tone scale from light to dark, not the alphabet; other group
        // names (unknown) come after.
        let ita = ItaCategory::ALL.iter().position(|c| c.as_str() == *group);
        let fitzpatrick = FITZPATRICK_ORDER.iter().position(|g| g == group);
        let rank = ita.or(fitzpatrick.map(|r| r + ItaCategory::ALL.len()));
        (rank.unwrap_or(usize::MAX), *group)
    });
    for (group, t) in groups {
        let ci = |key: &str| {
            t.ci95
                .get(key)
                .map_or(String::new(), |[lo, hi]| format!(" [{lo:.2}–{hi:.2}]"))
        };
        let ci_percent = |key: &str| {
            t.ci95.get(key).map_or(String::new(), |[lo, hi]| {
                format!(" [{:.1}–{:.1}%]", 100.0 * lo, 100.0 * hi)
            })
        };
        let _ = writeln!(
            md,
            "| {group} | {} | {} | {} | {}{} | {}{} | {}{} | {} | {} | {} |",
            t.n,
            percent(Some(t.accuracy)),
            percent(Some(t.balanced_accuracy)),
            decimal(t.malignant_auroc),
            ci("malignant_auroc"),
            percent(t.malignant_sensitivity),
            ci_percent("malignant_sensitivity"),
            percent(t.malignant_specificity),
            ci_percent("malignant_specificity"),
            decimal(Some(t.ece)),
            decimal(Some(t.ece_at_chance)),
            if t.low_evidence { "low evidence" } else { "" }
        );
    }
    md.push('\n');
}

fn confusion(md: &mut String, report: &EvalReport) {
    let codes = &report.class_codes;
    let _ = writeln!(
        md,
        "## Confusion matrix\n\nRows: true class; columns: predicted class.\n\n| true \\ predicted | {} |\n|---|{}",
        codes.join(" | "),
        "---:|".repeat(codes.len())
    );
    for (code, row) in codes.iter().zip(&report.confusion) {
        let cells: Vec<String> = row.iter().map(usize::to_string).collect();
        let _ = writeln!(md, "| **{code}** | {} |", cells.join(" | "));
    }
    md.push('\n');
}

/// How a figure is written: [`percent`] or [`decimal`].
type Format = fn(Option<f64>) -> String;

/// A share as a percentage with one decimal, or a dash where undefined.
fn percent(value: Option<f64>) -> String {
    value.map_or("–".to_string(), |v| format!("{:.1}%", 100.0 * v))
}

/// A figure such as AUROC or ECE with three decimals, or a dash where undefined.
fn decimal(value: Option<f64>) -> String {
    value.map_or("–".to_string(), |v| format!("{v:.3}"))
}

#[cfg(test)]
mod tests {
    use super::super::evaluate::{EvalInput, evaluate, roc_curves};
    use super::*;

    fn report() -> (EvalReport, Vec<RocCurve>) {
        let codes = ["bcc", "mel", "nv"].map(String::from).to_vec();
        let probs = vec![
            vec![0.7, 0.2, 0.1],
            vec![0.1, 0.6, 0.3],
            vec![0.1, 0.2, 0.7],
            vec![0.2, 0.5, 0.3],
        ];
        let tones = ["light", "light", "dark", "dark"].map(|t| vec![t.to_string()]);
        let input = EvalInput {
            task: "dermoscopy",
            model: "m",
            split: "test",
            class_codes: &codes,
            probabilities: &probs,
            labels: &[0, 1, 2, 2],
            malignant_classes: &[0, 1],
            melanoma_class: 1,
            threshold: 0.5,
            temperature: 1.2,
            tone_groups: &tones,
            estimated_tone_groups: &[],
            resamples: 20,
            seed: 1,
        };
        (evaluate(&input), roc_curves(&input))
    }

    #[test]
    fn markdown_states_its_limits_and_links_its_charts() {
        let md = markdown_report(&report().0);
        assert!(md.contains("A screening aid, not a diagnosis"));
        assert!(md.contains("ranks and sorts 4 dermoscopy images;"));
        assert!(md.contains("ITA° of non-lesion skin"));
        for link in [
            "![confusion](confusion.svg)",
            "![ROC](roc.svg)",
            "![reliability](reliability.svg)",
        ] {
            assert!(md.contains(link), "{link}");
        }
        assert!(md.contains("| dark | 2 | 50.0% |") && md.contains("low evidence"));
        assert!(md.find("| light |") < md.find("| dark |"));
        assert!(md.contains("| true \\ predicted | bcc | mel | nv |"));
        assert!(md.contains("| **nv** | 0 | 1 | 1 |"));
        assert!(md.contains("| Accuracy | 75.0% |"));
    }

    #[test]
    fn a_photo_models_report_calls_its_images_photos() {
        let mut report = report().0;
        report.task = "photo".into();
        let md = markdown_report(&report);
        assert!(md.contains("ranks and sorts 4 photos;"), "{md}");
        assert!(!md.contains("dermoscopy images"));
    }

    #[test]
    fn files_are_the_report_and_its_three_charts() {
        let (report, roc) = report();
        let files = report_files(&report, &roc);
        let names: Vec<&str> = files.iter().map(|f| f.0).collect();
        assert_eq!(
            names,
            ["report.md", "confusion.svg", "roc.svg", "reliability.svg"]
        );
        assert!(files[1..].iter().all(|f| f.1.starts_with("<svg")));
    }
}
