//! `dermtone analyze`: load the verified model, analyse one photo, print it.

use std::path::Path;

use dermtone_engine::{Analysis, TriageLevel};
use image::RgbImage;

use crate::AnalyzeArgs;
use crate::load::read_photo_and_engine;

pub fn run(args: &AnalyzeArgs) -> Result<(), String> {
    let (photo, engine) = read_photo_and_engine(&args.photo)?;
    let (image, json) = (args.photo.image.as_path(), args.photo.json);
    let analysis = pollster::block_on(engine.analyze(&photo)).map_err(|e| e.to_string())?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&analysis).map_err(|e| e.to_string())?
        );
    } else {
        print_text(image, &analysis);
    }
    match (&args.heatmap, &analysis.heatmap) {
        (Some(out), Some(heatmap)) => write_overlay(out, &heatmap.overlay(&photo)),
        (Some(out), None) => Err(format!(
            "{} was not written: the photo failed its quality check, so there is no heatmap",
            out.display()
        )),
        (None, _) => Ok(()),
    }
}

/// Writes `overlay` as a PNG, whatever `out`'s extension says.
fn write_overlay(out: &Path, overlay: &RgbImage) -> Result<(), String> {
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(out).map_err(|e| format!("cannot write {}: {e}", out.display()))?,
    );
    overlay
        .write_to(&mut file, image::ImageFormat::Png)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))
}

fn print_text(image: &Path, analysis: &Analysis) {
    println!(
        "{} — {} model {} on {}",
        image.display(),
        analysis.mode,
        analysis.model.id,
        analysis.backend
    );
    if !analysis.quality.ok {
        println!("Please retake the photo before it can be checked:");
        for problem in &analysis.quality.problems {
            println!("  - {}", problem.message);
        }
    }
    if let Some(tone) = &analysis.tone {
        println!("  skin tone: {}", crate::tone::describe(tone));
    }
    for class in &analysis.classes {
        println!(
            "  {:<6} {:>6.1}%  {}",
            class.code,
            class.probability * 100.0,
            class.name
        );
    }
    if let Some(m) = &analysis.malignancy {
        println!(
            "  malignancy ({}): {:.1}% against a screening threshold of {:.1}%: {}",
            m.classes.join("+"),
            m.probability * 100.0,
            m.threshold * 100.0,
            if m.flagged {
                "please see a clinician"
            } else {
                "below the threshold, which is not an all-clear"
            }
        );
    }
    if let Some(heatmap) = &analysis.heatmap {
        println!(
            "  where the model looked for {}: strongest at the {} of the photo ({})",
            heatmap.class, heatmap.region, heatmap.caveat
        );
    }
    print_per_tone(analysis);
    if let Some(triage) = &analysis.triage {
        println!("  triage: {}", triage_words(triage.level));
    }
    println!("{}", analysis.disclaimer);
}

/// The per-tone lines: each rendering's answer (synthetic) beside the real-photo evidence.
fn print_per_tone(analysis: &Analysis) {
    if analysis.per_tone.is_empty() {
        return;
    }
    println!(
        "  the same photo re-rendered at each skin tone (SYNTHETIC images), and how the model did on REAL photos of that tone:"
    );
    for result in &analysis.per_tone {
        let answer = match (result.malignancy, result.flagged) {
            (Some(p), Some(flagged)) => format!(
                "malignancy {:>5.1}% {:<7}",
                p * 100.0,
                if flagged { "flagged" } else { "below" }
            ),
            _ => format!(
                "top class {}",
                result.top_classes.first().map_or("?", |c| &c.code)
            ),
        };
        let evidence = result.evidence.as_ref().map_or(
            "no real-photo figures for this tone".to_string(),
            |e| {
                let figure = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.2}"));
                format!(
                    "real photos: n {}, sensitivity {}, AUROC {}{}",
                    e.real_n,
                    figure(e.sensitivity),
                    figure(e.auroc),
                    if e.low_evidence {
                        " (little real evidence)"
                    } else {
                        ""
                    }
                )
            },
        );
        println!(
            "    Fitzpatrick {:<3} {answer}  | {evidence}",
            roman(result.fitzpatrick)
        );
    }
    if analysis.consistent == Some(false) {
        println!("  This result depends on skin tone: please show a clinician.");
    }
}

/// The triage level as the page's English words say it.
pub fn triage_words(level: TriageLevel) -> &'static str {
    match level {
        TriageLevel::LowConcern => {
            "low concern (not an all-clear: a new, changing or worrying mark still needs a clinician)"
        }
        TriageLevel::ShowClinician => "show a clinician",
        TriageLevel::SeeClinicianSoon => "see a clinician soon",
    }
}

fn roman(fitzpatrick: u8) -> &'static str {
    ["I", "II", "III", "IV", "V", "VI"]
        .get(usize::from(fitzpatrick.max(1)) - 1)
        .copied()
        .unwrap_or("?")
}
