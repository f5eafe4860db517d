//! wasm-bindgen adapter over the dermtone engine. It only picks a device, moves bytes across the
//! boundary and turns every failure into a rejected promise with a readable message; the
//! analysis itself is `dermtone_engine`, the same code the CLI runs.
#![cfg(target_arch = "wasm32")]

mod backend;
mod compare;
mod mode;

use std::rc::Rc;

use dermtone_engine::{
    EngineError, Manifest, Network, check_image_size, decode_image, ensure_real, rgba_to_image,
};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// A verified model loaded on WebGPU or the CPU, for use from a Web Worker.
#[wasm_bindgen]
pub struct Engine {
    inner: Rc<dermtone_engine::Engine>,
}

#[wasm_bindgen]
impl Engine {
    /// Verifies `model_bytes` (the manifest's classifier for `mode`: `photo` or `dermoscopy`),
    /// `tone_bytes` (its tone estimator) and `generator_bytes` (its tone generator), the last two
    /// when given, against `manifest_json` and loads them. `card_json` is the classifier's model
    /// card, whose per-tone evidence goes beside each rendering's answer. `preference` is `auto`
    /// (WebGPU when an adapter exists, else CPU), `webgpu` or `cpu`.
    pub async fn create(
        manifest_json: String,
        model_bytes: Vec<u8>,
        tone_bytes: Option<Vec<u8>>,
        preference: String,
        mode: String,
        card_json: Option<String>,
        generator_bytes: Option<Vec<u8>>,
    ) -> Result<Engine, JsValue> {
        console_error_panic_hook::set_once();
        let task = mode::task(&mode).map_err(to_js)?;
        let manifest = Manifest::from_json(&manifest_json).map_err(to_js)?;
        let (device, info) = backend::choose(&preference).await.map_err(to_js)?;
        let inner = dermtone_engine::Engine::new(
            &manifest,
            task,
            &model_bytes,
            tone_bytes.as_deref(),
            device,
            info,
        )
        .map_err(to_js)?;
        let inner = match card_json {
            Some(card) => inner.with_card(&card).map_err(to_js)?,
            None => inner,
        };
        let inner = match generator_bytes {
            Some(bytes) => inner.with_generator(&manifest, &bytes).map_err(to_js)?,
            None => inner,
        };
        Ok(Engine {
            inner: Rc::new(inner),
        })
    }

    /// Backend that runs the networks: `webgpu` or `cpu`.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.inner.backend().name.clone()
    }

    /// Why this backend was chosen (and why the other one was not).
    #[wasm_bindgen(getter)]
    pub fn reason(&self) -> String {
        self.inner.backend().reason.clone()
    }

    /// Analyses a photo file's bytes (JPEG or PNG; WebP too where the engine is built with its
    /// decoder); resolves to a plain object (the engine's `Analysis`). A file in a format the
    /// engine does not decode rejects with code `format`, so the page can have the browser decode
    /// it and call `analyzeRgba`.
    #[wasm_bindgen(js_name = analyzeBytes)]
    pub fn analyze_bytes(&self, bytes: Vec<u8>) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let image = decode_image(&bytes).map_err(to_js)?;
            to_object(inner.analyze(&image).await)
        })
    }

    /// Analyses RGBA pixels (a canvas's `getImageData`: a camera frame, or a photo the browser
    /// decoded); resolves like `analyzeBytes`. A zero or oversized size (the decode limits) or a
    /// buffer that is not exactly `width`×`height`×4 bytes rejects with code `input`.
    #[wasm_bindgen(js_name = analyzeRgba)]
    pub fn analyze_rgba(&self, width: u32, height: u32, rgba: Vec<u8>) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let image = rgba_to_image(width, height, rgba).map_err(to_js)?;
            to_object(inner.analyze(&image).await)
        })
    }

    /// One network's raw forward pass on prepared inputs (`network`: `classifier`, `tone` or
    /// `generator`; `input` NCHW at its size; `conditions` 3 per image for the generator);
    /// resolves to a `Float32Array`. For the benchmark page, which runs the same tensors
    /// through ONNX Runtime Web.
    #[wasm_bindgen(js_name = forwardPrepared)]
    pub fn forward_prepared(
        &self,
        network: String,
        input: Vec<f32>,
        batch: u32,
        conditions: Option<Vec<f32>>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            let network = Network::parse(&network).map_err(to_js)?;
            let output = inner
                .forward_prepared(
                    network,
                    input,
                    batch as usize,
                    conditions.unwrap_or_default(),
                )
                .await
                .map_err(to_js)?;
            Ok(js_sys::Float32Array::from(&output[..]).into())
        })
    }

    /// The educator's view: a real photo's bytes (as `analyzeBytes` reads them) re-rendered at
    /// Fitzpatrick I–VI.
    /// Resolves to `{ png, sourceFitzpatrick, renderings }`: `png` (a `Uint8Array`) is the
    /// labelled grid stamped as synthetic, ready to download; `renderings` are drawn like the
    /// analysis's. Synthetic-stamped input is refused.
    #[wasm_bindgen(js_name = renderGrid)]
    pub fn render_grid(&self, bytes: Vec<u8>) -> Promise {
        let inner = Rc::clone(&self.inner);
        future_to_promise(async move {
            ensure_real(&bytes).map_err(to_js)?;
            let image = decode_image(&bytes).map_err(to_js)?;
            let rendered = inner
                .render(&image, &[1, 2, 3, 4, 5, 6])
                .await
                .map_err(to_js)?;
            let png = rendered.grid_png(&image).map_err(to_js)?;
            let renderings = js_sys::Array::new();
            for rendering in &rendered.renderings {
                renderings.push(&rendering_object(
                    rendering.fitzpatrick,
                    rendering.image.dimensions(),
                    rendering.image.as_raw(),
                )?);
            }
            let source = rendered
                .source_fitzpatrick
                .map_or(JsValue::NULL, JsValue::from);
            object(&[
                ("png", js_sys::Uint8Array::from(&png[..]).into()),
                ("sourceFitzpatrick", source),
                ("renderings", renderings.into()),
            ])
        })
    }
}

