//! Large tables read at random: memory the kernel is asked to back with
//! huge pages, and cache-line prefetching.
//!
//! A lookup in a table of a million customers touches a random page. With
//! 4 KiB pages nearly every such access misses the TLB, and in a virtual
//! machine a page walk is itself several memory accesses; 2 MiB pages cut
//! that to a few TLB entries for the whole table (and make first-touch
//! page faults about five times cheaper). Everything here is a hint: where
//! it is not available the code runs the same, only slower.

use std::mem::MaybeUninit;

/// Tables smaller than this are not worth advising.
const ADVISE_FROM: usize = 4 << 20;

/// `n` copies of `value` in memory the kernel is asked (Linux:
/// `madvise(MADV_HUGEPAGE)`) to back with huge pages, before it is touched.
pub fn table<T: Clone>(n: usize, value: T) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    advise_huge_pages(v.spare_capacity_mut());
    v.resize(n, value);
    v
}

#[cfg(target_os = "linux")]
fn advise_huge_pages<T>(memory: &mut [MaybeUninit<T>]) {
    const HUGE: usize = 2 << 20;
    let len = std::mem::size_of_val(memory);
    if len < ADVISE_FROM {
        return;
    }
    let start = memory.as_mut_ptr() as usize;
    let (first, last) = (start.next_multiple_of(HUGE), (start + len) / HUGE * HUGE);
    if first < last {
        // SAFETY: the range lies within `memory`, which this process owns;
        // MADV_HUGEPAGE changes how pages are backed, never their content.
        // The result is ignored: without transparent huge pages the advice
        // is refused and nothing changes.
        unsafe {
            libc::madvise(
                first as *mut libc::c_void,
                last - first,
                libc::MADV_HUGEPAGE,
            );
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages<T>(_memory: &mut [MaybeUninit<T>]) {}

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
        for n in [0, 1, 1000, (ADVISE_FROM / 8) + 12345] {
            let t = table(n, 7u64);
            assert_eq!(t.len(), n);
            assert!(t.iter().all(|&v| v == 7));
            if let Some(last) = t.last() {
                prefetch(last);
            }
        }
    }
}
