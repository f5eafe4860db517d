//! Decode every listed image and estimate its skin tone, on all cores. One bad file becomes an
//! error entry, never the end of the audit.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use dermtone_color::{Mask, ToneEstimate, skin_tone};
use dermtone_engine::{Provenance, decode_image, ita_estimate, read_provenance};

use super::source::Item;

/// Images handed to a worker at a time: small enough to balance uneven files, large enough
/// that the shared counter is not contended.
const CHUNK: usize = 16;

/// What became of one image.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A real photo and its tone.
    Real(ToneEstimate),
    /// A stamped synthetic image and its tone, kept apart from the real counts.
    Synthetic(ToneEstimate, Provenance),
    /// Unreadable: why.
    Error(String),
}

/// The outcome of every item, in item order; `on_done` is called once per finished image (from
/// the worker threads) so a caller can drive a progress bar.
pub fn estimate_all(
    items: &[Item],
    masks: &HashMap<String, Mask>,
    on_done: &(dyn Fn() + Sync),
) -> Vec<Outcome> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = AtomicUsize::new(0);
    let indexed: Vec<(usize, Outcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        if start >= items.len() {
                            break done;
                        }
                        for (i, item) in items.iter().enumerate().skip(start).take(CHUNK) {
                            let mask = item.mask_id.as_ref().and_then(|id| masks.get(id));
                            done.push((i, estimate_guarded(item, mask)));
                            on_done();
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut outcomes = vec![None; items.len()];
    for (i, outcome) in indexed {
        outcomes[i] = Some(outcome);
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::Error("not processed: a worker stopped".into())))
        .collect()
}

/// [`estimate_one`], with a panic in a decoder or the estimator turned into an error entry.
fn estimate_guarded(item: &Item, mask: Option<&Mask>) -> Outcome {
    catch_unwind(AssertUnwindSafe(|| estimate_one(item, mask)))
        .unwrap_or_else(|_| Outcome::Error("the tone estimate failed on this image".into()))
}

fn estimate_one(item: &Item, mask: Option<&Mask>) -> Outcome {
    let bytes = match std::fs::read(&item.path) {
        Ok(bytes) => bytes,
        Err(e) => return Outcome::Error(format!("cannot read: {e}")),
    };
    let image = match decode_image(&bytes) {
        Ok(image) => image,
        Err(e) => return Outcome::Error(e.message),
    };
    let tone = match mask {
        Some(mask) if mask.width() != image.width() || mask.height() != image.height() => {
            return Outcome::Error(format!(
                "image is {}×{} but its lesion mask is {}×{}",
                image.width(),
                image.height(),
                mask.width(),
                mask.height()
            ));
        }
        Some(mask) => skin_tone(&image, Some(mask)),
        None => ita_estimate(&image),
    };
    match read_provenance(&bytes) {
        Some(provenance) if provenance.synthetic => Outcome::Synthetic(tone, provenance),
        _ => Outcome::Real(tone),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_mismatched_files_are_errors_not_panics() {
        let item = |path: &str| Item {
            path: path.into(),
            class: "x".into(),
            split: None,
            label: None,
            mask_id: Some("m".into()),
        };
        let dir = std::env::temp_dir().join(format!("dermtone-estimate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let png = dir.join("small.png");
        image::RgbImage::new(20, 10).save(&png).unwrap();
        let masks = HashMap::from([("m".to_string(), Mask::filled(200, 150, false))]);
        let items = [item("/nonexistent/a.jpg"), item(png.to_str().unwrap())];
        let outcomes = estimate_all(&items, &masks, &|| {});
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(&outcomes[0], Outcome::Error(e) if e.starts_with("cannot read")));
        assert!(matches!(&outcomes[1], Outcome::Error(e) if e.contains("lesion mask")));
    }
}
