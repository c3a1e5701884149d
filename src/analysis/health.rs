//! Health checks: is the experiment sound enough to read its results?
//!
//! Pure: takes counts and compared metrics, returns findings in plain
//! sentences. `blocking` findings make the verdict `investigate`.

use serde::Serialize;

use crate::analysis::result::MetricResult;
use crate::config::Experiment;
use crate::format::{count, number, p_value, pct};
use crate::ingest::dataset::{CovariateBalance, DataCounts};
use crate::stats::BinaryStats;
use crate::stats::srm::sample_ratio_mismatch;

pub use crate::stats::srm::{SRM_THRESHOLD, SRM_UNUSUAL};

/// |SMD| of a covariate above which the arms are called imbalanced.
pub const COVARIATE_SMD_THRESHOLD: f64 = 0.1;

/// Survey response rates are called different below this p-value.
pub const RESPONSE_THRESHOLD: f64 = 0.01;

/// The sample ratio check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Srm {
    /// Pearson chi-square of arm sizes against the weights.
    #[serde(rename = "chi2")]
    pub chi_squared: f64,
    /// Its p-value.
    pub p_value: f64,
    /// True if `p_value < 0.001`.
    pub mismatch: bool,
}

impl Srm {
    /// Sizes further from the split than chance usually makes them, short
    /// of a mismatch ([`SRM_UNUSUAL`]).
    pub fn unusual(&self) -> bool {
        !self.mismatch && self.p_value < SRM_UNUSUAL
    }
}

/// What the health checks found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Health {
    /// The sample ratio check, if computable (customers in the ledger).
    pub srm: Option<Srm>,
    /// Findings that make the results untrustworthy (verdict `investigate`).
    pub blocking: Vec<String>,
    /// Findings worth knowing that do not block a decision.
    pub warnings: Vec<String>,
}

/// What corrects an imbalance of covariate `column` for `arm`: the CUPED
/// adjustment of the metrics adjusted for it, except in comparisons where
/// it was not used (it would have made the estimate noisier). Those are
/// named, since nothing corrects them.
fn imbalance_remedy(exp: &Experiment, metrics: &[MetricResult], column: &str, arm: &str) -> String {
    let not_used: Vec<&str> = exp
        .metrics
        .iter()
        .filter(|m| m.covariate.as_deref() == Some(column))
        .filter_map(|m| metrics.iter().find(|r| r.name == m.name))
        .filter(|m| {
            m.comparisons
                .iter()
                .any(|c| c.arm == arm && c.cuped.is_some_and(|x| !x.applied))
        })
        .map(|m| m.name.as_str())
        .collect();
    if not_used.is_empty() {
        "the covariate adjustment (CUPED) corrects for it.".to_string()
    } else {
        format!(
            "the covariate adjustment (CUPED) would correct for it, but it was not used for {} \
             as it would have made the estimate noisier, so that comparison includes the \
             difference.",
            not_used.join(", ")
        )
    }
}

