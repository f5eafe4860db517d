//! CRC-32 (IEEE 802.3, the checksum of PNG chunks, zlib's gzip and zip) with the API of
//! crates.io's `crc32fast`, which it replaces in the workspace through `[patch.crates-io]`.
//! `crc32fast` keeps sixteen 1 KB tables to checksum 16 bytes a step; in the wasm engine those
//! tables were 17 KB of the first visit's gzip (the CPU engine, one `wasm-opt -Oz` pass, gzip -9:
//! 740,435 B, and 722,998 B with the tables' 16 KB zeroed in place), for checksums of PNG
//! chunks. This computes a byte a step from one table built at compile time.

use std::{fmt, hash};

/// The reversed IEEE polynomial.
const POLYNOMIAL: u32 = 0xEDB8_8320;

/// The CRC of every byte value: `TABLE[b]` is the register after shifting `b` through it.
static TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut crc = n as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLYNOMIAL
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[n] = crc;
        n += 1;
    }
    table
};

/// `state` (a finished CRC, as `finalize` returns it) continued over `bytes`.
fn update(state: u32, bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!state, |crc, &b| {
        (crc >> 8) ^ TABLE[usize::from((crc as u8) ^ b)]
    })
}

/// The CRC-32 of `buf`.
pub fn hash(buf: &[u8]) -> u32 {
    update(0, buf)
}

/// A running CRC-32, with the number of bytes it has seen (which [`Hasher::combine`] needs).
#[derive(Clone)]
pub struct Hasher {
    state: u32,
    amount: u64,
}

impl Hasher {
    /// A hasher over no bytes yet.
    pub fn new() -> Self {
        Self::new_with_initial(0)
    }

    /// A hasher continuing from the CRC `init`.
    pub fn new_with_initial(init: u32) -> Self {
        Self::new_with_initial_len(init, 0)
    }

    /// A hasher continuing from the CRC `init` of `amount` bytes.
    pub fn new_with_initial_len(init: u32, amount: u64) -> Self {
        Self {
            state: init,
            amount,
        }
    }

    /// Adds `buf` to the checksum.
    pub fn update(&mut self, buf: &[u8]) {
        self.state = update(self.state, buf);
        self.amount += buf.len() as u64;
    }

    /// Bytes seen so far.
    pub fn total_len(&self) -> u64 {
        self.amount
    }

    /// The CRC of every byte seen.
    pub fn finalize(self) -> u32 {
        self.state
    }

    /// Back to no bytes.
    pub fn reset(&mut self) {
        self.state = 0;
        self.amount = 0;
    }

    /// Continues this checksum with `other`'s, as if `other`'s bytes had followed this one's.
    pub fn combine(&mut self, other: &Self) {
        self.state = combine(self.state, other.state, other.amount);
        self.amount += other.amount;
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("crc32fast::Hasher").finish()
    }
}

impl hash::Hasher for Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes)
    }

    fn finish(&self) -> u64 {
        u64::from(self.state)
    }
}

/// `matrix · vector` over GF(2): the columns `matrix[i]` picked by the bits of `vector`.
fn times(matrix: &[u32; 32], mut vector: u32) -> u32 {
    let mut sum = 0;
    let mut i = 0;
    while vector != 0 {
        if vector & 1 == 1 {
            sum ^= matrix[i];
        }
        vector >>= 1;
        i += 1;
    }
    sum
}

fn square(matrix: &[u32; 32]) -> [u32; 32] {
    std::array::from_fn(|n| times(matrix, matrix[n]))
}

/// The CRC of `A ‖ B` from the CRCs of `A` and of `B` and B's length (zlib's `crc32_combine`):
/// feeding `len_b` zero bytes through the register is a linear map, applied by repeated squaring
/// of the one-zero-bit operator.
fn combine(crc_a: u32, crc_b: u32, mut len_b: u64) -> u32 {
    if len_b == 0 {
        return crc_a;
    }
    let mut odd = [0u32; 32];
    odd[0] = POLYNOMIAL;
    for (n, row) in odd.iter_mut().enumerate().skip(1) {
        *row = 1 << (n - 1);
    }
    let even = square(&odd);
    let mut odd = square(&even);
    let mut crc = crc_a;
    let mut even;
    loop {
        even = square(&odd);
        if len_b & 1 == 1 {
            crc = times(&even, crc);
        }
        len_b >>= 1;
        if len_b == 0 {
            break;
        }
        odd = square(&even);
        if len_b & 1 == 1 {
            crc = times(&odd, crc);
        }
        len_b >>= 1;
        if len_b == 0 {
            break;
        }
    }
    crc ^ crc_b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_check_value() {
        assert_eq!(hash(b"123456789"), 0xCBF4_3926);
        assert_eq!(hash(b""), 0);
        assert_eq!(
            hash(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn updates_in_pieces_and_combined_halves_give_the_whole_checksum() {
        let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 31 % 251) as u8).collect();
        let whole = hash(&bytes);
        for cut in [0, 1, 7, 1000, 4999, 5000] {
            let mut a = Hasher::new();
            a.update(&bytes[..cut]);
            let mut pieces = a.clone();
            pieces.update(&bytes[cut..]);
            assert_eq!(pieces.clone().finalize(), whole, "cut at {cut}");
            let mut b = Hasher::new();
            b.update(&bytes[cut..]);
            a.combine(&b);
            assert_eq!(a.total_len(), 5000);
            assert_eq!(a.finalize(), whole, "combined at {cut}");
        }
    }
}
