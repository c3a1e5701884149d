//! Progress of long reads, for the progress bar of the command line.
//!
//! Every CSV file opened through [`crate::io::csv_input::CsvReader::open`]
//! counts the bytes it reads into one process-wide counter. The library
//! never draws anything; the CLI samples the counter from another thread.
//! A global counter keeps progress out of every reading API; it costs one
//! relaxed atomic add per 64 KiB buffer.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};

static BYTES_READ: AtomicU64 = AtomicU64::new(0);

/// Bytes read so far by all CSV readers of this process.
pub fn bytes_read() -> u64 {
    BYTES_READ.load(Ordering::Relaxed)
}

/// A reader that adds what it reads to the process-wide counter.
pub struct Counting<R>(pub R);

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        BYTES_READ.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
