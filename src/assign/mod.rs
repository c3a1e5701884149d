//! Deterministic customer assignment.
//!
//! [`assign`] reads the population export and the existing ledger, keeps
//! every customer the ledger already has in their arm, assigns the new
//! eligible customers, appends them to the ledger atomically and reports
//! counts and the balance of the arms. The pieces:
//!
//! - [`hash`]: pilot v1 (SHA-256) and GrowthBook hashes of an id;
//! - [`split`]: bucket ranges, coverage and the [`split::Splitter`];
//! - [`strata`]: the balanced arm sequence of a stratum;
//! - [`population`]: the streaming pass over the population CSV;
//! - [`ledger`]: reading, fingerprinting and appending the ledger;
//! - [`balance`]: the balance report and its text rendering.
//!
//! `docs/assignment.md` describes the scheme for users, including SQL that
//! reproduces the split.

pub mod balance;
pub mod hash;
pub mod ledger;
pub mod population;
pub mod split;
pub mod strata;

use crate::ids::IdTable;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use self::balance::{BalanceReport, balance_report};
use self::ledger::{
    Design, Ledger, NewRow, backup_path, describe_change, design_record_path, read_ledger,
    record_design, recorded_designs, write_ledger,
};
use self::population::read_population;
use self::split::Splitter;
use self::strata::StratumSequence;
use crate::config::Experiment;
use crate::error::{Error, Result};
use crate::io::atomic::copy_to_new;

/// How [`assign`] runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignOptions {
    /// Start a new ledger even though one exists: the old ledger is copied
    /// to a backup named after `now` (see [`ledger::backup_path`]) and every
    /// eligible customer is split afresh under the current design.
    pub reassign: bool,
    /// Check and compute everything but write nothing.
    pub dry_run: bool,
    /// The current time as RFC 3339 UTC (`2025-03-01T09:30:00Z`), written
    /// to `assigned_at` and used in backup names.
    pub now: String,
}

/// What [`assign`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignOutcome {
    /// The ledger file.
    pub ledger: PathBuf,
    /// The design fingerprint of this run.
    pub design: String,
    /// Whether the ledger was written (not when nothing changed, and not in
    /// a dry run).
    pub written: bool,
    /// Where the old ledger was copied, with `reassign`.
    pub backup: Option<PathBuf>,
    /// Customers already in the ledger, kept in their arms.
    pub kept: u64,
    /// Customers assigned now.
    pub newly_assigned: u64,
    /// Newly assigned per arm, in arm order.
    pub new_per_arm: Vec<u64>,
    /// Population rows (not in the ledger) that fail the filters.
    pub ineligible: u64,
    /// Eligible customers outside the coverage ranges.
    pub not_enrolled: u64,
    /// Ledger customers no longer in the population file (kept in the ledger).
    pub ledger_not_in_population: u64,
    /// Ledger customers in the population file who now fail the filters
    /// (kept in the ledger and the balance report).
    pub ledger_no_longer_eligible: u64,
    /// Ledger rows repeating a customer in the same arm.
    pub duplicate_ledger_rows: u64,
    /// With `reassign`: how the new split compares to the old ledger.
    pub reassigned: Option<Reassigned>,
    /// Balance of all customers in the ledger that are in the population.
    pub balance: BalanceReport,
}

/// The old ledger against the new split, after `reassign`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reassigned {
    /// Customers in the old ledger.
    pub previous: u64,
    /// Of those, in the new ledger in the same arm.
    pub same_arm: u64,
    /// Of those, in the new ledger in another arm.
    pub other_arm: u64,
    /// Of those, not in the new ledger.
    pub dropped: u64,
}

/// A customer assigned in this run.
struct Newcomer {
    order: u64,
    row: u32,
    stratum: u32,
    arm: usize,
}

