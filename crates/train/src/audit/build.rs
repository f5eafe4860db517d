//! From a source and its per-image outcomes to the report: every table is a tally over the same
//! outcomes, with synthetic images and errors kept out of the real figures.

use std::collections::BTreeSet;

use dermtone_color::ToneEstimate;

use super::counts::{ToneCounts, TypeCounts, round2, round4};
use super::estimate::Outcome;
use super::report::{
    AgreementReport, AuditReport, ClassHistogram, ClassTones, Estimator, ImageCounts, ImageError,
    ImageTone, ItaHistogram, Labelled, LabelledGroup, LesionMasks, SplitAgreement, SplitTones,
    SyntheticImage, SyntheticReport,
};
use super::source::{ClassInfo, Item, LabelRow, Source};
use crate::tone::agreement::{agreement, spearman};
use dermtone_engine::TONE_SHORT_SIDE;

/// ITA° histogram range and bin width (degrees). ITA° is atan2(L* − 50, b*), so skin with a
/// blue cast (b* < 0, common under a dermoscope's light) lies beyond ±90°: the range is the full
/// circle, and charts trim it to where images fall.
const HISTOGRAM: (f64, f64, f64) = (-180.0, 180.0, 5.0);

/// Builds the report of `source` from the outcome of each of its items (same order).
pub fn build_report(dataset: &str, source: &Source, outcomes: &[Outcome]) -> AuditReport {
    assert_eq!(source.items.len(), outcomes.len(), "one outcome per item");
    let mut real: Vec<(&Item, &ToneEstimate)> = Vec::new();
    let mut synthetic = Vec::new();
    let mut errors = Vec::new();
    for (item, outcome) in source.items.iter().zip(outcomes) {
        match outcome {
            Outcome::Real(tone) => real.push((item, tone)),
            Outcome::Synthetic(tone, provenance) => synthetic.push(SyntheticImage {
                image: image_tone(source, item, tone),
                provenance: provenance.clone(),
            }),
            Outcome::Error(message) => errors.push(ImageError {
                path: relative(source, item),
                message: message.clone(),
            }),
        }
    }
    let tone_known = real.iter().filter(|(_, t)| t.fitzpatrick.is_some()).count();
    let hand = source.items.iter().filter(|i| i.mask_id.is_some()).count();
    let synthetic_tones: Vec<(&Item, &ToneEstimate)> = source
        .items
        .iter()
        .zip(outcomes)
        .filter_map(|(item, outcome)| match outcome {
            Outcome::Synthetic(tone, _) => Some((item, tone)),
            _ => None,
        })
        .collect();
    AuditReport {
        dataset: dataset.into(),
        layout: source.layout.as_str(),
        estimator: (!source.items.is_empty()).then_some(Estimator {
            method: "median ITA° over healthy skin (lesion, hair, glare and background excluded)",
            fitzpatrick_from_ita: "Groh et al. 2021 cut-offs: >40 I, 23–40 II, 12–23 III, \
                                   0–12 IV, −25–0 V, ≤−25 VI",
            short_side: TONE_SHORT_SIDE,
            lesion_masks: LesionMasks {
                hand,
                automatic: source.items.len() - hand,
            },
        }),
        images: ImageCounts {
            listed: source.items.len(),
            real: real.len(),
            synthetic: synthetic.len(),
            errors: errors.len(),
            tone_known,
            tone_unknown: real.len() - tone_known,
            colour_cast: real
                .iter()
                .filter(|(_, t)| t.confidence.colour_cast)
                .count(),
        },
        errors,
        overall: ToneCounts::of(real.iter().map(|(_, t)| *t)),
        by_class: class_tones(&source.classes, &real),
        by_split: split_tones(&real),
        tone_histogram: histogram(&source.classes, &real),
        synthetic: SyntheticReport {
            n: synthetic.len(),
            by_class: class_tones(&source.classes, &synthetic_tones),
            images: synthetic,
        },
        labelled: (!source.labels.is_empty()).then(|| labelled(&source.classes, &source.labels)),
        agreement: real
            .iter()
            .any(|(i, _)| i.label.is_some())
            .then(|| agreement_report(&real)),
        per_image: real
            .iter()
            .map(|(item, tone)| image_tone(source, item, tone))
            .collect(),
    }
}

fn class_tones(classes: &[ClassInfo], images: &[(&Item, &ToneEstimate)]) -> Vec<ClassTones> {
    classes
        .iter()
        .filter_map(|class| {
            let tones: Vec<&ToneEstimate> = images
                .iter()
                .filter(|(i, _)| i.class == class.code)
                .map(|(_, t)| *t)
                .collect();
            (!tones.is_empty()).then(|| ClassTones {
                class: class.code.clone(),
                name: class.name.clone(),
                tones: ToneCounts::of(tones),
            })
        })
        .collect()
}

