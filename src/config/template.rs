//! The commented experiment file written by `pilot init NAME`.

/// The template; `{name}` is replaced by the experiment name.
///
/// Conventions, checked by tests: every commented-out setting is written
/// `# key = value` (or `# [section]`) and the file still parses with all of
/// them switched on at once; explanations never start with `word = `.
const TEMPLATE: &str = r##"# pilot experiment file for "{name}".
#
# Lines starting with # are comments. To use an optional setting, delete the
# "# " in front of it. Paths are relative to this file. Every setting is
# explained by `pilot docs experiment-file` (docs/experiment-file.md).

[experiment]
# Short name: lowercase letters, digits and '-'.
name = "{name}"
# What you are testing and why, in your own words.
description = "What changes for customers in the pilot, and what it should improve."
# The split of customers into arms is derived from the salt, which is the
# name unless you set it. Changing it reshuffles everyone: only do that to
# run the same test again on a fresh split.
# salt = "{name}-2"

# The arms: who gets what. The first arm is the control (business as usual).
# Weights are relative shares: 0.5 and 0.5 is an even split, 1 and 3 puts a
# quarter of customers in the control.
[[arms]]
name = "control"
weight = 0.5

[[arms]]
name = "pilot"
weight = 0.5

[population]
# Your customer list, a CSV file with one row per customer.
file = "customers.csv"
# The column holding each customer's unique id.
id_column = "customer_id"
# Who takes part: a customer must pass every filter. Each filter names a
# column and exactly one of: in (a list of allowed values), not_in (a list of
# excluded values), or a numeric range with min and/or max.
# filters = [{ column = "segment", in = ["retail", "online"] }, { column = "orders_last_year", min = 1 }]
# How many new eligible customers arrive per week (to estimate the duration).
# new_per_week = 40

[assignment]
# The ledger: pilot records here which customer got which arm. Keep it safe.
file = "assignments.csv"
# Share of eligible customers to enroll, above 0 and at most 1.
# coverage = 1.0
# Keep the arms balanced within each group of these customer-list columns.
# stratify = ["segment"]
# How customer ids are hashed: "sha256" (pilot's own) or "growthbook" (to
# match a split made by GrowthBook).
# hash = "sha256"
# The ledger's column names, if the ledger was made by another tool.
# id_column = "customer_id"
# arm_column = "arm"

[outcomes]
# What happened after the split: a CSV with one or more rows per customer.
# Instead of file, you may give summary: a CSV of statistics already
# aggregated per arm.
file = "outcomes.csv"
# The column holding the customer id.
id_column = "customer_id"
# Count only rows dated within a window. The dates are inclusive and are
# written YYYY-MM-DD.
# date_column = "date"
# from = 2026-09-01
# to = 2026-11-30

# What to measure. Exactly one metric has role "primary": the one the pilot is
# meant to move.
[[metrics]]
name = "repeat_purchase"
# What reports call it (the name unless you set it).
label = "Repeat purchases"
# The outcome column to read (the metric's name unless you set it).
column = "repeat_90d"
# binary (yes/no), mean (an amount such as revenue), ratio (such as revenue
# per order), nps (0-10 answers), csat (1-5 answers), ces (effort 1-7, lower
# is better) or ordinal (another answer scale).
kind = "binary"
# primary, guardrail (must not get worse) or secondary (reported only).
role = "primary"
# "increase" if higher is better, "decrease" if lower is better.
direction = "increase"
# How several rows of one customer combine: max or last for binary metrics
# (default max); sum, mean, max, last or count for amounts.
# aggregate = "max"
# Customers without any row count as "zero", or are left out with "exclude".
# missing = "zero"
# A customer-list column measured before the pilot (such as past purchases);
# it makes the comparison more precise.
# covariate = "purchases_prev_90d"
# For planning: today's rate (0.25 is 25%) and the smallest relative change
# worth detecting (0.1 is a 10% lift).
# baseline = 0.25
# mde = 0.1

# A guardrail metric: the pilot must not make it worse by more than margin
# (0.05 tolerates 5% worse). cap limits extreme values at that quantile.
# [[metrics]]
# name = "support_tickets"
# kind = "mean"
# role = "guardrail"
# direction = "decrease"
# margin = 0.05
# cap = 0.99

[analysis]
# The false-alarm rate you accept: 0.05 is 5%.
alpha = 0.05
# For planning: the chance of detecting a real change of size mde.
power = 0.8
# true lets you check results at any time without extra false alarms.
sequential = true
# With a planned size, each look is a group-sequential test against it
# (nearly the power of a single test at the planned size).
# planned_customers_per_arm = 500
# Without one: the total customers the always-valid test is tuned for
# (default: the arms times min_customers_per_arm).
# sequential_tuning = 200
# Adjustment for looking at many metrics and segments: holm, bh, bonferroni
# or none.
# correction = "holm"
# Customer-list columns to break the results down by.
# segments = ["segment"]

[decision]
# No verdict other than "continue" before each arm has this many customers.
min_customers_per_arm = 100
# The pilot ends by this date (or this many weeks after the first customer
# was assigned); then the verdict is roll out or stop, never "keep piloting".
# deadline = 2027-03-31
# max_weeks = 16
# Optional risk limits: roll out only if the chance that the rollout pays
# off is at least this, or if the money expected to be lost is at most this.
# min_probability_positive_npv = 0.8
# max_expected_loss = 500
# What to expect before seeing data: "default" (most initiatives change a
# metric by a few percent), "normal" with prior_sd, or "none".
# prior = "default"

# Return on investment of rolling the pilot out to everyone. To use it, delete
# the "# " in front of the lines below and fill in your numbers.
# [roi]
# Customers reached by the rollout (default: everyone eligible).
# customers = 12000
# How many months to project, and the yearly discount rate (0.08 is 8%).
# horizon_months = 12
# discount_rate = 0.08
# Costs: once at the start, every month, and per customer every month.
# one_time_cost = 1500
# monthly_cost = 49
# cost_per_customer_month = 0.40
# How many months of behaviour the outcome metrics cover.
# metric_window_months = 3
# Months until the effect has faded by half; 0 means it lasts.
# effect_half_life_months = 0
# Simulation draws and random seed (same seed, same result).
# draws = 100000
# seed = 7
# currency = "$"
#
# Customer lifetime value, for a benefit with unit_value "clv":
# arpu_month * margin / churn_month.
# [roi.clv]
# arpu_month = 30
# churn_month = 0.05
# margin = 0.6
#
# What one unit of a metric is worth per customer, and the share of it you
# keep (margin, default 1).
# [[roi.benefits]]
# metric = "repeat_purchase"
# unit_value = 25.0
# margin = 0.6
"##;

/// The commented experiment file written by `pilot init NAME`: every section,
/// each key explained in plain language, optional keys commented out.
///
/// `name` is inserted as given (escaped for TOML); the caller should check it
/// is a valid experiment name first, or [`super::parse`] will say why not.
pub fn template(name: &str) -> String {
    TEMPLATE.replace("{name}", &escape(name))
}

/// Escapes `s` for the inside of a TOML basic string (and a comment).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_and_controls() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\u000Ad");
    }
}
