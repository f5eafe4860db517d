//! Portable int8 weight files.
//!
//! burn's own Q8S records are packed per backend (a record quantised on the CPU backend does not
//! load on wgpu, and wgpu needs every last dimension divisible by 4, which no 3×3 kernel has).
//! This format avoids both: it is an ordinary burnpack file in which each float tensor of rank ≥ 2
//! is stored as `i8` values plus one scale per slice along its first axis (`<name>.int8_scale`);
//! rank-1 tensors (biases, norm statistics) stay `f32`. Loading dequantises once into a plain
//! f32 record, so inference runs the same float code everywhere.
//!
//! Version 2 stores the scales as f16, rounded up so that no code is clipped: half the bytes of
//! version 1's f32 scales (about 11 KB a classifier, under a weights budget with little room).
//! Rounding a scale up moves it by under 0.1 % (a slice whose largest weight is below about
//! 0.008 has a subnormal f16 scale, off by under 6e-8 instead), far below an int8 step (about
//! 0.8 % of the slice's largest weight). Version 1 files (every model shipped before) still read.

use burn::tensor::f16;
use burn_pack::{Bytes, DType, Reader, Tensor, Writer};

const SCALE_SUFFIX: &str = ".int8_scale";
const FORMAT_KEY: &str = "dermtone.format";
/// The format name written into every new file (and the manifest's `format` field).
pub const FORMAT_INT8: &str = "int8-per-slice-v2";
/// The first format, its scales f32.
pub const FORMAT_INT8_V1: &str = "int8-per-slice-v1";
/// Every format this build reads.
pub const READABLE_FORMATS: [&str; 2] = [FORMAT_INT8_V1, FORMAT_INT8];

/// Why an int8 file could not be written or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Int8Error(pub String);

impl std::fmt::Display for Int8Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "int8 weights: {}", self.0)
    }
}

impl std::error::Error for Int8Error {}

impl From<burn_pack::Error> for Int8Error {
    fn from(err: burn_pack::Error) -> Self {
        Int8Error(err.to_string())
    }
}

/// Quantises an f32 burnpack record into the int8 format described in the module docs.
pub fn quantize(f32_record: &[u8]) -> Result<Vec<u8>, Int8Error> {
    let reader = Reader::from_bytes(Bytes::from_bytes_vec(f32_record.to_vec()))?;
    let mut out = Vec::new();
    for tensor in reader.into_tensors()? {
        let (name, dtype, shape, id, bytes) = tensor.into_parts()?;
        if dtype != DType::F32 || shape.len() < 2 {
            out.push(Tensor::new(name, dtype, shape, id, bytes));
            continue;
        }
        let values = f32s(&bytes);
        let slices = shape[0];
        let (codes, scales) = quantize_slices(&values, slices)
            .map_err(|why| Int8Error(format!("tensor {name}: {why}")))?;
        let scale_bytes = scales.iter().flat_map(|s| s.to_le_bytes()).collect();
        out.push(Tensor::new(
            format!("{name}{SCALE_SUFFIX}"),
            DType::F16,
            vec![slices],
            None,
            Bytes::from_bytes_vec(scale_bytes),
        ));
        out.push(Tensor::new(
            name,
            DType::I8,
            shape,
            id,
            Bytes::from_bytes_vec(codes),
        ));
    }
    let bytes = Writer::new(out)
        .with_metadata(FORMAT_KEY, FORMAT_INT8)
        .into_bytes()?;
    Ok(bytes.to_vec())
}

/// Turns an int8 file back into an f32 burnpack record that `ModuleRecord::from_bytes` reads.
pub fn dequantize(int8_record: &[u8]) -> Result<Vec<u8>, Int8Error> {
    let out = dequantized(int8_record)?
        .into_iter()
        .map(|t| {
            let bytes = t.values.iter().flat_map(|v| v.to_le_bytes()).collect();
            Tensor::new(
                t.name,
                DType::F32,
                t.shape,
                t.id,
                Bytes::from_bytes_vec(bytes),
            )
        })
        .collect();
    Ok(Writer::new(out).into_bytes()?.to_vec())
}

/// One tensor of an int8 file, dequantised.
pub struct Values {
    pub name: String,
    pub shape: Vec<usize>,
    id: Option<u64>,
    pub values: Vec<f32>,
}

