//! Reading outcome data for analysis: customer lookup, outcome exports,
//! value parsing. Produces per-customer values; turning them into
//! sufficient statistics is the analysis step's job.

pub mod attributes;
pub mod outcomes;
pub mod summary;
pub mod values;

use std::collections::HashMap;

/// Customer ids of the ledger, numbered 0..n in ledger order, for lookups
/// from outcome rows without allocating.
#[derive(Debug, Clone, Default)]
pub struct CustomerIndex {
    positions: HashMap<Box<str>, u32>,
}

impl CustomerIndex {
    /// An empty index with room for `capacity` customers.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            positions: HashMap::with_capacity(capacity),
        }
    }

    /// Adds `id` and returns its number, or `Err(existing number)` if the id
    /// is already known.
    pub fn insert(&mut self, id: &str) -> Result<usize, usize> {
        let next = self.positions.len();
        match self.positions.entry(id.into()) {
            std::collections::hash_map::Entry::Occupied(e) => Err(*e.get() as usize),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(next as u32);
                Ok(next)
            }
        }
    }

    /// The number of `id`, if it is a known customer.
    pub fn get(&self, id: &str) -> Option<usize> {
        self.positions.get(id).map(|&p| p as usize)
    }

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// True if there are no customers.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}
