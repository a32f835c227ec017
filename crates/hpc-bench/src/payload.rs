//! The bytes a transfer moves: a cheap pattern that never repeats within a file (so a
//! chunk misplaced or sent twice shows), written a buffer at a time and never held
//! whole; and a byte-for-byte check of what arrived.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

/// How much is generated, written or compared at once.
const BLOCK: usize = 1 << 20;

/// Writes `size` bytes of the pattern for `seed` to `out`: one splitmix64 word per
/// eight bytes, counting up (about a nanosecond a word).
pub fn write_pattern(mut out: impl Write, size: u64, seed: u64) -> io::Result<()> {
    let mut block = vec![0u8; BLOCK];
    let mut word = seed.wrapping_mul(1 << 40);
    let mut left = size;
    while left > 0 {
        for piece in block.chunks_exact_mut(8) {
            piece.copy_from_slice(&splitmix64(word).to_le_bytes());
            word = word.wrapping_add(1);
        }
        let n = left.min(BLOCK as u64) as usize;
        out.write_all(&block[..n])?;
        left -= n as u64;
    }
    out.flush()
}

/// The splitmix64 finaliser: a different-looking word for each counter value.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether the files at `a` and `b` hold the same bytes.
pub fn same_bytes(a: &Path, b: &Path) -> io::Result<bool> {
    if std::fs::metadata(a)?.len() != std::fs::metadata(b)?.len() {
        return Ok(false);
    }
    let (mut a, mut b) = (File::open(a)?, File::open(b)?);
    let (mut x, mut y) = (vec![0u8; BLOCK], vec![0u8; BLOCK]);
    loop {
        let n = fill(&mut a, &mut x)?;
        if n != fill(&mut b, &mut y)? || x[..n] != y[..n] {
            return Ok(false);
        }
        if n < BLOCK {
            return Ok(true);
        }
    }
}

/// Reads until `buf` is full or the file ends; how much came.
fn fill(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// A size for the table: `1 GiB`, `256 MiB`.
pub fn label(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_does_not_repeat_and_compares_equal_to_itself() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        let size = BLOCK as u64 * 2 + 12;
        write_pattern(File::create(&a).unwrap(), size, 1).unwrap();
        write_pattern(File::create(&b).unwrap(), size, 1).unwrap();
        write_pattern(File::create(&c).unwrap(), size, 2).unwrap();
        assert_eq!(std::fs::metadata(&a).unwrap().len(), size);
        assert!(same_bytes(&a, &b).unwrap());
        assert!(!same_bytes(&a, &c).unwrap());
        let bytes = std::fs::read(&a).unwrap();
        assert_ne!(bytes[..BLOCK], bytes[BLOCK..2 * BLOCK]);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(label(1 << 30), "1 GiB");
        assert_eq!(label(256 << 20), "256 MiB");
        assert_eq!(label(100 << 20), "100 MiB");
    }
}