/// Runs every check.
pub fn check(
    exp: &Experiment,
    customers_per_arm: &[u64],
    counts: &DataCounts,
    covariates: &[CovariateBalance],
    metrics: &[MetricResult],
) -> Health {
    let mut health = Health::default();
    let weights: Vec<f64> = exp.arms.iter().map(|a| a.weight).collect();
    let total: u64 = customers_per_arm.iter().sum();
    if total == 0 {
        health
            .blocking
            .push("The ledger has no customers in any arm of this experiment.".to_string());
        return health;
    }
    if let Ok(srm) = sample_ratio_mismatch(customers_per_arm, &weights) {
        let mismatch = srm.p_value < SRM_THRESHOLD;
        health.srm = Some(Srm {
            chi_squared: srm.chi_squared,
            p_value: srm.p_value,
            mismatch,
        });
        if mismatch {
            let groups: Vec<String> = exp
                .arms
                .iter()
                .zip(customers_per_arm)
                .map(|(a, &n)| {
                    format!(
                        "{} {} (expected about {})",
                        a.name,
                        number(n as f64, 0),
                        number(a.weight * total as f64, 0)
                    )
                })
                .collect();
            health.blocking.push(format!(
                "The groups are not the sizes the weights say: {} ({}). Something in the \
                 assignment or the data export is off (customers moved, lost or added by hand); \
                 fix that before trusting any result.",
                groups.join(", "),
                p_value(srm.p_value)
            ));
        }
    }
    if counts.source == "rows" && counts.outcome_rows > 0 && counts.customers_with_outcomes == 0 {
        health.blocking.push(nothing_joined(exp, counts));
    }
    let min = exp.decision.min_customers_per_arm;
    let small: Vec<String> = exp
        .arms
        .iter()
        .zip(customers_per_arm)
        .filter(|&(_, &n)| n < min)
        .map(|(a, &n)| format!("{} has {}", a.name, number(n as f64, 0)))
        .collect();
    if !small.is_empty() {
        health.warnings.push(format!(
            "Too few customers for a verdict yet: {} (at least {} per group are required, \
             `[decision] min_customers_per_arm`).",
            small.join(", "),
            number(min as f64, 0)
        ));
    }
    data_warnings(counts, &mut health.warnings);
    for c in covariates {
        for (arm, smd) in exp.arms.iter().skip(1).zip(&c.smd) {
            if let Some(d) = smd
                && d.abs() > COVARIATE_SMD_THRESHOLD
            {
                health.warnings.push(format!(
                    "The groups differ before the pilot on `{}` (standardized difference {} for {}). \
                     Randomization makes this rare; {}",
                    c.column,
                    number(*d, 2),
                    arm.name,
                    imbalance_remedy(exp, metrics, &c.column, &arm.name)
                ));
            }
        }
    }
    for m in metrics {
        response_rates(m, &mut health.warnings);
    }
    health
}

/// Why no outcome row counted, when none did: dates (outside the window, or
/// before the customers joined) or ids that match nobody.
fn nothing_joined(exp: &Experiment, counts: &DataCounts) -> String {
    let by_date = counts.rows_outside_window + counts.rows_before_assignment;
    if by_date == 0 {
        return "No outcome row belongs to a customer in the ledger: is the outcome export from \
                the same system, and is `[outcomes] id_column` the right column?"
            .to_string();
    }
    let range = |dates: &Option<(String, String)>| dates.as_ref().map(|(a, b)| date_range(a, b));
    let mut parts = Vec::new();
    if counts.rows_outside_window > 0 {
        let outcomes = exp.outcomes.as_ref();
        let window = format!(
            "{} to {}",
            outcomes
                .and_then(|o| o.from.as_deref())
                .unwrap_or("the start"),
            outcomes.and_then(|o| o.to.as_deref()).unwrap_or("today")
        );
        parts.push(format!(
            "{} outside the window {window} (`[outcomes] from` and `to`)",
            rows_are(counts.rows_outside_window)
        ));
    }
    if counts.rows_before_assignment > 0 {
        parts.push(format!(
            "{} dated before their customer joined the pilot",
            rows_are(counts.rows_before_assignment)
        ));
    }
    let mut text = format!(
        "No outcome row counts: every row was left out by its date. Of {} read, {}.",
        count(counts.outcome_rows, "row", "rows"),
        parts.join(", and ")
    );
    if let Some(rows) = range(&counts.outcome_dates) {
        text.push_str(&format!(" The export's rows are dated {rows}"));
        match range(&counts.assignment_dates) {
            Some(joined) => text.push_str(&format!(
                "; the ledger's customers joined the pilot {joined}."
            )),
            None => text.push('.'),
        }
    }
    text.push_str(
        " Export the outcomes from after the pilot started, or check `[outcomes] date_column`, \
         `from` and `to`.",
    );
    text
}

/// `from 2026-01-15 to 2026-03-15`, or `on 2026-12-02` for one day.
fn date_range(first: &str, last: &str) -> String {
    if first == last {
        format!("on {first}")
    } else {
        format!("from {first} to {last}")
    }
}

/// `1 row is`, `12 rows are`.
fn rows_are(n: u64) -> String {
    format!(
        "{} {}",
        count(n, "row", "rows"),
        if n == 1 { "is" } else { "are" }
    )
}

