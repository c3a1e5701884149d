//! Everything an analysis reads from disk, joined and aggregated.
//!
//! The ledger says who is in which arm; the outcome export (or a summary
//! file) says what happened; the population file adds segment values and
//! pre-period covariates. The result is statistics per metric, arm and
//! segment plus counts of everything that did not join, so the report can
//! say what was left out instead of dropping it silently.

use serde::Serialize;

use crate::assign::balance::smd;
use crate::assign::ledger::{Ledger, read_ledger};
use crate::config::Experiment;
use crate::dates::day_text;
use crate::error::{Error, Result};
use crate::ingest::aggregate::{CustomerView, MetricStats, aggregate_metric};
use crate::ingest::attributes::{Attributes, read_attributes};
use crate::ingest::cross::{MetricValues, PairStats, linked_pairs};
use crate::ingest::outcomes::read_outcomes;
use crate::ingest::summary::read_summary;
use crate::io::fingerprint::{file_fingerprint, text_fingerprint};
use crate::stats::summary::MeanAccumulator;

/// Counts of what was read and what did not join.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DataCounts {
    /// `rows` (an outcome export) or `summary` (pre-aggregated statistics).
    pub source: String,
    /// Distinct customers in the ledger.
    pub ledger_customers: u64,
    /// Ledger rows repeating a customer in the same arm (counted once).
    pub duplicate_ledger_rows: u64,
    /// Outcome rows read.
    pub outcome_rows: u64,
    /// Outcome rows outside the date window.
    pub rows_outside_window: u64,
    /// Outcome rows of customers not in the ledger.
    pub rows_unknown_customer: u64,
    /// A few of those customer ids.
    pub unknown_customer_examples: Vec<String>,
    /// Ledger customers with at least one outcome row.
    pub customers_with_outcomes: u64,
    /// Ledger customers with at least one outcome row, per arm in
    /// experiment order (empty for summary input).
    #[serde(default)]
    pub customers_with_outcomes_per_arm: Vec<u64>,
    /// Ledger customers missing from the population file (segments and
    /// covariates unknown for them).
    pub customers_not_in_population: u64,
    /// Outcome rows dated before their customer's assignment day (left out:
    /// the initiative cannot have caused them). Needs a date column in the
    /// export and dates in the ledger's `assigned_at`.
    #[serde(default)]
    pub rows_before_assignment: u64,
    /// Ledger customers with at least one such row.
    #[serde(default)]
    pub customers_with_rows_before_assignment: u64,
    /// First and last date (YYYY-MM-DD) of the export's dated rows, in the
    /// window or not.
    #[serde(default)]
    pub outcome_dates: Option<(String, String)>,
    /// First and last assignment date in the ledger.
    #[serde(default)]
    pub assignment_dates: Option<(String, String)>,
    /// Ratio metrics with customers whose numerator is not zero while their
    /// denominator is (revenue without orders).
    #[serde(default)]
    pub ratio_zero_denominators: Vec<ZeroDenominators>,
}

/// Customers of a ratio metric with a numerator but a zero denominator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ZeroDenominators {
    /// The ratio metric.
    pub metric: String,
    /// Customers whose numerator is not 0 while their denominator is.
    pub customers: u64,
}

/// Customers with a numerator but no denominator, for a ratio metric.
fn zero_denominators(values: &crate::ingest::outcomes::MetricValues) -> Option<u64> {
    let denominators = values.denominators.as_ref()?;
    Some(
        values
            .values
            .iter()
            .zip(denominators)
            .filter(|(v, d)| matches!((v, d), (Some(v), Some(d)) if *v != 0.0 && *d == 0.0))
            .count() as u64,
    )
}

/// How customers joined the pilot over time, from the ledger's dates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Enrollment {
    /// Day number of the first assignment.
    pub first_day: i32,
    /// Day number of the latest assignment.
    pub last_day: i32,
    /// Customers assigned after the first day.
    pub after_first_day: u64,
}

impl Enrollment {
    /// New customers per day since the first day, if enrollment went on
    /// for more than one day.
    pub fn per_day(&self) -> Option<f64> {
        let days = self.last_day - self.first_day;
        (days > 0 && self.after_first_day > 0)
            .then(|| self.after_first_day as f64 / f64::from(days))
    }
}

/// A pre-period covariate compared between arms.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CovariateBalance {
    /// Population column.
    pub column: String,
    /// Per treatment arm (in order, control excluded): standardized mean
    /// difference against the control.
    pub smd: Vec<Option<f64>>,
}

