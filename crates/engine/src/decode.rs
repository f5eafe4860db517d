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

/// Decodes JPEG or PNG bytes and applies the EXIF orientation, so phone photos come out upright.
/// Every refusal is one sentence a person can act on.
pub fn decode_image(bytes: &[u8]) -> Result<RgbImage, EngineError> {
    let unreadable = |detail: String| {
        EngineError::new(
            "decode",
            format!("This file could not be read as a JPEG or PNG photo ({detail})."),
        )
    };
    if bytes.is_empty() {
        return Err(unreadable("the file is empty".into()));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| unreadable(DAMAGED.into()))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png) => {}
        Some(other) => {
            return Err(unreadable(format!(
                "it is a {} file; save or export it as JPEG or PNG and try again",
                other
                    .extensions_str()
                    .first()
                    .unwrap_or(&"other")
                    .to_uppercase()
            )));
        }
        None => return Err(unreadable("not a photo format dermtone knows".into())),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| unreadable(plain(&e)))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(unreadable(format!("it claims {width}×{height} pixels")));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(unreadable(format!(
            "{width}×{height} pixels is more than the {} megapixels dermtone reads; use a smaller copy",
            MAX_PIXELS / 1_000_000
        )));
    }
    // A meaningless orientation tag is read as upright rather than refusing the photo.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| unreadable(plain(&e)))?;
    image.apply_orientation(orientation);
    Ok(image.to_rgb8())
}

const DAMAGED: &str = "it is damaged or incomplete";

/// The decoder's error in words a person can act on (its own text is for developers, and may
/// span lines).
fn plain(error: &ImageError) -> String {
    match error {
        ImageError::Limits(_) => "it is too large to read safely; use a smaller copy".into(),
        ImageError::Unsupported(_) => {
            "it uses a JPEG or PNG variant dermtone cannot read; save it again as JPEG".into()
        }
        _ => DAMAGED.into(),
    }
}

/// Wraps RGBA pixels (as a canvas gives them) into an `RgbImage`, dropping alpha.
pub fn rgba_to_image(width: u32, height: u32, rgba: Vec<u8>) -> Result<RgbImage, EngineError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(EngineError::new(
            "input",
            format!("image size {width}×{height} is not usable"),
        ));
    }
    let image = RgbaImage::from_raw(width, height, rgba).ok_or_else(|| {
        EngineError::new(
            "input",
            format!("pixel buffer does not hold {width}×{height} RGBA pixels"),
        )
    })?;
    Ok(DynamicImage::ImageRgba8(image).to_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_refused_with_a_decode_error() {
        let err = decode_image(b"hello, this is not a photo").unwrap_err();
        assert_eq!(err.code, "decode");
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

    #[test]
    fn short_pixel_buffers_are_refused() {
        assert_eq!(rgba_to_image(2, 2, vec![0; 15]).unwrap_err().code, "input");
        assert_eq!(
            rgba_to_image(2, 1, vec![9, 8, 7, 0, 1, 2, 3, 255])
                .unwrap()
                .into_raw(),
            vec![9, 8, 7, 1, 2, 3]
        );
    }
}
