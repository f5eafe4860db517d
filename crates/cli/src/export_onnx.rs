//! `dermtone export-onnx`: every shipped network as an ONNX graph (`<id>.onnx`) beside a
//! reference batch, the burn network's outputs for it on the CPU and, where the network has
//! them, the direct CPU kernels' (`<id>.reference.json`), so that ONNX Runtime can be checked
//! against our forward passes (`node bench/verify-onnx.mjs`) and benchmarked beside them.

use std::path::{Path, PathBuf};

use burn::prelude::*;
use clap::Args;
use dermtone_engine::{
    Manifest, ModelEntry, decode_image, ita_estimate, normalise_chw, resize_for_model,
};
use dermtone_net::onnx::{self, CONDITIONS, IMAGES, LOGITS, RENDERED};
use dermtone_net::{
    condition_row, direct_classifier, direct_generator, load_classifier, load_generator,
};
use image::RgbImage;
use serde_json::{Value, json};

/// Options of `dermtone export-onnx`.
#[derive(Args)]
pub struct ExportOnnxArgs {
    /// Folder holding manifest.json and the weights.
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// Folder the graphs and references are written into (created if missing).
    #[arg(long, default_value = "bench/onnx")]
    out: PathBuf,
    /// A photo (JPEG, PNG or WebP) for the reference batch; repeat for more. By default, two
    /// built-in seeded test images.
    #[arg(long = "photo")]
    photos: Vec<PathBuf>,
}

pub fn run(args: &ExportOnnxArgs) -> Result<(), String> {
    let path = args.models.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let manifest = Manifest::from_json(&text).map_err(|e| e.to_string())?;
    let photos = match args.photos.as_slice() {
        [] => vec![test_photo(1), test_photo(2)],
        paths => paths
            .iter()
            .map(|p| read_photo(p))
            .collect::<Result<_, _>>()?,
    };
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let device = Device::flex();
    for entry in &manifest.models {
        let weights_path = args.models.join(&entry.file);
        let weights = std::fs::read(&weights_path)
            .map_err(|e| format!("cannot read {}: {e}", weights_path.display()))?;
        entry.verify(&weights).map_err(|e| e.to_string())?;
        let (graph, reference) = match entry.task.as_str() {
            "generator" => export_generator(entry, &weights, &photos, &device)?,
            _ => export_classifier(entry, &weights, &photos, &device)?,
        };
        let graph_path = args.out.join(format!("{}.onnx", entry.id));
        let reference_path = args.out.join(format!("{}.reference.json", entry.id));
        std::fs::write(&graph_path, &graph)
            .map_err(|e| format!("cannot write {}: {e}", graph_path.display()))?;
        std::fs::write(&reference_path, reference.to_string())
            .map_err(|e| format!("cannot write {}: {e}", reference_path.display()))?;
        println!("{} ({} bytes)", graph_path.display(), graph.len());
    }
    Ok(())
}

/// A classifier's graph and its logits for `photos`, prepared as the engine prepares them.
fn export_classifier(
    entry: &ModelEntry,
    weights: &[u8],
    photos: &[RgbImage],
    device: &Device,
) -> Result<(Vec<u8>, Value), String> {
    let config = entry.architecture.config();
    let network = load_classifier(&config, weights, device).map_err(|e| e.to_string())?;
    let size = entry.input.size as usize;
    let graph = onnx::classifier_onnx(&network, &config, size).map_err(|e| e.to_string())?;
    let images = image_batch(entry, photos, device);
    let logits = network.forward(images.clone());
    let direct =
        direct_classifier(&network.folded())?.forward(&values(images.clone())?, size, size)?;
    let direct = (
        LOGITS,
        flat_json(direct, [photos.len(), entry.labels.len()]),
    );
    let inputs = vec![(IMAGES, tensor_json(images)?)];
    Ok((
        graph,
        reference(entry, inputs, (LOGITS, tensor_json(logits)?), direct),
    ))
}

