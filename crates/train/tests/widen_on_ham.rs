//! The widening that starts a wider photo network from the dermoscopy body (`--init-from` with a
//! larger `--width` or `--expansion`), on the shipped dermoscopy model and real HAM10000 images:
//! the widened network must answer as the shipped one does.

mod common;

use burn::prelude::*;
use dermtone_engine::{normalise_chw, resize_for_model};
use dermtone_train::dermoscopy::eval::load_shipped;

#[test]
fn the_shipped_dermoscopy_model_widened_gives_its_logits_on_real_images() {
    let (entry, model) = load_shipped(&common::root().join("models")).unwrap();
    let ham = common::shared_ham();
    let split = String::from_utf8(common::read(&ham.join("split.csv"))).unwrap();
    let ids: Vec<&str> = split
        .lines()
        .filter(|row| row.ends_with(",val"))
        .filter_map(|row| row.split(',').next())
        .take(8)
        .collect();
    let size = entry.input.size;
    let pixels: Vec<f32> = ids
        .iter()
        .flat_map(|id| {
            let path = ham.join("images_200x150").join(format!("{id}.jpg"));
            let image = image::load_from_memory(&common::read(&path))
                .unwrap()
                .to_rgb8();
            normalise_chw(&resize_for_model(&image, size), &entry.input)
        })
        .collect();
    let side = size as usize;
    let device = Device::flex();
    let images =
        Tensor::<4>::from_data(TensorData::new(pixels, [ids.len(), 3, side, side]), &device);
    let logits = |t: Tensor<2>| t.into_data().try_to_vec::<f32>().unwrap();
    let before = logits(model.clone().forward(images.clone()));
    let wider = entry
        .architecture
        .config()
        .with_base_width(24)
        .with_expansion(6);
    let after = logits(model.widened(&wider).unwrap().forward(images));
    let largest = before.iter().fold(0f32, |m, v| m.max(v.abs()));
    let worst = before
        .iter()
        .zip(&after)
        .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(
        worst <= 1e-4 * largest.max(1.0),
        "logits moved by {worst} (largest {largest})"
    );
}