/// Every tensor of an int8 file as f32 values, by name: what the direct CPU paths load without
/// building a burn module (see `from_bytes`).
pub fn dequantized(int8_record: &[u8]) -> Result<Vec<Values>, Int8Error> {
    let reader = Reader::from_bytes(Bytes::from_bytes_vec(int8_record.to_vec()))?;
    let format = reader.metadata().get(FORMAT_KEY).map(String::as_str);
    if !format.is_some_and(|f| READABLE_FORMATS.contains(&f)) {
        return Err(Int8Error("not a dermtone int8 weight file".into()));
    }
    let mut scales = std::collections::HashMap::new();
    let mut tensors = Vec::new();
    for tensor in reader.into_tensors()? {
        let (name, dtype, shape, id, bytes) = tensor.into_parts()?;
        match name.strip_suffix(SCALE_SUFFIX) {
            Some(base) => {
                let values = match dtype {
                    DType::F32 => f32s(&bytes),
                    DType::F16 => f16s(&bytes),
                    _ => {
                        return Err(Int8Error(format!(
                            "the scales of {base} are {dtype:?}, not f32 or f16"
                        )));
                    }
                };
                scales.insert(base.to_string(), values);
            }
            None => tensors.push((name, dtype, shape, id, bytes)),
        }
    }
    let mut out = Vec::with_capacity(tensors.len());
    for (name, dtype, shape, id, bytes) in tensors {
        let shape: Vec<usize> = shape.iter().copied().collect();
        // burnpack has already checked each tensor's bytes against its shape and dtype.
        if dtype == DType::F32 {
            let values = f32s(&bytes);
            out.push(Values {
                name,
                shape,
                id,
                values,
            });
            continue;
        }
        if dtype != DType::I8 || shape.is_empty() {
            return Err(Int8Error(format!(
                "tensor {name} is {dtype:?} of rank {}; the format holds only f32 tensors and \
                 i8 tensors of rank >= 1",
                shape.len()
            )));
        }
        let slice_scales = scales
            .get(&name)
            .ok_or_else(|| Int8Error(format!("tensor {name} has no scales")))?;
        if slice_scales.len() != shape[0] || bytes.len() != shape.iter().product::<usize>() {
            return Err(Int8Error(format!(
                "tensor {name} does not match its scales"
            )));
        }
        let per_slice = bytes.len() / shape[0].max(1);
        let values = bytes
            .iter()
            .enumerate()
            .map(|(i, &code)| code as i8 as f32 * slice_scales[i / per_slice])
            .collect();
        out.push(Values {
            name,
            shape,
            id,
            values,
        });
    }
    Ok(out)
}

/// Little-endian f32 values of a tensor's raw bytes.
fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Little-endian f16 values of a tensor's raw bytes, as f32.
fn f16s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(2)
        .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
        .collect()
}

/// The smallest f16 at least `wanted` (positive and finite): a slice's scale, rounded up so that
/// its largest weight still fits in ±127 steps.
fn scale_at_least(wanted: f32) -> Result<f16, String> {
    let scale = f16::from_f32(wanted);
    let scale = if scale.to_f32() < wanted {
        f16::from_bits(scale.to_bits() + 1)
    } else {
        scale
    };
    if scale.is_finite() {
        Ok(scale)
    } else {
        Err(format!(
            "a weight of {} is beyond the format's range",
            wanted * 127.0
        ))
    }
}

