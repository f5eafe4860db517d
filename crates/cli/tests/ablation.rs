//! `dermtone ablation` on two tiny runs that are the same model under two arm names: every
//! paired difference must then be exactly zero, the synthetic test sets hold only renderings at
//! types IV–VI, and the report names every run.

mod common;

use common::{TINY_RUN, dermtone, scratch, shared, train_clinical};

#[test]
fn identical_arms_differ_by_nothing_and_synthetic_sets_are_dark_only() {
    let dir = scratch("ablation");
    let runs = dir.join("runs");
    let real = runs.join("real-s1");
    let mut args = vec!["--id", "tiny-real", "--size", "32", "--width", "8"];
    args.extend(TINY_RUN);
    let trained = train_clinical(&real, &dir.join("checkpoints"), &args);
    assert!(
        trained.status.success(),
        "{}",
        String::from_utf8_lossy(&trained.stderr)
    );
    let copy = runs.join("balanced-s1");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(&real).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
    }

    let out_dir = dir.join("report");
    let data = shared("fitzpatrick17k_ajl_subset");
    let out = dermtone(&[
        "ablation",
        "--runs",
        runs.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--limit",
        "60",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("ablation.json")).unwrap())
            .unwrap();
    let runs: Vec<String> = report["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}-s{}", r["arm"].as_str().unwrap(), r["seed"]))
        .collect();
    assert_eq!(runs, ["real-s1", "balanced-s1"]);

    let test: u64 = ["I-II", "III-IV", "V-VI"]
        .iter()
        .map(|g| report["images"]["test"][g].as_u64().unwrap())
        .sum();
    assert!(test > 0 && test <= 60, "{test}");
    let generated = &report["images"]["synthetic-generator"];
    assert_eq!(generated["I-II"], 0);
    assert!(generated["V-VI"].as_u64().unwrap() > 0);

    let paired = report["paired"].as_array().unwrap();
    assert!(
        paired
            .iter()
            .any(|p| p["set"] == "test" && p["group"] == "V-VI")
    );
    for row in paired {
        assert_eq!(row["arm"], "balanced");
        if !row["mean"].is_null() {
            assert_eq!(row["mean"].as_f64(), Some(0.0), "{row}");
        }
    }
    let markdown = std::fs::read_to_string(out_dir.join("ablation-results.md")).unwrap();
    assert!(markdown.contains("| balanced-s1 |"), "{markdown}");
    assert!(markdown.contains("SYNTHETIC"), "{markdown}");
}
