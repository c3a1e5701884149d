//! Deterministic hashes from a customer id to a point in [0, 1).
//!
//! **pilot v1** ([`HashScheme::Sha256V1`](crate::config::HashScheme)): the
//! SHA-256 digest of the salt's UTF-8 bytes, the byte 0x1F (ASCII unit
//! separator, which cannot be typed into a salt by accident), and the id's
//! UTF-8 bytes. The first 8 digest bytes, read as a big-endian unsigned
//! integer `h`, give the point `u = h / 2^64`. The scheme is pinned by golden
//! vectors in the tests and reproducible in SQL (see `docs/assignment.md`).
//!
//! **GrowthBook** ([`HashScheme::GrowthBook`](crate::config::HashScheme)):
//! the GrowthBook SDKs' FNV-1a based hash, so that a split made by pilot
//! matches one made by GrowthBook for the same seed (salt) and id.

use sha2::{Digest, Sha256};

/// The byte between salt and id in pilot's hash input.
pub const SEPARATOR: u8 = 0x1F;

/// `h` of pilot v1 for one (salt, id) pair. For many ids under one salt use
/// [`SaltedSha256`], which hashes the salt once.
pub fn sha256_v1(salt: &str, id: &str) -> u64 {
    SaltedSha256::new(salt).hash(id)
}

/// The point `h / 2^64` in [0, 1), rounded down to 53 bits (for display and
/// statistics; assignment compares `h` exactly, see [`super::split`]).
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// SHA-256 with the salt and separator already absorbed: hashing an id is a
/// cheap copy of the state plus one compression, with no allocation.
#[derive(Clone)]
pub struct SaltedSha256 {
    prefix: Sha256,
}

impl SaltedSha256 {
    /// Absorbs `salt` and the separator.
    pub fn new(salt: &str) -> Self {
        let mut prefix = Sha256::new();
        prefix.update(salt.as_bytes());
        prefix.update([SEPARATOR]);
        Self { prefix }
    }

    /// The first 8 digest bytes of SHA-256(salt, 0x1F, `id`), big-endian.
    pub fn hash(&self, id: &str) -> u64 {
        self.hash_parts(&[id.as_bytes()])
    }

    /// Like [`hash`](Self::hash) with the id given as consecutive pieces.
    pub fn hash_parts(&self, parts: &[&[u8]]) -> u64 {
        let mut state = self.prefix.clone();
        for part in parts {
            state.update(part);
        }
        let digest = state.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    }
}

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// 32-bit FNV-1a over the UTF-16 code units of the concatenated `parts`,
/// as the GrowthBook JavaScript SDK computes it (`charCodeAt`). For ids in
/// the Basic Multilingual Plane this equals hashing the code points, as the
/// Python SDK does.
pub fn fnv1a32(parts: &[&str]) -> u32 {
    let mut h = FNV_OFFSET;
    for part in parts {
        for unit in part.encode_utf16() {
            h ^= u32::from(unit);
            h = h.wrapping_mul(FNV_PRIME);
        }
    }
    h
}

/// The GrowthBook SDK `hash(seed, value, version)`: version 2 is
/// `fnv1a32(str(fnv1a32(seed + value))) % 10000 / 10000`, version 1 (biased,
/// kept by GrowthBook for old experiments) `fnv1a32(value + seed) % 1000 /
/// 1000`; other versions give `None`.
pub fn growthbook(seed: &str, value: &str, version: u32) -> Option<f64> {
    match version {
        2 => {
            let inner = fnv1a32(&[seed, value]);
            let mut digits = [0u8; 10];
            let text = decimal(inner, &mut digits);
            Some(f64::from(fnv1a32(&[text]) % 10_000) / 10_000.0)
        }
        1 => Some(f64::from(fnv1a32(&[value, seed]) % 1_000) / 1_000.0),
        _ => None,
    }
}

/// Writes `v` in decimal into `buf` and returns it as text.
fn decimal(mut v: u32, buf: &mut [u8; 10]) -> &str {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buf[start..]).unwrap_or("0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_formats_like_to_string() {
        let mut buf = [0u8; 10];
        for v in [0, 7, 10, 4_294_967_295, 123_456] {
            assert_eq!(decimal(v, &mut buf), v.to_string());
        }
    }

    #[test]
    fn fnv_of_empty_input_is_the_offset_basis() {
        assert_eq!(fnv1a32(&[""]), FNV_OFFSET);
        assert_eq!(fnv1a32(&["a"]), 0xe40c_292c);
    }

    #[test]
    fn salted_hasher_matches_one_shot() {
        let h = SaltedSha256::new("s");
        assert_eq!(h.hash("abc"), sha256_v1("s", "abc"));
        assert_eq!(h.hash_parts(&[b"a", b"bc"]), sha256_v1("s", "abc"));
        assert!(unit(u64::MAX) < 1.0);
    }
}