/// Symmetric int8 codes and one f16 scale per slice along the first axis.
fn quantize_slices(values: &[f32], slices: usize) -> Result<(Vec<u8>, Vec<f16>), String> {
    let per_slice = values.len() / slices.max(1);
    let mut codes = Vec::with_capacity(values.len());
    let mut scales = Vec::with_capacity(slices);
    for slice in values.chunks(per_slice.max(1)) {
        let max = slice.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = scale_at_least(if max > 0.0 { max / 127.0 } else { 1.0 })?;
        let step = scale.to_f32();
        codes.extend(
            slice
                .iter()
                .map(|v| (v / step).round().clamp(-127.0, 127.0) as i8 as u8),
        );
        scales.push(scale);
    }
    Ok((codes, scales))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f32_tensor(name: &str, shape: Vec<usize>, values: &[f32]) -> Tensor {
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        Tensor::new(
            name.into(),
            DType::F32,
            shape,
            Some(7),
            Bytes::from_bytes_vec(bytes),
        )
    }

    fn read_f32(record: &[u8], name: &str) -> Vec<f32> {
        let reader = Reader::from_bytes(Bytes::from_bytes_vec(record.to_vec())).unwrap();
        let tensor = reader
            .into_tensors()
            .unwrap()
            .into_iter()
            .find(|t| t.name == name)
            .unwrap();
        assert_eq!(tensor.dtype, DType::F32);
        f32s(&tensor.into_bytes().unwrap())
    }

    #[test]
    fn round_trip_keeps_values_within_half_a_step() {
        // Two slices of 512 values on very different scales: each needs its own scale.
        let weights: Vec<f32> = (0..1024)
            .map(|i| ((i % 512) as f32 - 255.5) * if i < 512 { 0.0001 } else { 0.03 })
            .collect();
        let bias = [0.25f32, -1.5];
        let record = Writer::new(vec![
            f32_tensor("w", vec![2, 8, 64], &weights),
            f32_tensor("b", vec![2], &bias),
        ])
        .into_bytes()
        .unwrap()
        .to_vec();
        let int8 = quantize(&record).unwrap();
        let restored = dequantize(&int8).unwrap();
        let w = read_f32(&restored, "w");
        for (slice, (orig, back)) in weights.chunks(512).zip(w.chunks(512)).enumerate() {
            // The step is the f16 scale, rounded up from max / 127 by less than 0.1 %.
            let step = orig.iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0 * 1.001;
            for (a, b) in orig.iter().zip(back) {
                assert!(
                    (a - b).abs() <= step / 2.0 + 1e-7,
                    "slice {slice}: {a} vs {b}"
                );
            }
        }
        assert_eq!(read_f32(&restored, "b"), bias);
        assert!(
            int8.len() * 2 < record.len(),
            "{} vs {} bytes",
            int8.len(),
            record.len()
        );
    }

    /// An int8-format file holding exactly `tensors`, however wrong they are.
    fn int8_file(tensors: Vec<Tensor>) -> Vec<u8> {
        Writer::new(tensors)
            .with_metadata(FORMAT_KEY, FORMAT_INT8)
            .into_bytes()
            .unwrap()
            .to_vec()
    }

    fn raw(name: &str, dtype: DType, shape: Vec<usize>, bytes: Vec<u8>) -> Tensor {
        Tensor::new(
            name.into(),
            dtype,
            shape,
            None,
            Bytes::from_bytes_vec(bytes),
        )
    }

    #[test]
    fn scales_take_two_bytes_and_the_largest_weight_is_not_clipped() {
        for max in [3.7e-9f32, 2.5e-6, 1e-3, 0.0255, 7.65, 1000.0] {
            let weights = [max, -max / 3.0, max / 127.0, 0.0];
            let record = Writer::new(vec![f32_tensor("w", vec![1, 4], &weights)])
                .into_bytes()
                .unwrap()
                .to_vec();
            let int8 = quantize(&record).unwrap();
            let reader = Reader::from_bytes(Bytes::from_bytes_vec(int8.clone())).unwrap();
            let scale = reader
                .into_tensors()
                .unwrap()
                .into_iter()
                .find(|t| t.name == "w.int8_scale")
                .unwrap();
            assert_eq!(scale.dtype, DType::F16);
            let restored = read_f32(&dequantize(&int8).unwrap(), "w");
            let step = f16s(&scale.into_bytes().unwrap())[0];
            assert!(step >= max / 127.0, "{max}: step {step}");
            for (a, b) in weights.iter().zip(&restored) {
                assert!((a - b).abs() <= step / 2.0, "{max}: {a} vs {b}");
            }
        }
        let huge = Writer::new(vec![f32_tensor("w", vec![1, 1], &[1e7])])
            .into_bytes()
            .unwrap()
            .to_vec();
        assert!(quantize(&huge).unwrap_err().0.contains("range"));
    }

    #[test]
    fn a_version_1_file_with_f32_scales_still_reads() {
        let codes: Vec<u8> = [-127i8, 0, 64, 127].iter().map(|&c| c as u8).collect();
        let file = Writer::new(vec![
            f32_tensor("w.int8_scale", vec![1], &[0.5]),
            raw("w", DType::I8, vec![1, 4], codes),
        ])
        .with_metadata(FORMAT_KEY, FORMAT_INT8_V1)
        .into_bytes()
        .unwrap()
        .to_vec();
        assert_eq!(
            read_f32(&dequantize(&file).unwrap(), "w"),
            [-63.5, 0.0, 32.0, 63.5]
        );
    }

    /// Each of these once reached burn, which panics on a float parameter of another dtype
    /// (found by the fuzzer's weights target), or made the slice arithmetic index an empty shape.
    #[test]
    fn tensors_burn_cannot_load_are_refused() {
        let cases = [
            ("u8", raw("w", DType::U8, vec![2, 2], vec![0; 4]), "U8"),
            (
                "u8 scales",
                raw("w.int8_scale", DType::U8, vec![2], vec![0; 2]),
                "not f32 or f16",
            ),
            ("rank-0 i8", raw("w", DType::I8, vec![], vec![0]), "rank 0"),
        ];
        for (case, tensor, expected) in cases {
            let error = dequantize(&int8_file(vec![tensor])).unwrap_err().0;
            assert!(error.contains(expected), "{case}: {error}");
        }
    }

    #[test]
    fn plain_records_are_refused() {
        let record = Writer::new(vec![f32_tensor("b", vec![2], &[1.0, 2.0])])
            .into_bytes()
            .unwrap()
            .to_vec();
        assert!(
            dequantize(&record)
                .unwrap_err()
                .0
                .contains("not a dermtone int8")
        );
        assert!(dequantize(b"garbage").is_err());
    }
}
