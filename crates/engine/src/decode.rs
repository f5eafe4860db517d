//! Bytes or pixels from the outside world → an upright `RgbImage`, with clear errors.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage, RgbaImage,
};

use crate::EngineError;

/// Largest side accepted; bigger photos are refused rather than exhausting memory.
const MAX_SIDE: u32 = 12_000;
/// Most pixels accepted (a 64-megapixel photo is 192 MB as RGB): checked from the file's header
/// before any pixel is decoded, so a decompression bomb costs nothing.
const MAX_PIXELS: u64 = 64_000_000;
/// Most bytes the decoder may allocate for one photo (above 64 MP of 16-bit RGBA would need).
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// The error code of a file in a format this build does not decode (HEIC, AVIF, GIF, text...),
/// as opposed to `decode`, a JPEG, PNG or WebP that is damaged, too large or unreadable. The
/// page hands a `format` file to the browser's own decoder (`www/worker.js`) and analyses its
/// pixels with [`rgba_to_image`].
pub const UNSUPPORTED_FORMAT: &str = "format";

/// Whether this build decodes `format` itself: JPEG and PNG always, WebP where the `image`
/// crate's `webp` feature is on (the CLI; the page's wasm leaves it to the browser).
fn decodes(format: ImageFormat) -> bool {
    matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) && format.reading_enabled()
}

/// Decodes JPEG, PNG or WebP bytes and applies the EXIF orientation, so phone photos come out
/// upright. Every refusal is one sentence a person can act on; a file in a format this build does
/// not decode is refused with the code [`UNSUPPORTED_FORMAT`].
pub fn decode_image(bytes: &[u8]) -> Result<RgbImage, EngineError> {
    let refuse = |code: &'static str, detail: String| {
        EngineError::new(
            code,
            format!("This file could not be read as a JPEG, PNG or WebP photo ({detail})."),
        )
    };
    let unreadable = |detail: String| refuse("decode", detail);
    if bytes.is_empty() {
        return Err(unreadable("the file is empty".into()));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| unreadable(DAMAGED.into()))?;
    match reader.format() {
        Some(format) if decodes(format) => {}
        Some(ImageFormat::WebP) => {
            return Err(refuse(
                UNSUPPORTED_FORMAT,
                "it is a WebP file that could not be decoded here; save or export it as JPEG and try again".into(),
            ));
        }
        Some(other) => {
            return Err(refuse(
                UNSUPPORTED_FORMAT,
                format!(
                    "it is a {} file; save or export it as JPEG and try again",
                    other
                        .extensions_str()
                        .first()
                        .unwrap_or(&"other")
                        .to_uppercase()
                ),
            ));
        }
        None => {
            return Err(refuse(
                UNSUPPORTED_FORMAT,
                "not a photo format dermtone knows".into(),
            ));
        }
    }
    // The limits are in place before the decoder reads anything but the header.
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| unreadable(plain(&e)))?;
    let (width, height) = decoder.dimensions();
    if let Some(problem) = size_problem(width, height) {
        return Err(unreadable(problem));
    }
    // A meaningless orientation tag is read as upright rather than refusing the photo.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| unreadable(plain(&e)))?;
    image.apply_orientation(orientation);
    Ok(image.to_rgb8())
}

const DAMAGED: &str = "it is damaged or incomplete";

/// Why a `width`×`height` photo is not read, in words; `None` when its size is fine.
fn size_problem(width: u32, height: u32) -> Option<String> {
    if width == 0 || height == 0 {
        Some(format!("it claims {width}×{height} pixels"))
    } else if width > MAX_SIDE || height > MAX_SIDE {
        Some(format!(
            "{width}×{height} pixels is more than the {MAX_SIDE} pixels a side dermtone reads; use a smaller copy"
        ))
    } else if u64::from(width) * u64::from(height) > MAX_PIXELS {
        Some(format!(
            "{width}×{height} pixels is more than the {} megapixels dermtone reads; use a smaller copy",
            MAX_PIXELS / 1_000_000
        ))
    } else {
        None
    }
}

/// Refuses a `width`×`height` photo that [`decode_image`] would refuse for its size, with code
/// `input`: the page asks before it has the browser draw a photo the engine could not decode.
pub fn check_image_size(width: u32, height: u32) -> Result<(), EngineError> {
    match size_problem(width, height) {
        Some(problem) => Err(unusable(problem)),
        None => Ok(()),
    }
}

fn unusable(detail: String) -> EngineError {
    EngineError::new("input", format!("This photo could not be used ({detail})."))
}

/// The decoder's error in words a person can act on (its own text is for developers, and may
/// span lines).
fn plain(error: &ImageError) -> String {
    match error {
        ImageError::Limits(_) => "it is too large to read safely; use a smaller copy".into(),
        ImageError::Unsupported(_) => {
            "it uses a JPEG, PNG or WebP variant dermtone cannot read; save it again as JPEG".into()
        }
        _ => DAMAGED.into(),
    }
}

