//! The limits of one server, read once at startup.

use std::time::Duration;

/// Total time for a request head to arrive; a slow sender is cut off here, not per read.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections served at once; beyond, a 503 rather than another task.
const MAX_CONNECTIONS: usize = 64;

/// `DERMTONE_SERVE_HEAD_TIMEOUT_MS` and `DERMTONE_SERVE_MAX_CONNECTIONS` override `HEAD_TIMEOUT`
/// and `MAX_CONNECTIONS`, so that tests need not wait ten seconds or open 64 connections.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub head_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            head_timeout: HEAD_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

impl Limits {
    pub fn from_env() -> Result<Self, String> {
        let mut limits = Self::default();
        if let Some(ms) = positive_env("DERMTONE_SERVE_HEAD_TIMEOUT_MS")? {
            limits.head_timeout = Duration::from_millis(ms);
        }
        if let Some(count) = positive_env("DERMTONE_SERVE_MAX_CONNECTIONS")? {
            limits.max_connections = usize::try_from(count).map_err(|e| e.to_string())?;
        }
        Ok(limits)
    }
}

fn positive_env(name: &str) -> Result<Option<u64>, String> {
    let Ok(value) = std::env::var(name) else {
        return Ok(None);
    };
    match value.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(format!("{name} must be a positive integer, not {value:?}")),
    }
}
