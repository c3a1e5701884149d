//! A compact set of customer ids: one text arena, one open-addressing
//! index, no allocation per id. Shared by assignment (population, ledger)
//! and analysis (outcome rows look customers up here).
//!
//! A lookup in a table of a million customers is a random memory access,
//! so the index is laid out to need one cache line per lookup: each slot
//! holds the id's 64-bit hash, its index and, for ids of up to
//! [`INLINE`] bytes (nearly all real ids), the id itself, so the exact
//! comparison needs no second miss into the arena. Callers that look up
//! many ids can hash them first and [`prefetch`](IdTable::prefetch) their
//! slots, so that the misses overlap.

use std::hash::Hasher;

use crate::memory::{prefetch, table};

/// Bytes of an id stored in its slot; longer ids are compared in full
/// against the arena after their first [`INLINE`] bytes match.
pub const INLINE: usize = 19;

/// One slot of the index: 32 bytes, two per cache line.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    hash: u64,
    /// Index of the id, or [`EMPTY`].
    index: u32,
    /// The id's length, or `u8::MAX` for ids of 255 bytes or more.
    len: u8,
    /// The id's first bytes (up to [`INLINE`]), zero-padded.
    inline: [u8; INLINE],
}

const EMPTY: u32 = u32::MAX;

/// How far ahead [`IdTable::insert_from`] prefetches.
const AHEAD: usize = 16;

const EMPTY_SLOT: Slot = Slot {
    hash: 0,
    index: EMPTY,
    len: 0,
    inline: [0; INLINE],
};

impl Slot {
    fn new(hash: u64, index: u32, id: &[u8]) -> Self {
        let mut inline = [0u8; INLINE];
        let n = id.len().min(INLINE);
        inline[..n].copy_from_slice(&id[..n]);
        Self {
            hash,
            index,
            len: id.len().min(usize::from(u8::MAX)) as u8,
            inline,
        }
    }

    /// True if the slot may hold `id` (hash, length and inline bytes
    /// equal); exact for ids of up to [`INLINE`] bytes.
    #[inline]
    fn matches(&self, hash: u64, id: &[u8]) -> bool {
        if self.hash != hash || usize::from(self.len) != id.len().min(usize::from(u8::MAX)) {
            return false;
        }
        same_start(&self.inline, id)
    }

    /// True if the slot holds `id`: [`matches`](Self::matches), and for
    /// ids longer than [`INLINE`] the whole text in the arena (`text`,
    /// `ends`) equal too.
    #[inline]
    fn holds(&self, hash: u64, id: &[u8], text: &str, ends: &[usize]) -> bool {
        self.matches(hash, id)
            && (id.len() <= INLINE || id_at(text, ends, self.index as usize).as_bytes() == id)
    }
}

/// True if the first `min(id.len(), INLINE)` bytes of `inline` and `id`
/// are equal. Compares overlapping 8-byte (or 4-byte) words read in
/// place: no call to `memcmp`, and no copy of the id to pad it, whose
/// wider reads right after its narrow writes stall the CPU.
#[inline]
fn same_start(inline: &[u8; INLINE], id: &[u8]) -> bool {
    let n = id.len().min(INLINE);
    let word = |b: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let half = |b: &[u8], at: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&b[at..at + 4]);
        u32::from_le_bytes(w)
    };
    match n {
        16.. => {
            word(inline, 0) == word(id, 0)
                && word(inline, 8) == word(id, 8)
                && word(inline, n - 8) == word(id, n - 8)
        }
        8.. => word(inline, 0) == word(id, 0) && word(inline, n - 8) == word(id, n - 8),
        4.. => half(inline, 0) == half(id, 0) && half(inline, n - 4) == half(id, n - 4),
        _ => inline[..n] == id[..n],
    }
}

/// The index's slots, starting at a cache-line boundary so that each
/// line holds two whole slots (a `Vec<Slot>` is only 32-byte aligned).
#[derive(Clone, Default)]
struct Slots {
    memory: Vec<Slot>,
    /// Slots before the first cache-line boundary (0 or 1).
    base: usize,
}

impl Slots {
    fn new(n: usize) -> Self {
        let memory = table(n + 1, EMPTY_SLOT);
        let base = memory.as_ptr().align_offset(64).min(1);
        Self { memory, base }
    }

