//! The workspace's shape, checked so it stays as issue 21 left it: within each crate no two
//! source files import each other, directly or around a ring (a shared piece moves to where both
//! can depend on it instead), and `crates/train/src` keeps at most ten top-level files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's module path inside its crate (`lib.rs` and `main.rs` are the root, `x/mod.rs` is `x`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .strip_prefix(src)
        .unwrap()
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The modules a file's code (not its comments or unit tests) names through `crate::`,
/// `super::` or `self::` paths, resolved to the deepest module file that exists. A module
/// naming its own ancestors or descendants is nesting, not a circle, and is left out.
fn imports(
    text: &str,
    module: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> BTreeSet<Vec<String>> {
    let code: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap()
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    for (anchor, base) in [("crate::", 0), ("super::", 1), ("self::", 2)] {
        for (at, _) in code.match_indices(anchor) {
            let before = code[..at].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut path: Vec<String> = match base {
                0 => Vec::new(),
                1 => module[..module.len().saturating_sub(1)].to_vec(),
                _ => module.to_vec(),
            };
            for segment in code[at + anchor.len()..].split("::") {
                let name: String = segment
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let mut longer = path.clone();
                longer.push(name.clone());
                if name.is_empty() || !modules.contains(&longer) {
                    break;
                }
                path = longer;
                if segment.len() != name.len() {
                    break;
                }
            }
            let nested = path.starts_with(module) || module.starts_with(&path);
            if !nested {
                found.insert(path);
            }
        }
    }
    found
}

/// A ring of modules each importing the next, if the graph has one.
fn ring(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        stack: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<Vec<String>> {
        if let Some(start) = stack.iter().position(|n| n == node) {
            let mut names: Vec<String> = stack[start..].iter().map(|m| m.join("::")).collect();
            names.push(node.join("::"));
            return Some(names);
        }
        if !done.insert(node.clone()) {
            return None;
        }
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, stack, done) {
                return Some(found);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn import_graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    files
        .iter()
        .map(|file| {
            let module = module_of(src, file);
            let text = std::fs::read_to_string(file).unwrap();
            let edges = imports(&text, &module, &modules);
            (module, edges)
        })
        .collect()
}

#[test]
fn no_two_source_files_of_a_crate_import_each_other() {
    for entry in std::fs::read_dir(crates_dir()).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            let graph = import_graph(&src);
            // A one-file crate (crates/crc32fast) has nothing to form a ring with, but every
            // crate has at least its root file: none found means the walk itself is broken.
            assert!(!graph.is_empty(), "{} has no source files", src.display());
            if let Some(names) = ring(&graph) {
                panic!("{}: {}", src.display(), names.join(" → "));
            }
        }
    }
}

#[test]
fn the_checker_finds_a_ring() {
    let modules: BTreeSet<Vec<String>> = [vec![], vec!["a".into()], vec!["b".into()]].into();
    let graph: BTreeMap<_, _> = [
        (
            vec!["a".to_string()],
            imports("use crate::b::thing;", &["a".into()], &modules),
        ),
        (
            vec!["b".to_string()],
            imports("fn f() { super::a::g() }", &["b".into()], &modules),
        ),
    ]
    .into();
    assert_eq!(ring(&graph).unwrap(), ["a", "b", "a"]);
    let commented = imports("/// see [`crate::b`]\nfn f() {}", &["a".into()], &modules);
    assert!(commented.is_empty());
}

#[test]
fn the_train_crate_keeps_at_most_ten_top_level_files() {
    let src = crates_dir().join("train/src");
    let files: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(files.len() <= 10, "{files:?}");
}
