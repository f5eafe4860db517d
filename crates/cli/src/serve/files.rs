//! Mapping a request path to a file that really lies inside the served folders.

use std::path::{Component, Path, PathBuf};

use super::request::decoded_path;

/// The file for a request target: under `root`, or under `models` for `/models/...`. Errors
/// are the status to answer: 400 for a malformed or dot-segment path, 404 for anything missing
/// or leading outside its folder, symlinks included (the canonical file must stay under the
/// canonical folder).
pub fn resolve(target: &str, root: &Path, models: &Path) -> Result<PathBuf, u16> {
    let path = decoded_path(target).ok_or(400u16)?;
    let relative = &path[1..];
    let mut segments: Vec<&str> = if relative.is_empty() {
        vec!["index.html"]
    } else {
        relative.split('/').collect()
    };
    let base = if segments[0] == "models" {
        segments.remove(0);
        models
    } else {
        root
    };
    if segments.is_empty() {
        return Err(404);
    }
    for segment in &segments {
        if segment.is_empty() {
            return Err(404);
        }
        let mut components = Path::new(segment).components();
        if !matches!(
            (components.next(), components.next()),
            (Some(Component::Normal(name)), None) if name == *segment
        ) {
            return Err(400);
        }
    }
    let base = base.canonicalize().map_err(|_| 404u16)?;
    let file = segments
        .iter()
        .fold(base.clone(), |path, segment| path.join(segment))
        .canonicalize()
        .map_err(|_| 404u16)?;
    if file.starts_with(&base) && file.is_file() {
        Ok(file)
    } else {
        Err(404)
    }
}

pub fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "md" => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_their_folders() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let cargo_toml = root.join("Cargo.toml").canonicalize().unwrap();
        assert_eq!(resolve("/Cargo.toml", root, root), Ok(cargo_toml.clone()));
        assert_eq!(resolve("/Cargo%2Etoml", root, root), Ok(cargo_toml));
        assert_eq!(resolve("/../cli/Cargo.toml", root, root), Err(400));
        assert_eq!(resolve("/%2e%2e/cli/Cargo.toml", root, root), Err(400));
        assert_eq!(resolve("/models/../Cargo.toml", root, root), Err(400));
        assert_eq!(resolve("/./Cargo.toml", root, root), Err(400));
        assert_eq!(resolve("/missing.txt", root, root), Err(404));
        assert_eq!(resolve("/src", root, root), Err(404));
        assert_eq!(resolve("/models/", root, root), Err(404));
        assert_eq!(resolve("//etc/passwd", root, root), Err(404));
    }
}
