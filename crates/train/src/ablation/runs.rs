//! Finding the ablation's runs: each is a folder `<arm>-s<seed>` holding the manifest and photo
//! model that `dermtone train clinical --out` wrote, as `scripts/ablation.sh` lays them out.

use std::path::{Path, PathBuf};

/// One trained run of one arm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The arm ("real", "generator", ...).
    pub arm: String,
    /// The training seed.
    pub seed: u64,
    /// Its folder (manifest.json + the photo model).
    pub dir: PathBuf,
}

/// The arm and seed a run folder's name stands for: `generator-s2` is arm "generator", seed 2.
pub fn parse_run_name(name: &str) -> Option<(String, u64)> {
    let (arm, seed) = name.rsplit_once("-s")?;
    let valid_arm = !arm.is_empty()
        && arm
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let seed = seed.parse().ok()?;
    valid_arm.then(|| (arm.to_string(), seed))
}

/// The runs under `root` with a finished export (a manifest.json), the `baseline` arm first,
/// then the other arms in name order, each arm's seeds ascending. Errors when there are none or
/// when the baseline arm has no run to compare with.
pub fn find_runs(root: &Path, baseline: &str) -> Result<Vec<Run>, String> {
    let entries =
        std::fs::read_dir(root).map_err(|e| format!("cannot read {}: {e}", root.display()))?;
    let mut runs = Vec::new();
    for entry in entries {
        let dir = entry.map_err(|e| e.to_string())?.path();
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if let Some((arm, seed)) = parse_run_name(name)
            && dir.join("manifest.json").is_file()
        {
            runs.push(Run { arm, seed, dir });
        }
    }
    if runs.is_empty() {
        return Err(format!(
            "{} holds no finished runs (folders named <arm>-s<seed> with a manifest.json)",
            root.display()
        ));
    }
    if !runs.iter().any(|r| r.arm == baseline) {
        return Err(format!(
            "{} holds no run of the baseline arm {baseline:?} to compare the others with",
            root.display()
        ));
    }
    runs.sort_by(|a, b| {
        (a.arm != baseline, &a.arm, a.seed).cmp(&(b.arm != baseline, &b.arm, b.seed))
    });
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_names_give_arm_and_seed() {
        assert_eq!(parse_run_name("real-s1"), Some(("real".into(), 1)));
        assert_eq!(
            parse_run_name("tone-balanced-s12"),
            Some(("tone-balanced".into(), 12))
        );
        assert_eq!(parse_run_name("real"), None);
        assert_eq!(parse_run_name("-s1"), None);
        assert_eq!(parse_run_name("real-sx"), None);
        assert_eq!(parse_run_name("Real-s1"), None);
    }

    #[test]
    fn baseline_first_then_arms_and_seeds_in_order() {
        let root = std::env::temp_dir().join(format!("dermtone-runs-{}", std::process::id()));
        for name in [
            "generator-s2",
            "real-s2",
            "generator-s1",
            "real-s1",
            "notes",
        ] {
            std::fs::create_dir_all(root.join(name)).unwrap();
            std::fs::write(root.join(name).join("manifest.json"), "{}").unwrap();
        }
        std::fs::create_dir_all(root.join("balanced-s1")).unwrap();
        let order: Vec<String> = find_runs(&root, "real")
            .unwrap()
            .iter()
            .map(|r| format!("{}-s{}", r.arm, r.seed))
            .collect();
        assert_eq!(
            order,
            ["real-s1", "real-s2", "generator-s1", "generator-s2"]
        );
        assert!(
            find_runs(&root, "balanced")
                .unwrap_err()
                .contains("baseline")
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
