//! The benchmark's baseline: read a CSV with the csv crate alone (one reused
//! `ByteRecord`, no parsing), counting fields so the loop is not optimized
//! away. `benches/analyze.sh` compares `pilot analyze` against this.
//!
//! ```sh
//! cargo run --release --example csv_read_baseline -- target/bench/outcomes.csv
//! ```

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: csv_read_baseline FILE")?;
    let mut reader = csv::ReaderBuilder::new().from_path(&path)?;
    let mut record = csv::ByteRecord::new();
    let (mut rows, mut bytes) = (0u64, 0u64);
    while reader.read_byte_record(&mut record)? {
        rows += 1;
        bytes += record.as_slice().len() as u64;
    }
    println!("{rows} rows, {bytes} field bytes");
    Ok(())
}
