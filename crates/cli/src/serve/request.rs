//! Reading and checking one request head: bounded in size and in total time, parsed strictly,
//! and the target's path percent-decoded exactly once.

use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::time::Instant;

/// The largest request head accepted, blank line included.
pub const MAX_HEAD: usize = 16 * 1024;

/// Why no request head could be read.
#[derive(Debug)]
pub enum HeadError {
    /// The client closed without sending anything: nothing to answer.
    Closed,
    /// The head ended early or is not text.
    Malformed,
    /// No blank line within `MAX_HEAD` bytes.
    TooLarge,
    /// The deadline passed before the blank line arrived.
    TimedOut,
    Io(std::io::Error),
}

/// Reads up to the blank line that ends the head. The read timeout shrinks towards one total
/// `deadline`, so a client dribbling a byte at a time is cut off there rather than per read.
pub fn read_head(stream: &mut TcpStream, deadline: Instant) -> Result<Vec<u8>, HeadError> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(HeadError::TimedOut);
        }
        stream
            .set_read_timeout(Some(deadline - now))
            .map_err(HeadError::Io)?;
        let read = match stream.read(&mut buffer) {
            Ok(0) if head.is_empty() => return Err(HeadError::Closed),
            Ok(0) => return Err(HeadError::Malformed),
            Ok(read) => read,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(HeadError::TimedOut);
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(HeadError::Io(e)),
        };
        let searched = head.len().saturating_sub(2);
        head.extend_from_slice(&buffer[..read]);
        match head_end(&head, searched) {
            Some(end) if end <= MAX_HEAD => {
                head.truncate(end);
                return Ok(head);
            }
            Some(_) => return Err(HeadError::TooLarge),
            None if head.len() >= MAX_HEAD => return Err(HeadError::TooLarge),
            None => {}
        }
    }
}

/// The length of the head up to and including its blank line (CRLF CRLF, or bare LF LF), looking
/// from `from` on.
fn head_end(bytes: &[u8], from: usize) -> Option<usize> {
    (from..bytes.len()).find_map(|i| {
        if bytes[i] != b'\n' {
            return None;
        }
        match bytes.get(i + 1..) {
            Some([b'\n', ..]) => Some(i + 2),
            Some([b'\r', b'\n', ..]) => Some(i + 3),
            _ => None,
        }
    })
}

/// The parts of a request this server uses.
#[derive(Debug, PartialEq)]
pub struct Request<'a> {
    pub method: &'a str,
    pub target: &'a str,
    pub if_none_match: Option<&'a str>,
}

/// Parses a head read by `read_head`; `None` when the request line or a header is malformed.
pub fn parse(head: &[u8]) -> Option<Request<'_>> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut words = lines.next()?.split(' ');
    let (method, target, version) = (words.next()?, words.next()?, words.next()?);
    let well_formed = words.next().is_none()
        && !method.is_empty()
        && method.bytes().all(is_token)
        && !target.is_empty()
        && target.bytes().all(|b| b.is_ascii_graphic())
        && matches!(version, "HTTP/1.0" | "HTTP/1.1");
    if !well_formed {
        return None;
    }
    let mut if_none_match = None;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        let value_ok = value.bytes().all(|b| b == b'\t' || !b.is_ascii_control());
        if name.is_empty() || !name.bytes().all(is_token) || !value_ok {
            return None;
        }
        if name.eq_ignore_ascii_case("if-none-match") {
            if_none_match = Some(value.trim());
        }
    }
    Some(Request {
        method,
        target,
        if_none_match,
    })
}

/// An RFC 9110 token character, as in methods and header names.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The path of an origin-form target, percent-decoded once: `None` for a target that is not a
/// path, a broken escape, bytes that are not UTF-8, or a NUL, backslash or control character
/// (which no file name here needs and which some layers treat as separators or terminators).
pub fn decoded_path(target: &str) -> Option<String> {
    let path = target.split(['?', '#']).next()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_end_at_the_first_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nrest", 0), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\n\n", 0), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n", 0), None);
    }

    #[test]
    fn request_lines_are_parsed_strictly() {
        let request = parse(b"GET /a?b HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\n").unwrap();
        assert_eq!(
            request,
            Request {
                method: "GET",
                target: "/a?b",
                if_none_match: Some("\"x\""),
            }
        );
        for bad in [
            &b"GARBAGE\r\n\r\n"[..],
            b"GET /\r\n\r\n",
            b"GET / HTTP/1.1 extra\r\n\r\n",
            b"GET  / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/2.0\r\n\r\n",
            b"G(T / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET / HTTP/1.1\r\n folded: x\r\n\r\n",
            b"GET /\xff HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(parse(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn paths_are_decoded_once() {
        assert_eq!(
            decoded_path("/index%2Ehtml?x=1").as_deref(),
            Some("/index.html")
        );
        assert_eq!(decoded_path("/%252e%252e/").as_deref(), Some("/%2e%2e/"));
        assert_eq!(decoded_path("/%2e%2E%2f").as_deref(), Some("/../"));
        for bad in [
            "*",
            "http://host/",
            "/%",
            "/%2",
            "/%zz",
            "/%00",
            "/a%5cb",
            "/a\\b",
            "/%c0%ae",
        ] {
            assert_eq!(decoded_path(bad), None, "{bad}");
        }
    }
}
