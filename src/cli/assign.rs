//! `pilot assign FILE`: assign new eligible customers and print the balance.

use std::path::Path;

use crate::assign::{self, AssignOptions, AssignOutcome, balance};
use crate::config;
use crate::error::Result;
use crate::preflight;

/// Assigns, writes the ledger (unless `dry_run`) and prints a summary.
pub fn run(file: &Path, reassign: bool, dry_run: bool, now: String) -> Result<()> {
    let exp = config::load(file)?;
    preflight::check_population(&exp)?;
    let outcome = assign::assign(
        &exp,
        &AssignOptions {
            reassign,
            dry_run,
            now,
        },
    )?;
    print!("{}", summary(&exp, &outcome, dry_run));
    println!();
    print!("{}", balance::render_text(&outcome.balance));
    Ok(())
}

fn summary(exp: &config::Experiment, o: &AssignOutcome, dry_run: bool) -> String {
    let ledger = o.ledger.display();
    let mut out = String::new();
    let headline = match (dry_run, o.newly_assigned, o.written) {
        (true, n, _) => format!(
            "Dry run: would assign {} new customer{} (nothing written).",
            thousands(n),
            plural(n)
        ),
        (false, 0, false) => format!("No new customers: the ledger {ledger} is up to date."),
        (false, n, _) => format!(
            "Assigned {} new customer{}; ledger: {ledger}",
            thousands(n),
            plural(n)
        ),
    };
    out.push_str(&headline);
    out.push('\n');
    if let Some(backup) = &o.backup {
        out.push_str(&format!(
            "The previous ledger was kept as {}.\n",
            backup.display()
        ));
    }
    if let Some(r) = &o.reassigned {
        out.push_str(&format!(
            "Of {} previously assigned customers, {} kept their arm, {} changed arm, {} left the pilot.\n",
            thousands(r.previous),
            thousands(r.same_arm),
            thousands(r.other_arm),
            thousands(r.dropped)
        ));
    }
    out.push('\n');
    let rows: Vec<(&str, u64)> = vec![
        ("already in the ledger, kept", o.kept),
        ("newly assigned", o.newly_assigned),
        ("not eligible (filters)", o.ineligible),
        ("eligible, outside the coverage", o.not_enrolled),
    ];
    for (label, n) in rows {
        out.push_str(&format!("  {label:<32} {:>9}\n", thousands(n)));
    }
    if o.newly_assigned > 0 {
        let per_arm: Vec<String> = exp
            .arms
            .iter()
            .zip(&o.new_per_arm)
            .map(|(a, n)| format!("{} {}", a.name, thousands(*n)))
            .collect();
        out.push_str(&format!("  {:<32} {}\n", "new per arm", per_arm.join(", ")));
    }
    let notes = [
        (
            o.ledger_not_in_population,
            "ledger customers are no longer in the population file; they stay in the ledger",
        ),
        (
            o.ledger_no_longer_eligible,
            "ledger customers no longer pass the filters; they stay in the pilot (leaving would bias it)",
        ),
        (
            o.duplicate_ledger_rows,
            "ledger rows repeat a customer in the same arm; each customer is counted once",
        ),
    ];
    for (n, text) in notes {
        if n > 0 {
            out.push_str(&format!("note: {} {text}\n", thousands(n)));
        }
    }
    out
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn thousands(n: u64) -> String {
    crate::format::number(n as f64, 0)
}
