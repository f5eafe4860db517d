//! `dermtone analyze`: load the verified model, analyse one photo, print it.

use std::path::Path;

use burn::tensor::Device;
use dermtone_engine::{Analysis, BackendInfo, Engine, Manifest, decode_image};
use image::RgbImage;

use crate::{Backend, Mode, PhotoArgs};

pub fn run(args: &PhotoArgs) -> Result<(), String> {
    let (photo, engine) = read_photo_and_engine(args)?;
    let (image, json) = (args.image.as_path(), args.json);
    let analysis = pollster::block_on(engine.analyze(&photo)).map_err(|e| e.to_string())?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&analysis).map_err(|e| e.to_string())?
        );
    } else {
        print_text(image, &analysis);
    }
    Ok(())
}

/// The decoded photo and the `--mode` engine loaded from `--models` on `--backend`.
pub fn read_photo_and_engine(args: &PhotoArgs) -> Result<(RgbImage, Engine), String> {
    let image = &args.image;
    let bytes =
        std::fs::read(image).map_err(|e| format!("cannot read {}: {e}", image.display()))?;
    let photo = decode_image(&bytes).map_err(|e| format!("{}: {e}", image.display()))?;
    Ok((photo, load_engine(&args.models, args.backend, args.mode)?))
}

/// Reads `manifest.json`, the weights of `mode`'s classifier and (where listed) the tone
/// estimator's from `models` and loads them on `backend`.
pub fn load_engine(models: &Path, backend: Backend, mode: Mode) -> Result<Engine, String> {
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
    let (device, name) = match backend {
        Backend::Cpu => (Device::flex(), "cpu"),
        Backend::Wgpu => (
            Device::wgpu_options()
                .init()
                .map_err(|e| format!("no wgpu adapter: {e}"))?,
            "wgpu",
        ),
    };
    let info = BackendInfo {
        name: name.into(),
        reason: format!("--backend {name} was requested"),
    };
    Engine::new(
        &manifest,
        mode.task(),
        &weights,
        tone_weights.as_deref(),
        device,
        info,
    )
    .map_err(|e| e.to_string())
}

fn print_text(image: &Path, analysis: &Analysis) {
    println!(
        "{} — {} model {} on {}",
        image.display(),
        analysis.mode,
        analysis.model.id,
        analysis.backend
    );
    if !analysis.quality.ok {
        println!("Please retake the photo before it can be checked:");
        for problem in &analysis.quality.problems {
            println!("  - {}", problem.message);
        }
    }
    if let Some(tone) = &analysis.tone {
        println!("  skin tone: {}", crate::tone::describe(tone));
    }
    for class in &analysis.classes {
        println!(
            "  {:<6} {:>6.1}%  {}",
            class.code,
            class.probability * 100.0,
            class.name
        );
    }
    if let Some(m) = &analysis.malignancy {
        println!(
            "  malignancy ({}): {:.1}% against a screening threshold of {:.1}%: {}",
            m.classes.join("+"),
            m.probability * 100.0,
            m.threshold * 100.0,
            if m.flagged {
                "please see a clinician"
            } else {
                "below the threshold, which is not an all-clear"
            }
        );
    }
    println!("{}", analysis.disclaimer);
}
