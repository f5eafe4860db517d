//! Reading one request head before hyper sees it, bounded in size and header count (the caller
//! bounds the time). A refusal is then answered by this server, with the headers every answer
//! carries: hyper's own 431 and 400 carry none, and it answers nothing at all to blank lines
//! followed by a close. httparse, the parser hyper uses, says where the head ends, and hyper
//! parses the same bytes again; the heads httparse takes and hyper refuses (see
//! [`hyper_takes`]) are refused here first, for the same reason.

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
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(bytes) {
        Ok(httparse::Status::Complete(_)) if hyper_takes(&request) => Ok(true),
        Ok(httparse::Status::Complete(_)) => Err(HeadError::Malformed),
        Ok(httparse::Status::Partial) if bytes.len() >= MAX_HEAD => Err(HeadError::TooLarge),
        Ok(httparse::Status::Partial) => Ok(false),
        Err(httparse::Error::TooManyHeaders) => Err(HeadError::TooLarge),
        Err(_) => Err(HeadError::Malformed),
    }
}

/// Whether hyper 1's server goes on to accept a head httparse parsed: a target it can read as a
/// URI, and the body framing rules of RFC 9112 section 6 as hyper applies them (`proto/h1/role.rs`):
/// no Transfer-Encoding on HTTP/1.0, chunked as the last coding of the last Transfer-Encoding,
/// and before any Transfer-Encoding, Content-Lengths that are digits only, agree and fit.
fn hyper_takes(request: &httparse::Request) -> bool {
    if request
        .path
        .is_none_or(|path| hyper::Uri::try_from(path).is_err())
    {
        return false;
    }
    let http_11 = request.version == Some(1);
    let mut chunked = None;
    let mut length = None;
    for header in request.headers.iter() {
        if header.name.eq_ignore_ascii_case("transfer-encoding") {
            if !http_11 {
                return false;
            }
            chunked = Some(last_coding_is_chunked(header.value));
        } else if header.name.eq_ignore_ascii_case("content-length") && chunked.is_none() {
            match digits(header.value) {
                Some(value) if length.is_none_or(|first| first == value) => length = Some(value),
                _ => return false,
            }
        }
    }
    chunked != Some(false)
}

/// Whether the last coding of a Transfer-Encoding value is `chunked`.
fn last_coding_is_chunked(value: &[u8]) -> bool {
    std::str::from_utf8(value).is_ok_and(|text| {
        text.rsplit(',')
            .next()
            .is_some_and(|coding| coding.trim().eq_ignore_ascii_case("chunked"))
    })
}

/// A Content-Length of ASCII digits only (no sign, no spaces), small enough for hyper.
fn digits(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value
        .iter()
        .try_fold(0u64, |sum, &b| {
            b.is_ascii_digit()
                .then_some(())
                .and_then(|()| sum.checked_mul(10)?.checked_add(u64::from(b - b'0')))
        })
        .filter(|&length| length <= u64::MAX - 2)
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

    #[test]
    fn heads_hyper_would_refuse_are_refused_here() {
        let refused: [&[u8]; 7] = [
            b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"GET file:///x HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            b"GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        ];
        for head in refused {
            assert_eq!(
                complete(head),
                Err(HeadError::Malformed),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
        let taken: [&[u8]; 5] = [
            b"GET / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: x\r\n\r\n",
            b"GET http://x/a HTTP/1.1\r\n\r\n",
            b"GET /a?b=c HTTP/1.0\r\n\r\n",
        ];
        for head in taken {
            assert_eq!(
                complete(head),
                Ok(true),
                "{}",
                String::from_utf8_lossy(head)
            );
        }
    }
}
