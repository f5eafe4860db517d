//! `dermtone export-onnx` end to end: every shipped network exported into a temporary folder,
//! then run by ONNX Runtime Web (wasm) in Node (`bench/verify-onnx.mjs`), whose outputs must
//! equal ours within 1e-3 — an independent implementation checking our forward passes.

mod common;

use std::process::Command;

use common::{dermtone, repo, scratch};
use serde_json::Value;

#[test]
fn onnx_runtime_agrees_with_every_exported_network() {
    let out = scratch("onnx");
    let export = dermtone(&["export-onnx", "--out", out.to_str().unwrap()]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(repo().join("models/manifest.json")).unwrap())
            .unwrap();
    let ids: Vec<&str> = manifest["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    for id in &ids {
        let reference: Value = serde_json::from_slice(
            &std::fs::read(out.join(format!("{id}.reference.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(reference["inputs"]["images"]["shape"][0], 2, "{id}");
        assert!(out.join(format!("{id}.onnx")).is_file(), "{id}");
    }

    assert!(
        repo().join("bench/node_modules/onnxruntime-web").is_dir(),
        "bench/node_modules/onnxruntime-web is missing: run `npm ci` in bench/ \
         (`npm ci --prefix bench`) so ONNX Runtime can check the exported graphs"
    );
    let check = Command::new("node")
        .arg("bench/verify-onnx.mjs")
        .arg(&out)
        .current_dir(repo())
        .output()
        .expect("run node (Node.js is needed to run ONNX Runtime Web)");
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for id in ids {
        assert!(
            report.contains(&format!("ok   {id} ")),
            "{id} unchecked:\n{report}"
        );
    }
    // The engine's direct CPU kernels (the generator and the mobile classifiers) are checked
    // against ONNX Runtime too, not only burn.
    let direct: Vec<&str> = manifest["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["task"] == "generator" || m["architecture"]["kind"] == "mobile")
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(!direct.is_empty(), "no shipped network has direct kernels");
    for id in direct {
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(&format!("ok   {id} ")) && l.contains("(direct kernels)")),
            "{id}'s direct kernels unchecked:\n{report}"
        );
    }
}
