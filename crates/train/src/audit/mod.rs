//! Phase 1 of the method: how each skin tone is represented in a dataset. Reads a HAM10000
//! folder, the Fitzpatrick17k subset or label table, or any folder of images; estimates each
//! real image's tone; and tallies tones per class and split, the labelled types where the
//! dataset has them, and the estimate's agreement with those labels. Stamped synthetic images
//! are tallied apart.

mod build;
mod counts;
mod estimate;
mod markdown;
mod report;
mod source;
mod svg;

use std::path::{Path, PathBuf};

pub use counts::{Counts, Quartiles, ToneCounts, TypeCounts, group_key, type_key};
pub use markdown::render as render_markdown;
pub use report::{
    AgreementReport, AuditReport, ClassHistogram, ClassTones, Estimator, ImageCounts, ImageError,
    ImageTone, ItaHistogram, Labelled, LabelledGroup, LesionMasks, SplitAgreement, SplitTones,
    SyntheticImage, SyntheticReport,
};
pub use source::{Layout, UNKNOWN_CLASS};

/// Progress of an audit, for a caller's progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEvent {
    /// The layout is known and its images are listed (masks loaded); estimating starts.
    Listed {
        /// The layout found.
        layout: Layout,
        /// Images to estimate.
        images: usize,
    },
    /// One more image is done (sent from worker threads).
    ImageDone,
}

/// Audits the dataset at `path` (a folder, or a Fitzpatrick17k label CSV). Unreadable images
/// are listed in the report; only an unusable `path` is an error.
pub fn audit(path: &Path, on_event: &(dyn Fn(AuditEvent) + Sync)) -> Result<AuditReport, String> {
    let source = source::read_source(path)?;
    on_event(AuditEvent::Listed {
        layout: source.layout,
        images: source.items.len(),
    });
    let outcomes = estimate::estimate_all(&source.items, &source.masks, &|| {
        on_event(AuditEvent::ImageDone)
    });
    Ok(build::build_report(
        &path.display().to_string(),
        &source,
        &outcomes,
    ))
}

/// Writes `audit.json`, `audit.md` and the SVG charts into `out` (created if missing) and
/// returns the paths written.
pub fn write_report(report: &AuditReport, out: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())? + "\n";
    let files = [("audit.json", json), ("audit.md", render_markdown(report))]
        .into_iter()
        .chain(svg::charts(report));
    let mut written = Vec::new();
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
