//! `dermtone serve` sends the brotli and gzip copies that scripts/precompress.mjs writes beside
//! each file, to a client that accepts them, each decoding to the file's own bytes; revalidation
//! of any of them is a bodiless 304; a copy older than its file is never sent.

#[path = "common/server.rs"]
mod server;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use server::{Answer, Server};

/// Chromium's Accept-Encoding.
const CHROMIUM: &str = "gzip, deflate, br, zstd";

/// Text that compresses well: the page's own scripts are like it.
fn script(words: &str) -> String {
    (0..400)
        .map(|i| format!("export const value{i} = '{words} {}';\n", i * 7))
        .collect()
}

/// Bytes that do not compress, as in a PNG: no copy is worth writing.
fn noise() -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// Runs scripts/precompress.mjs on `dir/www` and `dir/models`; returns what it printed.
fn precompress(dir: &Path) -> String {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new("node")
        .arg(repo.join("scripts/precompress.mjs"))
        .arg("--root")
        .arg(dir.join("www"))
        .arg("--models")
        .arg(dir.join("models"))
        .output()
        .expect("run node scripts/precompress.mjs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A server on a fresh `<temp>/dermtone-serve-encoding-<pid>-<name>/` whose page and models
/// have been precompressed.
fn start(name: &str) -> Server {
    let dir = std::env::temp_dir().join(format!(
        "dermtone-serve-encoding-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let (www, models) = (dir.join("www"), dir.join("models"));
    for folder in [&www.join("pkg"), &models] {
        std::fs::create_dir_all(folder).unwrap();
    }
    std::fs::write(
        www.join("index.html"),
        "<!doctype html><title>dermtone</title>",
    )
    .unwrap();
    std::fs::write(www.join("app.js"), script("app")).unwrap();
    std::fs::write(www.join("pkg/engine.js"), script("engine")).unwrap();
    std::fs::write(www.join("noise.png"), noise()).unwrap();
    let manifest = format!(
        r#"{{"version": 1, "models": [{{"file": "m.bpk", "card": "m.card.json", "notes": {:?}}}]}}"#,
        script("notes")
    );
    std::fs::write(models.join("manifest.json"), manifest).unwrap();
    std::fs::write(models.join("m.bpk"), [7u8; 5000]).unwrap();
    std::fs::write(models.join("m.card.json"), script("card")).unwrap();
    let printed = precompress(&dir);
    assert!(printed.contains("written, 0 up to date"), "{printed}");
    Server::start(dir, &[])
}

/// GET `target` with the extra header lines `headers` (each ending in CRLF).
fn get(server: &Server, target: &str, headers: &str) -> Answer {
    server.exchange(format!("GET {target} HTTP/1.1\r\nHost: x\r\n{headers}\r\n").as_bytes())
}

fn accepting(encoding: &str) -> String {
    format!("Accept-Encoding: {encoding}\r\n")
}

fn decoded(answer: &Answer) -> Vec<u8> {
    let mut bytes = Vec::new();
    match answer.header("content-encoding") {
        None => bytes.clone_from(&answer.body),
        Some("gzip") => {
            flate2::read::GzDecoder::new(&answer.body[..])
                .read_to_end(&mut bytes)
                .unwrap();
        }
        Some("br") => {
            brotli_decompressor::Decompressor::new(&answer.body[..], 4096)
                .read_to_end(&mut bytes)
                .unwrap();
        }
        Some(other) => panic!("unexpected content-encoding {other}"),
    }
    bytes
}

fn served_files(server: &Server) -> Vec<(&'static str, PathBuf)> {
    let (www, models) = (server.dir.join("www"), server.dir.join("models"));
    vec![
        ("/app.js", www.join("app.js")),
        ("/pkg/engine.js", www.join("pkg/engine.js")),
        ("/models/manifest.json", models.join("manifest.json")),
        ("/models/m.bpk", models.join("m.bpk")),
        ("/models/m.card.json", models.join("m.card.json")),
    ]
}

#[test]
fn each_accepted_encoding_decodes_to_the_file() {
    let server = start("decodes");
    for (target, file) in served_files(&server) {
        let bytes = std::fs::read(&file).unwrap();
        let mut tags = Vec::new();
        for (accept, encoding) in [
            ("", None),
            ("identity", None),
            ("gzip", Some("gzip")),
            ("br", Some("br")),
            (CHROMIUM, Some("br")),
            ("br;q=0, gzip", Some("gzip")),
        ] {
            let headers = if accept.is_empty() {
                String::new()
            } else {
                accepting(accept)
            };
            let answer = get(&server, target, &headers);
            let what = format!("{target} with {accept:?}");
            assert_eq!(answer.status, 200, "{what}");
            assert_eq!(answer.header("content-encoding"), encoding, "{what}");
            assert_eq!(answer.header("vary"), Some("accept-encoding"), "{what}");
            answer.assert_secure_headers();
            let length = answer.body.len().to_string();
            assert_eq!(answer.header("content-length"), Some(length.as_str()));
            assert_eq!(decoded(&answer), bytes, "{what}");
            if let Some(suffix) = encoding.map(|e| if e == "br" { ".br" } else { ".gz" }) {
                let mut copy = file.clone().into_os_string();
                copy.push(suffix);
                assert_eq!(answer.body, std::fs::read(copy).unwrap(), "{what}");
                assert!(answer.body.len() < bytes.len(), "{what}");
            }
            tags.push(answer.header("etag").unwrap().to_string());
        }
        // One tag per representation: identity twice, gzip twice, brotli twice.
        tags.sort();
        tags.dedup();
        assert_eq!(tags.len(), 3, "{target}: {tags:?}");
    }
    // Where compressing would not help, there is no copy and the file is sent as it is.
    let noise = get(&server, "/noise.png", &accepting(CHROMIUM));
    assert_eq!(noise.header("content-encoding"), None);
    assert_eq!(noise.body, self::noise());
    assert!(!server.dir.join("www/noise.png.br").exists());
    assert!(!server.dir.join("www/noise.png.gz").exists());
}

#[test]
fn revalidation_is_a_bodiless_304_in_every_encoding() {
    let server = start("revalidation");
    for accept in ["identity", "gzip", "br"] {
        let first = get(&server, "/app.js", &accepting(accept));
        let tag = first.header("etag").unwrap();
        let again = get(
            &server,
            "/app.js",
            &format!("{}If-None-Match: {tag}\r\n", accepting(accept)),
        );
        assert_eq!(again.status, 304, "{accept}");
        assert!(again.body.is_empty(), "{accept}");
        assert_eq!(again.header("etag"), Some(tag), "{accept}");
        assert_eq!(again.header("vary"), Some("accept-encoding"), "{accept}");
        again.assert_secure_headers();
    }
    // A tag of another representation does not stand for this one.
    let brotli_tag = get(&server, "/app.js", &accepting("br"));
    let brotli_tag = brotli_tag.header("etag").unwrap();
    let plain = get(
        &server,
        "/app.js",
        &format!("If-None-Match: {brotli_tag}\r\n"),
    );
    assert_eq!(plain.status, 200);
    assert_eq!(decoded(&plain), script("app").as_bytes());
    // HEAD tells the length of the body a GET would get.
    let head = server.exchange(b"HEAD /app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n");
    let brotli_length = std::fs::metadata(server.dir.join("www/app.js.br"))
        .unwrap()
        .len()
        .to_string();
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-encoding"), Some("br"));
    assert_eq!(head.header("content-length"), Some(brotli_length.as_str()));
}

#[test]
fn a_copy_older_than_its_file_is_not_sent() {
    let server = start("stale");
    let app = server.dir.join("www/app.js");
    let edited = script("edited");
    std::fs::write(&app, &edited).unwrap();
    // The copies were written before the edit, whatever the file system's clock granularity.
    let earlier = SystemTime::now() - Duration::from_secs(60);
    for suffix in [".br", ".gz"] {
        let mut copy = app.clone().into_os_string();
        copy.push(suffix);
        std::fs::File::options()
            .write(true)
            .open(copy)
            .unwrap()
            .set_modified(earlier)
            .unwrap();
    }
    let answer = get(&server, "/app.js", &accepting(CHROMIUM));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-encoding"), None);
    assert_eq!(answer.body, edited.as_bytes());
    // The script rewrites just the stale copies, and then they are sent again.
    let printed = precompress(&server.dir);
    assert!(
        printed.starts_with("precompressed copies: 2 written"),
        "{printed}"
    );
    for encoding in ["br", "gzip"] {
        let answer = get(&server, "/app.js", &accepting(encoding));
        assert_eq!(answer.header("content-encoding"), Some(encoding));
        assert_eq!(decoded(&answer), edited.as_bytes());
    }
}
