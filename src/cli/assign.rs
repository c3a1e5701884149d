//! `pilot assign FILE`: assign new eligible customers and print the balance.

use std::path::Path;
use std::time::Duration;

use crate::assign::{self, AssignOptions, AssignOutcome, balance};
use crate::config;
use crate::error::Result;
use crate::preflight;
use crate::sanitize::printable;

/// Assigns, writes the ledger (unless `dry_run`) and prints a summary,
/// holding the experiment's lock (waiting up to `wait` for it).
pub fn run(file: &Path, reassign: bool, dry_run: bool, now: String, wait: Duration) -> Result<()> {
    let exp = config::load(file)?;
    let _lock = super::locking::lock(file, "pilot assign", &now, wait)?;
    let ledger_existed = exp.assignment.file.exists();
    let outcome = preflight::check_population(&exp)
        .and_then(|_| {
            assign::assign(
                &exp,
                &AssignOptions {
                    reassign,
                    dry_run,
                    now,
                },
            )
        })
        .map_err(|e| config::name_the_setting(e, &exp))?;
    // CSV values and the description are user text: printed only through
    // the terminal sanitizer (an ESC in a cell must not clear the screen).
    print!("{}", printable(&summary(&exp, &outcome, dry_run)));
    if !ledger_existed
        && outcome.written
        && let Some(warning) = rebuilt_stratified_warning(&exp, recorded_looks(file))
    {
        print!("\n{}", printable(&warning));
    }
    println!();
    print!("{}", printable(&balance::render_text(&outcome.balance)));
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

/// Looks recorded in the experiment's history (lines of the file; a history
/// pilot cannot parse still says analyses happened).
fn recorded_looks(experiment: &Path) -> usize {
    std::fs::read_to_string(crate::history::history_path(experiment)).map_or(0, |text| {
        text.lines().filter(|l| !l.trim().is_empty()).count()
    })
}

/// A warning when a stratified ledger is created for an experiment that
/// was already analysed: the ledger was deleted and rebuilt. A stratified
/// split depends on the order in which customers arrived (the batches of
/// earlier runs), so a rebuilt one puts many customers in another group
/// than the one they were treated in (840 of 1,686 in the bundled sms
/// example), and every later analysis measures the wrong groups.
fn rebuilt_stratified_warning(exp: &config::Experiment, looks: usize) -> Option<String> {
    if exp.assignment.stratify.is_empty() || looks == 0 {
        return None;
    }
    Some(format!(
        "warning: a new ledger was started, but the history records {looks} analys{} of this \
         experiment. A stratified split depends on the order in which customers arrived, so a \
         rebuilt ledger puts many customers in another group than the one they were in. If the \
         old ledger still exists (a backup, version control, a colleague's copy), put it back at \
         {} and run `pilot assign` again; analyses with this ledger compare the wrong groups.\n",
        if looks == 1 { "is" } else { "es" },
        exp.assignment.file.display()
    ))
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn thousands(n: u64) -> String {
    crate::format::number(n as f64, 0)
}
