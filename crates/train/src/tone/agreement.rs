//! How well a skin-type estimate agrees with labelled Fitzpatrick types (1–6). Plain functions
//! over (label, estimate) pairs, so the ITA rule and a learned estimator are scored alike.

use serde::Serialize;

/// Labelled type (rows) against estimated type (columns).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// `matrix[label - 1][estimate - 1]` counts.
    pub matrix: [[usize; 6]; 6],
    /// Per labelled type, the images whose type could not be estimated.
    pub unknown_estimates: [usize; 6],
}

impl Confusion {
    /// Images with both a label and an estimate.
    pub fn n(&self) -> usize {
        self.matrix.iter().flatten().sum()
    }

    /// Within-±1 agreement per labelled type 1–6 (`None` for a type without images): where an
    /// estimator fails matters as much as how often.
    pub fn within_one_by_label(&self) -> [Option<f64>; 6] {
        std::array::from_fn(|label| {
            let row = &self.matrix[label];
            let n: usize = row.iter().sum();
            let near: usize = row[label.saturating_sub(1)..(label + 2).min(6)]
                .iter()
                .sum();
            (n > 0).then(|| near as f64 / n as f64)
        })
    }

    /// The best within-±1 agreement a constant answer could reach on these labels, and that
    /// answer: the floor any estimator has to beat.
    pub fn best_constant_within_one(&self) -> Option<(u8, f64)> {
        let per_label: Vec<usize> = self.matrix.iter().map(|r| r.iter().sum()).collect();
        let n: usize = per_label.iter().sum();
        (n > 0).then(|| {
            (0..6)
                .map(|answer: usize| {
                    let near: usize = per_label[answer.saturating_sub(1)..(answer + 2).min(6)]
                        .iter()
                        .sum();
                    (answer as u8 + 1, near as f64 / n as f64)
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .expect("six answers")
        })
    }

    /// The (label, estimate) pairs the matrix counts.
    pub fn pairs(&self) -> Vec<(u8, u8)> {
        let mut pairs = Vec::with_capacity(self.n());
        for (l, row) in self.matrix.iter().enumerate() {
            for (e, &count) in row.iter().enumerate() {
                pairs.extend(std::iter::repeat_n((l as u8 + 1, e as u8 + 1), count));
            }
        }
        pairs
    }
}

/// Agreement figures of one set of images.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Images with both a label and an estimate.
    pub n: usize,
    /// Labelled images whose type could not be estimated (not in `n`).
    pub unknown_estimates: usize,
    /// Share of `n` where estimate = label.
    pub exact: Option<f64>,
    /// Share of `n` where the estimate is within one type of the label.
    pub within_one: Option<f64>,
    /// Spearman rank correlation of label and estimate.
    pub spearman: Option<f64>,
    /// Rows labelled 1–6, columns estimated 1–6.
    pub confusion: Confusion,
}

/// Counts (label, estimate) pairs; pairs with a label outside 1–6 or an estimate outside 1–6
/// other than `None` are ignored.
pub fn confusion_6x6(pairs: &[(u8, Option<u8>)]) -> Confusion {
    let mut confusion = Confusion::default();
    let valid = |t: u8| (1..=6).contains(&t);
    for &(label, estimate) in pairs.iter().filter(|(l, _)| valid(*l)) {
        let row = usize::from(label - 1);
        match estimate {
            Some(e) if valid(e) => confusion.matrix[row][usize::from(e - 1)] += 1,
            None => confusion.unknown_estimates[row] += 1,
            Some(_) => {}
        }
    }
    confusion
}

/// Share of (label, estimate) pairs that agree exactly; `None` without pairs.
pub fn exact_agreement(pairs: &[(u8, u8)]) -> Option<f64> {
    share(pairs, |l, e| l == e)
}

/// Share of pairs whose estimate is at most one type from the label; `None` without pairs.
pub fn within_one_agreement(pairs: &[(u8, u8)]) -> Option<f64> {
    share(pairs, |l, e| l.abs_diff(e) <= 1)
}

/// Spearman's rank correlation, with tied values given their average rank (so it is Pearson's
/// correlation of the ranks). `None` for different lengths, fewer than two values, or a side
/// with no spread.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Every figure at once for (label, estimate) pairs.
pub fn agreement(pairs: &[(u8, Option<u8>)]) -> Agreement {
    let confusion = confusion_6x6(pairs);
    let known = confusion.pairs();
    let (labels, estimates): (Vec<f64>, Vec<f64>) = known
        .iter()
        .map(|&(l, e)| (f64::from(l), f64::from(e)))
        .unzip();
    Agreement {
        n: known.len(),
        unknown_estimates: confusion.unknown_estimates.iter().sum(),
        exact: exact_agreement(&known),
        within_one: within_one_agreement(&known),
        spearman: spearman(&labels, &estimates),
        confusion,
    }
}

fn share(pairs: &[(u8, u8)], agree: impl Fn(u8, u8) -> bool) -> Option<f64> {
    (!pairs.is_empty())
        .then(|| pairs.iter().filter(|&&(l, e)| agree(l, e)).count() as f64 / pairs.len() as f64)
}

/// Ranks 1..n, ties sharing the mean of the ranks they span.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let tied = order[start..]
            .iter()
            .take_while(|&&i| values[i] == values[order[start]])
            .count();
        let rank = start as f64 + (tied as f64 + 1.0) / 2.0;
        for &i in &order[start..start + tied] {
            ranks[i] = rank;
        }
        start += tied;
    }
    ranks
}

fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_type_and_constant_floor_match_hand_counts() {
        let c = confusion_6x6(&[
            (1, Some(1)),
            (1, Some(3)),
            (2, Some(2)),
            (2, Some(2)),
            (2, Some(6)),
            (3, Some(3)),
            (6, Some(5)),
        ]);
        let by_label = c.within_one_by_label();
        assert_eq!(by_label[0], Some(0.5));
        assert!((by_label[1].unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(by_label[2], Some(1.0));
        assert_eq!(by_label[3], None);
        assert_eq!(by_label[5], Some(1.0));
        let (answer, share) = c.best_constant_within_one().unwrap();
        assert_eq!(answer, 2);
        assert!((share - 6.0 / 7.0).abs() < 1e-12);
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn confusion_counts_rows_by_label_and_unknowns_apart() {
        let c = confusion_6x6(&[
            (1, Some(1)),
            (1, Some(2)),
            (3, None),
            (6, Some(4)),
            (7, Some(1)),
            (2, Some(0)),
        ]);
        assert_eq!(c.matrix[0], [1, 1, 0, 0, 0, 0]);
        assert_eq!(c.matrix[5], [0, 0, 0, 1, 0, 0]);
        assert_eq!(c.unknown_estimates, [0, 0, 1, 0, 0, 0]);
        assert_eq!(c.n(), 3);
        assert_eq!(c.pairs(), vec![(1, 1), (1, 2), (6, 4)]);
    }

    #[test]
    fn agreement_shares_by_hand() {
        let pairs = [(1, 1), (2, 3), (4, 2), (5, 5), (6, 4)];
        assert!(close(exact_agreement(&pairs), 2.0 / 5.0));
        assert!(close(within_one_agreement(&pairs), 3.0 / 5.0));
        assert_eq!(exact_agreement(&[]), None);
    }

    #[test]
    fn spearman_without_ties_matches_the_textbook_formula() {
        // d = rank differences (0, 1, -1, 0, 0): rho = 1 - 6·2 / (5·24) = 0.9.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [10.0, 30.0, 20.0, 40.0, 50.0];
        assert!(close(spearman(&x, &y), 0.9));
        let reversed: Vec<f64> = y.iter().map(|v| -v).collect();
        assert!(close(spearman(&x, &reversed), -0.9));
    }

    #[test]
    fn spearman_with_ties_uses_average_ranks() {
        // Ranks of y = [1, 2, 2, 3] are [1, 2.5, 2.5, 4]; Pearson of those with [1, 2, 3, 4]
        // is 4.5 / sqrt(5 · 4.5) = 0.9486832980505138.
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [1.0, 2.0, 2.0, 3.0];
        assert_eq!(average_ranks(&y), vec![1.0, 2.5, 2.5, 4.0]);
        assert!(close(spearman(&x, &y), 0.948_683_298_050_513_8));
        assert_eq!(spearman(&x, &[2.0; 4]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
    }

    #[test]
    fn agreement_summary_ties_the_pieces_together() {
        let a = agreement(&[(1, Some(1)), (2, Some(2)), (3, Some(5)), (4, None)]);
        assert_eq!((a.n, a.unknown_estimates), (3, 1));
        assert!(close(a.exact, 2.0 / 3.0));
        assert!(close(a.within_one, 2.0 / 3.0));
        assert!(close(a.spearman, 1.0));
    }
}
