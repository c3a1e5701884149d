//! The value of waiting: is another few weeks of piloting worth their cost?
//!
//! Waiting `w` weeks brings the customers enrolled meanwhile; with the same
//! design the standard errors shrink by `sqrt(n / (n + w * rate))`, which is
//! `more_data_ratio = w * rate / n` in [`super::money::value_of_more_data`].
//! What waiting costs:
//!
//! - the pilot keeps running: `[roi] monthly_cost` plus
//!   `cost_per_customer_month` for the customers in the pilot's treatment
//!   arms, for `w` weeks;
//! - the decision comes later: the rollout's horizon is counted from today,
//!   so a rollout `w` weeks later earns only `1 - w / horizon` of it. Both
//!   what the best choice today is worth (the benefit not earned, or nothing
//!   when stopping is best) and what the information is worth shrink by
//!   that factor.
//!
//! Waiting is worth it when `(1 - w/H) (V_now + EVSI(w)) - pilot costs(w)`
//! beats `V_now`; the best `w` up to the deadline is reported either way, so
//! that a verdict can say what the weeks it did not take would have been
//! worth.

use serde::{Deserialize, Serialize};

/// Average weeks in a month (365.25 / 12 / 7).
pub const WEEKS_PER_MONTH: f64 = 365.25 / 12.0 / 7.0;

/// What waiting is judged by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitingInputs {
    /// Whole weeks until the deadline (0: decide now).
    pub weeks_left: u32,
    /// Customers in the smallest arm now.
    pub customers_per_arm: f64,
    /// New customers reaching the smallest arm per week.
    pub new_per_arm_per_week: f64,
    /// The rollout's horizon in months.
    pub horizon_months: f64,
    /// What the best choice today is worth (`max(E[NPV], 0)`).
    pub value_now: f64,
    /// What running the pilot costs per week.
    pub pilot_cost_per_week: f64,
}

/// The best wait and what it is worth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WaitingValue {
    /// Weeks of further piloting.
    pub weeks: u32,
    /// What the information from those weeks is worth, after the delay.
    pub value_of_information: f64,
    /// What they cost: pilot running costs plus the benefit not earned.
    pub cost: f64,
}

impl WaitingValue {
    /// Worth minus cost: positive when waiting pays.
    pub fn net(&self) -> f64 {
        self.value_of_information - self.cost
    }
}

/// The wait with the best net value, evaluated at every week up to eight,
/// every second week up to 26 and every fourth beyond; `None` when the deadline is reached or no
/// new customers arrive (waiting brings no data).
///
/// `evsi(ratio)` is the value of `ratio` times more data than so far.
pub fn best_wait(inputs: &WaitingInputs, evsi: impl Fn(f64) -> f64) -> Option<WaitingValue> {
    let valid = inputs.weeks_left > 0
        && inputs.new_per_arm_per_week > 0.0
        && inputs.customers_per_arm > 0.0
        && inputs.horizon_months > 0.0;
    if !valid {
        return None;
    }
    // Finer where the choice matters most: every week for two months,
    // every second week to half a year, every fourth beyond (a value of
    // more data is a seeded Monte Carlo with several money metrics, so each
    // candidate costs a few milliseconds).
    let weeks =
        (1..=inputs.weeks_left).filter(|&w| w <= 8 || (w <= 26 && w % 2 == 0) || w % 4 == 0);
    weeks
        .filter_map(|w| {
            let delay = f64::from(w) / WEEKS_PER_MONTH / inputs.horizon_months;
            if delay >= 1.0 {
                return None;
            }
            let ratio = f64::from(w) * inputs.new_per_arm_per_week / inputs.customers_per_arm;
            Some(WaitingValue {
                weeks: w,
                value_of_information: (1.0 - delay) * evsi(ratio),
                cost: delay * inputs.value_now + f64::from(w) * inputs.pilot_cost_per_week,
            })
        })
        .max_by(|a, b| a.net().total_cmp(&b.net()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> WaitingInputs {
        WaitingInputs {
            weeks_left: 10,
            customers_per_arm: 100.0,
            new_per_arm_per_week: 10.0,
            horizon_months: 12.0,
            value_now: 1000.0,
            pilot_cost_per_week: 20.0,
        }
    }

    #[test]
    fn costs_add_delay_and_running() {
        let w = best_wait(&inputs(), |_| 0.0).unwrap();
        // With worthless information the shortest wait is the least bad.
        assert_eq!(w.weeks, 1);
        let delay = 1.0 / WEEKS_PER_MONTH / 12.0;
        assert!((w.cost - (delay * 1000.0 + 20.0)).abs() < 1e-12);
        assert!(w.net() < 0.0);
    }

    #[test]
    fn valuable_information_is_bought() {
        // Information worth 500 per doubling of the data, stopping is best
        // today (nothing to lose by waiting but the running costs): the
        // whole doubling (10 weeks) is worth 500 * (1 - 10/52.2) = 404.
        let mut i = inputs();
        i.value_now = 0.0;
        let w = best_wait(&i, |r| 500.0 * r.min(1.0)).unwrap();
        assert!(w.net() > 0.0);
        assert_eq!(w.weeks, 10);
    }

    #[test]
    fn no_time_or_no_customers_means_no_wait() {
        let mut i = inputs();
        i.weeks_left = 0;
        assert!(best_wait(&i, |_| 1e9).is_none());
        let mut i = inputs();
        i.new_per_arm_per_week = 0.0;
        assert!(best_wait(&i, |_| 1e9).is_none());
    }
}
