//! Which file a request path names: one that really lies inside its served folder, and which of
//! its precompressed copies (`FILE.br`, `FILE.gz`, written by scripts/precompress.mjs) may be
//! sent in its place.

use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use hyper::StatusCode;

/// A file to serve.
#[derive(Debug, PartialEq)]
pub struct Found {
    /// Canonical, and under its folder's canonical path.
    pub path: PathBuf,
    pub content_type: &'static str,
    /// Whether `path.br` may be sent brotli-encoded in its place.
    pub brotli: bool,
    /// Whether `path.gz` may be sent gzip-encoded in its place.
    pub gzip: bool,
}

/// The file for a request path: under `root`, or under `models` for `/models/...`. Errors are
/// the status to answer: 400 for a malformed or dot-segment path, 404 for anything missing or
/// leading outside its folder, symlinks included (the canonical file must stay under the
/// canonical folder).
pub fn resolve(path: &str, root: &Path, models: &Path) -> Result<Found, StatusCode> {
    let path = decoded_path(path).ok_or(StatusCode::BAD_REQUEST)?;
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
        return Err(StatusCode::NOT_FOUND);
    }
    for segment in &segments {
        if segment.is_empty() {
            return Err(StatusCode::NOT_FOUND);
        }
        let mut components = Path::new(segment).components();
        if !matches!(
            (components.next(), components.next()),
            (Some(Component::Normal(name)), None) if name == *segment
        ) {
            return Err(StatusCode::BAD_REQUEST);
        }
    }
    let base = base.canonicalize().map_err(|_| StatusCode::NOT_FOUND)?;
    let file = segments
        .iter()
        .fold(base.clone(), |path, segment| path.join(segment))
        .canonicalize()
        .map_err(|_| StatusCode::NOT_FOUND)?;
    let modified = std::fs::metadata(&file)
        .ok()
        .filter(|m| m.is_file() && file.starts_with(&base))
        .and_then(|m| m.modified().ok())
        .ok_or(StatusCode::NOT_FOUND)?;
    Ok(Found {
        content_type: content_type(&file),
        brotli: usable_copy(&file, ".br", &base, modified),
        gzip: usable_copy(&file, ".gz", &base, modified),
        path: file,
    })
}

/// Whether `file` + `suffix` (the name tower-http opens) may be sent for `file`: a regular
/// file inside `base`, like `file` itself (a symlink out of it is refused here too), and written
/// no earlier than `file`, so that a file edited since it was compressed is never answered with
/// its stale copy.
fn usable_copy(file: &Path, suffix: &str, base: &Path, modified: SystemTime) -> bool {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    Path::new(&name).canonicalize().is_ok_and(|copy| {
        copy.starts_with(base)
            && std::fs::metadata(&copy)
                .is_ok_and(|m| m.is_file() && m.modified().is_ok_and(|t| t >= modified))
    })
}

/// The path percent-decoded once: `None` for a path that does not start with `/`, a broken
/// escape, bytes that are not UTF-8, or a NUL, backslash or control character (which no file
/// name here needs and which some layers treat as separators or terminators).
fn decoded_path(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut bytes = Vec::with_capacity(path.len());
    let mut rest = path.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    let decoded = String::from_utf8(bytes).ok()?;
    (!decoded.chars().any(|c| c == '\\' || c.is_control())).then_some(decoded)
}

fn content_type(path: &Path) -> &'static str {
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
        let found = |target| resolve(target, root, root).map(|f| f.path);
        assert_eq!(found("/Cargo.toml"), Ok(cargo_toml.clone()));
        assert_eq!(found("/Cargo%2Etoml"), Ok(cargo_toml));
        assert_eq!(found("/../cli/Cargo.toml"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(
            found("/%2e%2e/cli/Cargo.toml"),
            Err(StatusCode::BAD_REQUEST)
        );
        assert_eq!(found("/models/../Cargo.toml"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(found("/./Cargo.toml"), Err(StatusCode::BAD_REQUEST));
        assert_eq!(found("/missing.txt"), Err(StatusCode::NOT_FOUND));
        assert_eq!(found("/src"), Err(StatusCode::NOT_FOUND));
        assert_eq!(found("/models/"), Err(StatusCode::NOT_FOUND));
        assert_eq!(found("//etc/passwd"), Err(StatusCode::NOT_FOUND));
    }

    #[test]
    fn paths_are_decoded_once() {
        assert_eq!(
            decoded_path("/index%2Ehtml").as_deref(),
            Some("/index.html")
        );
        assert_eq!(decoded_path("/%252e%252e/").as_deref(), Some("/%2e%2e/"));
        assert_eq!(decoded_path("/%2e%2E%2f").as_deref(), Some("/../"));
        for bad in [
            "*", "host/", "/%", "/%2", "/%zz", "/%00", "/a%5cb", "/a\\b", "/%c0%ae",
        ] {
            assert_eq!(decoded_path(bad), None, "{bad}");
        }
    }
}
