//! The hostile-input corpus: files a person might hand the app by accident or on purpose, made
//! here at test time (no dataset image is committed). Shared by the CLI test
//! (`tests/hostile_inputs.rs`) and, through `examples/hostile_corpus.rs`, by the page's test.
//! Past 500 lines because it is one list: a small maker per case, over 40 cases.

use std::io::{Cursor, Write};
use std::path::Path;

use image::{ImageFormat, Rgb, RgbImage};

/// What the app must do with a case. Every case also must not crash, hang or exhaust memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Refused with one clear sentence (exit code 1 in the CLI, an error message in the page).
    Refused,
    /// Read, then retake advice and no probabilities: never a diagnosis.
    Retake,
    /// Read: a result, or retake advice if the photo's quality calls for it.
    Analysed,
    /// Decoders may read what is left of a damaged file or refuse it; either is fine.
    RefusedOrRead,
}

/// What a case is on disk.
pub enum Body {
    /// A file with these bytes.
    File(Vec<u8>),
    /// A directory where a photo was expected.
    Directory,
    /// A path that does not exist.
    Missing,
}

/// One hostile input.
pub struct Case {
    /// File name (its extension is part of the test: a text file named `.jpg`).
    pub name: &'static str,
    /// Its contents.
    pub body: Body,
    /// What must happen.
    pub expect: Expect,
}

