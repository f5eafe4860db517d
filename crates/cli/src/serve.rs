//! `dermtone serve`: a small static server for the page and the models, on 127.0.0.1 only,
//! with the same Content Security Policy the page declares.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use tiny_http::{Header, Response, Server};

/// The page may talk only to its own origin; wasm needs 'wasm-unsafe-eval' to compile.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

pub fn run(port: u16, root: &Path, models: &Path) -> Result<(), String> {
    if !root.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html (run ./build.sh first)",
            root.display()
        ));
    }
    let server = Server::http(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let port = server.server_addr().to_ip().map_or(port, |a| a.port());
    println!(
        "dermtone: serving {} and {} on http://127.0.0.1:{port}/",
        root.display(),
        models.display()
    );
    let server = Arc::new(server);
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (server, root, models) = (
                Arc::clone(&server),
                root.to_path_buf(),
                models.to_path_buf(),
            );
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let response = respond(request.url(), &root, &models);
                    let _ = request.respond(response);
                }
            })
        })
        .collect();
    for worker in workers {
        worker
            .join()
            .map_err(|_| "server thread failed".to_string())?;
    }
    Ok(())
}

fn respond(url: &str, root: &Path, models: &Path) -> Response<std::io::Cursor<Vec<u8>>> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let file = resolve(path, root, models);
    let (status, body, kind) = match file.as_deref().map(std::fs::read) {
        Some(Ok(bytes)) => (
            200,
            bytes,
            content_type(file.as_deref().unwrap_or(Path::new(""))),
        ),
        _ => (404, b"not found".to_vec(), "text/plain; charset=utf-8"),
    };
    let header = |name: &str, value: &str| {
        Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header")
    };
    Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", kind))
        .with_header(header("Content-Security-Policy", CSP))
        .with_header(header("X-Content-Type-Options", "nosniff"))
        .with_header(header("Cache-Control", "no-cache"))
}

/// Maps a URL path to a file under `root` (or `models` for `/models/...`), refusing `..`.
fn resolve(url_path: &str, root: &Path, models: &Path) -> Option<PathBuf> {
    let relative = url_path.trim_start_matches('/');
    let (base, rest) = match relative.strip_prefix("models/") {
        Some(rest) => (models, rest),
        None => (
            root,
            if relative.is_empty() {
                "index.html"
            } else {
                relative
            },
        ),
    };
    let rest = Path::new(rest);
    if rest
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let full = base.join(rest);
    full.is_file().then_some(full)
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
        assert_eq!(
            resolve("/Cargo.toml", root, root),
            Some(root.join("Cargo.toml"))
        );
        assert_eq!(resolve("/../cli/Cargo.toml", root, root), None);
        assert_eq!(resolve("/models/../Cargo.toml", root, root), None);
        assert_eq!(resolve("/missing.txt", root, root), None);
    }
}
