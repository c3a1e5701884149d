//! File input and output shared by the commands.

pub mod atomic;
pub mod csv_input;
pub mod fingerprint;
pub mod lock;
mod orphans;
pub mod progress;
pub mod tokenizer;
