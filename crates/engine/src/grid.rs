//! A labelled grid of a photo and its renderings at each tone: the original first, then one tile
//! per Fitzpatrick type, each rendering labelled with its type and the word SYNTHETIC drawn into
//! the pixels, so the label survives even where the PNG's provenance chunks are stripped.

use image::imageops::{FilterType, resize};
use image::{Rgb, RgbImage};

use crate::Rendering;

/// Side of each tile in the grid.
pub const TILE: u32 = 192;
/// Pixels per font dot.
const SCALE: u32 = 2;
/// Height of the label strip under each tile (two lines of text).
const STRIP: u32 = 2 * (7 * SCALE + 4) + 4;
const BACKGROUND: Rgb<u8> = Rgb([255, 255, 255]);
const INK: Rgb<u8> = Rgb([0, 0, 0]);

/// The grid: `original` and each rendering side by side, labelled underneath.
pub fn tone_grid(original: &RgbImage, renderings: &[Rendering]) -> RgbImage {
    let tiles = 1 + renderings.len() as u32;
    let mut grid = RgbImage::from_pixel(tiles * TILE, TILE + STRIP, BACKGROUND);
    let mut place = |index: u32, image: &RgbImage, lines: &[&str]| {
        let tile = resize(image, TILE, TILE, FilterType::Triangle);
        image::imageops::replace(&mut grid, &tile, i64::from(index * TILE), 0);
        for (line, text) in lines.iter().enumerate() {
            let width = text.len() as u32 * 6 * SCALE;
            let x = index * TILE + TILE.saturating_sub(width) / 2;
            let y = TILE + 4 + line as u32 * (7 * SCALE + 4);
            draw_text(&mut grid, text, x, y);
        }
    };
    place(0, original, &["ORIGINAL"]);
    for (i, rendering) in renderings.iter().enumerate() {
        let numeral = ["I", "II", "III", "IV", "V", "VI"]
            .get(usize::from(rendering.fitzpatrick.max(1) - 1))
            .copied()
            .unwrap_or("");
        place(1 + i as u32, &rendering.image, &[numeral, "SYNTHETIC"]);
    }
    grid
}

/// Draws upper-case `text` (the letters of the labels above) with its top-left at (x, y).
fn draw_text(image: &mut RgbImage, text: &str, x: u32, y: u32) {
    for (i, c) in text.chars().enumerate() {
        let Some(rows) = glyph(c) else { continue };
        let left = x + i as u32 * 6 * SCALE;
        for (row, bits) in rows.iter().enumerate() {
            for col in 0..5u32 {
                if bits & (0b10000 >> col) == 0 {
                    continue;
                }
                for dy in 0..SCALE {
                    for dx in 0..SCALE {
                        let (px, py) = (left + col * SCALE + dx, y + row as u32 * SCALE + dy);
                        if px < image.width() && py < image.height() {
                            image.put_pixel(px, py, INK);
                        }
                    }
                }
            }
        }
    }
}

/// 5 × 7 dot glyphs of the letters the labels use.
fn glyph(c: char) -> Option<[u8; 7]> {
    Some(match c {
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'N' => [0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x0A, 0x0A, 0x04],
        'Y' => [0x11, 0x11, 0x0A, 0x04, 0x04, 0x04, 0x04],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_has_a_labelled_tile_per_rendering() {
        let photo = RgbImage::from_pixel(10, 8, Rgb([200, 150, 120]));
        let renderings: Vec<Rendering> = (1..=6)
            .map(|t| Rendering {
                fitzpatrick: t,
                target_ita: 0.0,
                image: RgbImage::from_pixel(8, 8, Rgb([40 * t, 30, 20])),
            })
            .collect();
        let grid = tone_grid(&photo, &renderings);
        assert_eq!(grid.dimensions(), (7 * TILE, TILE + STRIP));
        assert_eq!(grid.get_pixel(3 * TILE + 5, 5), &Rgb([120, 30, 20]));
        let ink = |tile: u32| {
            (tile * TILE..(tile + 1) * TILE)
                .flat_map(|x| (TILE..TILE + STRIP).map(move |y| (x, y)))
                .filter(|&(x, y)| grid.get_pixel(x, y) == &INK)
                .count()
        };
        assert!(ink(0) > 0, "the original is labelled");
        assert!(
            ink(6) > ink(1),
            "VI + SYNTHETIC has more ink than I + SYNTHETIC"
        );
    }
}
