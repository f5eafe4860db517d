//! Bytes or pixels from the outside world → an upright `RgbImage`, with clear errors.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits, RgbImage, RgbaImage};

use crate::EngineError;

/// Largest side accepted; bigger photos are refused rather than exhausting memory.
const MAX_SIDE: u32 = 12_000;

/// Decodes JPEG or PNG bytes and applies the EXIF orientation, so phone photos come out upright.
pub fn decode_image(bytes: &[u8]) -> Result<RgbImage, EngineError> {
    let unreadable = |detail: String| {
        EngineError::new(
            "decode",
            format!("This file could not be read as a JPEG or PNG photo ({detail})."),
        )
    };
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| unreadable(e.to_string()))?;
    if reader.format().is_none() {
        return Err(unreadable("unknown format".into()));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| unreadable(e.to_string()))?;
    let orientation = decoder
        .orientation()
        .map_err(|e| unreadable(e.to_string()))?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| unreadable(e.to_string()))?;
    image.apply_orientation(orientation);
    Ok(image.to_rgb8())
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
