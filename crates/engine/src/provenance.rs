//! Synthetic-image provenance carried inside the PNG itself (`tEXt` chunks `dermtone:synthetic`,
//! `dermtone:generator`, `dermtone:source_tone`, `dermtone:target_tone`), so a rendered image
//! stays labelled as synthetic wherever it is copied. The chunks are read and written by hand:
//! stamping must keep every other byte of the file as it is, which re-encoding would not.

use serde::Serialize;

use crate::EngineError;

const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
const PREFIX: &str = "dermtone:";

/// Where an image came from, as stamped by a generator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// `dermtone:synthetic` is `true`.
    pub synthetic: bool,
    /// `dermtone:generator`: sha256 of the generator model.
    pub generator: Option<String>,
    /// `dermtone:source_tone`: the tone of the photo it was rendered from.
    pub source_tone: Option<String>,
    /// `dermtone:target_tone`: the tone it was rendered at.
    pub target_tone: Option<String>,
}

impl Provenance {
    fn entries(&self) -> Vec<(&'static str, String)> {
        let mut entries = vec![("synthetic", self.synthetic.to_string())];
        for (key, value) in [
            ("generator", &self.generator),
            ("source_tone", &self.source_tone),
            ("target_tone", &self.target_tone),
        ] {
            if let Some(value) = value {
                entries.push((key, value.clone()));
            }
        }
        entries
    }
}

/// The provenance stamped in PNG `bytes`; `None` for other formats and for PNGs without any
/// `dermtone:` text chunk. A damaged file keeps what was read before the damage, so a cut
/// synthetic image is never taken for a real one.
pub fn read_provenance(bytes: &[u8]) -> Option<Provenance> {
    let mut provenance = Provenance::default();
    let mut found = false;
    for chunk in chunks(bytes)? {
        let Ok(chunk) = chunk else { break };
        if &chunk.kind != b"tEXt" || !chunk.crc_ok {
            continue;
        }
        let Some((key, value)) = split_text(chunk.data) else {
            continue;
        };
        let Some(key) = key.strip_prefix(PREFIX) else {
            continue;
        };
        found = true;
        match key {
            "synthetic" => provenance.synthetic = value == "true",
            "generator" => provenance.generator = Some(value),
            "source_tone" => provenance.source_tone = Some(value),
            "target_tone" => provenance.target_tone = Some(value),
            _ => {}
        }
    }
    found.then_some(provenance)
}

/// Refuses image bytes stamped as synthetic: renderings are made from real photos only, never
/// from renderings.
pub fn ensure_real(bytes: &[u8]) -> Result<(), EngineError> {
    match read_provenance(bytes).filter(|p| p.synthetic) {
        Some(stamp) => Err(EngineError::new(
            "input",
            format!(
                "this is already a synthetic image (generator {}); render from the real photo",
                stamp.generator.as_deref().unwrap_or("unknown")
            ),
        )),
        None => Ok(()),
    }
}

/// `image` encoded as a PNG and stamped with `provenance`: how every synthetic image the project
/// writes leaves the program.
pub fn stamped_png(
    image: &image::RgbImage,
    provenance: &Provenance,
) -> Result<Vec<u8>, EngineError> {
    // The PNG encoder itself, not `write_to` with a format chosen at run time, which would link
    // every encoder `image` is built with (the JPEG one too) into the page's wasm.
    use image::ImageEncoder;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| EngineError::new("compute", format!("cannot encode the PNG: {e}")))?;
    stamp_provenance(&png, provenance)
}

/// `png` with `provenance` stamped as `tEXt` chunks right after the header; any earlier
/// `dermtone:` chunks are dropped, every other chunk is kept byte for byte.
pub fn stamp_provenance(png: &[u8], provenance: &Provenance) -> Result<Vec<u8>, EngineError> {
    let bad =
        |detail: &str| EngineError::new("input", format!("cannot stamp provenance: {detail}"));
    let chunks = chunks(png).ok_or_else(|| bad("not a PNG file"))?;
    let mut out = Vec::with_capacity(png.len() + 256);
    out.extend_from_slice(SIGNATURE);
    for chunk in chunks {
        let chunk = chunk.map_err(bad)?;
        let ours = &chunk.kind == b"tEXt"
            && split_text(chunk.data).is_some_and(|(key, _)| key.starts_with(PREFIX));
        if !ours {
            out.extend_from_slice(chunk.raw);
        }
        if &chunk.kind == b"IHDR" {
            for (key, value) in provenance.entries() {
                let mut data = format!("{PREFIX}{key}").into_bytes();
                data.push(0);
                data.extend(latin1(&value));
                write_chunk(&mut out, b"tEXt", &data);
            }
        }
    }
    Ok(out)
}

