//! A compact set of customer ids: one text arena, one hash index, no
//! allocation per id. Shared by assignment (population, ledger) and
//! analysis (outcome rows look customers up here).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Ids in insertion order with constant-time lookup.
///
/// The index maps a 64-bit hash of the id to the first id with that hash;
/// ids sharing a hash are chained, and lookups compare the text, so hash
/// collisions cost time but never correctness.
#[derive(Default, Clone)]
pub struct IdTable {
    text: String,
    ends: Vec<usize>,
    index: HashMap<u64, u32, BuildHasherDefault<Passthrough>>,
    next: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl IdTable {
    /// An empty table with room for `n` ids.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            text: String::with_capacity(n * 8),
            ends: Vec::with_capacity(n),
            index: HashMap::with_capacity_and_hasher(n, Default::default()),
            next: Vec::with_capacity(n),
        }
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True if there are no ids.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The id at `i` (insertion order).
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// Iterates over the ids in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The index of `id`, if present.
    pub fn find(&self, id: &str) -> Option<usize> {
        let mut i = *self.index.get(&hash_bytes(id.as_bytes()))?;
        while i != NONE {
            if self.get(i as usize) == id {
                return Some(i as usize);
            }
            i = self.next[i as usize];
        }
        None
    }

    /// Appends `id` without indexing it: [`find`](Self::find) and
    /// [`insert`](Self::insert) will not see it. For ordered lists of ids.
    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    /// Adds `id` and returns its index, or returns `Err` with the index of
    /// the equal id already present.
    pub fn insert(&mut self, id: &str) -> Result<usize, usize> {
        use std::collections::hash_map::Entry;
        let new = self.ends.len() as u32;
        let chain = match self.index.entry(hash_bytes(id.as_bytes())) {
            Entry::Vacant(slot) => {
                slot.insert(new);
                NONE
            }
            Entry::Occupied(mut slot) => {
                let first = *slot.get();
                let mut i = first;
                while i != NONE {
                    let start = if i == 0 { 0 } else { self.ends[i as usize - 1] };
                    if &self.text[start..self.ends[i as usize]] == id {
                        return Err(i as usize);
                    }
                    i = self.next[i as usize];
                }
                slot.insert(new);
                first
            }
        };
        self.next.push(chain);
        self.text.push_str(id);
        self.ends.push(self.text.len());
        Ok(new as usize)
    }
}

/// A fast 64-bit hash of a byte string (multiply-xorshift over 8-byte
/// words with a SplitMix64 finish). Not collision resistant, which the
/// chaining in [`IdTable`] makes harmless.
fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = 0x9E37_79B9_7F4A_7C15u64 ^ (bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^= h >> 31;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^= h >> 29;
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// A hasher for keys that already are good 64-bit hashes.
#[derive(Default)]
pub struct Passthrough(u64);

impl Hasher for Passthrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(bytes) ^ self.0.rotate_left(5);
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_finds_and_reports_duplicates() {
        let mut t = IdTable::default();
        assert_eq!(t.insert("a"), Ok(0));
        assert_eq!(t.insert("bb"), Ok(1));
        assert_eq!(t.insert(""), Ok(2));
        assert_eq!(t.insert("bb"), Err(1));
        assert_eq!(t.find("a"), Some(0));
        assert_eq!(t.find("c"), None);
        assert_eq!(t.get(1), "bb");
        assert_eq!(t.iter().collect::<Vec<_>>(), ["a", "bb", ""]);
    }

    #[test]
    fn collisions_are_chained() {
        // Force every id into one chain by inserting under a shared hash.
        let mut t = IdTable::default();
        for id in ["x", "y", "z"] {
            let new = t.ends.len() as u32;
            let chain = t.index.get(&7).copied().unwrap_or(NONE);
            t.index.insert(7, new);
            t.next.push(chain);
            t.text.push_str(id);
            t.ends.push(t.text.len());
        }
        let mut i = t.index[&7];
        let mut seen = Vec::new();
        while i != NONE {
            seen.push(t.get(i as usize).to_string());
            i = t.next[i as usize];
        }
        assert_eq!(seen, ["z", "y", "x"]);
    }

    #[test]
    fn many_ids() {
        let mut t = IdTable::with_capacity(10);
        for i in 0..20_000 {
            assert_eq!(t.insert(&format!("C{i}")), Ok(i));
        }
        for i in 0..20_000 {
            assert_eq!(t.find(&format!("C{i}")), Some(i));
        }
        assert_eq!(t.insert("C19999"), Err(19_999));
    }
}