/// Every case, in a fixed order. Pseudo-random bytes come from a fixed seed.
pub fn cases() -> Vec<Case> {
    let photo = skin_photo(320, 240);
    let jpeg = encode(&photo, ImageFormat::Jpeg);
    let png = encode(&photo, ImageFormat::Png);
    let file = |name, bytes, expect| Case {
        name,
        body: Body::File(bytes),
        expect,
    };
    use Expect::*;
    vec![
        file("control.jpg", jpeg.clone(), Analysed),
        file("control.png", png.clone(), Analysed),
        file("empty.jpg", Vec::new(), Refused),
        file("one-byte.jpg", vec![0xFF], Refused),
        file(
            "notes.jpg",
            b"these are my notes, not a photo\n".to_vec(),
            Refused,
        ),
        file("jpeg-soi-only.jpg", vec![0xFF, 0xD8], Refused),
        file("jpeg-soi-eoi.jpg", vec![0xFF, 0xD8, 0xFF, 0xD9], Refused),
        file("jpeg-cut-at-20.jpg", jpeg[..20].to_vec(), Refused),
        file("jpeg-cut-at-200.jpg", jpeg[..200].to_vec(), Refused),
        file(
            "jpeg-cut-at-half.jpg",
            jpeg[..jpeg.len() / 2].to_vec(),
            RefusedOrRead,
        ),
        file(
            "jpeg-cut-at-90pc.jpg",
            jpeg[..jpeg.len() * 9 / 10].to_vec(),
            RefusedOrRead,
        ),
        file(
            "jpeg-corrupt-entropy.jpg",
            corrupt_entropy(&jpeg),
            RefusedOrRead,
        ),
        file(
            "jpeg-random-after-soi.jpg",
            prefixed(&[0xFF, 0xD8, 0xFF], 4096, 3),
            Refused,
        ),
        file("jpeg-huge-exif.jpg", with_exif(&jpeg, 60_000, 1), Analysed),
        file(
            "jpeg-bogus-orientation.jpg",
            with_exif(&jpeg, 64, 99),
            Analysed,
        ),
        file("jpeg-cmyk.jpg", cmyk_jpeg(&photo), RefusedOrRead),
        file(
            "jpeg-progressive-cut.jpg",
            jpeg[..jpeg.len() / 3].to_vec(),
            RefusedOrRead,
        ),
        file("png-signature-only.png", PNG_SIGNATURE.to_vec(), Refused),
        file("png-cut-after-header.png", png[..33].to_vec(), Refused),
        file(
            "png-cut-at-half.png",
            png[..png.len() / 2].to_vec(),
            RefusedOrRead,
        ),
        file("png-bad-crc.png", bad_crc(&png), RefusedOrRead),
        file(
            "png-claims-30000x30000.png",
            png_claiming(30_000, 30_000),
            Refused,
        ),
        file("png-claims-100000x1.png", png_claiming(100_000, 1), Refused),
        file("png-claims-zero-width.png", png_claiming(0, 10), Refused),
        file("png-bomb-9000x9000.png", png_bomb(9_000, 9_000), Refused),
        file(
            "png-1x1.png",
            encode(&skin_photo(1, 1), ImageFormat::Png),
            Retake,
        ),
        file(
            "png-2x2.png",
            encode(&skin_photo(2, 2), ImageFormat::Png),
            Retake,
        ),
        file(
            "png-8000x10.png",
            encode(&skin_photo(8000, 10), ImageFormat::Png),
            Retake,
        ),
        file("png-16-bit.png", png_16_bit(&photo), Analysed),
        file(
            "png-grey.png",
            encode_dynamic(
                image::DynamicImage::ImageRgb8(photo.clone())
                    .into_luma8()
                    .into(),
            ),
            Analysed,
        ),
        file(
            "png-grey-alpha.png",
            encode_dynamic(
                image::DynamicImage::ImageRgb8(photo.clone())
                    .into_luma_alpha8()
                    .into(),
            ),
            Analysed,
        ),
        file("png-palette.png", png_palette(&photo), Analysed),
        file(
            "png-trailing-garbage.png",
            [png.clone(), random_bytes(5000, 4)].concat(),
            Analysed,
        ),
        file(
            "png-random-after-signature.png",
            prefixed(&PNG_SIGNATURE, 4096, 5),
            Refused,
        ),
        file("gif-animated.gif", ANIMATED_GIF.to_vec(), Refused),
        file("gif-named-png.png", ANIMATED_GIF.to_vec(), Refused),
        file("bitmap.bmp", bmp(&skin_photo(64, 48)), Refused),
        file("tiff.tif", tiff(&skin_photo(16, 12)), Refused),
        file("webp.webp", WEBP_HEADER.to_vec(), Refused),
        file("heic-from-iphone.heic", HEIC_HEADER.to_vec(), Refused),
        file("drawing.svg", SVG.to_vec(), Refused),
        file(
            "document.pdf",
            b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n".to_vec(),
            Refused,
        ),
        file("archive-named.png", zip_archive(&png), Refused),
        file(
            "random-50MB.jpg",
            random_bytes(50 * 1024 * 1024, 6),
            Refused,
        ),
        file(
            "all-black.png",
            encode(
                &RgbImage::from_pixel(320, 240, Rgb([0, 0, 0])),
                ImageFormat::Png,
            ),
            Retake,
        ),
        file(
            "all-white.jpg",
            encode(
                &RgbImage::from_pixel(320, 240, Rgb([255, 255, 255])),
                ImageFormat::Jpeg,
            ),
            Retake,
        ),
        file(
            "not-skin-sky-and-leaves.png",
            encode(&non_skin_scene(320, 240), ImageFormat::Png),
            Retake,
        ),
        Case {
            name: "a-directory.jpg",
            body: Body::Directory,
            expect: Refused,
        },
        Case {
            name: "missing.jpg",
            body: Body::Missing,
            expect: Refused,
        },
    ]
}

/// Writes every case into `dir` (created if needed): files, the directory case, and nothing for
/// the missing one.
pub fn write_all(dir: &Path) -> std::io::Result<Vec<Case>> {
    std::fs::create_dir_all(dir)?;
    let cases = cases();
    for case in &cases {
        let path = dir.join(case.name);
        match &case.body {
            Body::File(bytes) => std::fs::write(&path, bytes)?,
            Body::Directory => std::fs::create_dir_all(&path)?,
            Body::Missing => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    Ok(cases)
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Light, textured skin with a brown, irregular mark in the middle: a photo the engine analyses.
pub fn skin_photo(width: u32, height: u32) -> RgbImage {
    let (cx, cy) = (width as f32 / 2.0, height as f32 / 2.0);
    let radius = width.min(height) as f32 * 0.22;
    RgbImage::from_fn(width, height, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let wobble = 1.0 + 0.15 * (dy.atan2(dx) * 5.0).sin();
        let grain = ((x * 7 + y * 13) % 5) as u8 * 5;
        if dx.hypot(dy) < radius * wobble {
            Rgb([110 + grain, 72 + grain, 55 + grain])
        } else {
            Rgb([205 + grain, 162 + grain, 140 + grain])
        }
    })
}

/// Sky above, foliage below: colours no skin has.
fn non_skin_scene(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let grain = ((x * 11 + y * 3) % 7) as u8 * 6;
        if y < height / 2 {
            Rgb([60 + grain, 120 + grain, 220])
        } else {
            Rgb([30 + grain, 140 + grain, 40 + grain])
        }
    })
}