/// Throws (code `input`, one sentence) for a photo of `width`×`height` pixels beyond the engine's
/// decode limits: the page asks before it draws a photo the browser decoded into a canvas.
#[wasm_bindgen(js_name = checkImageSize)]
pub fn check_size(width: u32, height: u32) -> Result<(), JsValue> {
    check_image_size(width, height).map_err(to_js)
}

/// The analysis as a plain object, plus `renderings`: per entry of `per_tone`, the synthetic
/// image as `{ fitzpatrick, width, height, rgba }` (`rgba` a `Uint8ClampedArray`) for a canvas.
fn to_object(result: Result<dermtone_engine::Analysis, EngineError>) -> Result<JsValue, JsValue> {
    let analysis = result.map_err(to_js)?;
    let failed = |e: String| {
        to_js(EngineError {
            code: "compute",
            message: e,
        })
    };
    let result = serde_wasm_bindgen::to_value(&analysis).map_err(|e| failed(e.to_string()))?;
    let renderings = js_sys::Array::new();
    for result in &analysis.per_tone {
        renderings.push(&rendering_object(
            result.fitzpatrick,
            result.image.dimensions(),
            result.image.as_raw(),
        )?);
    }
    js_sys::Reflect::set(&result, &"renderings".into(), &renderings)
        .map_err(|_| failed("could not attach the renderings".into()))?;
    Ok(result)
}

/// One synthetic rendering as `{ fitzpatrick, width, height, rgba }` for a canvas.
/// `rgb` is the image's packed RGB bytes, row by row.
fn rendering_object(
    fitzpatrick: u8,
    (width, height): (u32, u32),
    rgb: &[u8],
) -> Result<JsValue, JsValue> {
    let rgba: Vec<u8> = rgb
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    object(&[
        ("fitzpatrick", JsValue::from(fitzpatrick)),
        ("width", JsValue::from(width)),
        ("height", JsValue::from(height)),
        ("rgba", js_sys::Uint8ClampedArray::from(&rgba[..]).into()),
    ])
}

/// A plain JS object with `fields`.
fn object(fields: &[(&str, JsValue)]) -> Result<JsValue, JsValue> {
    let entry = js_sys::Object::new();
    for (key, value) in fields {
        js_sys::Reflect::set(&entry, &(*key).into(), value).map_err(|_| {
            to_js(EngineError {
                code: "compute",
                message: format!("could not build the result's {key}"),
            })
        })?;
    }
    Ok(entry.into())
}

/// A JS `Error` whose `message` is for people and whose `code` is the engine's stable code.
fn to_js(error: EngineError) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code.into());
    js.into()
}
