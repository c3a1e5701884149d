//! The CSV reader on arbitrary bytes: every row and column read as text and
//! as a number. Errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pilot::io::csv_input::CsvReader;

fuzz_target!(|data: &[u8]| {
    let mut csv = match CsvReader::from_reader("fuzz.csv".as_ref(), data) {
        Ok(csv) => csv,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let headers = csv.headers().to_vec();
    for name in &headers {
        let _ = csv.column(name);
    }
    let _ = csv.column("customer_id").map_err(|e| e.to_string());
    loop {
        match csv.next_row() {
            Ok(Some(row)) => {
                let _ = row.check_utf8();
                for column in 0..row.len() {
                    let _ = row.raw(column);
                    let _ = row.text(column).map_err(|e| e.to_string());
                    if let Ok(Some(v)) = row.number(column).map_err(|e| e.to_string()) {
                        assert!(v.is_finite(), "number() returned {v}");
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                let _ = e.to_string();
                break;
            }
        }
    }
});
