//! `dermtone serve` from outside, over raw TCP on 127.0.0.1: what a hostile client on a clinic's
//! network could try. Only status codes, headers and bodies are checked, so these tests hold
//! whatever the server is built on.

#[path = "common/server.rs"]
mod server;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::{Duration, Instant};

use server::{Answer, Server, read_all};

const SECRET: &str = "secret-outside-the-root";
const INDEX: &str = "<!doctype html><title>dermtone</title>";

/// Starts a server on a fresh `<temp>/dermtone-serve-<pid>-<name>/` with `www/` (the root),
/// `models/`, and, outside both, `secret.txt` and `outside/`, which symlinks inside the root
/// point to.
fn start(name: &str, env: &[(&str, &str)]) -> Server {
    let dir = std::env::temp_dir().join(format!("dermtone-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (www, models, outside) = (dir.join("www"), dir.join("models"), dir.join("outside"));
    for folder in [&www.join("sub"), &models, &outside] {
        std::fs::create_dir_all(folder).unwrap();
    }
    std::fs::write(www.join("index.html"), INDEX).unwrap();
    std::fs::write(www.join("sub/page.txt"), "page").unwrap();
    std::fs::write(models.join("model.json"), "{}").unwrap();
    std::fs::write(dir.join("secret.txt"), SECRET).unwrap();
    std::fs::write(outside.join("secret.txt"), SECRET).unwrap();
    symlink(dir.join("secret.txt"), www.join("link.txt")).unwrap();
    symlink("../secret.txt", www.join("relative-link.txt")).unwrap();
    symlink(&outside, www.join("linked-dir")).unwrap();
    symlink(dir.join("secret.txt"), models.join("link.json")).unwrap();
    symlink(www.join("index.html"), www.join("alias.html")).unwrap();
    Server::start(dir, env)
}

fn leaks(answer: &Answer) -> bool {
    String::from_utf8_lossy(&answer.body).contains(SECRET)
}

#[test]
fn traversal_is_refused_in_every_encoding() {
    let server = start("traversal", &[]);
    let secret = server.dir.join("secret.txt");
    let absolute = secret.to_str().unwrap();
    let encoded_absolute = absolute.replace('/', "%2F");
    let mut targets: Vec<String> = [
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/sub/../../secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/./../secret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..%252fsecret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/sub\\..\\..\\secret.txt",
        "/index.html%00",
        "/%00../secret.txt",
        "/..%00/secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%e0%80%ae%e0%80%ae/secret.txt",
        "/models/../secret.txt",
        "/models/%2e%2e/secret.txt",
        "/models/..%2f..%2fsecret.txt",
        "..%2fsecret.txt",
        "secret.txt",
        "*",
        "http://127.0.0.1/../secret.txt",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    targets.push(format!("/{absolute}"));
    targets.push(format!("/{encoded_absolute}"));
    targets.push(encoded_absolute.clone());
    targets.push(format!("file://{absolute}"));
    targets.push(format!("/sub/..%2f..%2f..{encoded_absolute}"));
    for target in &targets {
        let answer = server.get(target);
        assert!(
            matches!(answer.status, 400 | 404),
            "{target}: {}",
            answer.status
        );
        assert!(!leaks(&answer), "{target} leaked the secret");
    }
    // Decoding happens once, and legitimate encoded names still work.
    for (target, body) in [
        ("/", INDEX),
        ("/index%2Ehtml", INDEX),
        ("/%69ndex.html?x=%2e%2e/", INDEX),
        ("/sub/page.txt", "page"),
        ("/sub%2Fpage.txt", "page"),
        ("/models/model.json", "{}"),
    ] {
        let answer = server.get(target);
        assert_eq!(answer.status, 200, "{target}");
        assert_eq!(answer.body, body.as_bytes(), "{target}");
    }
}

#[test]
fn symlinks_out_of_the_root_are_refused() {
    let server = start("symlinks", &[]);
    for target in [
        "/link.txt",
        "/relative-link.txt",
        "/linked-dir/secret.txt",
        "/linked-dir%2Fsecret.txt",
        "/models/link.json",
    ] {
        let answer = server.get(target);
        assert!(
            matches!(answer.status, 400 | 403 | 404),
            "{target}: {}",
            answer.status
        );
        assert!(!leaks(&answer), "{target} leaked the secret");
    }
    // A symlink that stays inside the root is an ordinary file.
    let alias = server.get("/alias.html");
    assert_eq!(alias.status, 200);
    assert_eq!(alias.body, INDEX.as_bytes());
}

#[test]
fn precompressed_copies_out_of_the_root_are_never_sent() {
    let server = start("copies", &[]);
    let sub = server.dir.join("www/sub");
    // "Copies" of page.txt that lead to the secret; they are no older than page.txt, so only
    // their leaving the root can rule them out.
    symlink(server.dir.join("secret.txt"), sub.join("page.txt.gz")).unwrap();
    symlink("../../secret.txt", sub.join("page.txt.br")).unwrap();
    for accept in ["gzip", "br", "gzip, deflate, br, zstd"] {
        let answer = server.exchange(
            format!("GET /sub/page.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: {accept}\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(answer.status, 200, "{accept}");
        assert_eq!(answer.header("content-encoding"), None, "{accept}");
        assert_eq!(answer.body, b"page", "{accept}");
        assert!(!leaks(&answer), "{accept} leaked the secret");
    }
}

#[test]
fn only_get_and_head_are_allowed() {
    let server = start("methods", &[]);
    for method in [
        "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "CONNECT",
    ] {
        let answer = server.exchange(
            format!("{method} /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(answer.status, 405, "{method}");
        let allow = answer.header("allow").unwrap_or_default();
        let allowed: Vec<&str> = allow.split(',').map(str::trim).collect();
        assert!(
            allowed.contains(&"GET") && allowed.contains(&"HEAD"),
            "{method}: Allow {allow:?}"
        );
        assert!(!String::from_utf8_lossy(&answer.body).contains(INDEX));
    }
    let head = server.exchange(b"HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(INDEX.len().to_string().as_str())
    );
}

#[test]
fn malformed_and_oversized_heads_are_refused() {
    let server = start("heads", &[]);
    for request in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET /\r\n\r\n",
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"GET / SPDY/3\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"\r\n\r\n",
        // Heads httparse parses and hyper refuses: answered here, with the headers.
        b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"GET file:///etc/passwd HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
    ] {
        let answer = server.exchange(request);
        assert_eq!(answer.status, 400, "{}", String::from_utf8_lossy(request));
        answer.assert_secure_headers();
    }
    // 20 KiB of header, once with no blank line at all and once as many complete headers.
    let mut unterminated = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    unterminated.resize(unterminated.len() + 20 * 1024, b'a');
    let mut many = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..1000 {
        many.extend_from_slice(format!("X-Header-{i}: value\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    for request in [unterminated, many] {
        let started = Instant::now();
        let answer = server.exchange(&request);
        assert_eq!(answer.status, 431);
        assert!(started.elapsed() < Duration::from_secs(3));
        answer.assert_secure_headers();
    }
    // A head just under the limit is still served.
    let mut large = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    large.resize(15 * 1024, b'a');
    large.extend_from_slice(b"\r\n\r\n");
    assert_eq!(server.exchange(&large).status, 200);
}

#[test]
fn a_slow_head_is_cut_off_at_the_deadline() {
    let server = start("slow", &[("DERMTONE_SERVE_HEAD_TIMEOUT_MS", "500")]);
    let mut stream = server.connect();
    stream
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(b"GET / HTTP/1.1\r\n").unwrap();
    // One byte every 50 ms: each read is quick, only a total deadline stops this.
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let closed = loop {
        if started.elapsed() > Duration::from_secs(5) {
            break false;
        }
        let _ = stream.write(b"X");
        match stream.read(&mut buffer) {
            Ok(0) => break true,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => break true,
        }
    };
    let elapsed = started.elapsed();
    assert!(closed, "still open after {elapsed:?}");
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_millis(2500),
        "closed after {elapsed:?}"
    );
    if !answer.is_empty() {
        let answer = Answer::parse(&answer);
        assert!((400..500).contains(&answer.status), "{}", answer.status);
        answer.assert_secure_headers();
    }
    // The server still answers a prompt client.
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn connections_beyond_the_cap_get_503() {
    let server = start("cap", &[("DERMTONE_SERVE_MAX_CONNECTIONS", "4")]);
    let idle: Vec<TcpStream> = (0..4).map(|_| server.connect()).collect();
    let started = Instant::now();
    let mut extra = server.connect();
    let _ = extra.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let answer = Answer::parse(&read_all(&mut extra, Duration::from_secs(3)));
    assert_eq!(answer.status, 503);
    assert!(started.elapsed() < Duration::from_secs(2));
    answer.assert_secure_headers();
    drop(extra);
    drop(idle);
    // The places free up once the idle clients are gone.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut status = 0;
    while Instant::now() < deadline {
        status = server.get("/").status;
        if status == 200 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(status, 200);
}

#[test]
fn every_answer_carries_the_security_headers() {
    let server = start("headers", &[]);
    let ok = server.get("/index.html");
    assert_eq!(ok.status, 200);
    ok.assert_secure_headers();
    let tag = ok.header("etag").expect("an ETag").to_string();
    let unchanged = server.exchange(
        format!("GET /index.html HTTP/1.1\r\nHost: x\r\nIf-None-Match: {tag}\r\n\r\n").as_bytes(),
    );
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.header("etag"), Some(tag.as_str()));
    unchanged.assert_secure_headers();
    let missing = server.get("/missing.html");
    assert_eq!(missing.status, 404);
    missing.assert_secure_headers();
    let posted = server.exchange(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(posted.status, 405);
    posted.assert_secure_headers();
    let bad = server.exchange(b"GET /%zz HTTP/1.1\r\n\r\n");
    assert_eq!(bad.status, 400);
    bad.assert_secure_headers();
}

/// The fixture itself: the secret really is reachable from the file system, so a 404 above
/// means the server refused it, not that the file was missing.
#[test]
fn the_fixture_has_a_secret_outside_the_root() {
    let server = start("fixture", &[]);
    let link = server.dir.join("www/link.txt");
    assert_eq!(std::fs::read_to_string(&link).unwrap(), SECRET);
    assert_eq!(
        std::fs::read_to_string(server.dir.join("www/linked-dir/secret.txt")).unwrap(),
        SECRET
    );
    assert!(Path::new(&server.dir.join("secret.txt")).is_file());
}
