//! The tolerances `dermtone compare` judges change by, against pairs of HAM10000 train photos
//! of one lesion. HAM10000 often holds two dermoscopy photos of a lesion from one visit, so the
//! difference between them is what two photos of an unchanged mark show (often at another
//! zoom, which is why the frame share moves so much). Few such pairs may count as a large
//! change, or every saved mark would send its owner to a clinician.

mod common;

use std::collections::BTreeMap;

use common::{dermoscopy_engine, read, shared_ham};
use dermtone_engine::{AnalysisSummary, compare, decode_image};
use dermtone_train::datasets::ham10000::{image_path, read_split_csv};

/// Pairs measured: the first two train photos of each of this many lesions (in lesion id order)
/// whose photos both pass the quality check.
const PAIRS: usize = 300;
/// Most pairs of unchanged-lesion photos that may show a large change (6.7 % when measured).
const MAX_LARGE_SHARE: f32 = 0.12;

fn percentile(values: &mut [f32], p: f32) -> f32 {
    values.sort_by(f32::total_cmp);
    values[((values.len() - 1) as f32 * p).round() as usize]
}

#[test]
fn two_photos_of_one_unchanged_lesion_rarely_count_as_a_large_change() {
    let dir = shared_ham();
    let engine = dermoscopy_engine(None);
    let mut by_lesion: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in read_split_csv(&dir).unwrap() {
        if row.split == "train" {
            by_lesion
                .entry(row.lesion_id)
                .or_default()
                .push(row.image_id);
        }
    }
    let summary = |id: &str| {
        let image = decode_image(&read(&image_path(&dir, id))).unwrap();
        let analysis = pollster::block_on(engine.analyze(&image)).unwrap();
        analysis.lesion.map(|_| AnalysisSummary::from(&analysis))
    };
    let mut sizes: BTreeMap<&'static str, Vec<f32>> = BTreeMap::new();
    let (mut pairs, mut large, mut same) = (0usize, 0usize, 0usize);
    for ids in by_lesion.values().filter(|ids| ids.len() >= 2) {
        if pairs == PAIRS {
            break;
        }
        let (Some(a), Some(b)) = (summary(&ids[0]), summary(&ids[1])) else {
            continue;
        };
        pairs += 1;
        let c = compare(&a, &b).unwrap();
        assert_eq!(c.measures.len(), 5, "{c:?}");
        large += usize::from(c.changed);
        same += usize::from(c.measures.iter().all(|m| m.direction == "same"));
        for m in &c.measures {
            let size = if m.code == "frame_share" {
                (m.new / m.old).ln().abs()
            } else {
                m.change.abs()
            };
            sizes.entry(m.code).or_default().push(size);
        }
    }
    assert_eq!(
        pairs, PAIRS,
        "too few HAM10000 lesions with two usable photos"
    );
    for (code, sizes) in &mut sizes {
        println!(
            "{code:<20} |change| (frame share: |ln ratio|) median {:.3}, 90th {:.3}, 95th {:.3}, 97.5th {:.3}",
            percentile(sizes, 0.5),
            percentile(sizes, 0.9),
            percentile(sizes, 0.95),
            percentile(sizes, 0.975)
        );
    }
    let share = large as f32 / pairs as f32;
    println!(
        "{pairs} pairs: {large} ({share:.3}) judged a large change, {same} the same on every measure"
    );
    assert!(share <= MAX_LARGE_SHARE, "{share}");
}