    fn len(&self) -> usize {
        self.memory.len().saturating_sub(1)
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The live slots (for moving them to a larger index).
    fn take(self) -> impl Iterator<Item = Slot> {
        let base = self.base;
        let len = self.len();
        self.memory
            .into_iter()
            .skip(base)
            .take(len)
            .filter(|s| s.index != EMPTY)
    }
}

impl std::ops::Index<usize> for Slots {
    type Output = Slot;
    #[inline]
    fn index(&self, s: usize) -> &Slot {
        &self.memory[self.base + s]
    }
}

impl std::ops::IndexMut<usize> for Slots {
    #[inline]
    fn index_mut(&mut self, s: usize) -> &mut Slot {
        &mut self.memory[self.base + s]
    }
}

/// The 64-bit hash of an id, as [`IdTable`] uses it; computed once per id
/// by [`IdTable::hash`] so that a lookup can be prefetched before it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IdHash(u64);

/// Ids in insertion order with constant-time lookup.
///
/// Lookups compare the exact text, so equal hashes (a 64-bit hash makes
/// them astronomically rare) cost time but never correctness.
#[derive(Default, Clone)]
pub struct IdTable {
    text: String,
    ends: Vec<usize>,
    /// Open addressing with linear probing; probes start at the first slot
    /// of a cache line (see [`IdTable::home`]). Empty until the first insert.
    slots: Slots,
    /// Indexed ids (those added by `insert`, not `push`).
    indexed: usize,
}

/// Most indexed ids per slot before the index grows (load factor 5/8).
const LOAD_NUM: usize = 5;
const LOAD_DEN: usize = 8;

impl IdTable {
    /// An empty table with room for `n` ids.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            text: String::with_capacity(n * 8),
            ends: Vec::with_capacity(n),
            slots: Slots::new(slots_for(n)),
            indexed: 0,
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
        id_at(&self.text, &self.ends, i)
    }

    /// Iterates over the ids in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The hash of `id` for [`prefetch`](Self::prefetch) and
    /// [`find_hashed`](Self::find_hashed).
    #[inline]
    pub fn hash(id: &str) -> IdHash {
        IdHash(hash_bytes(id.as_bytes()))
    }

    /// Starts loading the two cache lines where a lookup of `hash` looks
    /// first, without waiting for them (at the highest load factor an id
    /// is in its home line 83% of the time, in one of these two 93%). A
    /// hint only: it changes no result.
    #[inline]
    pub fn prefetch(&self, hash: IdHash) {
        if !self.slots.is_empty() {
            let home = self.home(hash.0);
            let next = if home + 2 < self.slots.len() {
                home + 2
            } else {
                0
            };
            prefetch(&self.slots[home]);
            prefetch(&self.slots[next]);
        }
    }

