//! Where the tone generator's excess high-frequency share on skin comes from, asked on **val**:
//! `validate-generator` measures about twice real dark skin's high-frequency share on the shipped
//! generator's renderings, which go through int8 weights and the engine's direct CPU kernels,
//! while training sees the f32 weights through burn. This renders the same val photos at type VI
//! three ways (f32 weights in burn, int8 weights in burn, int8 weights in the direct kernels) and
//! prints the high-frequency share of their healthy-skin patches, measured as the validation
//! measures it.
//!   cargo run --release -p dermtone-train --example generator_grain_on_val -- MODELS RECORD [N]
//! MODELS holds the generator (a run's `models/`), RECORD the f32 record it was quantised from
//! (the run's `ck/refined.bpk`), N the number of val photos (default 60); run from the
//! repository root with the data in ../shared/data.

use std::path::Path;

use burn::prelude::*;
use dermtone_color::{skin_mask, skin_tone};
use dermtone_engine::{Manifest, normalise_chw, resize_for_model};
use dermtone_net::{CONDITION_INPUTS, condition_row, direct_generator, load_generator};
use dermtone_train::datasets::fitzpatrick17k::{read_image, read_labels};
use dermtone_train::generator::validation::spectrum::{
    BINS, high_frequency_share, skin_patch_spectrum,
};
use image::RgbImage;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [models, record] = [0, 1].map(|i| args.get(i).cloned());
    let (Some(models), Some(record)) = (models, record) else {
        return Err("give MODELS RECORD [N]".into());
    };
    let count: usize = args
        .get(2)
        .map_or(Ok(60), |n| n.parse())
        .map_err(|e| format!("N: {e}"))?;
    let models = Path::new(&models);
    let manifest = Manifest::from_json(
        &std::fs::read_to_string(models.join("manifest.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let entry = manifest.model_for("generator").map_err(|e| e.to_string())?;
    let spec = entry.generator.as_ref().ok_or("no generator section")?;
    let config = spec.config(entry.architecture.base_width);
    let device = Device::flex();
    let int8_bytes = std::fs::read(models.join(&entry.file)).map_err(|e| e.to_string())?;
    let int8 = load_generator(&config, &int8_bytes, &device).map_err(|e| e.to_string())?;
    let f32_bytes = std::fs::read(&record).map_err(|e| format!("{record}: {e}"))?;
    let f32 = config.load_record(&f32_bytes, &device)?;
    let direct = direct_generator(&int8).map_err(|e| e.to_string())?;
    let side = entry.input.size as usize;
    let target = spec.target_ita[5];

    let data = Path::new("../shared/data/fitzpatrick17k_ajl_subset");
    let mut sums = [[0f64; BINS]; 4];
    let mut patches = [0usize; 4];
    for record in read_labels(data)?
        .iter()
        .filter(|r| r.split == "val")
        .take(count)
    {
        let photo = resize_for_model(&read_image(data, record)?.real("val")?, side as u32);
        let Some(source) = skin_tone(&photo, None).ita else {
            continue;
        };
        let pixels = normalise_chw(&photo, &entry.input);
        let conditions = condition_row(source, target).to_vec();
        let tensor = |values: Vec<f32>| {
            Tensor::<4>::from_data(TensorData::new(values, [1, 3, side, side]), &device)
        };
        let row = Tensor::<2>::from_data(
            TensorData::new(conditions.clone(), [1, CONDITION_INPUTS]),
            &device,
        );
        let burn_render = |network: &dermtone_net::Generator| -> Result<Vec<f32>, String> {
            network
                .forward(tensor(pixels.clone()), row.clone())
                .into_data()
                .try_to_vec::<f32>()
                .map_err(|e| format!("{e:?}"))
        };
        let renders = [
            pixels.clone(),
            burn_render(&f32)?,
            burn_render(&int8)?,
            direct.forward(&pixels, &conditions, side, side)?,
        ];
        for (k, chw) in renders.iter().enumerate() {
            let image = from_chw(chw, side);
            if let Some(spectrum) = skin_patch_spectrum(&image, &skin_mask(&image, None)) {
                for (sum, v) in sums[k].iter_mut().zip(spectrum) {
                    *sum += v;
                }
                patches[k] += 1;
            }
        }
    }
    for (k, name) in [
        "untouched",
        "f32, burn",
        "int8, burn",
        "int8, direct kernels",
    ]
    .iter()
    .enumerate()
    {
        let mean: [f64; BINS] = std::array::from_fn(|b| sums[k][b] / patches[k].max(1) as f64);
        println!(
            "{name:>22}: high-frequency share {:.1} % over {} skin patches",
            100.0 * high_frequency_share(&mean),
            patches[k]
        );
    }
    Ok(())
}

/// An sRGB image from planar values in 0..1.
fn from_chw(chw: &[f32], side: usize) -> RgbImage {
    let plane = side * side;
    RgbImage::from_fn(side as u32, side as u32, |x, y| {
        let i = y as usize * side + x as usize;
        let byte = |c: usize| (chw[c * plane + i].clamp(0.0, 1.0) * 255.0).round() as u8;
        image::Rgb([byte(0), byte(1), byte(2)])
    })
}