fn encode(image: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("encoding a test image");
    out
}

fn encode_dynamic(image: image::DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .expect("encoding a test image");
    out
}

/// xorshift bytes: the same every run.
fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn prefixed(prefix: &[u8], random: usize, seed: u64) -> Vec<u8> {
    [prefix.to_vec(), random_bytes(random, seed)].concat()
}

/// The JPEG with bytes in the middle of its entropy-coded data overwritten.
fn corrupt_entropy(jpeg: &[u8]) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let start = out.len() / 2;
    for (i, b) in out[start..start + 64].iter_mut().enumerate() {
        *b = if i % 2 == 0 { 0xFF } else { 0x13 };
    }
    out
}

/// The JPEG with an EXIF (APP1) segment of about `size` bytes whose orientation tag says
/// `orientation` (1 is upright; anything over 8 is meaningless).
fn with_exif(jpeg: &[u8], size: usize, orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&u32::from(orientation).to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.resize(size.max(tiff.len()), 0xAB);
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend_from_slice(&tiff);
    segment.truncate(65_533 - 2);
    let length = (segment.len() + 2) as u16;
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A CMYK JPEG (as print workflows and some scanners write), Adobe-marked.
fn cmyk_jpeg(photo: &RgbImage) -> Vec<u8> {
    let cmyk: Vec<u8> = photo
        .pixels()
        .flat_map(|p| [255 - p[0], 255 - p[1], 255 - p[2], 0])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(
            &cmyk,
            photo.width() as u16,
            photo.height() as u16,
            jpeg_encoder::ColorType::Cmyk,
        )
        .expect("encoding a CMYK JPEG");
    out
}

/// One PNG chunk with its CRC.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

fn ihdr(width: u32, height: u32, depth: u8, colour: u8) -> Vec<u8> {
    let mut data = width.to_be_bytes().to_vec();
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[depth, colour, 0, 0, 0]);
    chunk(b"IHDR", &data)
}

/// A valid PNG header claiming `width`×`height` RGB pixels, with a few bytes of image data.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&[0u8; 4096]).unwrap();
    [
        PNG_SIGNATURE.to_vec(),
        ihdr(width, height, 8, 2),
        chunk(b"IDAT", &z.finish().unwrap()),
        chunk(b"IEND", &[]),
    ]
    .concat()
}

/// A real decompression bomb: `width`×`height` black RGB pixels (243 MB at 9000×9000) squeezed
/// into a few hundred kilobytes.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let row = vec![0u8; 1 + 3 * width as usize];
    for _ in 0..height {
        z.write_all(&row).unwrap();
    }
    [
        PNG_SIGNATURE.to_vec(),
        ihdr(width, height, 8, 2),
        chunk(b"IDAT", &z.finish().unwrap()),
        chunk(b"IEND", &[]),
    ]
    .concat()
}

/// The PNG with one byte of its first chunk's data flipped (its CRC no longer matches).
fn bad_crc(png: &[u8]) -> Vec<u8> {
    let mut out = png.to_vec();
    out[8 + 8 + 3] ^= 0x01;
    out
}

fn png_16_bit(photo: &RgbImage) -> Vec<u8> {
    let wide: image::ImageBuffer<Rgb<u16>, Vec<u16>> =
        image::ImageBuffer::from_fn(photo.width(), photo.height(), |x, y| {
            Rgb(photo.get_pixel(x, y).0.map(|v| u16::from(v) * 257))
        });
    encode_dynamic(image::DynamicImage::ImageRgb16(wide))
}

