//! Writes the hostile-input corpus into a folder, with `cases.json` (name and expectation of each
//! case), for the page's test (`tests/browser/hostile.test.mjs`), which gives every file to the
//! wasm engine. Usage: `cargo run --release -p dermtone-cli --example hostile_corpus -- DIR`.

#[path = "../tests/hostile/corpus.rs"]
mod corpus;

fn main() -> Result<(), String> {
    let dir = std::env::args_os()
        .nth(1)
        .ok_or("usage: hostile_corpus DIR")?;
    let dir = std::path::PathBuf::from(dir);
    let cases = corpus::write_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let listing: Vec<serde_json::Value> = cases
        .iter()
        .map(|case| {
            serde_json::json!({
                "name": case.name,
                "expect": format!("{:?}", case.expect),
                "kind": match case.body {
                    corpus::Body::File(_) => "file",
                    corpus::Body::Directory => "directory",
                    corpus::Body::Missing => "missing",
                },
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&listing).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("cases.json"), text).map_err(|e| e.to_string())?;
    println!("{} cases in {}", cases.len(), dir.display());
    Ok(())
}
