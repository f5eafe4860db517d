//! What `analyze`, `tone`, `synth` and `bench` run on: the photo, and an engine holding the
//! models shipped in `--models`, verified as the app verifies them.

use std::path::Path;

use dermtone_engine::{Engine, Manifest, decode_image};
use image::RgbImage;

use crate::device::{self, OpenDevice};
use crate::{Backend, EngineArgs, Mode, PhotoArgs};

/// The decoded photo and the `--mode` engine loaded from `--models` on `--backend`.
pub fn read_photo_and_engine(args: &PhotoArgs) -> Result<(RgbImage, Engine), String> {
    let image = &args.image;
    let bytes =
        std::fs::read(image).map_err(|e| format!("cannot read {}: {e}", image.display()))?;
    let photo = decode_image(&bytes).map_err(|e| format!("{}: {e}", image.display()))?;
    Ok((photo, engine_for(&args.engine)?))
}

/// The engine `args` ask for.
pub fn engine_for(args: &EngineArgs) -> Result<Engine, String> {
    load_engine(&args.models, args.backend, args.mode)
}

/// Reads `manifest.json`, the weights of `mode`'s classifier, its model card and (where listed)
/// the tone estimator's and the tone generator's weights from `models`, and loads them on
/// `backend`.
pub fn load_engine(models: &Path, backend: Backend, mode: Mode) -> Result<Engine, String> {
    load_engine_on(models, mode, device::open(backend)?)
}

/// [`load_engine`] on a device already opened.
pub fn load_engine_on(models: &Path, mode: Mode, opened: OpenDevice) -> Result<Engine, String> {
    let manifest_path = models.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    let manifest = Manifest::from_json(&text).map_err(|e| e.to_string())?;
    let read_weights = |task: &str| -> Result<Vec<u8>, String> {
        let entry = manifest.model_for(task).map_err(|e| e.to_string())?;
        let path = models.join(&entry.file);
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let weights = read_weights(mode.task())?;
    let tone_weights = match manifest.model_for("tone") {
        Ok(_) => Some(read_weights("tone")?),
        Err(_) => None,
    };
    let engine = Engine::new(
        &manifest,
        mode.task(),
        &weights,
        tone_weights.as_deref(),
        opened.device,
        opened.info,
    )
    .map_err(|e| e.to_string())?;
    let card_path = models.join(
        &manifest
            .model_for(mode.task())
            .map_err(|e| e.to_string())?
            .card,
    );
    let card = std::fs::read_to_string(&card_path)
        .map_err(|e| format!("cannot read {}: {e}", card_path.display()))?;
    let engine = engine.with_card(&card).map_err(|e| e.to_string())?;
    match manifest.model_for("generator") {
        Ok(_) => engine
            .with_generator(&manifest, &read_weights("generator")?)
            .map_err(|e| e.to_string()),
        Err(_) => Ok(engine),
    }
}
