//! One connection: its head read within the deadline, then one request answered by hyper, then
//! a lingering close. A connection is refused with a complete answer, never a bare reset.

use std::io::{Cursor, Read, Write};
use std::net::Shutdown;
use std::sync::Arc;
use std::time::Duration;

use hyper::StatusCode;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::Folders;
use super::head::{self, HeadError};
use super::headers::raw_answer;
use super::limits::Limits;

/// Total time to send one answer once its head is read (the largest file, the WebGPU bundle,
/// is ≈ 11 MB uncompressed).
const SEND_TIMEOUT: Duration = Duration::from_secs(300);

/// After answering, input is drained this long so that closing does not reset the connection
/// (a reset can destroy the answer before the client reads it).
const LINGER: Duration = Duration::from_secs(1);

/// Answers the one request of `stream`. hyper is given the head already read, then the rest of
/// the stream; it keeps no connection alive, so the connection's place frees once answered.
pub async fn serve(mut stream: TcpStream, folders: Arc<Folders>, limits: Limits) {
    let head = match timeout(limits.head_timeout, head::read(&mut stream)).await {
        Ok(Ok(head)) => head,
        Ok(Err(HeadError::Closed)) => return,
        Ok(Err(HeadError::Malformed)) => return refuse(stream, StatusCode::BAD_REQUEST).await,
        Ok(Err(HeadError::TooLarge)) => {
            return refuse(stream, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE).await;
        }
        Err(_) => return refuse(stream, StatusCode::REQUEST_TIMEOUT).await,
    };
    let (reader, writer) = stream.into_split();
    let io = TokioIo::new(tokio::io::join(
        AsyncReadExt::chain(Cursor::new(head), reader),
        writer,
    ));
    let service = service_fn(move |request| super::answer::answer(request, Arc::clone(&folders)));
    let answered = http1::Builder::new()
        .keep_alive(false)
        // A client may end its sending side once its request is sent, and still read the answer.
        .half_close(true)
        // The head is complete before hyper reads it: its own timer would never fire.
        .header_read_timeout(None)
        .serve_connection(io, service)
        .without_shutdown();
    if let Ok(Ok(parts)) = timeout(SEND_TIMEOUT, answered).await {
        linger(parts.io.into_inner()).await;
    }
}

/// Answers `status` to a head hyper never saw.
async fn refuse(mut stream: TcpStream, status: StatusCode) {
    let sent = timeout(SEND_TIMEOUT, stream.write_all(&raw_answer(status))).await;
    if matches!(sent, Ok(Ok(()))) {
        linger(stream).await;
    }
}

/// Ends sending, then discards what the client still sends, for at most `LINGER` and 64 KiB,
/// until it closes.
async fn linger(mut stream: impl AsyncRead + AsyncWrite + Unpin) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let drain = async {
        let mut sink = [0u8; 4096];
        let mut drained = 0;
        while drained < 64 * 1024 {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(n) => drained += n,
            }
        }
    };
    let _ = timeout(LINGER, drain).await;
}

/// Answers 503 without ever waiting: the caller is the loop that accepts connections.
pub fn refuse_busy(stream: TcpStream) {
    // Still non-blocking, as tokio left it.
    let Ok(stream) = stream.into_std() else {
        return;
    };
    let _ = (&stream).write_all(&raw_answer(StatusCode::SERVICE_UNAVAILABLE));
    let _ = stream.shutdown(Shutdown::Write);
    let mut sink = [0u8; 4096];
    while matches!((&stream).read(&mut sink), Ok(n) if n > 0) {}
}
