//! File input and output shared by the commands.

pub mod atomic;