fn split_tones(images: &[(&Item, &ToneEstimate)]) -> Vec<SplitTones> {
    split_names(images.iter().filter_map(|(i, _)| i.split.as_deref()))
        .into_iter()
        .map(|split| SplitTones {
            tones: ToneCounts::of(
                images
                    .iter()
                    .filter(|(i, _)| i.split.as_deref() == Some(&split))
                    .map(|(_, t)| *t),
            ),
            split,
        })
        .collect()
}

/// Split names in the order train, val, test, then any others alphabetically.
fn split_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let rank = |s: &str| ["train", "val", "test"].iter().position(|&x| x == s);
    let mut names: Vec<String> = names
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(String::from)
        .collect();
    names.sort_by_key(|s| (rank(s).unwrap_or(usize::MAX), s.clone()));
    names
}

fn histogram(classes: &[ClassInfo], images: &[(&Item, &ToneEstimate)]) -> ItaHistogram {
    let (from, to, width) = HISTOGRAM;
    let bins = ((to - from) / width) as usize;
    let count = |filter: &dyn Fn(&Item) -> bool| {
        let mut counts = vec![0; bins];
        for (_, tone) in images.iter().filter(|(i, _)| filter(i)) {
            if let Some(ita) = tone.ita {
                let bin = ((f64::from(ita) - from) / width).floor();
                counts[(bin.max(0.0) as usize).min(bins - 1)] += 1;
            }
        }
        counts
    };
    ItaHistogram {
        from,
        to,
        bin_width: width,
        all: count(&|_| true),
        by_class: classes
            .iter()
            .filter(|c| images.iter().any(|(i, _)| i.class == c.code))
            .map(|c| ClassHistogram {
                class: c.code.clone(),
                counts: count(&|i| i.class == c.code),
            })
            .collect(),
    }
}

fn labelled(classes: &[ClassInfo], rows: &[LabelRow]) -> Labelled {
    let tally = |keep: &dyn Fn(&LabelRow) -> bool| {
        let mut types = TypeCounts::default();
        rows.iter()
            .filter(|r| keep(r))
            .for_each(|r| types.add(r.fitzpatrick));
        types
    };
    let partitions: BTreeSet<&str> = rows.iter().map(|r| r.partition.as_str()).collect();
    let splits = split_names(rows.iter().filter_map(|r| r.split.as_deref()));
    Labelled {
        source: "fitzpatrick_scale",
        overall: tally(&|_| true),
        by_class: classes
            .iter()
            .map(|c| LabelledGroup {
                group: c.code.clone(),
                types: tally(&|r| r.class == c.code),
            })
            .collect(),
        by_partition: partitions
            .into_iter()
            .map(|p| LabelledGroup {
                group: p.into(),
                types: tally(&|r| r.partition == p),
            })
            .collect(),
        by_split: splits
            .into_iter()
            .map(|s| LabelledGroup {
                types: tally(&|r| r.split.as_deref() == Some(&s)),
                group: s,
            })
            .collect(),
    }
}

fn agreement_report(images: &[(&Item, &ToneEstimate)]) -> AgreementReport {
    let over = |split: &str, keep: &dyn Fn(&Item) -> bool| {
        let labelled: Vec<(u8, &ToneEstimate)> = images
            .iter()
            .filter(|(i, _)| keep(i))
            .filter_map(|(i, t)| Some((i.label?, *t)))
            .collect();
        let pairs: Vec<(u8, Option<u8>)> =
            labelled.iter().map(|(l, t)| (*l, t.fitzpatrick)).collect();
        let (labels, itas): (Vec<f64>, Vec<f64>) = labelled
            .iter()
            .filter_map(|(l, t)| Some((f64::from(*l), f64::from(t.ita?))))
            .unzip();
        let mut agreement = agreement(&pairs);
        agreement.exact = agreement.exact.map(round4);
        agreement.within_one = agreement.within_one.map(round4);
        agreement.spearman = agreement.spearman.map(round4);
        SplitAgreement {
            split: split.into(),
            agreement,
            spearman_ita: spearman(&labels, &itas).map(round4),
        }
    };
    AgreementReport {
        label: "fitzpatrick_scale",
        estimate: "fitzpatrick_from_ita",
        overall: over("all", &|_| true),
        by_split: split_names(images.iter().filter_map(|(i, _)| i.split.as_deref()))
            .iter()
            .map(|s| over(s, &|i| i.split.as_deref() == Some(s)))
            .collect(),
    }
}