/// The joined, aggregated data of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Customers per arm (ledger), in experiment order.
    pub customers_per_arm: Vec<u64>,
    /// Per metric, in experiment order.
    pub metrics: Vec<MetricStats>,
    /// What was read and what did not join.
    pub counts: DataCounts,
    /// Enrollment over time, if the ledger has dates.
    pub enrollment: Option<Enrollment>,
    /// Covariates of CUPED metrics, compared between arms.
    pub covariates: Vec<CovariateBalance>,
    /// Per-arm co-moments of the metrics the decision learns together
    /// (empty for summary input, which has no customers to pair).
    pub cross: Vec<PairStats>,
    /// One fingerprint over every input file's content.
    pub fingerprint: String,
}

/// Reads and joins everything `exp` names.
pub fn load(exp: &Experiment) -> Result<Dataset> {
    let Some(outcomes) = &exp.outcomes else {
        return Err(Error::in_file(
            &exp.path,
            "there is no [outcomes] section, so there is nothing to analyze yet",
        )
        .with_note(
            "add [outcomes] with the file of your outcome export (see `pilot docs experiment-file`)",
        ));
    };
    let ledger_path = &exp.assignment.file;
    if !ledger_path.exists() {
        return Err(Error::in_file(ledger_path, "the ledger does not exist yet")
            .with_note(format!("run `pilot assign {}` first", exp.path.display())));
    }
    let ledger = read_ledger(
        ledger_path,
        &exp.assignment.id_column,
        &exp.assignment.arm_column,
    )?;
    let arm_of: Vec<u16> = ledger
        .arm_indices(&exp.arms)?
        .into_iter()
        .map(|a| a as u16)
        .collect();
    let mut customers_per_arm = vec![0u64; exp.arms.len()];
    for &a in &arm_of {
        customers_per_arm[usize::from(a)] += 1;
    }
    let mut counts = DataCounts {
        ledger_customers: ledger.len() as u64,
        duplicate_ledger_rows: ledger.duplicate_rows(),
        ..DataCounts::default()
    };
    let mut fingerprints = vec![ledger.fingerprint()];
    let covariate_columns: Vec<String> = {
        let mut columns: Vec<String> = Vec::new();
        for m in &exp.metrics {
            if let Some(c) = &m.covariate
                && !columns.contains(c)
            {
                columns.push(c.clone());
            }
        }
        columns
    };

    let (metrics, covariates, cross) = if let Some(summary) = &outcomes.summary {
        counts.source = "summary".to_string();
        fingerprints.push(file_fingerprint(summary)?);
        (
            read_summary(summary, outcomes, exp)?,
            Vec::new(),
            Vec::new(),
        )
    } else if let Some(file) = &outcomes.file {
        counts.source = "rows".to_string();
        let attributes = if exp.analysis.segments.is_empty() && covariate_columns.is_empty() {
            None
        } else {
            fingerprints.push(file_fingerprint(&exp.population.file)?);
            Some(read_attributes(
                &exp.population.file,
                &exp.population.id_column,
                &exp.analysis.segments,
                &covariate_columns,
                ledger.ids(),
            )?)
        };
        let data = read_outcomes(file, outcomes, exp, ledger.ids(), ledger.assigned_days())?;
        fingerprints.push(data.fingerprint.clone());
        counts.outcome_rows = data.counts.rows;
        counts.rows_outside_window = data.counts.rows_outside_window;
        counts.rows_before_assignment = data.counts.rows_before_assignment;
        counts.customers_with_rows_before_assignment =
            data.counts.customers_with_rows_before_assignment;
        counts.outcome_dates = data
            .counts
            .row_days
            .map(|(first, last)| (day_text(first), day_text(last)));
        counts.assignment_dates = ledger
            .assigned_days()
            .and_then(|days| Some((*days.iter().min()?, *days.iter().max()?)))
            .map(|(first, last)| (day_text(first), day_text(last)));
        counts.ratio_zero_denominators = exp
            .metrics
            .iter()
            .zip(&data.metrics)
            .filter_map(|(m, values)| {
                let customers = zero_denominators(values)?;
                (customers > 0).then(|| ZeroDenominators {
                    metric: m.name.clone(),
                    customers,
                })
            })
            .collect();
        counts.rows_unknown_customer = data.counts.rows_unknown_customer;
        counts.unknown_customer_examples = data.counts.unknown_examples;
        counts.customers_with_outcomes = data.counts.customers_with_rows;
        counts.customers_with_outcomes_per_arm = vec![0; exp.arms.len()];
        for (i, &arm) in arm_of.iter().enumerate() {
            let bit = data
                .counts
                .with_rows
                .get(i / 64)
                .map_or(0, |w| (w >> (i % 64)) & 1);
            counts.customers_with_outcomes_per_arm[usize::from(arm)] += bit;
        }
        counts.customers_not_in_population =
            attributes.as_ref().map_or(0, |a| a.customers_not_found);
        let segments: Vec<(String, &[String], &[u32])> = attributes
            .as_ref()
            .map(|a| {
                a.segments
                    .iter()
                    .map(|s| (s.column.clone(), s.levels.as_slice(), s.codes.as_slice()))
                    .collect()
            })
            .unwrap_or_default();
        let view = CustomerView {
            arms: &arm_of,
            segments: &segments,
        };
        let inputs: Vec<MetricValues<'_>> = exp
            .metrics
            .iter()
            .zip(&data.metrics)
            .map(|(metric, values)| MetricValues {
                values: &values.values,
                covariate: metric
                    .covariate
                    .as_deref()
                    .and_then(|c| attributes.as_ref()?.covariate(c))
                    .map(|c| c.values.as_slice()),
            })
            .collect();
        let pairs: Vec<_> = exp.metrics.iter().zip(&data.metrics).zip(&inputs).collect();
        let metrics = crate::parallel::map_in_two(&pairs, |&((metric, values), input)| {
            aggregate_metric(
                metric,
                input.values,
                values.denominators.as_deref(),
                input.covariate,
                &view,
                exp.arms.len(),
            )
        });
        let cross = linked_pairs(exp, &inputs, &metrics, &arm_of);
        let covariates = attributes
            .as_ref()
            .map(|a| covariate_balance(a, &arm_of, exp.arms.len()))
            .unwrap_or_default();
        (metrics, covariates, cross)
    } else {
        return Err(Error::in_file(
            &exp.path,
            "[outcomes] names neither `file` nor `summary`",
        ));
    };

    Ok(Dataset {
        customers_per_arm,
        metrics,
        counts,
        enrollment: enrollment(&ledger),
        covariates,
        cross,
        fingerprint: text_fingerprint(&fingerprints.join(" ")),
    })
}

