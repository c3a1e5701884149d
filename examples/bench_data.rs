//! Writes the data of the analysis benchmark (`benches/analyze.sh`): an
//! experiment with four metrics, a ledger of N customers and an outcome
//! export of R rows.
//!
//! ```sh
//! cargo run --release --example bench_data -- 1000000 10000000 target/bench
//! ```

use std::error::Error;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

const EXPERIMENT: &str = r#"[experiment]
name = "bench"

[[arms]]
name = "control"
[[arms]]
name = "pilot"

[population]
file = "customers.csv"

[assignment]
file = "assignments.csv"

[outcomes]
file = "outcomes.csv"

[[metrics]]
name = "purchased"
kind = "binary"
role = "primary"
direction = "increase"

[[metrics]]
name = "revenue"
kind = "mean"
direction = "increase"

[[metrics]]
name = "items"
kind = "mean"
direction = "increase"

[[metrics]]
name = "returned"
kind = "binary"
role = "guardrail"
direction = "decrease"
"#;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let customers: usize = args.first().map_or(Ok(1_000_000), |a| a.parse())?;
    let rows: usize = args.get(1).map_or(Ok(10_000_000), |a| a.parse())?;
    let dir = PathBuf::from(args.get(2).map_or("target/bench", String::as_str));
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("bench.toml"), EXPERIMENT)?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);

    let mut population = BufWriter::new(File::create(dir.join("customers.csv"))?);
    let mut ledger = BufWriter::new(File::create(dir.join("assignments.csv"))?);
    writeln!(population, "customer_id,segment")?;
    writeln!(ledger, "customer_id,arm")?;
    for i in 0..customers {
        writeln!(population, "CUST{i:08},s{}", i % 5)?;
        let arm = if rng.random::<bool>() {
            "pilot"
        } else {
            "control"
        };
        writeln!(ledger, "CUST{i:08},{arm}")?;
    }
    population.flush()?;
    ledger.flush()?;

    let mut outcomes = BufWriter::new(File::create(dir.join("outcomes.csv"))?);
    writeln!(
        outcomes,
        "customer_id,date,purchased,revenue,items,returned"
    )?;
    for _ in 0..rows {
        let c = rng.random_range(0..customers);
        let day = rng.random_range(1..=28);
        let revenue = rng.random::<f64>() * 80.0;
        let items = rng.random_range(1..6);
        let returned = u8::from(rng.random::<f64>() < 0.03);
        writeln!(
            outcomes,
            "CUST{c:08},2026-09-{day:02},1,{revenue:.2},{items},{returned}"
        )?;
    }
    outcomes.flush()?;
    println!(
        "wrote {customers} customers and {rows} outcome rows to {}",
        dir.display()
    );
    Ok(())
}
