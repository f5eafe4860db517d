//! A binary per-pixel mask (lesion, healthy skin, hair …) and the overlap scores used to
//! validate automatic masks against the datasets' hand-drawn ones.

/// One flag per pixel, row-major, the same size as the image it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mask {
    width: u32,
    height: u32,
    data: Vec<bool>,
}

impl Mask {
    /// A mask with every pixel set to `value`.
    pub fn filled(width: u32, height: u32, value: bool) -> Self {
        Self {
            width,
            height,
            data: vec![value; width as usize * height as usize],
        }
    }

    /// A mask whose pixel (x, y) is `f(x, y)`.
    pub fn from_fn(width: u32, height: u32, mut f: impl FnMut(u32, u32) -> bool) -> Self {
        let data = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y))
            .collect();
        Self {
            width,
            height,
            data,
        }
    }

    /// Wraps row-major flags; `None` when their number is not `width × height`.
    pub fn from_vec(width: u32, height: u32, data: Vec<bool>) -> Option<Self> {
        (data.len() == width as usize * height as usize).then_some(Self {
            width,
            height,
            data,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Whether pixel (x, y) is set. Panics outside the mask, like `image`'s pixel access.
    pub fn get(&self, x: u32, y: u32) -> bool {
        assert!(x < self.width && y < self.height, "({x}, {y}) outside mask");
        self.data[y as usize * self.width as usize + x as usize]
    }

    /// Sets pixel (x, y).
    pub fn set(&mut self, x: u32, y: u32, value: bool) {
        assert!(x < self.width && y < self.height, "({x}, {y}) outside mask");
        self.data[y as usize * self.width as usize + x as usize] = value;
    }

    /// The flags, row-major.
    pub fn as_slice(&self) -> &[bool] {
        &self.data
    }

    /// Number of set pixels.
    pub fn count(&self) -> usize {
        self.data.iter().filter(|&&v| v).count()
    }

    /// Set pixels as a share of all pixels (0 for an empty image).
    pub fn fraction(&self) -> f32 {
        if self.data.is_empty() {
            0.0
        } else {
            self.count() as f32 / self.data.len() as f32
        }
    }

    /// Pixels set here and not in `other` (same size).
    pub fn minus(&self, other: &Mask) -> Mask {
        self.zip_with(other, |a, b| a && !b)
    }

    /// Pixels set in both.
    pub fn and(&self, other: &Mask) -> Mask {
        self.zip_with(other, |a, b| a && b)
    }

    /// Pixels set in either.
    pub fn or(&self, other: &Mask) -> Mask {
        self.zip_with(other, |a, b| a || b)
    }

    /// Every pixel flipped.
    pub fn not(&self) -> Mask {
        Mask {
            width: self.width,
            height: self.height,
            data: self.data.iter().map(|v| !v).collect(),
        }
    }

    /// Dice coefficient 2|A∩B| / (|A| + |B|); 1 when both are empty.
    pub fn dice(&self, other: &Mask) -> f32 {
        let both = self.and(other).count();
        let total = self.count() + other.count();
        if total == 0 {
            1.0
        } else {
            2.0 * both as f32 / total as f32
        }
    }

    /// Intersection over union |A∩B| / |A∪B|; 1 when both are empty.
    pub fn iou(&self, other: &Mask) -> f32 {
        let union = self.or(other).count();
        if union == 0 {
            1.0
        } else {
            self.and(other).count() as f32 / union as f32
        }
    }

    fn zip_with(&self, other: &Mask, f: impl Fn(bool, bool) -> bool) -> Mask {
        assert_eq!(
            (self.width, self.height),
            (other.width, other.height),
            "masks of different sizes"
        );
        Mask {
            width: self.width,
            height: self.height,
            data: self
                .data
                .iter()
                .zip(&other.data)
                .map(|(&a, &b)| f(a, b))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_scores_match_hand_counts() {
        let a = Mask::from_fn(4, 1, |x, _| x < 2);
        let b = Mask::from_fn(4, 1, |x, _| (1..3).contains(&x));
        assert_eq!(a.and(&b).count(), 1);
        assert!((a.dice(&b) - 0.5).abs() < 1e-6);
        assert!((a.iou(&b) - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(a.minus(&b).count(), 1);
        assert_eq!(a.not().count(), 2);
        assert!((a.fraction() - 0.5).abs() < 1e-6);
    }

    #[test]
    fn from_vec_checks_its_length() {
        assert!(Mask::from_vec(2, 2, vec![true; 3]).is_none());
        let m = Mask::from_vec(2, 2, vec![false, true, false, false]).unwrap();
        assert!(m.get(1, 0));
        assert!(!m.get(0, 1));
    }
}
