//! Where an int8 weight file's bytes go: the int8 weights, the f32 batch norms, the per-slice
//! scales, other f32 tensors (biases), burnpack's metadata and its 256-byte alignment, plus
//! what folding each norm into its convolution (one f32 bias per channel instead of four
//! values) would save. The room left under the 1.5 MB weights budget is what a wider network
//! can use (`models/experiments.md`, plan item 4).
//!   cargo run --release -p dermtone-net --example weight_bytes -- models/*.int8.bpk

use burn_pack::{Bytes, DType, HEADER_SIZE, Reader};

fn main() -> Result<(), String> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        return Err("give int8 weight files (models/*.int8.bpk)".into());
    }
    println!(
        "| file | bytes | int8 weights | f32 norms (channels) | scales | other f32 | metadata | alignment | folding the norms saves: data + their tensors' overhead |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for path in paths {
        let file = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
        // The header ends with the metadata's size (u32, little-endian).
        let size_field = file
            .get(HEADER_SIZE - 4..HEADER_SIZE)
            .ok_or(format!("{path}: too short for a burnpack header"))?;
        let metadata = u32::from_le_bytes(size_field.try_into().expect("a 4-byte range")) as usize;
        let reader = Reader::from_bytes(Bytes::from_bytes_vec(file.clone()))
            .map_err(|e| format!("{path}: {e}"))?;
        let (mut int8, mut norms, mut scales, mut other, mut channels, mut norm_tensors) =
            (0, 0, 0, 0, 0, 0);
        let all = reader.into_tensors().map_err(|e| e.to_string())?;
        let tensors = all.len();
        for tensor in all {
            let (name, dtype, shape, _, bytes) = tensor.into_parts().map_err(|e| e.to_string())?;
            let n = bytes.len();
            if dtype == DType::I8 {
                int8 += n;
            } else if name.ends_with(".int8_scale") {
                scales += n;
            } else if name.contains(".norm.") {
                norms += n;
                norm_tensors += 1;
                if name.ends_with(".norm.gamma") {
                    channels += shape[0];
                }
            } else {
                other += n;
            }
        }
        let alignment = file.len() - HEADER_SIZE - metadata - int8 - norms - scales - other;
        // A folded norm's four tensors become one f32 bias per channel (exact), and three
        // tensors' share of the metadata and alignment goes (estimated at the file's mean per
        // tensor).
        let data = norms - channels * 4;
        let overhead = (metadata + alignment) * (norm_tensors - norm_tensors / 4) / tensors.max(1);
        println!(
            "| {path} | {} | {int8} | {norms} ({channels}) | {scales} | {other} | {metadata} | {alignment} | {data} + about {overhead} |",
            file.len()
        );
    }
    Ok(())
}
