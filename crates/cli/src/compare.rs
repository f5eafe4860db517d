//! `dermtone compare OLD NEW`: two photos of one mark (or two saved `analyze --json` results),
//! compared measure by measure by the engine, as the page's history view does.

use std::path::{Path, PathBuf};

use clap::Args;
use dermtone_engine::{AnalysisSummary, Comparison, Engine, compare, decode_image};

use crate::EngineArgs;
use crate::load::engine_for;

/// `compare`'s arguments.
#[derive(Args)]
pub struct CompareArgs {
    /// The older photo (JPEG, PNG or WebP), or a saved `dermtone analyze --json` result (.json).
    old: PathBuf,
    /// The newer photo, or a saved result.
    new: PathBuf,
    /// Print the comparison as JSON (a stable interface: fields are only ever added).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    engine: EngineArgs,
}

pub fn run(args: &CompareArgs) -> Result<(), String> {
    let mut engine = None;
    let mut summary_of = |path: &Path| -> Result<AnalysisSummary, String> {
        if is_saved_result(path) {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            return serde_json::from_str(&text)
                .map_err(|e| format!("{} is not a saved dermtone analysis: {e}", path.display()));
        }
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let photo = decode_image(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        if engine.is_none() {
            engine = Some(engine_for(&args.engine)?);
        }
        let engine: &Engine = engine.as_ref().expect("loaded just above");
        let analysis = pollster::block_on(engine.analyze(&photo)).map_err(|e| e.to_string())?;
        Ok(AnalysisSummary::from(&analysis))
    };
    let old = summary_of(&args.old)?;
    let new = summary_of(&args.new)?;
    let comparison = compare(&old, &new).map_err(|e| e.to_string())?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&comparison).map_err(|e| e.to_string())?
        );
    } else {
        print_text(args, &comparison);
    }
    Ok(())
}

/// A `.json` file is a saved result; anything else is a photo.
fn is_saved_result(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn print_text(args: &CompareArgs, c: &Comparison) {
    println!(
        "{} → {} ({} mode)",
        args.old.display(),
        args.new.display(),
        c.mode
    );
    for m in &c.measures {
        println!(
            "  {:<20} {:>8.3} → {:<8.3} {:<4}{}",
            m.code,
            m.old,
            m.new,
            m.direction,
            if m.large { "  large change" } else { "" }
        );
    }
    if let Some(t) = &c.triage {
        println!(
            "  triage: {} ({})",
            crate::analyze::triage_words(t.level),
            t.reasons.join(", ")
        );
    }
    println!("{}", c.size_note_text);
    println!("{}", c.change_note_text);
}
