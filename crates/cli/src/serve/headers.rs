//! The headers every answer carries, whoever writes it: hyper, for a request it parsed, or
//! `connection`, for a head refused before hyper saw it.

use hyper::StatusCode;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};

/// The page may talk only to its own origin; wasm needs 'wasm-unsafe-eval' to compile.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/// The page uses the camera; nothing else it could be granted.
const PERMISSIONS: &str = "camera=(self), microphone=(), geolocation=()";

/// Every answer's headers. `no-cache`: the browser revalidates every file (a bodiless 304 when
/// unchanged), so a new version is never hidden behind a cached one. `close`: one request per
/// connection, so that an idle keep-alive connection never holds one of the capped places.
const EVERY_ANSWER: [(&str, &str); 6] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("permissions-policy", PERMISSIONS),
    ("cache-control", "no-cache"),
    ("connection", "close"),
];

pub fn add_to(headers: &mut HeaderMap) {
    for (name, value) in EVERY_ANSWER {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
}

/// The short text body of an error answer: its reason phrase.
pub fn error_text(status: StatusCode) -> String {
    format!(
        "{}\n",
        status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase()
    )
}

/// A whole error answer as bytes, for a connection that never reached hyper.
pub fn raw_answer(status: StatusCode) -> Vec<u8> {
    let body = error_text(status);
    let mut text = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error"),
        body.len()
    );
    if status == StatusCode::SERVICE_UNAVAILABLE {
        text += "retry-after: 1\r\n";
    }
    for (name, value) in EVERY_ANSWER {
        text += &format!("{name}: {value}\r\n");
    }
    text += "\r\n";
    text += &body;
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_answers_carry_every_header() {
        let answer = String::from_utf8(raw_answer(StatusCode::SERVICE_UNAVAILABLE)).unwrap();
        assert!(answer.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
        assert!(answer.contains(&format!("\r\ncontent-security-policy: {CSP}\r\n")));
        assert!(answer.contains("\r\nretry-after: 1\r\n"));
        assert!(answer.ends_with("\r\nconnection: close\r\n\r\nservice unavailable\n"));
        let mut headers = HeaderMap::new();
        add_to(&mut headers);
        assert_eq!(headers.len(), EVERY_ANSWER.len());
    }
}
