//! The experiment-file parser on arbitrary text: an error is fine, a panic is not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = std::str::from_utf8(data) {
        if let Err(e) = pilot::config::parse("fuzz.toml".as_ref(), source) {
            // Rendering the error (snippets, columns) must not panic either.
            let _ = e.to_string();
        }
    }
});