fn image_tone(source: &Source, item: &Item, tone: &ToneEstimate) -> ImageTone {
    ImageTone {
        path: relative(source, item),
        class: item.class.clone(),
        split: item.split.clone(),
        label: item.label,
        ita: tone.ita.map(|x| round2(f64::from(x))),
        ita_category: tone.ita_category.map(|c| c.as_str()),
        fitzpatrick: tone.fitzpatrick,
        monk: tone.monk,
        confidence: tone.confidence.level.as_str(),
        skin_fraction: round4(f64::from(tone.confidence.skin_fraction)),
        ita_iqr: tone.confidence.ita_iqr.map(|x| round2(f64::from(x))),
        colour_cast: tone.confidence.colour_cast,
        lesion_mask: if item.mask_id.is_some() {
            "hand"
        } else {
            "automatic"
        },
    }
}

/// The item's path relative to the dataset root, with `/` separators.
fn relative(source: &Source, item: &Item) -> String {
    let path = item.path.strip_prefix(&source.root).unwrap_or(&item.path);
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::source::read_source;
    use dermtone_color::{ConfidenceLevel, ToneConfidence};
    use dermtone_engine::Provenance;
    use std::collections::HashMap;
    use std::path::Path;

    fn tone(ita: Option<f32>, fitzpatrick: Option<u8>) -> ToneEstimate {
        ToneEstimate {
            ita,
            ita_category: ita.map(dermtone_color::ItaCategory::from_ita),
            fitzpatrick,
            monk: fitzpatrick.map(|t| t + 1),
            skin_lab: None,
            confidence: ToneConfidence {
                level: if ita.is_some() {
                    ConfidenceLevel::High
                } else {
                    ConfidenceLevel::Unknown
                },
                skin_pixels: 1000,
                skin_fraction: 0.5,
                ita_iqr: ita.map(|_| 5.0),
                colour_cast: false,
            },
        }
    }

    fn item(class: &str, split: &str, label: Option<u8>) -> Item {
        Item {
            path: format!("/d/{class}/{split}.jpg").into(),
            class: class.into(),
            split: Some(split.into()),
            label,
            mask_id: None,
        }
    }

    #[test]
    fn real_synthetic_and_errors_are_tallied_apart() {
        let source = Source {
            layout: super::super::source::Layout::Fitzpatrick17kSubset,
            root: "/d".into(),
            classes: ["a", "b"]
                .map(|c| ClassInfo {
                    code: c.into(),
                    name: None,
                })
                .to_vec(),
            items: vec![
                item("a", "train", Some(1)),
                item("a", "test", Some(2)),
                item("b", "test", Some(6)),
                item("b", "val", Some(5)),
                item("b", "train", None),
            ],
            labels: Vec::new(),
            masks: HashMap::new(),
        };
        let outcomes = [
            Outcome::Real(tone(Some(50.0), Some(1))),
            Outcome::Real(tone(Some(15.0), Some(3))),
            Outcome::Real(tone(None, None)),
            Outcome::Synthetic(
                tone(Some(-40.0), Some(6)),
                Provenance {
                    synthetic: true,
                    ..Provenance::default()
                },
            ),
            Outcome::Error("broken".into()),
        ];
        let report = build_report("/d", &source, &outcomes);
        assert_eq!(
            (
                report.images.real,
                report.images.synthetic,
                report.images.errors
            ),
            (3, 1, 1)
        );
        assert_eq!(report.images.tone_unknown, 1);
        assert_eq!(report.errors[0].path, "b/train.jpg");
        assert_eq!(report.by_class[1].tones.types.groups.get("unknown"), 1);
        assert_eq!(report.synthetic.by_class[0].class, "b");
        assert_eq!(report.overall.types.fitzpatrick.get("6"), 0);
        let splits: Vec<&str> = report.by_split.iter().map(|s| s.split.as_str()).collect();
        assert_eq!(splits, ["train", "test"]);
        let agreement = report.agreement.unwrap();
        assert_eq!(agreement.overall.agreement.n, 2);
        assert_eq!(agreement.overall.agreement.unknown_estimates, 1);
        assert_eq!(agreement.overall.agreement.exact, Some(0.5));
        assert_eq!(agreement.overall.agreement.within_one, Some(1.0));
        assert_eq!(report.tone_histogram.all.iter().sum::<usize>(), 2);
        assert_eq!(report.tone_histogram.all[(50 + 180) / 5], 1);
    }

    #[test]
    fn the_full_label_table_gives_labelled_counts_only() {
        let csv = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/fitzpatrick17k_metadata/fitzpatrick17k.csv");
        let source = read_source(&csv).unwrap();
        let report = build_report("table", &source, &[]);
        assert!(report.estimator.is_none() && report.agreement.is_none());
        let labelled = report.labelled.unwrap();
        assert_eq!(labelled.overall.n, 16577);
        assert_eq!(labelled.overall.fitzpatrick.get("unknown"), 565);
        assert_eq!(labelled.by_class.len(), 114);
        let partitions: usize = labelled.by_partition.iter().map(|p| p.types.n).sum();
        assert_eq!(partitions, 16577);
        assert!(labelled.by_split.is_empty());
    }
}
