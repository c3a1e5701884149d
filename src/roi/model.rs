//! The deterministic skeleton of the cash-flow model.
//!
//! Every money amount in the model is linear in the lifts, and the lifts only
//! enter through one scalar: `x`, the undiscounted benefit of the first month
//! at full effect (`sum over metrics of k_m * lift_m`, see [`Term`]). So the
//! cumulative discounted net at the end of month `T` is
//!
//! ```text
//! cumulative(T, x) = F_T * x - P_T
//! F_T = sum_{t=1..T} d_t * decay(t)        (benefit factor)
//! P_T = one_time_cost + sum_{t=1..T} d_t * monthly_total   (PV of costs)
//! ```
//!
//! Both the point estimate and every Monte Carlo draw go through
//! [`Schedule::cumulative`], so the table, the payback month and the
//! probabilities agree to the last bit.

use crate::config::{Direction, Roi};

/// The part of the model that does not depend on the lifts.
#[derive(Debug, Clone)]
pub(super) struct Schedule {
    /// Monthly discount rate `(1 + r)^(1/12) - 1`.
    pub(super) monthly_rate: f64,
    /// `d_t = (1 + r)^(-t/12)` for `t = 0..=H` (`d_0 = 1`).
    pub(super) discount: Vec<f64>,
    /// `decay(t)` for `t = 0..=H`; index 0 is unused (no benefit in month 0).
    pub(super) decay: Vec<f64>,
    /// Undiscounted cost paid in month `t`: the one-time cost at 0, then
    /// `monthly_cost + customers * cost_per_customer_month`.
    pub(super) cost: Vec<f64>,
    /// `P_T`: present value of the costs paid up to the end of month `T`.
    pub(super) pv_cost: Vec<f64>,
    /// `F_T`: present value of one unit of full-effect monthly benefit
    /// received from month 1 to the end of month `T`.
    pub(super) benefit_factor: Vec<f64>,
    /// Whether anything at all is paid (decides the month-0 payback rule).
    has_cost: bool,
}

impl Schedule {
    /// Builds the schedule. `roi` and `customers` must have been validated
    /// (finite, rate > -1, horizon >= 1, non-negative costs).
    pub(super) fn new(roi: &Roi, customers: f64) -> Self {
        let horizon = roi.horizon_months as usize;
        let growth = 1.0 + roi.discount_rate;
        // (1+r)^(-t/12) directly rather than a running product of
        // 1/(1+r_m): one rounding per month instead of t of them.
        let discount: Vec<f64> = (0..=horizon)
            .map(|t| growth.powf(-(t as f64) / 12.0))
            .collect();
        let half_life = roi.effect_half_life_months;
        let decay: Vec<f64> = (0..=horizon)
            .map(|t| match t {
                0 => 0.0,
                // The first month gets the full measured effect: the pilot
                // measured customers right after they met the change, which is
                // what month 1 of a rollout looks like. See docs/roi.md.
                _ if half_life == 0.0 => 1.0,
                _ => 0.5f64.powf((t - 1) as f64 / half_life),
            })
            .collect();
        let monthly_total = roi.monthly_cost + customers * roi.cost_per_customer_month;
        let mut cost = Vec::with_capacity(horizon + 1);
        let mut pv_cost = Vec::with_capacity(horizon + 1);
        let mut benefit_factor = Vec::with_capacity(horizon + 1);
        cost.push(roi.one_time_cost);
        pv_cost.push(roi.one_time_cost);
        benefit_factor.push(0.0);
        for t in 1..=horizon {
            cost.push(monthly_total);
            pv_cost.push(pv_cost[t - 1] + discount[t] * monthly_total);
            benefit_factor.push(benefit_factor[t - 1] + discount[t] * decay[t]);
        }
        Self {
            monthly_rate: growth.powf(1.0 / 12.0) - 1.0,
            discount,
            decay,
            cost,
            pv_cost,
            benefit_factor,
            has_cost: roi.one_time_cost > 0.0 || monthly_total > 0.0,
        }
    }

    /// The horizon `H` in months.
    pub(super) fn horizon(&self) -> usize {
        self.pv_cost.len() - 1
    }

    /// Cumulative discounted net at the end of month `t` (0..=H) for a
    /// full-effect monthly benefit `x`.
    #[inline]
    pub(super) fn cumulative(&self, t: usize, x: f64) -> f64 {
        self.benefit_factor[t] * x - self.pv_cost[t]
    }

    /// Net present value over the horizon for a full-effect monthly benefit `x`.
    #[inline]
    pub(super) fn npv(&self, x: f64) -> f64 {
        self.cumulative(self.horizon(), x)
    }

    /// Present value of all costs over the horizon.
    pub(super) fn pv_costs(&self) -> f64 {
        self.pv_cost[self.horizon()]
    }

    /// Present value of one unit of full-effect monthly benefit over the
    /// horizon: `dNPV/dx`.
    pub(super) fn npv_per_benefit(&self) -> f64 {
        self.benefit_factor[self.horizon()]
    }

    /// The first month at whose end the investment is recovered.
    ///
    /// With any cost, that is the first `t` in `1..=H` with
    /// `cumulative(t) >= 0`. With no cost at all there is nothing to recover:
    /// month 0 if the effect is not harmful (`x >= 0`, so no month loses
    /// money), otherwise never.
    #[inline]
    pub(super) fn payback_month(&self, x: f64) -> Option<u32> {
        if !self.has_cost {
            return (x >= 0.0).then_some(0);
        }
        // Month numbers fit in u32: the horizon comes from a u32.
        (1..self.pv_cost.len())
            .find(|&t| self.cumulative(t, x) >= 0.0)
            .map(|t| t as u32)
    }
}

/// One distinct benefit metric with its value coefficient and measured lift.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Term {
    /// Metric name.
    pub(super) metric: String,
    /// `k_m`: money per month (undiscounted, full effect) per unit of
    /// absolute lift, summed over every benefit naming this metric, with the
    /// sign flipped for a metric where lower is better.
    pub(super) coefficient: f64,
    /// Absolute lift estimate (treatment minus control) over the metric window.
    pub(super) lift: f64,
    /// Standard error of `lift`.
    pub(super) se: f64,
    /// Control mean, to express lifts as relative.
    pub(super) control_mean: Option<f64>,
}

/// `k` contribution of one benefit: customers * (1 / window) * unit value *
/// margin, negated when lower is better (a decrease is the value).
pub(super) fn benefit_coefficient(
    customers: f64,
    window_months: f64,
    unit_value: f64,
    margin: f64,
    direction: Direction,
) -> f64 {
    let sign = match direction {
        Direction::Increase => 1.0,
        Direction::Decrease => -1.0,
    };
    sign * customers / window_months * unit_value * margin
}

/// The full-effect monthly benefit `x = sum_m k_m * lift_m`, summed in term
/// order from +0.0. The Monte Carlo sums in the same order, so a draw whose
/// lifts all equal the estimates reproduces this value exactly.
#[inline]
pub(super) fn full_effect_benefit(terms: &[Term], mut lift: impl FnMut(&Term) -> f64) -> f64 {
    let mut x = 0.0;
    for term in terms {
        x += term.coefficient * lift(term);
    }
    x
}
