//! A tiny seeded generator for the fake data.
//!
//! Hand-rolled on purpose: the seeded data must stay identical across versions of any
//! random-number crate, since tests and users rely on "seed 7 gives these jobs".

/// SplitMix64: small, fast and statistically good enough for fake data.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator whose whole output follows from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0); the slight modulo bias does not matter for fake data.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// `len` characters drawn from `alphabet`.
    pub(crate) fn chars<const N: usize>(&mut self, alphabet: &[u8]) -> [u8; N] {
        let mut out = [0u8; N];
        for byte in &mut out {
            *byte = alphabet[self.below(alphabet.len() as u64) as usize];
        }
        out
    }
}

/// Random bits that differ on every call, for keys nobody must be able to predict
/// (the token-signing key); std's hasher seeds are random per process and per instance.
pub(crate) fn unpredictable_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.finish()
}
