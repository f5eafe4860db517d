//! HAM10000 lesion masks from `masks_200x150.npz` (keys `image_id`: `<U12` strings, `mask`:
//! `u8[n, 150, 200]` of 0/1). Only the requested images are kept, so the 270 MB array is
//! streamed once and never held whole.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use dermtone_color::Mask;

/// Mask file inside a HAM10000 folder.
pub const MASKS_FILE: &str = "masks_200x150.npz";

/// The lesion masks of `wanted` images (all images when `None`), by image id.
pub fn load_lesion_masks(
    dir: &Path,
    wanted: Option<&HashSet<String>>,
) -> Result<HashMap<String, Mask>, String> {
    let path = dir.join(MASKS_FILE);
    let file =
        std::fs::File::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let bad = |what: String| format!("{}: {what}", path.display());
    let mut archive = zip::ZipArchive::new(file).map_err(|e| bad(e.to_string()))?;

    let ids = {
        let mut entry = archive
            .by_name("image_id.npy")
            .map_err(|e| bad(format!("image_id.npy: {e}")))?;
        let header = read_npy_header(&mut entry).map_err(&bad)?;
        let chars = parse_unicode_width(&header.descr)
            .ok_or_else(|| bad(format!("image_id has dtype {}", header.descr)))?;
        let [n] = header.shape[..] else {
            return Err(bad(format!("image_id has shape {:?}", header.shape)));
        };
        let mut raw = vec![0u8; n * chars * 4];
        entry.read_exact(&mut raw).map_err(|e| bad(e.to_string()))?;
        raw.chunks(chars * 4)
            .map(|c| {
                c.chunks(4)
                    .map(|u| u32::from_le_bytes([u[0], u[1], u[2], u[3]]))
                    .take_while(|&u| u != 0)
                    .map(|u| {
                        char::from_u32(u).ok_or_else(|| bad("bad character in image_id".into()))
                    })
                    .collect::<Result<String, String>>()
            })
            .collect::<Result<Vec<String>, String>>()?
    };

    let mut entry = archive
        .by_name("mask.npy")
        .map_err(|e| bad(format!("mask.npy: {e}")))?;
    let header = read_npy_header(&mut entry).map_err(&bad)?;
    let [n, h, w] = header.shape[..] else {
        return Err(bad(format!("mask has shape {:?}", header.shape)));
    };
    if header.descr != "|u1" || n != ids.len() {
        return Err(bad(format!(
            "mask has dtype {} and {n} images for {} ids",
            header.descr,
            ids.len()
        )));
    }
    let mut masks = HashMap::new();
    let mut buffer = vec![0u8; w * h];
    for id in ids {
        entry
            .read_exact(&mut buffer)
            .map_err(|e| bad(e.to_string()))?;
        if wanted.is_none_or(|set| set.contains(&id)) {
            let flags = buffer.iter().map(|&v| v != 0).collect();
            let mask = Mask::from_vec(w as u32, h as u32, flags).expect("buffer is w × h");
            masks.insert(id, mask);
        }
    }
    Ok(masks)
}

struct NpyHeader {
    descr: String,
    shape: Vec<usize>,
}

/// Reads the `.npy` preamble (format versions 1–3) and returns dtype and shape.
fn read_npy_header(reader: &mut impl Read) -> Result<NpyHeader, String> {
    let mut preamble = [0u8; 8];
    reader
        .read_exact(&mut preamble)
        .map_err(|e| e.to_string())?;
    if &preamble[..6] != b"\x93NUMPY" {
        return Err("not a .npy array".into());
    }
    let len = if preamble[6] == 1 {
        let mut b = [0u8; 2];
        reader.read_exact(&mut b).map_err(|e| e.to_string())?;
        usize::from(u16::from_le_bytes(b))
    } else {
        let mut b = [0u8; 4];
        reader.read_exact(&mut b).map_err(|e| e.to_string())?;
        u32::from_le_bytes(b) as usize
    };
    let mut text = vec![0u8; len];
    reader.read_exact(&mut text).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&text);
    if text.contains("'fortran_order': True") {
        return Err("Fortran-ordered arrays are not supported".into());
    }
    let field = |key: &str| {
        let start = text.find(key)? + key.len();
        Some(text[start..].trim_start())
    };
    let descr = field("'descr':")
        .and_then(|rest| rest.strip_prefix('\''))
        .and_then(|rest| rest.split('\'').next())
        .ok_or("no descr in .npy header")?
        .to_string();
    let shape = field("'shape':")
        .and_then(|rest| rest.strip_prefix('('))
        .and_then(|rest| rest.split(')').next())
        .ok_or("no shape in .npy header")?
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NpyHeader { descr, shape })
}

/// Characters per string of a little-endian numpy unicode dtype such as `<U12`.
fn parse_unicode_width(descr: &str) -> Option<usize> {
    descr.strip_prefix("<U")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn shared_ham() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ham10000")
    }

    #[test]
    fn reads_requested_masks_with_a_plausible_lesion_share() {
        let records = crate::datasets::ham10000::read_split_csv(&shared_ham()).unwrap();
        let wanted: HashSet<String> = records
            .iter()
            .take(200)
            .map(|r| r.image_id.clone())
            .collect();
        let masks = load_lesion_masks(&shared_ham(), Some(&wanted)).unwrap();
        assert_eq!(masks.len(), 200);
        let mean = masks.values().map(Mask::fraction).sum::<f32>() / 200.0;
        assert!((0.1..0.5).contains(&mean), "mean lesion share {mean}");
        assert!(
            masks
                .values()
                .all(|m| (m.width(), m.height()) == (200, 150))
        );
    }

    #[test]
    fn a_missing_file_is_a_clear_error() {
        let err = load_lesion_masks(Path::new("/nonexistent"), None).unwrap_err();
        assert!(err.contains(MASKS_FILE), "{err}");
    }
}
