//! `dermtone serve`: a small static server for the page and the models, on 127.0.0.1 only,
//! with the same Content Security Policy the page declares.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use dermtone_engine::sha256_hex;

/// The page may talk only to its own origin; wasm needs 'wasm-unsafe-eval' to compile.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

pub fn run(port: u16, root: &Path, models: &Path) -> Result<(), String> {
    if !root.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html (run ./build.sh first)",
            root.display()
        ));
    }
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let port = listener.local_addr().map_or(port, |a| a.port());
    println!(
        "dermtone: serving {} and {} on http://127.0.0.1:{port}/",
        root.display(),
        models.display()
    );
    let (root, models) = (Arc::new(root.to_path_buf()), Arc::new(models.to_path_buf()));
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let (root, models) = (Arc::clone(&root), Arc::clone(&models));
        std::thread::spawn(move || {
            let _ = serve_one(stream, &root, &models);
        });
    }
    Ok(())
}

/// Answers one request and closes the connection. One request per connection keeps the server
/// simple and never leaves a request on a reused keep-alive connection unanswered (tiny_http,
/// used before, did: the page's parallel module loads hung about one load in three).
fn serve_one(mut stream: TcpStream, root: &Path, models: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        let read = stream.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&buffer[..read]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.lines();
    let mut words = lines.next().unwrap_or_default().split_whitespace();
    let (method, target) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or("/"),
    );
    let known_tag = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("if-none-match")
            .then(|| value.trim())
    });
    let (mut status, mut body, kind) = match method {
        "GET" | "HEAD" => respond(target, root, models),
        _ => (
            405,
            b"method not allowed".to_vec(),
            "text/plain; charset=utf-8",
        ),
    };
    let tag = format!("\"{}\"", sha256_hex(&body));
    if status == 200 && known_tag == Some(tag.as_str()) {
        // Revalidation, e.g. the service worker caching what the page has just loaded, costs
        // no body.
        status = 304;
        body.clear();
    }
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let header = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         ETag: {tag}\r\nContent-Security-Policy: {CSP}\r\nX-Content-Type-Options: nosniff\r\n\
         Cache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()?;
    stream.shutdown(Shutdown::Write)
}

/// Status, body and content type for a request target.
fn respond(target: &str, root: &Path, models: &Path) -> (u16, Vec<u8>, &'static str) {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = resolve(path, root, models);
    match file.as_deref().map(std::fs::read) {
        Some(Ok(bytes)) => (
            200,
            bytes,
            content_type(file.as_deref().unwrap_or(Path::new(""))),
        ),
        _ => (404, b"not found".to_vec(), "text/plain; charset=utf-8"),
    }
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

    /// Sends `request` to a one-request server on `root` and returns the whole response.
    fn exchange(request: &str, root: &Path) -> String {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let address = listener.local_addr().unwrap();
        let root = root.to_path_buf();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            serve_one(stream, &root, &root).unwrap();
        });
        let mut client = TcpStream::connect(address).unwrap();
        client.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        client.read_to_string(&mut response).unwrap();
        server.join().unwrap();
        response
    }

    #[test]
    fn a_known_etag_is_answered_without_a_body() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let first = exchange("GET /Cargo.toml HTTP/1.1\r\nHost: x\r\n\r\n", root);
        assert!(first.starts_with("HTTP/1.1 200 OK"), "{first}");
        assert!(first.contains("Connection: close"));
        assert!(first.ends_with(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()));
        let tag = first
            .lines()
            .find_map(|l| l.strip_prefix("ETag: "))
            .unwrap();
        let again = exchange(
            &format!("GET /Cargo.toml HTTP/1.1\r\nif-none-match: {tag}\r\n\r\n"),
            root,
        );
        assert!(again.starts_with("HTTP/1.1 304"), "{again}");
        assert!(again.ends_with("\r\n\r\n"));
        let missing = exchange("GET /nothing HTTP/1.1\r\n\r\n", root);
        assert!(missing.starts_with("HTTP/1.1 404"));
        let posted = exchange("POST /Cargo.toml HTTP/1.1\r\n\r\n", root);
        assert!(posted.starts_with("HTTP/1.1 405"));
    }
}
