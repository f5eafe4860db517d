//! Fills [`EvalReport`] from calibrated probabilities, labels, tone groups and the operating
//! point, and draws the ROC curves its charts show. Every figure is computed from per-image
//! facts, so a figure over any subset of images (a tone group, a bootstrap resample) is a pass
//! over indices. Over 500 lines only with its hand-made examples: the code is one job, one
//! report's figures.

use std::collections::BTreeMap;

use super::bootstrap::bootstrap_ci;
use super::calibration::{
    CHANCE_DRAWS, ECE_BINS, bin_outcomes, calibration_error, chance_ece, top_label_outcomes,
};
use super::curves::{auroc, roc_curve, sensitivity_specificity};
use super::metrics::{classification_metrics, macro_auroc, one_vs_rest};
use super::report::{
    ClassEval, EvalReport, LOW_EVIDENCE_N, MalignantEval, MelanomaEval, RocCurve, ToneEval,
};

/// What [`evaluate`] needs: calibrated probabilities, labels, tone groups and the operating
/// point. Rows beyond the shorter of `probabilities` and `labels` are ignored; an image without
/// a tone group counts as "unknown".
#[derive(Debug, Clone, Copy)]
pub struct EvalInput<'a> {
    /// What the model does, e.g. "dermoscopy".
    pub task: &'a str,
    /// Which model is evaluated.
    pub model: &'a str,
    /// Which split the images come from.
    pub split: &'a str,
    /// Class codes in network order; labels index them.
    pub class_codes: &'a [String],
    /// Calibrated probabilities (temperature already applied), one row per image.
    pub probabilities: &'a [Vec<f32>],
    /// True class index per image.
    pub labels: &'a [usize],
    /// Indices of the malignant classes (akiec, bcc, mel).
    pub malignant_classes: &'a [usize],
    /// Index of melanoma.
    pub melanoma_class: usize,
    /// Malignant-score threshold (the operating point).
    pub threshold: f32,
    /// Temperature the probabilities were scaled with; recorded only.
    pub temperature: f32,
    /// Tone groups of each image, e.g. its ITA category, or its Fitzpatrick group and type
    /// ("V-VI" and "5"); an image without any counts as "unknown".
    pub tone_groups: &'a [Vec<String>],
    /// Estimated tone groups of each image, reported apart (`by_estimated_tone`); may be empty.
    pub estimated_tone_groups: &'a [Vec<String>],
    /// Bootstrap resamples for the intervals.
    pub resamples: usize,
    /// Bootstrap seed, so a report reproduces.
    pub seed: u64,
}

/// The malignant score per image: the summed probability of the malignant classes, which is
/// what the app thresholds.
pub fn malignant_scores(probabilities: &[Vec<f32>], malignant_classes: &[usize]) -> Vec<f32> {
    probabilities
        .iter()
        .map(|p| malignant_classes.iter().filter_map(|&c| p.get(c)).sum())
        .collect()
}