/// Assigns the experiment's new eligible customers and appends them to the
/// ledger. Everything is read and checked before anything is written; the
/// ledger is replaced atomically and only if it changes.
pub fn assign(experiment: &Experiment, opts: &AssignOptions) -> Result<AssignOutcome> {
    validate(experiment)?;
    let asg = &experiment.assignment;
    let arms = &experiment.arms;
    let weights: Vec<f64> = arms.iter().map(|a| a.weight).collect();
    let arm_names: Vec<String> = arms.iter().map(|a| a.name.clone()).collect();
    let design = Design::of(experiment);
    let fingerprint = design.fingerprint();
    let ledger_path = &asg.file;
    let stratified = !asg.stratify.is_empty();

    let existing = match fs::metadata(ledger_path) {
        Ok(_) => Some(read_ledger(ledger_path, &asg.id_column, &asg.arm_column)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(ledger_path, "read", &e)),
    };
    let backup = backup_path(ledger_path, &opts.now);
    let kept_ledger = match &existing {
        Some(l) if !opts.reassign => {
            check_design(l, &design, &fingerprint, &backup)?;
            Some(l)
        }
        _ => None,
    };
    let ledger_arms = match kept_ledger {
        Some(l) => l.arm_indices(arms)?,
        None => Vec::new(),
    };

    let splitter = Splitter::new(asg.hash, &experiment.meta.salt, &weights, asg.coverage);
    let data = read_population(&experiment.population, &asg.stratify)?;
    let rows = data.ids.len();
    // Ledger lookups in a tight loop of their own (see `read_population`).
    let in_ledger: Vec<u32> = match kept_ledger {
        Some(l) => (0..rows)
            .map(|r| l.find(data.ids.get(r)).map_or(u32::MAX, |i| i as u32))
            .collect(),
        None => Vec::new(),
    };
    let mut seen = vec![false; kept_ledger.map_or(0, Ledger::len)];
    let mut arm_of: Vec<Option<u16>> = vec![None; rows];
    let mut newcomers: Vec<Newcomer> = Vec::new();
    let (mut ineligible, mut not_enrolled, mut no_longer_eligible) = (0u64, 0u64, 0u64);
    for (row, arm_slot) in arm_of.iter_mut().enumerate() {
        let eligible = data.eligible[row];
        if let Some(&i) = in_ledger.get(row)
            && i != u32::MAX
        {
            seen[i as usize] = true;
            no_longer_eligible += u64::from(!eligible);
            *arm_slot = Some(ledger_arms[i as usize] as u16);
            continue;
        }
        if !eligible {
            ineligible += 1;
            continue;
        }
        let placement = splitter.place(data.ids.get(row));
        match placement.arm {
            None => not_enrolled += 1,
            Some(arm) => newcomers.push(Newcomer {
                order: placement.order,
                row: row as u32,
                stratum: data.row_stratum[row],
                arm,
            }),
        }
    }

    newcomers.sort_unstable_by(|a, b| {
        a.order.cmp(&b.order).then_with(|| {
            data.ids
                .get(a.row as usize)
                .cmp(data.ids.get(b.row as usize))
        })
    });
    if stratified {
        let mut ledger_counts: HashMap<&str, Vec<u64>> = HashMap::new();
        if let Some(l) = kept_ledger {
            for (i, &arm) in ledger_arms.iter().enumerate() {
                let key = l.stratum(i).unwrap_or("");
                ledger_counts
                    .entry(key)
                    .or_insert_with(|| vec![0; arms.len()])[arm] += 1;
            }
        }
        let mut sequences: Vec<Option<StratumSequence>> = vec![None; data.strata.len()];
        for c in &mut newcomers {
            let s = c.stratum as usize;
            let sequence = sequences[s].get_or_insert_with(|| {
                let key = data.strata[s].as_str();
                let counts = ledger_counts.get(key).cloned().unwrap_or_default();
                StratumSequence::new(&experiment.meta.salt, key, &weights, counts)
            });
            c.arm = sequence.next_arm();
        }
    }
    let mut new_per_arm = vec![0u64; arms.len()];
    for c in &newcomers {
        arm_of[c.row as usize] = Some(c.arm as u16);
        new_per_arm[c.arm] += 1;
    }

    let reassigned = match (&existing, opts.reassign) {
        (Some(old), true) => Some(compare_with_old(old, &data.ids, &newcomers, &arm_names)),
        _ => None,
    };
    let must_write =
        !opts.dry_run && (existing.is_none() || opts.reassign || !newcomers.is_empty());
    let mut backup_written = None;
    if must_write {
        if let Some(dir) = ledger_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create the folder of", &e))?;
        }
        if let (Some(_), true) = (&existing, opts.reassign) {
            backup_written = Some(back_up(ledger_path, &opts.now)?);
        }
        record_design(ledger_path, &design)?;
        // Gather the new ids in ledger order first: a tight loop overlaps
        // the scattered memory reads far better than the writer would.
        let mut sorted = IdTable::default();
        for c in &newcomers {
            sorted.push(data.ids.get(c.row as usize));
        }
        let rows = newcomers.iter().enumerate().map(|(i, c)| NewRow {
            id: sorted.get(i),
            arm: c.arm,
            stratum: if stratified {
                &data.strata[c.stratum as usize]
            } else {
                ""
            },
        });
        write_ledger(
            ledger_path,
            kept_ledger,
            &arm_names,
            rows,
            &opts.now,
            &fingerprint,
        )?;
    }

    let balance = balance_report(arms, &arm_of, &data.columns);
    Ok(AssignOutcome {
        ledger: ledger_path.clone(),
        design: fingerprint,
        written: must_write,
        backup: backup_written,
        kept: kept_ledger.map_or(0, |l| l.len() as u64),
        newly_assigned: newcomers.len() as u64,
        new_per_arm,
        ineligible,
        not_enrolled,
        ledger_not_in_population: seen.iter().filter(|s| !**s).count() as u64,
        ledger_no_longer_eligible: no_longer_eligible,
        duplicate_ledger_rows: kept_ledger.map_or(0, Ledger::duplicate_rows),
        reassigned,
        balance,
    })
}

