//! Fréchet distance between two sets of feature vectors, each summarised by a Gaussian (Heusel
//! et al. 2017, "FID"): `|μ₁ − μ₂|² + tr C₁ + tr C₂ − 2 tr (C₁^½ C₂ C₁^½)^½`. Realism of
//! generated images is measured as their distance to real photos in a classifier's features.
//! The eigendecompositions are nalgebra's (symmetric QR), not our own.

use nalgebra::DMatrix;

/// Distance between the feature rows of `a` and of `b` (equal widths, at least two rows each).
pub fn frechet_distance(a: &[Vec<f32>], b: &[Vec<f32>]) -> Result<f64, String> {
    let (mean_a, cov_a) = moments(a)?;
    let (mean_b, cov_b) = moments(b)?;
    if mean_a.len() != mean_b.len() {
        return Err("feature sets of different widths".into());
    }
    let d = mean_a.len();
    let mean_term: f64 = mean_a
        .iter()
        .zip(&mean_b)
        .map(|(x, y)| (x - y).powi(2))
        .sum();
    let (cov_a, cov_b) = (
        DMatrix::from_row_slice(d, d, &cov_a),
        DMatrix::from_row_slice(d, d, &cov_b),
    );
    let root_a = psd_sqrt(&cov_a);
    let middle = &root_a * &cov_b * &root_a;
    let cross: f64 = middle
        .symmetric_eigenvalues()
        .iter()
        .map(|v| v.max(0.0).sqrt())
        .sum();
    Ok(mean_term + cov_a.trace() + cov_b.trace() - 2.0 * cross)
}

/// Mean and (unbiased) covariance, row-major `d × d`.
fn moments(rows: &[Vec<f32>]) -> Result<(Vec<f64>, Vec<f64>), String> {
    if rows.len() < 2 {
        return Err(format!(
            "need at least two feature vectors, got {}",
            rows.len()
        ));
    }
    let d = rows[0].len();
    if rows.iter().any(|r| r.len() != d) {
        return Err("feature vectors of different widths".into());
    }
    let n = rows.len() as f64;
    let mut mean = vec![0f64; d];
    for row in rows {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += f64::from(v) / n;
        }
    }
    let mut cov = vec![0f64; d * d];
    for row in rows {
        let centred: Vec<f64> = row
            .iter()
            .zip(&mean)
            .map(|(&v, m)| f64::from(v) - m)
            .collect();
        for i in 0..d {
            for j in i..d {
                cov[i * d + j] += centred[i] * centred[j] / (n - 1.0);
            }
        }
    }
    for i in 0..d {
        for j in 0..i {
            cov[i * d + j] = cov[j * d + i];
        }
    }
    Ok((mean, cov))
}

/// Square root of a symmetric positive semi-definite matrix (negative eigenvalues, rounding
/// noise, are taken as zero).
fn psd_sqrt(matrix: &DMatrix<f64>) -> DMatrix<f64> {
    let eigen = matrix.clone().symmetric_eigen();
    let roots = eigen.eigenvalues.map(|v| v.max(0.0).sqrt());
    &eigen.eigenvectors * DMatrix::from_diagonal(&roots) * eigen.eigenvectors.transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_root_squares_back_to_the_matrix() {
        let m = DMatrix::from_row_slice(3, 3, &[4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0]);
        let root = psd_sqrt(&m);
        assert!((&root * &root - &m).abs().max() < 1e-9);
    }

    #[test]
    fn distance_is_zero_to_itself_and_grows_with_a_shift() {
        let a: Vec<Vec<f32>> = (0..50)
            .map(|i| vec![(i % 7) as f32, (i % 5) as f32 * 0.5, (i % 3) as f32])
            .collect();
        let shifted: Vec<Vec<f32>> = a
            .iter()
            .map(|r| r.iter().map(|v| v + 2.0).collect())
            .collect();
        assert!(frechet_distance(&a, &a).unwrap().abs() < 1e-6);
        let d = frechet_distance(&a, &shifted).unwrap();
        assert!((d - 12.0).abs() < 1e-6, "{d}");
    }

    #[test]
    fn distance_between_different_spreads_matches_the_closed_form() {
        // One dimension: (μ₁−μ₂)² + (σ₁ − σ₂)².
        let a: Vec<Vec<f32>> = [-1.0, 1.0].iter().map(|&v| vec![v]).collect();
        let b: Vec<Vec<f32>> = [-3.0, 3.0].iter().map(|&v| vec![v]).collect();
        let (sa, sb) = (2f64.sqrt(), 18f64.sqrt());
        assert!((frechet_distance(&a, &b).unwrap() - (sa - sb).powi(2)).abs() < 1e-9);
    }
}