/// The photo with its colours reduced to a 64-entry palette (an indexed PNG).
fn png_palette(photo: &RgbImage) -> Vec<u8> {
    let quantise = |v: u8| v / 64 * 64 + 32;
    let mut palette: Vec<[u8; 3]> = Vec::new();
    let mut indices = Vec::with_capacity((photo.width() * photo.height()) as usize);
    for p in photo.pixels() {
        let colour = p.0.map(quantise);
        let index = palette
            .iter()
            .position(|c| *c == colour)
            .unwrap_or_else(|| {
                palette.push(colour);
                palette.len() - 1
            });
        indices.push(index as u8);
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, photo.width(), photo.height());
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette.concat());
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&indices).unwrap();
    writer.finish().unwrap();
    out
}

/// A 24-bit Windows bitmap.
fn bmp(image: &RgbImage) -> Vec<u8> {
    let (w, h) = image.dimensions();
    let row = (3 * w).div_ceil(4) * 4;
    let size = 54 + row * h;
    let mut out = b"BM".to_vec();
    for v in [size, 0, 54, 40] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&(w as i32).to_le_bytes());
    out.extend_from_slice(&(h as i32).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&24u16.to_le_bytes());
    for v in [0u32, row * h, 2835, 2835, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for y in (0..h).rev() {
        let start = out.len();
        for x in 0..w {
            let [r, g, b] = image.get_pixel(x, y).0;
            out.extend_from_slice(&[b, g, r]);
        }
        out.resize(start + row as usize, 0);
    }
    out
}

/// An uncompressed RGB baseline TIFF.
fn tiff(image: &RgbImage) -> Vec<u8> {
    let (w, h) = image.dimensions();
    let pixels = image.as_raw();
    let entries: [(u16, u16, u32); 8] = [
        (256, 4, w),
        (257, 4, h),
        (258, 3, 8),
        (259, 3, 1),
        (262, 3, 2),
        (273, 4, 8),
        (277, 3, 3),
        (279, 4, pixels.len() as u32),
    ];
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&(8 + pixels.len() as u32).to_le_bytes());
    out.extend_from_slice(pixels);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

/// A zip archive holding `inner`, as a photo wrongly renamed.
fn zip_archive(inner: &[u8]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut archive = zip::ZipWriter::new(&mut out);
    archive
        .start_file("photo.png", zip::write::SimpleFileOptions::default())
        .unwrap();
    archive.write_all(inner).unwrap();
    archive.finish().unwrap();
    out.into_inner()
}

/// A two-frame animated GIF (1×1 pixel, looping), as messaging apps send.
const ANIMATED_GIF: &[u8] = &[
    b'G', b'I', b'F', b'8', b'9', b'a', 1, 0, 1, 0, 0x80, 0, 0, 0xFF, 0, 0, 0, 0, 0xFF, 0x21, 0xFF,
    0x0B, b'N', b'E', b'T', b'S', b'C', b'A', b'P', b'E', b'2', b'.', b'0', 3, 1, 0, 0, 0, 0x21,
    0xF9, 4, 0, 10, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x21, 0xF9, 4,
    0, 10, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0, 0x3B,
];

/// The start of a lossy WebP file (RIFF container, VP8 chunk).
const WEBP_HEADER: &[u8] = &[
    b'R', b'I', b'F', b'F', 36, 0, 0, 0, b'W', b'E', b'B', b'P', b'V', b'P', b'8', b' ', 24, 0, 0,
    0, 0x30, 0x01, 0, 0x9D, 0x01, 0x2A, 1, 0, 1, 0, 0x01, 0x40, 0x25, 0xA4, 0, 3, 0x70, 0, 0xFE,
    0xFB, 0x94, 0, 0,
];

/// The start of an iPhone HEIC photo (ISO-BMFF `ftyp` box, brand `heic`).
const HEIC_HEADER: &[u8] = &[
    0, 0, 0, 24, b'f', b't', b'y', b'p', b'h', b'e', b'i', b'c', 0, 0, 0, 0, b'm', b'i', b'f',
    b'1', b'h', b'e', b'i', b'c', 0, 0, 0, 8, b'm', b'e', b't', b'a',
];

const SVG: &[u8] = br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="12" fill="#63412e"/></svg>"##;
