//! `pilot simulate FILE`: synthetic customers and outcomes with a known
//! effect, for trying pilot out and checking its statistics.

use std::path::Path;

use crate::config;
use crate::error::{Error, Result};
use crate::simulate::files::{SimulateOptions, simulate};
use crate::simulate::parse_effect;

/// Arguments of `pilot simulate`.
pub struct SimulateArgs<'a> {
    /// The experiment file.
    pub file: &'a Path,
    /// Customers in the population.
    pub customers: u64,
    /// `METRIC=LIFT` texts.
    pub effects: &'a [String],
    /// Seed.
    pub seed: u64,
    /// Cumulative looks.
    pub looks: u32,
    /// Output directory.
    pub out: &'a Path,
}

/// Simulates and prints what was written.
pub fn run(args: &SimulateArgs<'_>) -> Result<()> {
    let exp = config::load(args.file)?;
    let effects = args
        .effects
        .iter()
        .map(|e| parse_effect(e).map_err(Error::input))
        .collect::<Result<Vec<_>>>()?;
    if args.looks == 0 {
        return Err(Error::input("--looks must be at least 1"));
    }
    let done = simulate(
        &exp,
        &SimulateOptions {
            customers: args.customers,
            effects,
            seed: args.seed,
            looks: args.looks,
            out: args.out.to_path_buf(),
        },
    )?;
    let split: Vec<String> = exp
        .arms
        .iter()
        .zip(&done.per_arm)
        .map(|(a, n)| format!("{} {n}", a.name))
        .collect();
    println!(
        "Simulated {} customers (seed {}); enrolled: {}.",
        args.customers,
        args.seed,
        split.join(", ")
    );
    for file in &done.files {
        println!("  wrote {}", file.display());
    }
    println!(
        "To analyze, point the experiment's [population] file, [assignment] file and\n\
         [outcomes] file at these (or copy them where it expects them)."
    );
    Ok(())
}