    /// The index of `id`, if present.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.find_hashed(id, Self::hash(id))
    }

    /// The index of `id`, if present; `hash` must be [`IdTable::hash`]`(id)`.
    #[inline]
    pub fn find_hashed(&self, id: &str, hash: IdHash) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        self.probe(id, hash.0).ok()
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
        self.insert_hashed(id, Self::hash(id))
    }

    /// [`insert`](Self::insert) with the id's hash computed beforehand
    /// (and its slot perhaps [prefetched](Self::prefetch)).
    pub fn insert_hashed(&mut self, id: &str, hash: IdHash) -> Result<usize, usize> {
        assert!(
            self.ends.len() < EMPTY as usize,
            "an id table holds fewer than 2^32 - 1 ids"
        );
        if (self.indexed + 1) * LOAD_DEN > self.slots.len() * LOAD_NUM {
            self.grow();
        }
        let slot = match self.probe(id, hash.0) {
            Ok(existing) => return Err(existing),
            Err(empty) => empty,
        };
        let new = self.ends.len();
        self.slots[slot] = Slot::new(hash.0, new as u32, id.as_bytes());
        self.indexed += 1;
        self.push(id);
        Ok(new)
    }

    /// Inserts id `r` of `list` (see [`insert`](Self::insert)) and starts
    /// loading the slot of the id `AHEAD` places further: indexing a
    /// list in order this way overlaps the cache misses of the inserts.
    pub fn insert_from(&mut self, list: &IdTable, r: usize) -> Result<usize, usize> {
        if r + AHEAD < list.len()
            && self.slots.len() * LOAD_NUM >= (self.indexed + AHEAD) * LOAD_DEN
        {
            self.prefetch(Self::hash(list.get(r + AHEAD)));
        }
        self.insert(list.get(r))
    }

    /// Indexes the ids added with [`push`](Self::push) (the table must
    /// hold no others), as if each had been inserted in order, but
    /// without copying them. `Err((r, first))` for the first id `r` (in
    /// order) that equals an earlier id `first`; the table is then left
    /// without an index (nothing is found in it).
    ///
    /// Large lists are indexed by two threads, each filling the half of
    /// the slots where its ids' probes start (an id whose probe runs past
    /// the end of its half is inserted afterwards, in order). The result
    /// answers every lookup as the one-thread index would.
    pub fn index_pushed(&mut self) -> Result<(), (usize, usize)> {
        assert_eq!(self.indexed, 0, "index_pushed on a table with indexed ids");
        assert!(
            self.ends.len() < EMPTY as usize,
            "an id table holds fewer than 2^32 - 1 ids"
        );
        let n = self.ends.len();
        self.slots = Slots::new(slots_for(n));
        let (spilled, duplicate) = if n >= INDEX_IN_TWO_FROM {
            self.fill_halves()
        } else {
            let lines = self.slots.len() / 2;
            let Slots { memory, base } = &mut self.slots;
            let region = &mut memory[*base..*base + 2 * lines];
            fill_slots(region, 0, lines, &self.text, &self.ends)
        };
        // Ids past the end of their half, in order, then the earliest
        // duplicate of either half or of these.
        let mut first_duplicate = duplicate;
        for r in spilled {
            if first_duplicate.is_some_and(|(d, _)| d < r) {
                break;
            }
            let id = self.get(r);
            let hash = hash_bytes(id.as_bytes());
            match self.probe(id, hash) {
                Ok(first) => first_duplicate = Some((r, first)),
                Err(empty) => self.slots[empty] = Slot::new(hash, r as u32, id.as_bytes()),
            }
        }
        if let Some(duplicate) = first_duplicate {
            self.slots = Slots::default();
            return Err(duplicate);
        }
        self.indexed = n;
        Ok(())
    }

    /// [`fill_region`](Self::fill_region) of each half of the slots on
    /// its own thread: the ids that ran past their half (sorted), and the
    /// earliest duplicate found in either half.
    fn fill_halves(&mut self) -> (Vec<usize>, Option<(usize, usize)>) {
        let total = self.slots.len();
        let middle = (total / 2).next_multiple_of(2);
        let lines = total / 2;
        let base = self.slots.base;
        let (low, high) = self.slots.memory[base..base + total].split_at_mut(middle);
        let (text, ends) = (&self.text, &self.ends);
        let ((mut spilled, low_duplicate), (high_spilled, high_duplicate)) =
            std::thread::scope(|scope| {
                let upper = scope.spawn(|| fill_slots(high, middle, lines, text, ends));
                let lower = fill_slots(low, 0, lines, text, ends);
                // A panic on the other thread is a bug, not an input problem.
                let upper = upper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (lower, upper)
            });
        spilled.extend(high_spilled);
        spilled.sort_unstable();
        let duplicate = match (low_duplicate, high_duplicate) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        (spilled, duplicate)
    }

    /// First slot of the probe sequence of `hash` (see [`home_slot`]).
    #[inline]
    fn home(&self, hash: u64) -> usize {
        home_slot(hash, self.slots.len() / 2)
    }

    /// `Ok(index)` of `id`, or `Err(slot)` with the empty slot where it
    /// would go. The slots must not be empty (nor full: the load factor
    /// keeps a third of them free).
    #[inline]
    fn probe(&self, id: &str, hash: u64) -> Result<usize, usize> {
        let bytes = id.as_bytes();
        let mut s = self.home(hash);
        loop {
            let slot = &self.slots[s];
            if slot.index == EMPTY {
                return Err(s);
            }
            if slot.holds(hash, bytes, &self.text, &self.ends) {
                return Ok(slot.index as usize);
            }
            s += 1;
            if s == self.slots.len() {
                s = 0;
            }
        }
    }

    /// Doubles the index (or creates it), moving every slot by its stored
    /// hash; the arena is not touched.
    fn grow(&mut self) {
        let wanted = slots_for((self.indexed + 1).max(self.slots.len() * LOAD_NUM / LOAD_DEN * 2));
        let old = std::mem::replace(&mut self.slots, Slots::new(wanted));
        for slot in old.take() {
            let mut s = self.home(slot.hash);
            while self.slots[s].index != EMPTY {
                s += 1;
                if s == self.slots.len() {
                    s = 0;
                }
            }
            self.slots[s] = slot;
        }
    }
}

