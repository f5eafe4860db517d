//! Fréchet distance between two sets of feature vectors, each summarised by a Gaussian (Heusel
//! et al. 2017, "FID"): `|μ₁ − μ₂|² + tr C₁ + tr C₂ − 2 tr (C₁^½ C₂ C₁^½)^½`. Realism of
//! generated images is measured as their distance to real photos in a classifier's features.

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
    let trace = |c: &[f64]| (0..d).map(|i| c[i * d + i]).sum::<f64>();
    let root_a = psd_sqrt(&cov_a, d);
    let middle = multiply(&multiply(&root_a, &cov_b, d), &root_a, d);
    let (values, _) = symmetric_eigen(&middle, d);
    let cross: f64 = values.iter().map(|v| v.max(0.0).sqrt()).sum();
    Ok(mean_term + trace(&cov_a) + trace(&cov_b) - 2.0 * cross)
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
fn psd_sqrt(matrix: &[f64], d: usize) -> Vec<f64> {
    let (values, vectors) = symmetric_eigen(matrix, d);
    let mut out = vec![0f64; d * d];
    for (k, value) in values.iter().enumerate() {
        let root = value.max(0.0).sqrt();
        for i in 0..d {
            for j in 0..d {
                out[i * d + j] += vectors[i * d + k] * root * vectors[j * d + k];
            }
        }
    }
    out
}

fn multiply(a: &[f64], b: &[f64], d: usize) -> Vec<f64> {
    let mut out = vec![0f64; d * d];
    for i in 0..d {
        for k in 0..d {
            let aik = a[i * d + k];
            if aik != 0.0 {
                for j in 0..d {
                    out[i * d + j] += aik * b[k * d + j];
                }
            }
        }
    }
    out
}

/// Eigenvalues and eigenvectors (columns of the row-major result) of a symmetric matrix, by
/// cyclic Jacobi rotations: slow for large matrices but simple and exact enough for a few
/// hundred features.
fn symmetric_eigen(matrix: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = matrix.to_vec();
    let mut v = vec![0f64; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    let scale: f64 = a
        .iter()
        .map(|x| x * x)
        .sum::<f64>()
        .sqrt()
        .max(f64::MIN_POSITIVE);
    for _sweep in 0..60 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * d + j].powi(2))
            .sum::<f64>()
            .sqrt();
        if off <= 1e-12 * scale {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[k * d + p], a[k * d + q]);
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[p * d + k], a[q * d + k]);
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigen_decomposition_rebuilds_the_matrix() {
        let m = [4.0, 1.0, 0.5, 1.0, 3.0, 0.2, 0.5, 0.2, 2.0];
        let (values, vectors) = symmetric_eigen(&m, 3);
        for i in 0..3 {
            for j in 0..3 {
                let rebuilt: f64 = (0..3)
                    .map(|k| vectors[i * 3 + k] * values[k] * vectors[j * 3 + k])
                    .sum();
                assert!((rebuilt - m[i * 3 + j]).abs() < 1e-9);
            }
        }
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
