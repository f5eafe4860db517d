//! The page's capture modes: each names the manifest task whose classifier serves it.

use dermtone_engine::EngineError;

/// The manifest task for a mode the page sends (`photo` or `dermoscopy`). Anything else is
/// refused here, before a manifest entry of another kind (the tone estimator, say) could be
/// loaded as a lesion classifier.
pub fn task(mode: &str) -> Result<&'static str, EngineError> {
    match mode {
        "photo" => Ok("photo"),
        "dermoscopy" => Ok("dermoscopy"),
        other => Err(EngineError {
            code: "input",
            message: format!("unknown mode {other:?}: use photo or dermoscopy"),
        }),
    }
}