/// First slot of the probe sequence of `hash` in an index of `lines`
/// cache lines: the first slot of a line, chosen by the hash's high bits
/// (multiply-shift, so any slot count works).
#[inline]
fn home_slot(hash: u64, lines: usize) -> usize {
    (((u128::from(hash) * lines as u128) >> 64) as usize) * 2
}

/// Id `r` of the text arena `text` with end offsets `ends`.
#[inline]
fn id_at<'t>(text: &'t str, ends: &[usize], r: usize) -> &'t str {
    let start = if r == 0 { 0 } else { ends[r - 1] };
    &text[start..ends[r]]
}

/// Ids of at least this many are indexed by two threads.
const INDEX_IN_TWO_FROM: usize = 1 << 16;

/// Inserts, in order, the ids of the arena (`text`, `ends`) whose probe
/// starts in `region` (slots `start..` of an index of `lines` lines):
/// the ids whose probe runs past the region's end (to be inserted after),
/// and the first id equal to an earlier one, if any (then it stops).
fn fill_slots(
    region: &mut [Slot],
    start: usize,
    lines: usize,
    text: &str,
    ends: &[usize],
) -> (Vec<usize>, Option<(usize, usize)>) {
    let n = ends.len();
    let end = start + region.len();
    let mut spilled = Vec::new();
    // Hashes of the next AHEAD ids, so each id is hashed once and its
    // slot requested AHEAD ids before it is needed.
    let mut hashes = [0u64; AHEAD];
    for (r, hash) in hashes.iter_mut().enumerate().take(n) {
        *hash = hash_bytes(id_at(text, ends, r).as_bytes());
    }
    for r in 0..n {
        let hash = hashes[r % AHEAD];
        if r + AHEAD < n {
            let next = hash_bytes(id_at(text, ends, r + AHEAD).as_bytes());
            hashes[r % AHEAD] = next;
            let home = home_slot(next, lines);
            if (start..end).contains(&home) {
                prefetch(&region[home - start]);
            }
        }
        let home = home_slot(hash, lines);
        if !(start..end).contains(&home) {
            continue;
        }
        let id = id_at(text, ends, r).as_bytes();
        let mut s = home - start;
        loop {
            let Some(slot) = region.get(s) else {
                spilled.push(r);
                break;
            };
            if slot.index == EMPTY {
                region[s] = Slot::new(hash, r as u32, id);
                break;
            }
            if slot.holds(hash, id, text, ends) {
                return (spilled, Some((r, slot.index as usize)));
            }
            s += 1;
        }
    }
    (spilled, None)
}

/// Slots for `n` ids at the load factor: an even number (whole cache
/// lines), at least 16.
fn slots_for(n: usize) -> usize {
    let slots = n.saturating_mul(LOAD_DEN) / LOAD_NUM + 2;
    slots.max(16).next_multiple_of(2)
}