struct Chunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
    /// The whole chunk: length, type, data and CRC.
    raw: &'a [u8],
    crc_ok: bool,
}

/// The chunks of a PNG up to and including `IEND`; `None` without the PNG signature.
fn chunks(bytes: &[u8]) -> Option<impl Iterator<Item = Result<Chunk<'_>, &'static str>>> {
    let mut rest = bytes.strip_prefix(SIGNATURE)?;
    let mut done = false;
    Some(std::iter::from_fn(move || {
        if done {
            return None;
        }
        if rest.is_empty() {
            done = true;
            return Some(Err("the file ends before IEND"));
        }
        let header = rest.get(..8).ok_or("a chunk header is cut short");
        let chunk = header.and_then(|header| {
            let len = u32::from_be_bytes(header[..4].try_into().expect("4 bytes")) as usize;
            let raw = rest
                .get(..len.checked_add(12).ok_or("a chunk is too long")?)
                .ok_or("a chunk is cut short")?;
            let kind: [u8; 4] = raw[4..8].try_into().expect("4 bytes");
            let stored = u32::from_be_bytes(raw[8 + len..].try_into().expect("4 bytes"));
            Ok(Chunk {
                kind,
                data: &raw[8..8 + len],
                raw,
                crc_ok: crc32(&raw[4..8 + len]) == stored,
            })
        });
        match &chunk {
            Ok(c) => {
                rest = &rest[c.raw.len()..];
                done = &c.kind == b"IEND";
            }
            Err(_) => done = true,
        }
        Some(chunk)
    }))
}

/// A `tEXt` payload as (keyword, text); both are Latin-1.
fn split_text(data: &[u8]) -> Option<(String, String)> {
    let nul = data.iter().position(|&b| b == 0)?;
    let decode = |b: &[u8]| b.iter().map(|&c| char::from(c)).collect::<String>();
    Some((decode(&data[..nul]), decode(&data[nul + 1..])))
}

/// `text` as Latin-1, the only encoding `tEXt` allows; other characters become `?`.
fn latin1(text: &str) -> impl Iterator<Item = u8> + '_ {
    text.chars().map(|c| u8::try_from(c).unwrap_or(b'?'))
}

fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (ISO-HDLC, as PNG uses), bitwise: provenance chunks are a few dozen bytes.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &byte| {
        (0..8).fold(crc ^ u32::from(byte), |c, _| {
            if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn png() -> Vec<u8> {
        let image = image::RgbImage::from_fn(4, 3, |x, y| image::Rgb([x as u8 * 60, y as u8, 9]));
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    }

    fn sample() -> Provenance {
        Provenance {
            synthetic: true,
            generator: Some("ab12".into()),
            source_tone: Some("2".into()),
            target_tone: Some("V".into()),
        }
    }

    #[test]
    fn crc_matches_the_png_reference_value() {
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn stamped_png_reads_back_and_still_decodes_to_the_same_pixels() {
        let original = png();
        assert_eq!(read_provenance(&original), None);
        let stamped = stamp_provenance(&original, &sample()).unwrap();
        assert_eq!(read_provenance(&stamped), Some(sample()));
        assert_eq!(
            crate::decode_image(&stamped).unwrap(),
            crate::decode_image(&original).unwrap()
        );
    }

    #[test]
    fn restamping_replaces_rather_than_adds() {
        let once = stamp_provenance(&png(), &sample()).unwrap();
        let other = Provenance {
            synthetic: false,
            ..Provenance::default()
        };
        let twice = stamp_provenance(&once, &other).unwrap();
        assert_eq!(read_provenance(&twice), Some(other));
        assert!(twice.len() < once.len());
    }

    #[test]
    fn other_files_have_no_provenance_and_cannot_be_stamped() {
        assert_eq!(read_provenance(b"\xff\xd8\xff\xe0 a jpeg"), None);
        let mut cut = stamp_provenance(&png(), &sample()).unwrap();
        cut.truncate(80);
        assert_eq!(read_provenance(&cut).map(|p| p.synthetic), Some(true));
        assert_eq!(
            stamp_provenance(b"not a png", &sample()).unwrap_err().code,
            "input"
        );
        assert!(stamp_provenance(&cut, &sample()).is_err());
    }
}
