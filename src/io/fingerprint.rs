//! Content fingerprints of input files, to tell whether an analysis has
//! seen exactly this data before.
//!
//! XXH3-128 is not a cryptographic hash; it only has to notice edits, and it
//! runs at memory speed, so fingerprinting rides along the one streaming
//! pass over an export instead of adding a second read.

use std::io::Read;
use std::path::Path;

use xxhash_rust::xxh3::Xxh3;

use crate::error::{Error, Result};

/// A reader that fingerprints everything read through it.
pub struct Fingerprinting<R> {
    inner: R,
    hasher: Xxh3,
}

impl<R: Read> Fingerprinting<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Xxh3::new(),
        }
    }

    /// The fingerprint of the bytes read so far, as `xxh3:<32 hex digits>`.
    pub fn fingerprint(&self) -> String {
        format!("xxh3:{:032x}", self.hasher.digest128())
    }
}

impl<R: Read> Read for Fingerprinting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The fingerprint of a whole file (for small files read elsewhere).
pub fn file_fingerprint(path: &Path) -> Result<String> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, "read", &e))?;
    let mut reader = Fingerprinting::new(file);
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(|e| Error::io(path, "read", &e))?;
    Ok(reader.fingerprint())
}

/// The fingerprint of a text (the experiment file).
pub fn text_fingerprint(text: &str) -> String {
    bytes_fingerprint(text.as_bytes())
}

/// The fingerprint of bytes in memory (a file read whole).
pub fn bytes_fingerprint(bytes: &[u8]) -> String {
    format!("xxh3:{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_equals_one_shot() {
        let text = "customer_id,arm\nA1,control\n".repeat(1000);
        let mut reader = Fingerprinting::new(text.as_bytes());
        let mut small = [0u8; 7];
        while reader.read(&mut small).unwrap() > 0 {}
        assert_eq!(reader.fingerprint(), text_fingerprint(&text));
        assert_ne!(text_fingerprint("a"), text_fingerprint("b"));
    }
}
