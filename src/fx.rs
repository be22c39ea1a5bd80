//! A word-at-a-time hash (FxHash's) for maps keyed by text read from the log: `report`'s
//! million texts of about a hundred bytes, `due`'s action for each type and step. SipHash,
//! the standard maps' default, guards against keys chosen to collide, which buys nothing
//! here (the keys come from the log being read) and costs the most of each lookup.

use std::hash::{BuildHasherDefault, Hasher};

/// Builds [`Fx`] hashers, for `HashMap<K, V, FxBuild>`.
pub type FxBuild = BuildHasherDefault<Fx>;

/// The hasher: eight bytes at a time, a rotate, an xor and a multiply each.
#[derive(Default)]
pub struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        let mut last = [0; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.add(u64::from_le_bytes(last));
    }

    // A `str` key hashes its bytes, then one byte: added as a word, not as a chunk of one.
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }
}

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
