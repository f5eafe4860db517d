//! Reading one request head before hyper sees it, bounded in size and header count (the caller
//! bounds the time). A refusal is then answered by this server, with the headers every answer
//! carries: hyper's own 431 and 400 carry none, and it answers nothing at all to blank lines
//! followed by a close. httparse, the parser hyper uses, says where the head ends, and hyper
//! parses the same bytes again.

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// The largest request head accepted, blank line included.
pub const MAX_HEAD: usize = 16 * 1024;

/// hyper's own limit on headers, so that it never refuses a head accepted here.
const MAX_HEADERS: usize = 100;

/// Why no request head could be read.
#[derive(Debug, PartialEq)]
pub enum HeadError {
    /// The client closed without sending anything, or the connection failed: nothing to answer.
    Closed,
    /// Not an HTTP/1 request head, or one cut short.
    Malformed,
    /// No complete head within `MAX_HEAD` bytes and `MAX_HEADERS` headers.
    TooLarge,
}

/// Reads until a head is complete. Returns everything read: the head and whatever followed it
/// in the same reads, all of which hyper must be given.
pub async fn read(stream: &mut TcpStream) -> Result<Vec<u8>, HeadError> {
    let mut bytes = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let room = (MAX_HEAD - bytes.len()).min(chunk.len());
        let read = stream
            .read(&mut chunk[..room])
            .await
            .map_err(|_| HeadError::Closed)?;
        if read == 0 {
            return Err(if bytes.is_empty() {
                HeadError::Closed
            } else {
                HeadError::Malformed
            });
        }
        bytes.extend_from_slice(&chunk[..read]);
        if complete(&bytes)? {
            return Ok(bytes);
        }
    }
}

/// Whether `bytes` begin with a complete head (true) or may still become one (false).
fn complete(bytes: &[u8]) -> Result<bool, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    match httparse::Request::new(&mut headers).parse(bytes) {
        Ok(httparse::Status::Complete(_)) => Ok(true),
        Ok(httparse::Status::Partial) if bytes.len() >= MAX_HEAD => Err(HeadError::TooLarge),
        Ok(httparse::Status::Partial) => Ok(false),
        Err(httparse::Error::TooManyHeaders) => Err(HeadError::TooLarge),
        Err(_) => Err(HeadError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_complete_at_the_first_blank_line() {
        assert_eq!(complete(b"GET / HTTP/1.1\r\n\r\nrest"), Ok(true));
        assert_eq!(complete(b"GET / HTTP/1.1\n\n"), Ok(true));
        assert_eq!(complete(b"GET / HTTP/1.1\r\nHost: x\r\n"), Ok(false));
        assert_eq!(complete(b"\r\n\r\n"), Ok(false));
        assert_eq!(complete(b"GET / SPDY/3\r\n\r\n"), Err(HeadError::Malformed));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: v\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(complete(many.as_bytes()), Err(HeadError::TooLarge));
        let long = format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(MAX_HEAD));
        assert_eq!(complete(long.as_bytes()), Err(HeadError::TooLarge));
    }
}
