//! `dermtone audit` end to end on a small folder of real HAM10000 images, a corrupt file and a
//! stamped synthetic PNG, copied into a temporary folder (never into the repository).

mod common;

use std::path::{Path, PathBuf};

use common::{dermtone, scratch, synthetic_png};
use serde_json::Value;

fn ham_images() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ham10000/images_200x150")
}

/// 10 real images (8 loose, 2 in `mel/`), one corrupt JPEG and one synthetic PNG in `mel/`.
fn sample_folder(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir(dir.join("mel")).unwrap();
    let mut names: Vec<PathBuf> = std::fs::read_dir(ham_images())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for (i, path) in names.iter().take(10).enumerate() {
        let target = if i < 8 { dir.clone() } else { dir.join("mel") };
        std::fs::copy(path, target.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        dir.join("broken.jpg"),
        b"\xff\xd8\xff\xe0 not really a jpeg",
    )
    .unwrap();
    std::fs::write(dir.join("mel/rendered.png"), synthetic_png(&names[10])).unwrap();
    dir
}

#[test]
fn audit_counts_real_synthetic_and_broken_files_apart_and_writes_charts() {
    let dir = sample_folder("json");
    let out = scratch("out");
    let output = dermtone(&[
        "audit",
        dir.to_str().unwrap(),
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("audit JSON");
    assert_eq!(report["layout"], "image_folder");
    let images = &report["images"];
    assert_eq!(
        [
            &images["listed"],
            &images["real"],
            &images["synthetic"],
            &images["errors"]
        ],
        [12, 10, 1, 1]
    );
    assert_eq!(report["errors"][0]["path"], "broken.jpg");
    assert_eq!(report["synthetic"]["n"], 1);
    let synthetic = &report["synthetic"]["images"][0];
    assert_eq!(synthetic["path"], "mel/rendered.png");
    assert_eq!(synthetic["provenance"]["target_tone"], "5");
    let classes: Vec<(&str, u64)> = report["by_class"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["class"].as_str().unwrap(), c["n"].as_u64().unwrap()))
        .collect();
    assert_eq!(classes, [("mel", 2), ("unknown", 8)]);
    assert_eq!(report["overall"]["n"], 10);
    assert_eq!(report["per_image"].as_array().unwrap().len(), 10);
    let groups = report["overall"]["groups"].as_object().unwrap();
    let total: u64 = groups.values().map(|g| g["n"].as_u64().unwrap()).sum();
    assert_eq!(total, 10);
    assert!(report["agreement"].is_null() && report["labelled"].is_null());

    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("audit.json")).unwrap()).unwrap();
    assert_eq!(written, report);
    assert!(
        std::fs::read_to_string(out.join("audit.md"))
            .unwrap()
            .contains("| **all** | 10 |")
    );
    for chart in ["tone_by_class.svg", "ita_histogram.svg"] {
        let svg = std::fs::read_to_string(out.join(chart)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{chart}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn text_output_is_a_markdown_table() {
    let dir = sample_folder("text");
    let output = dermtone(&["audit", dir.to_str().unwrap()]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("## Estimated Fitzpatrick group per class"),
        "{text}"
    );
    assert!(text.contains("## Synthetic images") && text.contains("`broken.jpg`"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_folder_with_no_dataset_and_no_images_is_a_clear_error() {
    let dir = scratch("empty");
    std::fs::write(dir.join("notes.txt"), "nothing here").unwrap();
    let output = dermtone(&["audit", dir.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("holds no .jpg"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_label_table_reports_labelled_types_without_images() {
    let csv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/fitzpatrick17k_metadata/fitzpatrick17k.csv");
    let output = dermtone(&["audit", csv.to_str().unwrap(), "--json"]);
    assert!(output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["layout"], "fitzpatrick17k_metadata");
    assert_eq!(report["labelled"]["overall"]["n"], 16577);
    assert_eq!(
        report["labelled"]["overall"]["fitzpatrick"]["unknown"]["n"],
        565
    );
}