/// Fills the report: point figures over all images, per class and per tone group, and the
/// bootstrap interval of each headline figure.
pub fn evaluate(input: &EvalInput) -> EvalReport {
    let images = Images::new(input);
    let n = images.labels.len();
    let all: Vec<usize> = (0..n).collect();
    let metrics = classification_metrics(images.probabilities, images.labels, images.classes);
    let per_class: BTreeMap<String, ClassEval> = input
        .class_codes
        .iter()
        .enumerate()
        .map(|(c, code)| {
            let flagged: usize = metrics.confusion.iter().map(|row| row[c]).sum();
            let negatives = n - metrics.support[c];
            let false_positives = flagged - metrics.confusion[c][c];
            let (scores, truth) = images.one_vs_rest(c, &all);
            let eval = ClassEval {
                n: metrics.support[c],
                sensitivity: metrics.recall[c],
                specificity: (negatives > 0)
                    .then(|| (negatives - false_positives) as f64 / negatives as f64),
                auroc: auroc(&scores, &truth),
            };
            (code.clone(), eval)
        })
        .collect();
    let aurocs: Vec<f64> = per_class.values().filter_map(|c| c.auroc).collect();
    let (sensitivity, specificity) = images.malignant_rates(&all);
    let (melanoma_sensitivity, melanoma_specificity) = images.melanoma_rates(&all);
    let reliability = bin_outcomes(&images.outcomes, ECE_BINS);
    let ci95 = images.intervals(&all, |_| true, input);
    EvalReport {
        task: input.task.to_string(),
        model: input.model.to_string(),
        split: input.split.to_string(),
        n,
        accuracy: metrics.accuracy,
        balanced_accuracy: metrics.balanced_accuracy,
        macro_auroc: mean(&aurocs),
        ece: calibration_error(&reliability),
        ece_at_chance: images.ece_at_chance(&all, input.seed),
        temperature: input.temperature,
        per_class,
        malignant: MalignantEval {
            classes: input
                .malignant_classes
                .iter()
                .filter_map(|&c| input.class_codes.get(c).cloned())
                .collect(),
            n: images.is_malignant.iter().filter(|&&m| m).count(),
            auroc: auroc(&images.malignant, &images.is_malignant),
            sensitivity,
            specificity,
            threshold: input.threshold,
        },
        melanoma: MelanomaEval {
            n: images
                .labels
                .iter()
                .filter(|&&l| l == input.melanoma_class)
                .count(),
            sensitivity: melanoma_sensitivity,
            specificity: melanoma_specificity,
        },
        by_tone: images.by_tone(input.tone_groups, input),
        by_estimated_tone: if input.estimated_tone_groups.is_empty() {
            BTreeMap::new()
        } else {
            images.by_tone(input.estimated_tone_groups, input)
        },
        ci95,
        confusion: metrics.confusion,
        reliability,
        class_codes: input.class_codes.to_vec(),
    }
}

/// ROC curves for the charts: one per class (one-vs-rest), then "malignant"; each with its
/// AUROC.
pub fn roc_curves(input: &EvalInput) -> Vec<RocCurve> {
    let images = Images::new(input);
    let all: Vec<usize> = (0..images.labels.len()).collect();
    let mut curves: Vec<_> = input
        .class_codes
        .iter()
        .enumerate()
        .map(|(c, code)| {
            let (scores, truth) = images.one_vs_rest(c, &all);
            (
                code.clone(),
                roc_curve(&scores, &truth),
                auroc(&scores, &truth),
            )
        })
        .collect();
    curves.push((
        "malignant".to_string(),
        roc_curve(&images.malignant, &images.is_malignant),
        auroc(&images.malignant, &images.is_malignant),
    ));
    curves
}

/// A figure over a subset of images, None where it is undefined there.
type Statistic = fn(&Images, &[usize]) -> Option<f64>;

/// The headline figures with a bootstrap interval, by their `ci95` key.
const STATISTICS: [(&str, Statistic); 8] = [
    ("accuracy", |images, idx| images.accuracy(idx)),
    ("balanced_accuracy", |images, idx| {
        images.balanced_accuracy(idx)
    }),
    ("macro_auroc", |images, idx| images.macro_auroc(idx)),
    ("ece", |images, idx| Some(images.ece(idx))),
    ("malignant_auroc", |images, idx| images.malignant_auroc(idx)),
    ("malignant_sensitivity", |images, idx| {
        images.malignant_rates(idx).0
    }),
    ("malignant_specificity", |images, idx| {
        images.malignant_rates(idx).1
    }),
    ("melanoma_sensitivity", |images, idx| {
        images.melanoma_rates(idx).0
    }),
];

/// The headline figures that also get an interval within each tone group (the rest need more
/// classes than a small group holds).
const TONE_FIGURES: [&str; 5] = [
    "accuracy",
    "ece",
    "malignant_auroc",
    "malignant_sensitivity",
    "malignant_specificity",
];

/// Per-image facts every figure is computed from, so a figure over any subset of images (a
/// tone group, a bootstrap resample) is a pass over indices.
struct Images<'a> {
    classes: usize,
    probabilities: &'a [Vec<f32>],
    labels: &'a [usize],
    /// (top-label probability, top label right) per image.
    outcomes: Vec<(f64, bool)>,
    malignant: Vec<f32>,
    is_malignant: Vec<bool>,
    melanoma_class: usize,
    threshold: f32,
}

impl<'a> Images<'a> {
    fn new(input: &EvalInput<'a>) -> Self {
        let n = input.probabilities.len().min(input.labels.len());
        let (probabilities, labels) = (&input.probabilities[..n], &input.labels[..n]);
        Self {
            classes: input.class_codes.len(),
            probabilities,
            labels,
            outcomes: top_label_outcomes(probabilities, labels),
            malignant: malignant_scores(probabilities, input.malignant_classes),
            is_malignant: labels
                .iter()
                .map(|l| input.malignant_classes.contains(l))
                .collect(),
            melanoma_class: input.melanoma_class,
            threshold: input.threshold,
        }
    }

