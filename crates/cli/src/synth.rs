//! `dermtone synth`: re-render one photo at a Fitzpatrick type (or all six, as a labelled grid)
//! with the shipped generator, and write a PNG stamped as synthetic.

use std::path::{Path, PathBuf};

use clap::Args;
use dermtone_engine::{decode_image, ensure_real, stamped_png};
use image::RgbImage;
use image::imageops::{FilterType, resize};

use crate::load::load_engine;
use crate::{Backend, Mode};

/// Options of `dermtone synth`.
#[derive(Args)]
pub struct SynthArgs {
    /// JPEG, PNG or WebP photo (a real one: synthetic images are refused).
    image: PathBuf,
    /// Fitzpatrick type 1–6 to render at.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=6), required_unless_present = "all_tones", conflicts_with = "all_tones")]
    tone: Option<u8>,
    /// Render at all six types and write a labelled grid (the original first).
    #[arg(long)]
    all_tones: bool,
    /// Output PNG file.
    #[arg(short = 'o', long)]
    out: PathBuf,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
    /// Which burn backend runs the generator.
    #[arg(long, value_enum, default_value_t = Backend::Cpu)]
    backend: Backend,
    /// Folder holding manifest.json and the weights.
    #[arg(long, default_value = "models")]
    models: PathBuf,
}

pub fn run(args: &SynthArgs) -> Result<(), String> {
    if args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        != Some("png".into())
    {
        return Err(format!(
            "{}: the output must be a .png file, whose text chunks carry the synthetic stamp",
            args.out.display()
        ));
    }
    if same_file(&args.image, &args.out) {
        return Err("the output would overwrite the input photo; choose another -o".into());
    }
    let bytes = std::fs::read(&args.image)
        .map_err(|e| format!("cannot read {}: {e}", args.image.display()))?;
    ensure_real(&bytes).map_err(|e| format!("{}: {e}", args.image.display()))?;
    let photo = decode_image(&bytes).map_err(|e| format!("{}: {e}", args.image.display()))?;
    let engine = load_engine(&args.models, args.backend, Mode::Photo)?;
    let types: Vec<u8> = match args.tone {
        Some(t) => vec![t],
        None => (1..=6).collect(),
    };
    let rendered = pollster::block_on(engine.render(&photo, &types)).map_err(|e| e.to_string())?;
    let png = if args.all_tones {
        rendered.grid_png(&photo)
    } else {
        stamped_png(
            &original_aspect(&rendered.renderings[0].image, photo.dimensions()),
            &rendered.provenance(),
        )
    }
    .map_err(|e| e.to_string())?;
    std::fs::write(&args.out, png)
        .map_err(|e| format!("cannot write {}: {e}", args.out.display()))?;
    let provenance = rendered.provenance();
    if args.json {
        let written = serde_json::json!({
            "out": args.out,
            "synthetic": true,
            "provenance": provenance,
            "source_ita": rendered.source_ita,
            "source_fitzpatrick": rendered.source_fitzpatrick,
            "target_ita": rendered.renderings.iter().map(|r| r.target_ita).collect::<Vec<_>>(),
            "generator": rendered.generator,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&written).map_err(|e| e.to_string())?
        );
    } else {
        println!(
            "wrote {} (SYNTHETIC: rendered from ITA {:.1}° at Fitzpatrick {} by {})",
            args.out.display(),
            rendered.source_ita,
            provenance.target_tone.as_deref().unwrap_or("?"),
            rendered.generator.id
        );
    }
    Ok(())
}

/// The square rendering stretched back to the photo's aspect ratio (long side twice the
/// rendering's side).
fn original_aspect(rendering: &RgbImage, (width, height): (u32, u32)) -> RgbImage {
    let long = 2 * rendering.width();
    let (w, h) = if width >= height {
        (long, (long * height / width).max(1))
    } else {
        ((long * width / height).max(1), long)
    };
    resize(rendering, w, h, FilterType::Triangle)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
