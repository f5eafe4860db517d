//! `dermtone bench` end to end on the shipped models and the default HAM10000 photo: the JSON's
//! shape, sane timings, and FLOPs on exactly the stages that run a network.

mod common;

use common::dermtone;
use serde_json::Value;

/// Stages in the order bench reports them, and whether each runs a network.
const STAGES: [(&str, bool); 7] = [
    ("decode", false),
    ("quality", false),
    ("tone_estimate", true),
    ("classify_1", true),
    ("render_6", true),
    ("classify_6", true),
    ("analyze", true),
];

fn bench_json(args: &[&str]) -> Value {
    let out = dermtone(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("bench JSON")
}

#[test]
fn cpu_bench_reports_every_stage_with_timings_and_flops() {
    let args = [
        "bench",
        "--json",
        "--runs",
        "2",
        "--warmup",
        "1",
        "--backend",
        "cpu",
    ];
    let report = bench_json(&args);
    assert_eq!(report["command"], format!("dermtone {}", args.join(" ")));
    assert_eq!(report["runs"], 2);
    assert_eq!(report["warmup"], 1);
    assert_eq!(report["mode"], "photo");
    assert!(report["image"].as_str().unwrap().ends_with(".jpg"));
    let machine = &report["machine"];
    assert!(machine["logical_cores"].as_u64().unwrap() >= 1);
    assert_eq!(machine["dermtone_version"], env!("CARGO_PKG_VERSION"));
    assert!(machine.get("cpu").is_some() && machine.get("wgpu_adapter").is_some());

    let backends = report["backends"].as_array().unwrap();
    assert_eq!(backends.len(), 1);
    let cpu = &backends[0];
    assert_eq!(cpu["name"], "cpu");
    assert_eq!(cpu["available"], true);
    assert!(cpu["reason"].is_string());
    let stages = cpu["stages"].as_array().unwrap();
    let names: Vec<&str> = stages
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(names, STAGES.map(|(name, _)| name));

    for (stage, (name, network)) in stages.iter().zip(STAGES) {
        let ms = |key: &str| stage[key].as_f64().unwrap();
        let (median, p90, min) = (ms("median_ms"), ms("p90_ms"), ms("min_ms"));
        for t in [median, p90, min] {
            assert!(t.is_finite() && t > 0.0, "{name}: {stage}");
        }
        assert!(min <= median && median <= p90, "{name}: {stage}");
        let flops = stage["flops"].as_u64().unwrap();
        assert_eq!(flops > 0, network, "{name}: {stage}");
        match stage["gflops_per_s"].as_f64() {
            Some(rate) => {
                assert!(network && rate.is_finite() && rate > 0.0, "{name}: {stage}");
                let expected = flops as f64 / (median * 1e-3) / 1e9;
                assert!(
                    (rate - expected).abs() <= 1e-9 * expected,
                    "{name}: {stage}"
                );
            }
            None => assert!(
                !network && stage["gflops_per_s"].is_null(),
                "{name}: {stage}"
            ),
        }
    }

    // An analysis runs the tone estimate, one classification, six renderings and their batch:
    // exactly classify_1 + render_6 (which estimates the tone itself) + classify_6.
    let flops = |name: &str| {
        stages.iter().find(|s| s["stage"] == name).unwrap()["flops"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        flops("analyze"),
        flops("classify_1") + flops("render_6") + flops("classify_6")
    );
    assert_eq!(flops("classify_6"), 6 * flops("classify_1"));
}

#[test]
fn zero_runs_are_refused() {
    let out = dermtone(&["bench", "--runs", "0", "--backend", "cpu"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--runs"));
}
