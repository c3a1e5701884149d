//! Independent pieces of work split over two threads.
//!
//! The smallest machines pilot runs on have two cores, and the steps after
//! reading an export (per-metric values, per-metric statistics) are
//! independent per metric. Each result is computed by one thread alone, so
//! splitting changes no number, only the wall time.

/// `items.iter().map(f).collect()`, the second half mapped on another
/// thread; the results in the order of `items`.
pub fn map_in_two<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let (first, second) = items.split_at(items.len().div_ceil(2));
    std::thread::scope(|scope| {
        let later = scope.spawn(|| second.iter().map(&f).collect::<Vec<_>>());
        let mut results: Vec<R> = first.iter().map(&f).collect();
        // A panic on the other thread is a bug, not an input problem.
        let rest = later
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        results.extend(rest);
        results
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_of_the_items() {
        for n in 0..9 {
            let items: Vec<u32> = (0..n).collect();
            let mapped = map_in_two(&items, |&i| (i, std::thread::current().id()));
            assert_eq!(mapped.iter().map(|m| m.0).collect::<Vec<_>>(), items);
            if n >= 2 {
                assert_ne!(mapped[0].1, mapped[mapped.len() - 1].1, "two threads");
            }
        }
    }
}
