//! `dermtone serve`: the page and the models on 127.0.0.1 only, with the same Content Security
//! Policy the page declares. It may sit on a clinic's network, so every limit is explicit:
//! bounded heads, total deadlines and a cap on connections. hyper speaks HTTP and tower-http's
//! file service sends the files (with their precompressed brotli and gzip copies); this module
//! decides which file a request may have and when a connection is refused.

mod answer;
mod connection;
mod files;
mod head;
mod headers;
mod limits;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use limits::Limits;

/// The two served folders: `root` at `/`, `models` at `/models/`.
pub struct Folders {
    root: PathBuf,
    models: PathBuf,
}

pub fn run(port: u16, root: &Path, models: &Path) -> Result<(), String> {
    if !root.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html (run ./build.sh first)",
            root.display()
        ));
    }
    let limits = Limits::from_env()?;
    let folders = Arc::new(Folders {
        root: root.to_path_buf(),
        models: models.to_path_buf(),
    });
    tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the server's runtime: {e}"))?
        .block_on(listen(port, folders, limits))
}

/// Accepts connections for ever. A connection beyond `limits.max_connections` is answered 503
/// at once rather than given a task.
async fn listen(port: u16, folders: Arc<Folders>, limits: Limits) -> Result<(), String> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let port = listener.local_addr().map_or(port, |a| a.port());
    println!(
        "dermtone: serving {} and {} on http://127.0.0.1:{port}/",
        folders.root.display(),
        folders.models.display()
    );
    let places = Arc::new(Semaphore::new(
        limits.max_connections.min(Semaphore::MAX_PERMITS),
    ));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors, say: wait rather than spin.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        match Arc::clone(&places).try_acquire_owned() {
            Ok(place) => {
                let folders = Arc::clone(&folders);
                tokio::spawn(async move {
                    connection::serve(stream, folders, limits).await;
                    drop(place);
                });
            }
            Err(_) => connection::refuse_busy(stream),
        }
    }
}
