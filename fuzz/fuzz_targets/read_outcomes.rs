//! The outcome ingest on arbitrary file contents: one metric of every kind,
//! a date window, a few known customers. Errors are fine, panics and
//! non-finite values are not.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pilot::config::Experiment;
use pilot::ids::IdTable;
use pilot::ingest::outcomes::read_outcomes;

const EXPERIMENT: &str = r#"[experiment]
name = "fuzz"
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
date_column = "date"
from = 2026-01-01
to = 2026-12-31
[[metrics]]
name = "bought"
kind = "binary"
role = "primary"
direction = "increase"
[[metrics]]
name = "revenue"
direction = "increase"
kind = "mean"
[[metrics]]
name = "per_order"
direction = "increase"
kind = "ratio"
column = "revenue"
denominator = "orders"
[[metrics]]
name = "nps"
direction = "increase"
kind = "nps"
[[metrics]]
name = "csat"
direction = "increase"
kind = "csat"
[[metrics]]
name = "effort"
direction = "increase"
kind = "ordinal"
scale = [1, 7]
[[metrics]]
name = "tickets"
direction = "increase"
kind = "mean"
column = "ticket"
aggregate = "count"
[[metrics]]
name = "latest"
direction = "increase"
kind = "mean"
column = "revenue"
aggregate = "last"
"#;

fn experiment() -> &'static Experiment {
    static EXPERIMENT_PARSED: OnceLock<Experiment> = OnceLock::new();
    EXPERIMENT_PARSED.get_or_init(|| {
        pilot::config::parse("fuzz.toml".as_ref(), EXPERIMENT).expect("fixed experiment parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let experiment = experiment();
    let mut index = IdTable::with_capacity(4);
    for id in ["C1", "C2", "C3", "C4"] {
        let _ = index.insert(id);
    }
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(data).expect("write");
    file.flush().expect("flush");
    let outcomes = experiment.outcomes.as_ref().expect("outcomes");
    match read_outcomes(file.path(), outcomes, experiment, &index, None) {
        Ok(read) => {
            for metric in &read.metrics {
                for v in metric.values.iter().flatten() {
                    assert!(!v.is_nan(), "NaN value");
                }
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
