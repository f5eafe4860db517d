//! What each fuzz target does with one input. Errors are the expected outcome of most inputs;
//! only a panic (or a hang) is a finding.

use burn::tensor::Device;
use dermtone_engine::{
    BackendInfo, Engine, Manifest, ModelEntry, decode_image, evidence_from_card, normalise_chw,
    resize_for_model,
};
use dermtone_net::{ClassifierConfig, direct_classifier_from_bytes, load_classifier};

use crate::seeds::{models, tone_entry};

/// One in this many decoded photos that pass the quality check is analysed whole (an analysis
/// takes a hundred times longer than a decode).
const ANALYSE_EVERY: u64 = 200;

/// The photo engine and how many decoded photos have passed the quality check so far.
pub struct ImageTarget {
    engine: Engine,
    entry: ModelEntry,
    passed: std::cell::Cell<u64>,
}

pub enum Target {
    Image(Box<ImageTarget>),
    Manifest,
    Weights {
        config: ClassifierConfig,
        device: Device,
    },
}

impl Target {
    pub fn open(name: &str) -> Result<Self, String> {
        Ok(match name {
            "image" => {
                let (engine, entry) = photo_engine()?;
                Target::Image(Box::new(ImageTarget {
                    engine,
                    entry,
                    passed: std::cell::Cell::new(0),
                }))
            }
            "manifest" => Target::Manifest,
            "weights" => Target::Weights {
                config: tone_entry()?.architecture.config(),
                device: Device::flex(),
            },
            other => return Err(format!("unknown target {other}")),
        })
    }

    pub fn run(&self, input: &[u8]) {
        match self {
            Target::Image(image) => {
                let ImageTarget {
                    engine,
                    entry,
                    passed,
                } = image.as_ref();
                let Ok(photo) = decode_image(input) else {
                    return;
                };
                if u64::from(photo.width()) * u64::from(photo.height()) > 4_000_000 {
                    return;
                }
                let quality = dermtone_color::assess(&photo);
                let resized = resize_for_model(&photo, entry.input.size);
                let _ = normalise_chw(&resized, &entry.input);
                if quality.ok {
                    passed.set(passed.get() + 1);
                    if passed.get() % ANALYSE_EVERY == 0 {
                        let _ = pollster::block_on(engine.analyze(&photo));
                    }
                }
            }
            Target::Manifest => {
                let text = String::from_utf8_lossy(input);
                if let Ok(manifest) = Manifest::from_json(&text) {
                    for entry in &manifest.models {
                        let _ = entry.verify(&[]);
                        let _ = manifest.model_for(&entry.task);
                    }
                }
                let _ = evidence_from_card(&text);
            }
            Target::Weights { config, device } => {
                let _ = load_classifier(config, input, device);
                let _ = direct_classifier_from_bytes(config, input);
            }
        }
    }
}

/// The photo engine as the CLI loads it, from the shipped models.
fn photo_engine() -> Result<(Engine, ModelEntry), String> {
    let dir = models();
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"));
    let text = String::from_utf8(read("manifest.json")?).map_err(|e| e.to_string())?;
    let manifest = Manifest::from_json(&text).map_err(|e| e.to_string())?;
    let entry = manifest
        .model_for("photo")
        .map_err(|e| e.to_string())?
        .clone();
    let tone = manifest.model_for("tone").map_err(|e| e.to_string())?;
    let backend = BackendInfo {
        name: "cpu".into(),
        reason: "the fuzzer runs on the CPU".into(),
    };
    let mut engine = Engine::new(
        &manifest,
        "photo",
        &read(&entry.file)?,
        Some(&read(&tone.file)?),
        Device::flex(),
        backend,
    )
    .map_err(|e| e.to_string())?
    .with_card(&String::from_utf8_lossy(&read(&entry.card)?))
    .map_err(|e| e.to_string())?;
    if let Ok(generator) = manifest.model_for("generator") {
        engine = engine
            .with_generator(&manifest, &read(&generator.file)?)
            .map_err(|e| e.to_string())?;
    }
    Ok((engine, entry))
}