    /// 95% bootstrap intervals, resampling among `members`, of the [`STATISTICS`] whose key
    /// `keep` accepts; a figure undefined in too many resamples is left out.
    fn intervals(
        &self,
        members: &[usize],
        keep: impl Fn(&str) -> bool,
        input: &EvalInput,
    ) -> BTreeMap<String, [f64; 2]> {
        STATISTICS
            .iter()
            .filter(|(key, _)| keep(key))
            .filter_map(|&(key, statistic)| {
                bootstrap_ci(members.len(), input.resamples, input.seed, |picks| {
                    let chosen: Vec<usize> = picks.iter().map(|&p| members[p]).collect();
                    statistic(self, &chosen)
                })
                .map(|ci| (key.to_string(), ci))
            })
            .collect()
    }

    fn accuracy(&self, idx: &[usize]) -> Option<f64> {
        let correct = idx.iter().filter(|&&i| self.outcomes[i].1).count();
        (!idx.is_empty()).then(|| correct as f64 / idx.len() as f64)
    }

    /// Mean recall over the classes present among `idx`.
    fn balanced_accuracy(&self, idx: &[usize]) -> Option<f64> {
        let mut support = vec![0usize; self.classes];
        let mut hits = vec![0usize; self.classes];
        for &i in idx {
            support[self.labels[i]] += 1;
            hits[self.labels[i]] += usize::from(self.outcomes[i].1);
        }
        let recalls: Vec<f64> = support
            .iter()
            .zip(&hits)
            .filter(|(s, _)| **s > 0)
            .map(|(&s, &h)| h as f64 / s as f64)
            .collect();
        mean(&recalls)
    }

    fn macro_auroc(&self, idx: &[usize]) -> Option<f64> {
        macro_auroc(self.probabilities, self.labels, idx, self.classes)
    }

    fn ece(&self, idx: &[usize]) -> f64 {
        let outcomes: Vec<(f64, bool)> = idx.iter().map(|&i| self.outcomes[i]).collect();
        calibration_error(&bin_outcomes(&outcomes, ECE_BINS))
    }

    fn ece_at_chance(&self, idx: &[usize], seed: u64) -> f64 {
        let probabilities: Vec<Vec<f32>> =
            idx.iter().map(|&i| self.probabilities[i].clone()).collect();
        chance_ece(&probabilities, CHANCE_DRAWS, seed)
    }

    fn malignant_auroc(&self, idx: &[usize]) -> Option<f64> {
        let (scores, truth) = self.malignant_of(idx);
        auroc(&scores, &truth)
    }

    /// Sensitivity and specificity of malignant against benign at the threshold.
    fn malignant_rates(&self, idx: &[usize]) -> (Option<f64>, Option<f64>) {
        let (scores, truth) = self.malignant_of(idx);
        sensitivity_specificity(&scores, &truth, self.threshold)
    }

    /// Sensitivity and specificity of melanoma against the rest, flagging by malignant score.
    fn melanoma_rates(&self, idx: &[usize]) -> (Option<f64>, Option<f64>) {
        let scores: Vec<f32> = idx.iter().map(|&i| self.malignant[i]).collect();
        let truth: Vec<bool> = idx
            .iter()
            .map(|&i| self.labels[i] == self.melanoma_class)
            .collect();
        sensitivity_specificity(&scores, &truth, self.threshold)
    }

    /// Class `c`'s probability and whether the image is of class `c`, over `idx`.
    fn one_vs_rest(&self, c: usize, idx: &[usize]) -> (Vec<f32>, Vec<bool>) {
        one_vs_rest(self.probabilities, self.labels, c, idx)
    }

    fn malignant_of(&self, idx: &[usize]) -> (Vec<f32>, Vec<bool>) {
        idx.iter()
            .map(|&i| (self.malignant[i], self.is_malignant[i]))
            .unzip()
    }

