//! A running `dermtone serve`, and raw HTTP/1.1 exchanges with it over TCP on 127.0.0.1, for the
//! server's tests. Only status codes, headers and bodies are read, so the tests hold whatever the
//! server is built on.
#![allow(dead_code)] // each test binary uses its own subset

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// `dermtone serve` on `dir/www` (the root) and `dir/models`, killed, and `dir` removed, on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Starts the server with the limits' environment overrides in `env` only.
    pub fn start(dir: PathBuf, env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dermtone"));
        command
            .args(["serve", "--port", "0", "--root"])
            .arg(dir.join("www"))
            .arg("--models")
            .arg(dir.join("models"))
            .env_remove("DERMTONE_SERVE_HEAD_TIMEOUT_MS")
            .env_remove("DERMTONE_SERVE_MAX_CONNECTIONS")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        let mut child = command.spawn().expect("start dermtone serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = stdout.read_line(&mut line);
            let _ = send.send((line, stdout));
        });
        let Ok((line, stdout)) = receive.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            panic!("dermtone serve printed no address within 30 s");
        };
        let port = line
            .trim()
            .strip_suffix('/')
            .and_then(|l| l.rsplit_once("http://127.0.0.1:"))
            .and_then(|(_, port)| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Server {
            child,
            port,
            dir,
            _stdout: stdout,
        }
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream
            .set_write_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream
    }

    /// Sends `request` as is, closes the sending side, and reads the answer.
    pub fn exchange(&self, request: &[u8]) -> Answer {
        let mut stream = self.connect();
        stream.write_all(request).unwrap();
        let _ = stream.shutdown(Shutdown::Write);
        Answer::parse(&read_all(&mut stream, Duration::from_secs(5)))
    }

    pub fn get(&self, target: &str) -> Answer {
        self.exchange(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Everything the server sends until it closes (a reset after some data counts as closing),
/// within `limit`.
pub fn read_all(stream: &mut TcpStream, limit: Duration) -> Vec<u8> {
    let start = Instant::now();
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 8192];
    while start.elapsed() < limit {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    bytes
}

/// A parsed response: status, headers with lower-case names, body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn parse(bytes: &[u8]) -> Answer {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(bytes)));
        let head = std::str::from_utf8(&bytes[..end]).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.strip_prefix("HTTP/1.1 "))
            .and_then(|l| l.get(..3))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("no status in {head:?}"));
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
            .collect();
        Answer {
            status,
            headers,
            body: bytes[end + 4..].to_vec(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn assert_secure_headers(&self) {
        let has = |name: &str, check: &dyn Fn(&str) -> bool| {
            assert!(
                self.header(name).is_some_and(check),
                "{} answer: {name} is {:?}",
                self.status,
                self.header(name)
            );
        };
        has("content-security-policy", &|v| {
            v.starts_with("default-src 'self';") && v.contains("object-src 'none'")
        });
        has("x-content-type-options", &|v| v == "nosniff");
        has("referrer-policy", &|v| v == "no-referrer");
        has("permissions-policy", &|v| v.starts_with("camera=(self)"));
        has("cache-control", &|v| v == "no-cache");
        has("connection", &|v| v.eq_ignore_ascii_case("close"));
    }
}