/// A fast 64-bit hash of a byte string (multiply-xorshift over 8-byte
/// words with a SplitMix64 finish). Only ever kept in memory, so it may
/// change between versions. Not collision resistant, which the
/// exact comparison in [`IdTable`] makes harmless.
#[inline]
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
    let n = rest.len();
    if n > 0 {
        // The last 1-7 bytes as a little-endian number, read in two or
        // three (possibly overlapping) loads instead of a copy of variable
        // length, with their count in the top byte.
        let bytes = if n >= 4 {
            let low = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
            let high = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]);
            u64::from(low) | ((u64::from(high) >> (8 * (8 - n))) << 32)
        } else {
            u64::from(rest[0])
                | (u64::from(rest[n / 2]) << (8 * (n / 2)))
                | (u64::from(rest[n - 1]) << (8 * (n - 1)))
        };
        let word = bytes | ((n as u64) << 56);
        h = (h ^ word).wrapping_mul(0x94D0_49BB_1331_11EB);
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
        assert_eq!(t.find("a"), None);
        assert_eq!(t.insert("a"), Ok(0));
        assert_eq!(t.insert("bb"), Ok(1));
        assert_eq!(t.insert(""), Ok(2));
        assert_eq!(t.insert("bb"), Err(1));
        assert_eq!(t.find("a"), Some(0));
        assert_eq!(t.find(""), Some(2));
        assert_eq!(t.find("c"), None);
        assert_eq!(t.get(1), "bb");
        assert_eq!(t.iter().collect::<Vec<_>>(), ["a", "bb", ""]);
    }

    #[test]
    fn pushed_ids_are_listed_but_not_indexed() {
        let mut t = IdTable::default();
        t.push("x");
        assert_eq!(t.insert("y"), Ok(1));
        assert_eq!(t.find("x"), None);
        assert_eq!(t.insert("x"), Ok(2));
        assert_eq!(t.iter().collect::<Vec<_>>(), ["x", "y", "x"]);
        assert_eq!(t.find("x"), Some(2));
    }

    #[test]
    fn pushed_ids_are_indexed_in_place() {
        let mut t = IdTable::default();
        let long = "l".repeat(40);
        for id in ["a", "b", &long, ""] {
            t.push(id);
        }
        assert_eq!(t.index_pushed(), Ok(()));
        for (i, id) in ["a", "b", &long, ""].iter().enumerate() {
            assert_eq!(t.find(id), Some(i));
        }
        assert_eq!(t.insert("c"), Ok(4));
        assert_eq!(t.insert(&long), Err(2));

        let mut t = IdTable::default();
        for i in 0..1000 {
            t.push(&format!("C{i}"));
        }
        t.push("C17");
        t.push("C18");
        assert_eq!(t.index_pushed(), Err((1000, 17)));
        assert_eq!(t.find("C999"), None, "no index after a repeat");
    }

    /// Inserts `id` under a forced hash, as a colliding id would land.
    fn insert_with_hash(t: &mut IdTable, id: &str, hash: u64) -> Result<usize, usize> {
        t.insert_hashed(id, IdHash(hash))
    }

    #[test]
    fn equal_hashes_are_told_apart_by_the_text() {
        let mut t = IdTable::with_capacity(4);
        // Same hash, same length, same inline prefix: only the arena differs.
        let long_a = format!("{}a", "p".repeat(INLINE + 5));
        let long_b = format!("{}b", "p".repeat(INLINE + 5));
        for (i, id) in ["x", "y", "xy", "", &long_a, &long_b].iter().enumerate() {
            assert_eq!(insert_with_hash(&mut t, id, 7), Ok(i));
        }
        for (i, id) in ["x", "y", "xy", "", &long_a, &long_b].iter().enumerate() {
            assert_eq!(t.find_hashed(id, IdHash(7)), Some(i), "{id}");
            assert_eq!(insert_with_hash(&mut t, id, 7), Err(i));
        }
        assert_eq!(t.find_hashed("z", IdHash(7)), None);
        let long_c = format!("{}c", "p".repeat(INLINE + 5));
        assert_eq!(t.find_hashed(&long_c, IdHash(7)), None);
        // A NUL byte is part of an id, not padding.
        assert_eq!(t.find_hashed("x\0", IdHash(7)), None);
        // Growing keeps colliding ids findable.
        for i in 0..100 {
            t.insert(&format!("filler{i}")).unwrap();
        }
        assert_eq!(t.find_hashed(&long_b, IdHash(7)), Some(5));
        assert_eq!(t.find_hashed("xy", IdHash(7)), Some(2));
    }

    #[test]
    fn probes_wrap_around_the_end() {
        let mut t = IdTable::with_capacity(4);
        let n = t.slots.len();
        // The highest hash starts at the last line; its neighbours wrap.
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            assert_eq!(insert_with_hash(&mut t, id, u64::MAX), Ok(i));
        }
        assert_eq!(t.slots[0].index, 2);
        assert_eq!(t.slots[n - 1].index, 1);
        assert_eq!((&t.slots[0] as *const Slot as usize) % 64, 0);
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            assert_eq!(t.find_hashed(id, IdHash(u64::MAX)), Some(i));
        }
    }

    #[test]
    fn long_and_unicode_ids() {
        let mut t = IdTable::default();
        let ids: Vec<String> = (0..300)
            .map(|n| format!("kundé-{}", "x".repeat(n)))
            .collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.insert(id), Ok(i));
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.find(id), Some(i));
            assert_eq!(t.get(i), id);
        }
        assert_eq!(t.find(&format!("kundé-{}", "x".repeat(300))), None);
        assert_eq!(t.find(&format!("kundé-{}y", "x".repeat(280))), None);
    }

    #[test]
    fn short_tails_hash_apart() {
        // Every string of up to 3 bytes over a small alphabet, and tails of
        // 4 to 7 bytes differing in one byte: no two may share a hash
        // (a collision would be legal but would show a lost byte).
        let mut seen = std::collections::HashMap::new();
        let alphabet = [0u8, 1, b'a', b'b', 0xff];
        let mut strings: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=3 {
            let mut next = Vec::new();
            for s in strings.iter().filter(|s| s.len() == len - 1) {
                for &b in &alphabet {
                    let mut t = s.clone();
                    t.push(b);
                    next.push(t);
                }
            }
            strings.extend(next);
        }
        for len in 4..=15 {
            for pos in 0..len {
                let mut t = vec![b'x'; len];
                t[pos] = b'y';
                strings.push(t);
            }
        }
        for s in &strings {
            assert_eq!(seen.insert(hash_bytes(s), s.clone()), None, "{s:?}");
        }
    }

    #[test]
    fn inline_comparison_checks_every_byte_of_every_length() {
        let id: Vec<u8> = (b'a'..=b'z').collect();
        for n in 0..=id.len() {
            let slot = Slot::new(7, 0, &id[..n]);
            assert!(same_start(&slot.inline, &id[..n]), "{n}");
            for flip in 0..n.min(INLINE) {
                let mut other = id[..n].to_vec();
                other[flip] ^= 1;
                assert!(!same_start(&slot.inline, &other), "{n} {flip}");
            }
        }
    }

    #[test]
    fn indexing_pushed_ids_in_two_halves_finds_every_id_and_the_first_repeat() {
        for n in [10, 1000, INDEX_IN_TWO_FROM + 1000] {
            let mut table = IdTable::default();
            for i in 0..n {
                table.push(&format!("customer-{i}"));
            }
            assert_eq!(table.index_pushed(), Ok(()));
            for i in (0..n).step_by(7) {
                assert_eq!(table.find(&format!("customer-{i}")), Some(i), "{n} {i}");
            }
            assert_eq!(table.find("customer-x"), None);
            // Repeats: the earliest repeat in list order is reported.
            for (late, early) in [(n - 1, 3), (n / 2, n / 3)] {
                let mut table = IdTable::default();
                for i in 0..n {
                    let id = match i {
                        _ if i == late => format!("customer-{early}"),
                        _ if i == n - 2 && late != n - 1 => "customer-0".to_string(),
                        _ => format!("customer-{i}"),
                    };
                    table.push(&id);
                }
                assert_eq!(table.index_pushed(), Err((late, early)), "{n}");
                assert_eq!(table.find("customer-1"), None, "no index after a repeat");
            }
        }
    }

    #[test]
    fn many_ids() {
        let mut t = IdTable::with_capacity(10);
        for i in 0..200_000 {
            assert_eq!(t.insert(&format!("C{i}")), Ok(i));
        }
        for i in 0..200_000 {
            assert_eq!(t.find(&format!("C{i}")), Some(i));
            assert_eq!(t.find(&format!("D{i}")), None);
        }
        assert_eq!(t.insert("C199999"), Err(199_999));
        let full = IdTable::with_capacity(200_000);
        assert!(full.slots.len() * LOAD_NUM >= 200_000 * LOAD_DEN);
    }
}