    fn by_tone(
        &self,
        tone_groups: &[Vec<String>],
        input: &EvalInput,
    ) -> BTreeMap<String, ToneEval> {
        let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for i in 0..self.labels.len() {
            match tone_groups.get(i).filter(|groups| !groups.is_empty()) {
                Some(groups) => {
                    for group in groups {
                        members.entry(group).or_default().push(i);
                    }
                }
                None => members.entry("unknown").or_default().push(i),
            }
        }
        members
            .into_iter()
            .map(|(group, idx)| {
                let (malignant_sensitivity, malignant_specificity) = self.malignant_rates(&idx);
                let ci95 = self.intervals(&idx, |key| TONE_FIGURES.contains(&key), input);
                let eval = ToneEval {
                    n: idx.len(),
                    low_evidence: idx.len() < LOW_EVIDENCE_N,
                    accuracy: self.accuracy(&idx).unwrap_or(0.0),
                    balanced_accuracy: self.balanced_accuracy(&idx).unwrap_or(0.0),
                    malignant_auroc: self.malignant_auroc(&idx),
                    malignant_sensitivity,
                    malignant_specificity,
                    ece: self.ece(&idx),
                    ece_at_chance: self.ece_at_chance(&idx, input.seed),
                    ci95,
                };
                (group.to_string(), eval)
            })
            .collect()
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (probabilities over bcc, mel, nv; label; tone group).
    const IMAGES: [([f32; 3], usize, &str); 6] = [
        ([0.1, 0.1, 0.8], 2, "light"),
        ([0.2, 0.5, 0.3], 2, "light"),
        ([0.1, 0.7, 0.2], 1, "dark"),
        ([0.6, 0.1, 0.3], 0, "light"),
        ([0.1, 0.3, 0.6], 1, "dark"),
        ([0.1, 0.2, 0.7], 2, "unknown"),
    ];

    /// Class codes, probabilities, labels and tone groups of a hand-made split.
    type Example = (Vec<String>, Vec<Vec<f32>>, Vec<usize>, Vec<Vec<String>>);

    /// The six images above plus 30 correct nevi in a "medium" group.
    fn example() -> Example {
        let rows = IMAGES
            .iter()
            .copied()
            .chain(std::iter::repeat_n(([0.1, 0.2, 0.7], 2, "medium"), 30));
        let (mut probs, mut labels, mut tones) = (Vec::new(), Vec::new(), Vec::new());
        for (p, label, tone) in rows {
            probs.push(p.to_vec());
            labels.push(label);
            tones.push(vec![tone.to_string()]);
        }
        let codes = ["bcc", "mel", "nv"].map(String::from).to_vec();
        (codes, probs, labels, tones)
    }

    fn input<'a>(
        codes: &'a [String],
        probs: &'a [Vec<f32>],
        labels: &'a [usize],
        tones: &'a [Vec<String>],
    ) -> EvalInput<'a> {
        EvalInput {
            task: "dermoscopy",
            model: "test",
            split: "test",
            class_codes: codes,
            probabilities: probs,
            labels,
            malignant_classes: &[0, 1],
            melanoma_class: 1,
            threshold: 0.5,
            temperature: 1.5,
            tone_groups: tones,
            estimated_tone_groups: &[],
            resamples: 50,
            seed: 3,
        }
    }

    #[test]
    fn evaluate_counts_a_hand_made_example() {
        let (codes, probs, labels, tones) = example();
        let report = evaluate(&input(&codes, &probs, &labels, &tones));
        assert_eq!(report.n, 36);
        assert!((report.accuracy - 34.0 / 36.0).abs() < 1e-12);
        let n_of = |c: &str| report.per_class[c].n;
        assert_eq!((n_of("bcc"), n_of("mel"), n_of("nv")), (1, 2, 33));
        assert_eq!(report.per_class["mel"].sensitivity, Some(0.5));
        assert_eq!(report.per_class["mel"].specificity, Some(33.0 / 34.0));
        let tone = |g: &str| (report.by_tone[g].n, report.by_tone[g].low_evidence);
        assert_eq!(tone("light"), (3, true));
        assert_eq!(tone("dark"), (2, true));
        assert_eq!(tone("unknown"), (1, true));
        assert_eq!(tone("medium"), (30, false));
        assert_eq!(report.by_tone["dark"].accuracy, 0.5);
        assert_eq!(report.by_tone["light"].malignant_specificity, Some(0.5));
        let [lo, hi] = report.by_tone["medium"].ci95["accuracy"];
        assert_eq!((lo, hi), (1.0, 1.0));
        // Thirty nevi at 0.7, all right: ECE 0.3, where a calibrated model's would be about 0.07.
        let medium = &report.by_tone["medium"];
        assert!((medium.ece - 0.3).abs() < 1e-6);
        assert!((0.05..0.085).contains(&medium.ece_at_chance));
        assert!(report.by_estimated_tone.is_empty());
        assert_eq!(report.malignant.classes, ["bcc", "mel"]);
        assert_eq!(report.malignant.n, 3);
        assert_eq!(report.malignant.sensitivity, Some(2.0 / 3.0));
        assert_eq!(report.malignant.specificity, Some(32.0 / 33.0));
        assert_eq!(report.melanoma.n, 2);
        assert_eq!(report.melanoma.sensitivity, Some(0.5));
        assert_eq!(report.melanoma.specificity, Some(32.0 / 34.0));
        assert_eq!(report.confusion[2], [0, 1, 32]);
        let [lo, hi] = report.ci95["accuracy"];
        assert!(lo <= report.accuracy && report.accuracy <= hi);
    }

    #[test]
    fn subset_figures_agree_with_the_shared_metrics() {
        let (codes, probs, labels, tones) = example();
        let input = input(&codes, &probs, &labels, &tones);
        let report = evaluate(&input);
        let images = Images::new(&input);
        let all: Vec<usize> = (0..report.n).collect();
        assert_eq!(images.accuracy(&all), Some(report.accuracy));
        assert_eq!(
            images.balanced_accuracy(&all),
            Some(report.balanced_accuracy)
        );
        assert_eq!(images.macro_auroc(&all), report.macro_auroc);
        assert_eq!(images.ece(&all), report.ece);
    }

    #[test]
    fn json_has_exactly_the_public_keys() {
        let (codes, probs, labels, tones) = example();
        let report = evaluate(&input(&codes, &probs, &labels, &tones));
        let json = serde_json::to_value(&report).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = [
            "task",
            "model",
            "split",
            "n",
            "accuracy",
            "balanced_accuracy",
            "macro_auroc",
            "ece",
            "ece_at_chance",
            "temperature",
            "per_class",
            "malignant",
            "melanoma",
            "by_tone",
            "ci95",
            "confusion",
            "reliability",
        ];
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
    }

    #[test]
    fn an_image_can_count_in_several_groups_and_estimated_groups_are_apart() {
        let (codes, probs, labels, _) = example();
        let tones: Vec<Vec<String>> = (0..labels.len())
            .map(|i| {
                vec![
                    if i < 3 { "I-II" } else { "III-IV" }.into(),
                    (i % 2 + 1).to_string(),
                ]
            })
            .collect();
        let estimated: Vec<Vec<String>> = vec![Vec::new(); labels.len()];
        let mut input = input(&codes, &probs, &labels, &tones);
        input.estimated_tone_groups = &estimated;
        let report = evaluate(&input);
        let n = |g: &str| report.by_tone[g].n;
        assert_eq!((n("I-II"), n("III-IV"), n("1"), n("2")), (3, 33, 18, 18));
        assert_eq!(report.by_estimated_tone["unknown"].n, 36);
        let json = serde_json::to_value(&report).unwrap();
        assert!(json.get("by_estimated_tone").is_some());
    }

    #[test]
    fn empty_input_gives_an_empty_report() {
        let codes = ["bcc", "mel", "nv"].map(String::from).to_vec();
        let report = evaluate(&input(&codes, &[], &[], &[]));
        assert_eq!((report.n, report.accuracy, report.ece), (0, 0.0, 0.0));
        assert_eq!(report.macro_auroc, None);
        assert!(report.by_tone.is_empty() && report.ci95.is_empty());
        assert_eq!(report.per_class["mel"].n, 0);
        assert_eq!(report.reliability.len(), ECE_BINS);
    }

    #[test]
    fn roc_curves_are_one_per_class_then_malignant() {
        let (codes, probs, labels, tones) = example();
        let curves = roc_curves(&input(&codes, &probs, &labels, &tones));
        let names: Vec<&str> = curves.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(names, ["bcc", "mel", "nv", "malignant"]);
        assert!(curves.iter().all(|c| c.1.last() == Some(&(1.0, 1.0))));
    }

    #[test]
    fn malignant_score_sums_the_malignant_classes() {
        let scores = malignant_scores(&[vec![0.25, 0.5, 0.25]], &[0, 1]);
        assert_eq!(scores, [0.75]);
    }
}
