//! `pilot init NAME`: write a commented template experiment file.

use std::io::Write;
use std::path::Path;

use crate::config;
use crate::error::{Error, Result};
use crate::io::atomic::write_atomic_new;

/// Writes `DIR/NAME.toml` from the template; never overwrites.
pub fn run(name: &str, dir: &Path) -> Result<()> {
    config::check_experiment_name(name)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create directory", &e))?;
    let path = dir.join(format!("{name}.toml"));
    let text = config::template(name);
    write_atomic_new(&path, |w| {
        w.write_all(text.as_bytes())
            .map_err(|e| Error::io(&path, "write", &e))
    })?;
    println!("wrote {}", path.display());
    println!(
        "next: edit it (population file, arms, metrics), then run `pilot validate {}`",
        path.display()
    );
    Ok(())
}