/// Copies the ledger to a new backup file named after `now` and returns
/// its name: never onto an existing file (a backup another run made in the
/// same second gets the next name, `-2`, `-3`, ...).
fn back_up(ledger: &Path, now: &str) -> Result<PathBuf> {
    loop {
        let backup = backup_path(ledger, now);
        match copy_to_new(ledger, &backup) {
            Ok(()) => return Ok(backup),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&backup, "create", &e)),
        }
    }
}

/// Checks what the config layer is meant to guarantee, so that assignment
/// never works on a design it cannot honour.
fn validate(experiment: &Experiment) -> Result<()> {
    let file = &experiment.path;
    let arms = &experiment.arms;
    if arms.is_empty() || arms.len() > usize::from(u16::MAX) {
        return Err(Error::in_file(file, "an experiment needs at least one arm"));
    }
    for (i, arm) in arms.iter().enumerate() {
        if arm.name.trim().is_empty() {
            return Err(Error::in_file(file, "an arm has a blank name"));
        }
        if arms[..i].iter().any(|a| a.name == arm.name) {
            return Err(Error::in_file(
                file,
                format!("two arms are named `{}`", arm.name),
            ));
        }
        if !(arm.weight.is_finite() && arm.weight >= 0.0) {
            return Err(Error::in_file(
                file,
                format!("arm `{}` has weight {}", arm.name, arm.weight),
            ));
        }
    }
    let total: f64 = arms.iter().map(|a| a.weight).sum();
    if (total - 1.0).abs() > 1e-9 {
        return Err(Error::in_file(
            file,
            format!("the arm weights add up to {total}, not 1 (they should be normalised)"),
        ));
    }
    let coverage = experiment.assignment.coverage;
    if !(coverage > 0.0 && coverage <= 1.0) {
        return Err(Error::in_file(
            file,
            format!("coverage is {coverage}; it must be above 0 and at most 1"),
        ));
    }
    Ok(())
}

/// Refuses to extend a ledger written under another design.
fn check_design(ledger: &Ledger, design: &Design, fingerprint: &str, backup: &Path) -> Result<()> {
    let path = ledger.path().display();
    let rerun = format!(
        "rerun with --reassign to start a new ledger (the old one is kept as {})",
        backup.display()
    );
    if !ledger.has_design_column() {
        return Err(Error::input(format!(
            "the ledger {path} has no `design` column, so pilot did not write it and cannot tell how it was split; {rerun}"
        ))
        .conflict());
    }
    let Some(old_fingerprint) = ledger.design() else {
        return Ok(());
    };
    if old_fingerprint == fingerprint {
        return Ok(());
    }
    let old = recorded_designs(ledger.path()).remove(old_fingerprint);
    let change = old.as_ref().and_then(|old| describe_change(old, design));
    let Some((was, now)) = change else {
        return Err(Error::input(format!(
            "the ledger {path} was written with split design {old_fingerprint}, the experiment file now gives {fingerprint} \
             (what changed is not known: {} does not describe {old_fingerprint}); {rerun}",
            design_record_path(ledger.path()).display()
        ))
        .conflict());
    };
    let mut err = Error::input(format!(
        "the ledger {path} was written with {was}, the experiment file now says {now}; {rerun}"
    ))
    .conflict();
    if let Some(old) = &old {
        let only_coverage_raised = old.hash == design.hash
            && old.salt == design.salt
            && old.arms == design.arms
            && old.stratify == design.stratify
            && old.coverage < design.coverage;
        if only_coverage_raised && design.stratify.is_empty() {
            err = err.with_note(
                "coverage was only raised: after --reassign every customer the old ledger enrolled keeps their arm",
            );
        }
    }
    Err(err)
}

fn compare_with_old(
    old: &Ledger,
    ids: &IdTable,
    newcomers: &[Newcomer],
    arm_names: &[String],
) -> Reassigned {
    let (mut same, mut other) = (0, 0);
    for c in newcomers {
        if let Some(i) = old.find(ids.get(c.row as usize)) {
            if old.arm_name(i) == arm_names[c.arm] {
                same += 1;
            } else {
                other += 1;
            }
        }
    }
    let previous = old.len() as u64;
    Reassigned {
        previous,
        same_arm: same,
        other_arm: other,
        dropped: previous - same - other,
    }
}
