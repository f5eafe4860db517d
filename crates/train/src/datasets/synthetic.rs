//! Stamped synthetic images inside a dataset folder (PNG chunk `dermtone:synthetic=true`, see
//! `dermtone_engine::read_provenance`). Each file is read once and checked for the stamp while
//! it is decoded, so training can count synthetic images apart and no model is ever selected or
//! measured on them.

use std::path::{Path, PathBuf};

use dermtone_engine::{Provenance, decode_image, read_provenance};
use image::RgbImage;

/// The only split a training run may take synthetic images from: val selects the model and
/// test measures it, so both hold real images only.
pub const SYNTHETIC_SPLIT: &str = "train";

/// A decoded dataset image and, if it is stamped synthetic, its stamp.
pub struct Loaded {
    /// The file it was read from (named in errors).
    pub path: PathBuf,
    /// The decoded pixels.
    pub image: RgbImage,
    /// The stamp of a synthetic image; `None` for a real one.
    pub synthetic: Option<Provenance>,
}

/// Reads `path` once: decodes it and notes a synthetic stamp.
pub fn load_image(path: &Path) -> Result<Loaded, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let synthetic = read_provenance(&bytes).filter(|p| p.synthetic);
    let image = decode_image(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Loaded {
        path: path.to_path_buf(),
        image,
        synthetic,
    })
}

impl Loaded {
    /// The image of a split that must be real (anything evaluated, val, test); a synthetic one
    /// is an error naming the file.
    pub fn real(self, split: &str) -> Result<RgbImage, String> {
        match self.synthetic {
            None => Ok(self.image),
            Some(stamp) => Err(format!(
                "{} is a synthetic image (stamped by generator {}); synthetic images are never \
                 allowed in a {split} split, which must hold real images only",
                self.path.display(),
                stamp.generator.as_deref().unwrap_or("unknown"),
            )),
        }
    }

    /// The image of a training run's `split` and whether it is synthetic: synthetic images are
    /// kept in [`SYNTHETIC_SPLIT`] (to be counted apart) and refused in every other split.
    pub fn for_training(self, split: &str) -> Result<(RgbImage, bool), String> {
        if split == SYNTHETIC_SPLIT {
            let synthetic = self.synthetic.is_some();
            Ok((self.image, synthetic))
        } else {
            Ok((self.real(split)?, false))
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use dermtone_engine::stamp_provenance;
    use image::{ImageFormat, Rgb};
    use std::io::Cursor;

    /// A small photo encoded as `format`, stamped synthetic when `stamped`.
    pub(crate) fn photo(format: ImageFormat, stamped: bool) -> Vec<u8> {
        let image = RgbImage::from_fn(24, 16, |x, y| Rgb([x as u8 * 9, y as u8 * 12, 120]));
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), format)
            .unwrap();
        if !stamped {
            return bytes;
        }
        let stamp = Provenance {
            synthetic: true,
            generator: Some("f00d".into()),
            source_tone: Some("2".into()),
            target_tone: Some("5".into()),
        };
        stamp_provenance(&bytes, &stamp).unwrap()
    }

    /// A fresh folder under the system temp dir, unique to `name` and this process.
    pub(crate) fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("dermtone-train-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_stamped_png_is_flagged_and_refused_outside_train() {
        let dir = scratch("synthetic-policy");
        let path = dir.join("rendered.png");
        std::fs::write(&path, photo(ImageFormat::Png, true)).unwrap();
        let loaded = load_image(&path).unwrap();
        assert_eq!(loaded.image.dimensions(), (24, 16));
        assert_eq!(
            loaded.synthetic.as_ref().unwrap().generator.as_deref(),
            Some("f00d")
        );
        let (_, synthetic) = load_image(&path).unwrap().for_training("train").unwrap();
        assert!(synthetic);
        for split in ["val", "test"] {
            let err = load_image(&path).unwrap().for_training(split).unwrap_err();
            assert!(err.contains("rendered.png is a synthetic image"), "{err}");
            assert!(err.contains("generator f00d"), "{err}");
            assert!(
                err.contains(&format!("never allowed in a {split} split")),
                "{err}"
            );
        }
        assert!(loaded.real("train").is_err());
    }

    #[test]
    fn unstamped_pngs_jpegs_and_a_false_stamp_are_real() {
        let dir = scratch("synthetic-real");
        let unstamped = photo(ImageFormat::Png, false);
        let not_synthetic = stamp_provenance(&unstamped, &Provenance::default()).unwrap();
        for (name, bytes) in [
            ("plain.png", unstamped),
            ("photo.jpg", photo(ImageFormat::Jpeg, false)),
            ("checked.png", not_synthetic),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            assert!(load_image(&path).unwrap().synthetic.is_none(), "{name}");
            let (_, synthetic) = load_image(&path).unwrap().for_training("train").unwrap();
            assert!(!synthetic, "{name}");
            assert!(load_image(&path).unwrap().real("test").is_ok(), "{name}");
        }
        let err = load_image(&dir.join("missing.png")).err().unwrap();
        assert!(err.contains("cannot read"), "{err}");
    }
}
