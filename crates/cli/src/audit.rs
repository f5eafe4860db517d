//! `dermtone audit`: a progress bar around the train crate's audit, then the report as text or
//! JSON, and the files of `--out`.

use std::path::Path;

use dermtone_train::audit::{AuditEvent, audit, render_markdown, write_report};
use indicatif::{ProgressBar, ProgressStyle};

pub fn run(dataset: &Path, json: bool, out: Option<&Path>) -> Result<(), String> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} ({per_sec}, {eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_prefix("reading");
    let report = audit(dataset, &|event| match event {
        AuditEvent::Listed { layout, images } => {
            bar.set_prefix(format!("audit {}", layout.as_str()));
            bar.set_length(images as u64);
        }
        AuditEvent::ImageDone => bar.inc(1),
    });
    bar.finish_and_clear();
    let report = report?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", render_markdown(&report));
    }
    if let Some(out) = out {
        let written = write_report(&report, out)?;
        eprintln!("wrote {} files to {}", written.len(), out.display());
    }
    Ok(())
}
