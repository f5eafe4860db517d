//! Byte-level mutations of seed inputs, from a seeded xorshift stream (the same run every time).

/// Draws mutated inputs from a set of seeds.
pub struct Mutator {
    state: u64,
    seeds: Vec<Vec<u8>>,
}

/// Values that often sit on a parser's edge: zero, all ones, sign bits, sizes near limits.
const INTERESTING: [u32; 10] = [
    0,
    1,
    0x7F,
    0x80,
    0xFF,
    0xFFFF,
    0x7FFF_FFFF,
    0xFFFF_FFFF,
    12_000,
    65_535,
];

impl Mutator {
    pub fn new(seed: u64, seeds: Vec<Vec<u8>>) -> Self {
        Self {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            seeds,
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A seed with one to eight mutations stacked on it.
    pub fn next(&mut self) -> Vec<u8> {
        let pick = self.below(self.seeds.len());
        let mut input = self.seeds[pick].clone();
        for _ in 0..1 + self.below(8) {
            self.mutate(&mut input);
        }
        input
    }

    fn mutate(&mut self, input: &mut Vec<u8>) {
        let len = input.len();
        match self.below(9) {
            0 if len > 0 => {
                let at = self.below(len);
                input[at] ^= 1 << self.below(8);
            }
            1 if len > 0 => {
                let at = self.below(len);
                input[at] = self.next_u64() as u8;
            }
            2 if len >= 4 => {
                let at = self.below(len - 3);
                let value = INTERESTING[self.below(INTERESTING.len())];
                let bytes = if self.below(2) == 0 {
                    value.to_be_bytes()
                } else {
                    value.to_le_bytes()
                };
                input[at..at + 4].copy_from_slice(&bytes);
            }
            3 => {
                let at = self.below(len + 1);
                let count = 1 + self.below(64);
                let bytes: Vec<u8> = (0..count).map(|_| self.next_u64() as u8).collect();
                input.splice(at..at, bytes);
            }
            4 if len > 1 => {
                let at = self.below(len);
                let end = (at + 1 + self.below(256)).min(len);
                input.drain(at..end);
            }
            5 if len > 1 => {
                let at = self.below(len);
                let end = (at + 1 + self.below(256)).min(len);
                let copy = input[at..end].to_vec();
                let to = self.below(len + 1);
                input.splice(to..to, copy);
            }
            6 if len > 0 => input.truncate(self.below(len)),
            7 => {
                let pick = self.below(self.seeds.len());
                let other_len = self.seeds[pick].len();
                let (cut, from) = (self.below(len + 1), self.below(other_len + 1));
                let tail = self.seeds[pick][from..].to_vec();
                input.truncate(cut);
                input.extend_from_slice(&tail);
            }
            _ if len > 0 => {
                // A run of one byte, as a zeroed or 0xFF-filled stretch of a damaged file.
                let at = self.below(len);
                let end = (at + 1 + self.below(128)).min(len);
                let byte = if self.below(2) == 0 { 0 } else { 0xFF };
                input[at..end].fill(byte);
            }
            _ => input.push(self.next_u64() as u8),
        }
    }
}
