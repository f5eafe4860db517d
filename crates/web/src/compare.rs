//! `compareAnalyses` for the page's history view: two saved analyses in, the engine's
//! comparison out. Needs no model, so it is a free function rather than an `Engine` method.

use dermtone_engine::{AnalysisSummary, EngineError, compare};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::to_js;

/// Compares the `old` and `new` analyses of one mark (objects as `analyzeBytes` resolved them,
/// read back from the history), measure by measure. Throws an `Error` in words (code `input`
/// for an analysis that cannot be read, `compare` for two that cannot be compared).
#[wasm_bindgen(js_name = compareAnalyses)]
pub fn compare_analyses(old: JsValue, new: JsValue) -> Result<JsValue, JsValue> {
    let read = |value: JsValue, which: &str| {
        serde_wasm_bindgen::from_value::<AnalysisSummary>(value).map_err(|e| {
            to_js(EngineError {
                code: "input",
                message: format!("the {which} saved analysis cannot be read ({e})"),
            })
        })
    };
    let (old, new) = (read(old, "older")?, read(new, "newer")?);
    let comparison = compare(&old, &new).map_err(|e| {
        to_js(EngineError {
            code: "compare",
            message: e.0,
        })
    })?;
    comparison
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| {
            to_js(EngineError {
                code: "compute",
                message: format!("could not build the comparison ({e})"),
            })
        })
}