/// The generator's graph and its renderings of `photos`: even ones at type VI, odd ones at
/// type I, each conditioned on its own ITA° as the engine measures it (type III's target where
/// too little skin is visible).
fn export_generator(
    entry: &ModelEntry,
    weights: &[u8],
    photos: &[RgbImage],
    device: &Device,
) -> Result<(Vec<u8>, Value), String> {
    let spec = entry
        .generator
        .as_ref()
        .ok_or_else(|| format!("model {} has no generator section", entry.id))?;
    let network = load_generator(&spec.config(entry.architecture.base_width), weights, device)
        .map_err(|e| e.to_string())?;
    let graph =
        onnx::generator_onnx(&network, entry.input.size as usize).map_err(|e| e.to_string())?;
    let rows: Vec<f32> = photos
        .iter()
        .enumerate()
        .flat_map(|(i, photo)| {
            let source = ita_estimate(photo).ita.unwrap_or(spec.target_ita[2]);
            let target = spec.target_ita[if i % 2 == 0 { 5 } else { 0 }];
            condition_row(source, target)
        })
        .collect();
    let conditions = Tensor::<2>::from_data(
        TensorData::new(rows, [photos.len(), dermtone_net::CONDITION_INPUTS]),
        device,
    );
    let images = image_batch(entry, photos, device);
    let rendered = network.forward(images.clone(), conditions.clone());
    let s = entry.input.size as usize;
    let direct = direct_generator(&network)?.forward(
        &values(images.clone())?,
        &values(conditions.clone())?,
        s,
        s,
    )?;
    let inputs = vec![
        (IMAGES, tensor_json(images)?),
        (CONDITIONS, tensor_json(conditions)?),
    ];
    Ok((
        graph,
        reference(
            entry,
            inputs,
            (RENDERED, tensor_json(rendered)?),
            (RENDERED, flat_json(direct, [photos.len(), 3, s, s])),
        ),
    ))
}

/// `photos` resized and normalised exactly as the engine does, as one batch.
fn image_batch(entry: &ModelEntry, photos: &[RgbImage], device: &Device) -> Tensor<4> {
    let size = entry.input.size;
    let pixels: Vec<f32> = photos
        .iter()
        .flat_map(|photo| normalise_chw(&resize_for_model(photo, size), &entry.input))
        .collect();
    let s = size as usize;
    Tensor::from_data(TensorData::new(pixels, [photos.len(), 3, s, s]), device)
}

/// The reference file: which weights, the named inputs and our named output, burn's, and the
/// same output from the engine's direct CPU kernels (`direct_outputs`), so ONNX Runtime checks
/// both.
fn reference(
    entry: &ModelEntry,
    inputs: Vec<(&str, Value)>,
    output: (&str, Value),
    direct: (&str, Value),
) -> Value {
    let inputs: serde_json::Map<String, Value> = inputs
        .into_iter()
        .map(|(name, tensor)| (name.to_string(), tensor))
        .collect();
    json!({
        "model": entry.id,
        "sha256": entry.sha256,
        "onnx": format!("{}.onnx", entry.id),
        "inputs": inputs,
        "outputs": { output.0: output.1 },
        "direct_outputs": { direct.0: direct.1 },
    })
}

/// A tensor's values, read on the CPU.
fn values<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, String> {
    tensor
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| format!("unexpected tensor type: {e:?}"))
}

/// Flat values of `shape` as `{shape, data}`.
fn flat_json<const D: usize>(values: Vec<f32>, shape: [usize; D]) -> Value {
    json!({ "shape": shape.to_vec(), "data": values })
}

/// A tensor as `{shape, data}`.
fn tensor_json<const D: usize>(tensor: Tensor<D>) -> Result<Value, String> {
    let data = tensor.into_data();
    let values = data
        .try_to_vec::<f32>()
        .map_err(|e| format!("unexpected tensor type: {e:?}"))?;
    Ok(json!({ "shape": data.shape().to_vec(), "data": values }))
}

fn read_photo(path: &Path) -> Result<RgbImage, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    decode_image(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// A 200×150 skin-like test image: a shaded skin tone that depends on `seed`, a dark oval
/// lesion and seeded pixel noise. Integer arithmetic only, so it is the same everywhere.
fn test_photo(seed: u32) -> RgbImage {
    let skin: [i32; 3] = if seed % 2 == 1 {
        [226, 180, 160]
    } else {
        [141, 96, 70]
    };
    RgbImage::from_fn(200, 150, |x, y| {
        let (dx, dy) = (x as i32 - 100, y as i32 - 75);
        let lesion = 4 * dx * dx + 9 * dy * dy < 40 * 40 * 4;
        let shade = (x as i32 - y as i32) / 8;
        let mut hash =
            x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663) ^ seed.wrapping_mul(83_492_791);
        hash ^= hash >> 13;
        hash = hash.wrapping_mul(0x5bd1_e995);
        let noise = (hash >> 24) as i32 % 17 - 8;
        image::Rgb(std::array::from_fn(|c| {
            let base = if lesion { skin[c] / 3 + 10 } else { skin[c] };
            (base + shade + noise).clamp(0, 255) as u8
        }))
    })
}