fn data_warnings(counts: &DataCounts, warnings: &mut Vec<String>) {
    if counts.duplicate_ledger_rows > 0 {
        warnings.push(format!(
            "The ledger lists {} twice in the same group; each customer is counted once.",
            count(counts.duplicate_ledger_rows, "customer", "customers")
        ));
    }
    if counts.rows_unknown_customer > 0 {
        warnings.push(format!(
            "{} of the outcome export {} to customers who are not in the ledger (for example {}); \
             they are left out. Customers outside the pilot cannot tell us about it.",
            count(counts.rows_unknown_customer, "row", "rows"),
            if counts.rows_unknown_customer == 1 {
                "belongs"
            } else {
                "belong"
            },
            counts.unknown_customer_examples.join(", ")
        ));
    }
    if counts.rows_outside_window > 0 {
        warnings.push(format!(
            "{} of the outcome export {} outside the date window and {} left out.",
            count(counts.rows_outside_window, "row", "rows"),
            if counts.rows_outside_window == 1 {
                "falls"
            } else {
                "fall"
            },
            if counts.rows_outside_window == 1 {
                "is"
            } else {
                "are"
            }
        ));
    }
    if counts.rows_before_assignment > 0 && counts.customers_with_outcomes > 0 {
        warnings.push(format!(
            "{} of the outcome export ({} of {}) {} dated before the customer joined the pilot \
             and {} left out: the initiative cannot have caused {}.{}",
            count(counts.rows_before_assignment, "row", "rows"),
            count(
                counts.customers_with_rows_before_assignment,
                "customer",
                "customers"
            ),
            number(counts.ledger_customers as f64, 0),
            if counts.rows_before_assignment == 1 {
                "is"
            } else {
                "are"
            },
            if counts.rows_before_assignment == 1 {
                "is"
            } else {
                "are"
            },
            if counts.rows_before_assignment == 1 {
                "it"
            } else {
                "them"
            },
            counts
                .assignment_dates
                .as_ref()
                .map(|(first, last)| format!(" Customers joined {}.", date_range(first, last)))
                .unwrap_or_default()
        ));
    }
    for z in &counts.ratio_zero_denominators {
        warnings.push(format!(
            "{} of `{}` {} a numerator but a denominator of 0 (for example revenue without \
             orders); their numerator counts in the ratio of sums while they add nothing below \
             it, which inflates the ratio. Check the export (refunds, test orders, a missing \
             denominator column value).",
            count(z.customers, "customer", "customers"),
            z.metric,
            if z.customers == 1 { "has" } else { "have" }
        ));
    }
    if counts.source == "rows" {
        let without = counts
            .ledger_customers
            .saturating_sub(counts.customers_with_outcomes);
        if without > 0 {
            warnings.push(format!(
                "{} of {} in the ledger have no outcome rows; they count as zero (or as not \
                 answering, for surveys).",
                number(without as f64, 0),
                count(counts.ledger_customers, "customer", "customers")
            ));
        }
    }
    if counts.customers_not_in_population > 0 {
        warnings.push(format!(
            "{} in the ledger are missing from the population file; their segment shows as \
             \"(not in population file)\" and their covariate counts as 0.",
            count(counts.customers_not_in_population, "customer", "customers")
        ));
    }
}

/// Surveys: different response rates between arms can bias the answers
/// (the pilot may change who answers, not only what they answer).
fn response_rates(metric: &MetricResult, warnings: &mut Vec<String>) {
    let Some(control) = metric.arms.first() else {
        return;
    };
    let (Some(nc), Some(rc)) = (control.assigned, control.response_rate) else {
        return;
    };
    for arm in metric.arms.iter().skip(1) {
        let (Some(nt), Some(rt)) = (arm.assigned, arm.response_rate) else {
            continue;
        };
        let (Ok(c), Ok(t)) = (BinaryStats::new(nc, control.n), BinaryStats::new(nt, arm.n)) else {
            continue;
        };
        let options = crate::stats::Options::default();
        if let Ok(cmp) = crate::stats::compare_proportions(&c, &t, &options)
            && cmp.p_value < RESPONSE_THRESHOLD
        {
            warnings.push(format!(
                "`{}`: {} of {} answered against {} of {} ({}); when the pilot changes who \
                 answers, the answers can mislead (non-response bias).",
                metric.name,
                pct(rt),
                arm.arm,
                pct(rc),
                control.arm,
                p_value(cmp.p_value)
            ));
        }
    }
}
