//! Large tables read at random: allocation and cache-line prefetching.

/// `n` copies of `value`.
pub fn table<T: Clone>(n: usize, value: T) -> Vec<T> {
    vec![value; n]
}

/// Asks the CPU to load `value`'s cache line; a no-op where there is no
/// prefetch instruction to ask with.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetch` is a hint that never faults nor changes memory;
    // SSE, which it needs, is part of the x86_64 baseline.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_hold_their_values() {
        for n in [0, 1, 1000, 600_000] {
            let t = table(n, 7u64);
            assert_eq!(t.len(), n);
            assert!(t.iter().all(|&v| v == 7));
            if let Some(last) = t.last() {
                prefetch(last);
            }
        }
    }
}
