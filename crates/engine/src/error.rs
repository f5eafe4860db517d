//! One error type with a stable code, so the page can show a readable message and tests can
//! match on the kind of failure.

use serde::Serialize;

/// A failure anywhere in the pipeline: `code` is stable, `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineError {
    /// Stable machine-readable kind: `decode`, `format` (a file in a format this build does not
    /// decode), `input`, `manifest`, `integrity`, `model`, `compute`, `compare`.
    pub code: &'static str,
    /// Plain-language explanation.
    pub message: String,
}

impl EngineError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EngineError {}
