//! `dermtone serve`: a small static server for the page and the models, on 127.0.0.1 only,
//! with the same Content Security Policy the page declares. It may sit on a clinic's network,
//! so every limit is explicit: bounded heads, total deadlines and a cap on connections.

mod files;
mod request;
mod response;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dermtone_engine::sha256_hex;

use request::HeadError;
use response::Response;

/// Total time for a request head to arrive; a slow sender is cut off here, not per read.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections served at once; beyond, a 503 rather than another thread.
const MAX_CONNECTIONS: usize = 64;

/// The limits of one server, read once at startup. `DERMTONE_SERVE_HEAD_TIMEOUT_MS` and
/// `DERMTONE_SERVE_MAX_CONNECTIONS` override `HEAD_TIMEOUT` and `MAX_CONNECTIONS`, so that tests
/// need not wait ten seconds or open 64 connections.
#[derive(Clone, Copy, Debug)]
struct Limits {
    head_timeout: Duration,
    max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            head_timeout: HEAD_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

impl Limits {
    fn from_env() -> Result<Self, String> {
        let mut limits = Self::default();
        if let Some(ms) = positive_env("DERMTONE_SERVE_HEAD_TIMEOUT_MS")? {
            limits.head_timeout = Duration::from_millis(ms);
        }
        if let Some(count) = positive_env("DERMTONE_SERVE_MAX_CONNECTIONS")? {
            limits.max_connections = usize::try_from(count).map_err(|e| e.to_string())?;
        }
        Ok(limits)
    }
}

fn positive_env(name: &str) -> Result<Option<u64>, String> {
    let Ok(value) = std::env::var(name) else {
        return Ok(None);
    };
    match value.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(format!("{name} must be a positive integer, not {value:?}")),
    }
}

pub fn run(port: u16, root: &Path, models: &Path) -> Result<(), String> {
    if !root.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html (run ./build.sh first)",
            root.display()
        ));
    }
    let limits = Limits::from_env()?;
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let port = listener.local_addr().map_or(port, |a| a.port());
    println!(
        "dermtone: serving {} and {} on http://127.0.0.1:{port}/",
        root.display(),
        models.display()
    );
    let (root, models) = (Arc::new(root.to_path_buf()), Arc::new(models.to_path_buf()));
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, say: wait rather than spin.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        if active.fetch_add(1, Ordering::SeqCst) >= limits.max_connections {
            active.fetch_sub(1, Ordering::SeqCst);
            response::refuse_busy(stream);
            continue;
        }
        let slot = Slot(Arc::clone(&active));
        let (root, models) = (Arc::clone(&root), Arc::clone(&models));
        // A failed spawn drops the closure, and with it the slot and the connection.
        let _ = std::thread::Builder::new()
            .name("serve".into())
            .spawn(move || {
                let _slot = slot;
                let _ = serve_one(stream, &root, &models, limits);
            });
    }
    Ok(())
}

/// One counted connection; dropping it frees the place.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Answers one request and closes the connection. One request per connection keeps the server
/// simple and never leaves a request on a reused keep-alive connection unanswered (tiny_http,
/// used before, did: the page's parallel module loads hung about one load in three).
fn serve_one(
    mut stream: TcpStream,
    root: &Path,
    models: &Path,
    limits: Limits,
) -> std::io::Result<()> {
    let deadline = Instant::now() + limits.head_timeout;
    let response = match request::read_head(&mut stream, deadline) {
        Ok(head) => answer(&head, root, models),
        Err(HeadError::Closed) => return Ok(()),
        Err(HeadError::Malformed) => Response::error(400),
        Err(HeadError::TimedOut) => Response::error(408),
        Err(HeadError::TooLarge) => Response::error(431),
        Err(HeadError::Io(e)) => return Err(e),
    };
    response::send(stream, &response)
}

/// The answer to a complete request head.
fn answer(head: &[u8], root: &Path, models: &Path) -> Response {
    let Some(request) = request::parse(head) else {
        return Response::error(400);
    };
    if !matches!(request.method, "GET" | "HEAD") {
        return Response::error(405);
    }
    let mut response = match files::resolve(request.target, root, models) {
        Ok(file) => match std::fs::read(&file) {
            Ok(body) => Response {
                status: 200,
                content_type: files::content_type(&file),
                etag: Some(format!("\"{}\"", sha256_hex(&body))),
                body,
                head_only: false,
            },
            Err(_) => Response::error(500),
        },
        Err(status) => Response::error(status),
    };
    response.head_only = request.method == "HEAD";
    let known = |tag: &str| {
        request
            .if_none_match
            .is_some_and(|list| list.split(',').any(|t| t.trim() == tag || t.trim() == "*"))
    };
    if response.etag.as_deref().is_some_and(known) {
        // Revalidation, e.g. the service worker caching what the page has just loaded, costs
        // no body.
        response.status = 304;
        response.body.clear();
    }
    response
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// Sends `request` to a one-request server on `root` and returns the whole response.
    fn exchange(request: &str, root: &Path) -> String {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let address = listener.local_addr().unwrap();
        let root = root.to_path_buf();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            serve_one(stream, &root, &root, Limits::default()).unwrap();
        });
        let mut client = TcpStream::connect(address).unwrap();
        client.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        client.read_to_string(&mut response).unwrap();
        drop(client);
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
        assert!(posted.contains("\r\nAllow: GET, HEAD\r\n"));
    }
}
