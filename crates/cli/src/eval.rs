//! `dermtone eval`: the shipped dermoscopy model on a HAM10000-layout folder, or the shipped
//! photo model on a Fitzpatrick17k-layout folder, as JSON or text,
//! optionally with a Markdown report and SVG charts.

use std::path::Path;

use dermtone_train::clinical::eval::evaluate_shipped_clinical;
use dermtone_train::datasets::fitzpatrick17k::is_subset_layout;
use dermtone_train::dermoscopy::eval::evaluate_shipped;
use dermtone_train::evaluation::{EvalReport, report_files};

pub fn run(
    data: &Path,
    split: &str,
    models: &Path,
    json: bool,
    report_dir: Option<&Path>,
) -> Result<(), String> {
    // A Fitzpatrick17k folder is photos (the photo model); anything else is read as HAM10000.
    let evaluated = if is_subset_layout(data) {
        evaluate_shipped_clinical(data, split, models, None)?
    } else {
        evaluate_shipped(data, split, models, None)?
    };
    if let Some(dir) = report_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let report_json =
            serde_json::to_string_pretty(&evaluated.report).map_err(|e| e.to_string())?;
        let mut files = report_files(&evaluated.report, &evaluated.roc);
        files.push(("eval.json", report_json));
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    if json {
        let text = serde_json::to_string_pretty(&evaluated.report).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print_text(&evaluated.report);
    }
    Ok(())
}

fn print_text(r: &EvalReport) {
    let figure = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.3}"));
    let ci = |name: &str| {
        r.ci95.get(name).map_or(String::new(), |[lo, hi]| {
            format!(" (95% CI {lo:.3}–{hi:.3})")
        })
    };
    println!("{} on {} images of split {:?}", r.model, r.n, r.split);
    println!("accuracy           {:.3}{}", r.accuracy, ci("accuracy"));
    println!(
        "balanced accuracy  {:.3}{}",
        r.balanced_accuracy,
        ci("balanced_accuracy")
    );
    println!(
        "macro AUROC        {}{}",
        figure(r.macro_auroc),
        ci("macro_auroc")
    );
    println!(
        "ECE                {:.3}{} (temperature {:.3})",
        r.ece,
        ci("ece"),
        r.temperature
    );
    println!(
        "malignant ({}): AUROC {}, sensitivity {}, specificity {} at threshold {:.3}",
        r.malignant.classes.join("+"),
        figure(r.malignant.auroc),
        figure(r.malignant.sensitivity),
        figure(r.malignant.specificity),
        r.malignant.threshold
    );
    println!(
        "melanoma (n {}): sensitivity {}, specificity {} at that threshold",
        r.melanoma.n,
        figure(r.melanoma.sensitivity),
        figure(r.melanoma.specificity)
    );
    for (label, tones) in [
        ("tone", &r.by_tone),
        ("estimated tone", &r.by_estimated_tone),
    ] {
        for (group, t) in tones {
            println!(
                "{label} {group:<12} n {:>5}  accuracy {:.3}  balanced {:.3}  malignant AUROC {}  \
                 sensitivity {}  specificity {}{}",
                t.n,
                t.accuracy,
                t.balanced_accuracy,
                figure(t.malignant_auroc),
                figure(t.malignant_sensitivity),
                figure(t.malignant_specificity),
                if t.low_evidence {
                    "  (low evidence: n < 30)"
                } else {
                    ""
                }
            );
        }
    }
    println!("A screening aid, not a diagnosis.");
}