/// Customers in the population file who pass the eligibility filters today
/// (the default rollout size of the ROI projection).
pub fn eligible_customers(exp: &Experiment) -> Result<u64> {
    let population = crate::assign::population::read_population(&exp.population, &[])?;
    Ok(population.eligible.iter().filter(|&&e| e).count() as u64)
}

fn enrollment(ledger: &Ledger) -> Option<Enrollment> {
    let days = ledger.assigned_days()?;
    let first_day = *days.iter().min()?;
    let last_day = *days.iter().max()?;
    Some(Enrollment {
        first_day,
        last_day,
        after_first_day: days.iter().filter(|&&d| d > first_day).count() as u64,
    })
}

/// SMD of each covariate between each treatment arm and the control (as in
/// the balance report of `pilot assign`). Randomization makes large values
/// rare; one is a warning sign about the split or the data.
fn covariate_balance(
    attributes: &Attributes,
    arm_of: &[u16],
    arms: usize,
) -> Vec<CovariateBalance> {
    attributes
        .covariates
        .iter()
        .map(|cov| {
            // Values are taken from the first one: the SMD does not depend
            // on a common offset, but variances summed from values of 1e8
            // and more (customer numbers, timestamps) are rounding noise.
            let shift = cov.values.iter().flatten().next().copied().unwrap_or(0.0);
            let mut acc = vec![MeanAccumulator::default(); arms];
            for (value, &arm) in cov.values.iter().zip(arm_of) {
                if let Some(v) = value {
                    acc[usize::from(arm)].push(*v - shift);
                }
            }
            let stats: Vec<_> = acc.iter().map(MeanAccumulator::finish).collect();
            let smd = (1..arms)
                .map(|t| {
                    let (c, t) = (&stats[0], &stats[t]);
                    smd(t.mean()?, t.variance()?, c.mean()?, c.variance()?)
                })
                .collect();
            CovariateBalance {
                column: cov.column.clone(),
                smd,
            }
        })
        .collect()
}