/// Wraps RGBA pixels (as a canvas gives them: the camera's frame, or a photo the browser decoded
/// because the engine does not read its format) into an `RgbImage`, dropping alpha. The size
/// limits are [`decode_image`]'s, and the buffer must hold exactly `width`×`height` pixels;
/// every refusal has code `input` and is one sentence.
pub fn rgba_to_image(width: u32, height: u32, rgba: Vec<u8>) -> Result<RgbImage, EngineError> {
    check_image_size(width, height)?;
    let expected = u64::from(width) * u64::from(height) * 4;
    if rgba.len() as u64 != expected {
        return Err(unusable(format!(
            "{} bytes of pixels where {width}×{height} RGBA pixels take {expected}",
            rgba.len()
        )));
    }
    let image = RgbaImage::from_raw(width, height, rgba)
        .ok_or_else(|| unusable(format!("the pixels do not make a {width}×{height} image")))?;
    Ok(DynamicImage::ImageRgba8(image).to_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_refused_as_a_format_this_build_does_not_decode() {
        let err = decode_image(b"hello, this is not a photo").unwrap_err();
        assert_eq!(err.code, UNSUPPORTED_FORMAT);
        assert!(err.message.contains("JPEG, PNG or WebP"), "{}", err.message);
    }

    #[test]
    fn a_damaged_png_is_a_decode_error_not_a_format_one() {
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0];
        assert_eq!(decode_image(&png).unwrap_err().code, "decode");
    }

    #[test]
    fn other_formats_are_named() {
        let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00";
        let err = decode_image(gif).unwrap_err();
        assert_eq!(err.code, UNSUPPORTED_FORMAT);
        assert!(err.message.contains("it is a GIF file"), "{}", err.message);
    }

    #[test]
    fn png_round_trips() {
        let image = RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8 * 80, y as u8 * 100, 7]));
        let mut png = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(decode_image(&png).unwrap(), image);
    }

    /// A phone's portrait photo: pixels stored sideways with EXIF orientation 6 ("rotate 90°
    /// clockwise to view") come out upright.
    #[test]
    fn a_jpeg_with_exif_orientation_6_comes_out_upright() {
        let stored = RgbImage::from_fn(32, 16, |x, _| {
            image::Rgb(if x < 16 { [220, 30, 30] } else { [30, 30, 220] })
        });
        let mut jpeg = Vec::new();
        stored
            .write_to(&mut Cursor::new(&mut jpeg), ImageFormat::Jpeg)
            .unwrap();
        // APP1 "Exif": a little-endian TIFF header, one IFD entry (0x0112 orientation, SHORT, 6).
        let mut app1 = b"Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
        app1.extend_from_slice(&[6, 0, 0, 0, 0, 0, 0, 0]);
        let mut file = jpeg[..2].to_vec();
        file.extend_from_slice(&[0xFF, 0xE1]);
        file.extend_from_slice(&(app1.len() as u16 + 2).to_be_bytes());
        file.extend_from_slice(&app1);
        file.extend_from_slice(&jpeg[2..]);
        let upright = decode_image(&file).unwrap();
        assert_eq!(upright.dimensions(), (16, 32));
        // Turned clockwise, the stored left half (red) is on top and the right half (blue) below.
        let (top, bottom) = (upright.get_pixel(8, 4), upright.get_pixel(8, 28));
        assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");
        assert_eq!(decode_image(&jpeg).unwrap().dimensions(), (32, 16));
    }

    /// Only where WebP is decoded (the `webp` feature, which the CLI's build switches on).
    #[test]
    fn lossless_webp_round_trips_where_webp_is_decoded() {
        if !ImageFormat::WebP.reading_enabled() {
            let riff = b"RIFF\x24\x00\x00\x00WEBPVP8L";
            assert_eq!(decode_image(riff).unwrap_err().code, UNSUPPORTED_FORMAT);
            return;
        }
        let image = RgbImage::from_fn(5, 3, |x, y| image::Rgb([x as u8 * 50, y as u8 * 90, 200]));
        let mut webp = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut webp), image::ImageFormat::WebP)
            .unwrap();
        assert_eq!(decode_image(&webp).unwrap(), image);
        let cut = &webp[..webp.len() / 2];
        assert_eq!(decode_image(cut).unwrap_err().code, "decode");
    }

    #[test]
    fn pixel_buffers_of_the_wrong_length_are_refused() {
        assert_eq!(rgba_to_image(2, 2, vec![0; 15]).unwrap_err().code, "input");
        assert_eq!(rgba_to_image(2, 2, vec![0; 17]).unwrap_err().code, "input");
        assert_eq!(rgba_to_image(2, 2, Vec::new()).unwrap_err().code, "input");
        assert_eq!(
            rgba_to_image(2, 1, vec![9, 8, 7, 0, 1, 2, 3, 255])
                .unwrap()
                .into_raw(),
            vec![9, 8, 7, 1, 2, 3]
        );
    }

    #[test]
    fn pixel_sizes_beyond_the_decode_limits_are_refused_before_any_allocation() {
        for (w, h) in [
            (0, 10),
            (10, 0),
            (MAX_SIDE + 1, 1),
            (1, u32::MAX),
            (8_001, 8_001),
        ] {
            let err = rgba_to_image(w, h, Vec::new()).unwrap_err();
            assert_eq!(err.code, "input", "{w}×{h}");
            assert!(
                err.message.starts_with("This photo could not be used ("),
                "{}",
                err.message
            );
            assert_eq!(check_image_size(w, h).unwrap_err(), err, "{w}×{h}");
        }
        assert!(check_image_size(8_000, 8_000).is_ok());
    }
}
