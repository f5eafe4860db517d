//! Writing one answer: the security headers every answer carries, a total send deadline, and a
//! lingering close.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// The page may talk only to its own origin; wasm needs 'wasm-unsafe-eval' to compile.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/// The page uses the camera; nothing else it could be granted.
const PERMISSIONS: &str = "camera=(self), microphone=(), geolocation=()";

/// Total time to send one response (the largest, the WebGPU bundle, is ≈ 15 MB).
const SEND_TIMEOUT: Duration = Duration::from_secs(300);

/// After answering, input is drained this long so that closing does not reset the connection
/// (a reset can destroy the answer before the client reads it).
const LINGER: Duration = Duration::from_secs(1);

/// Writes all of `bytes` before `deadline`, however slowly the client reads.
fn write_by(stream: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ErrorKind::TimedOut.into());
        }
        stream.set_write_timeout(Some(left))?;
        match stream.write(&bytes[..bytes.len().min(64 * 1024)]) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Discards what the client still sends, for at most `LINGER` and 64 KiB, until it closes.
fn linger(mut stream: TcpStream) {
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < 64 * 1024 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => drained += n,
        }
    }
}

/// One answer, before it is written.
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    /// HEAD: the headers of a GET, without its body.
    pub head_only: bool,
}

impl Response {
    pub fn error(status: u16) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{}\n", reason(status).to_ascii_lowercase()).into_bytes(),
            etag: None,
            head_only: false,
        }
    }

    /// The status line and headers, with the security headers every answer carries.
    fn head(&self) -> String {
        let status = self.status;
        let mut head = format!(
            "HTTP/1.1 {status} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            reason(status),
            self.content_type,
            self.body.len()
        );
        if let Some(tag) = &self.etag {
            head += &format!("ETag: {tag}\r\n");
        }
        match status {
            405 => head += "Allow: GET, HEAD\r\n",
            503 => head += "Retry-After: 1\r\n",
            _ => {}
        }
        head += &format!(
            "Content-Security-Policy: {CSP}\r\nX-Content-Type-Options: nosniff\r\n\
             Referrer-Policy: no-referrer\r\nPermissions-Policy: {PERMISSIONS}\r\n\
             Cache-Control: no-cache\r\nConnection: close\r\n\r\n"
        );
        head
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// Sends `response` within `SEND_TIMEOUT`, then closes the connection.
pub fn send(mut stream: TcpStream, response: &Response) -> std::io::Result<()> {
    let deadline = Instant::now() + SEND_TIMEOUT;
    write_by(&mut stream, response.head().as_bytes(), deadline)?;
    if !response.head_only {
        write_by(&mut stream, &response.body, deadline)?;
    }
    stream.flush()?;
    stream.shutdown(Shutdown::Write)?;
    linger(stream);
    Ok(())
}

/// Answers 503 without ever blocking the caller, the thread that accepts connections.
pub fn refuse_busy(stream: TcpStream) {
    if stream.set_nonblocking(true).is_err() {
        return;
    }
    let response = Response::error(503);
    let mut bytes = response.head().into_bytes();
    bytes.extend_from_slice(&response.body);
    let _ = (&stream).write_all(&bytes);
    let _ = stream.shutdown(Shutdown::Write);
    let mut sink = [0u8; 4096];
    while matches!((&stream).read(&mut sink), Ok(n) if n > 0) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_carries_the_security_headers() {
        for status in [200, 304, 400, 404, 405, 408, 431, 500, 503] {
            let head = Response::error(status).head();
            assert!(head.contains(&format!("\r\nContent-Security-Policy: {CSP}\r\n")));
            assert!(head.contains("\r\nX-Content-Type-Options: nosniff\r\n"));
            assert!(head.contains("\r\nReferrer-Policy: no-referrer\r\n"));
            assert!(head.contains("\r\nPermissions-Policy: camera=(self)"));
            assert!(head.ends_with("\r\nConnection: close\r\n\r\n"));
        }
    }
}
