//! Return on investment of rolling the pilot out to everyone.
//!
//! Answers the shop owner's question "if we roll this out to everyone, will
//! it pay for itself, and how sure are we?" from the `[roi]` section and the
//! lifts the fixed-horizon analysis measured. [`project`] builds the full
//! [`RoiReport`]; [`plan_break_even_lift`] gives `pilot plan` the lift a
//! metric must reach on its own; [`customer_lifetime_value`] is the
//! `[roi.clv]` formula.
//!
//! The model is pure (no I/O, no clock) and its Monte Carlo is seeded from
//! `[roi] seed`. Conventions, formulas and a worked example are in
//! `docs/roi.md`; in short:
//!
//! - month 0 pays the one-time cost; months `1..=H` pay the monthly costs and
//!   receive the benefits, discounted at the *end* of the month by
//!   `(1 + r)^(-t/12)`;
//! - a metric's monthly benefit is `customers * lift / window * unit_value *
//!   margin * decay(t)`, with `-lift` when lower is better, and
//!   `decay(t) = 0.5^((t - 1) / half_life)` (month 1 gets the full effect);
//! - everything is linear in the lifts, so the NPV is exactly normal; the
//!   Monte Carlo is still needed for the payback probability and is checked
//!   against the closed form ([`NormalNpv`]).

mod model;
mod normal;
mod simulate;

use serde::Serialize;

use crate::config::{Direction, Roi};
use crate::error::{Error, Result};
use model::{Schedule, Term, benefit_coefficient, full_effect_benefit};

pub use normal::NormalNpv;
pub use simulate::{HISTOGRAM_BINS, Histogram};

/// Longest projection accepted, in months (100 years): bounds the tables.
pub const MAX_HORIZON_MONTHS: u32 = 1200;

/// Most Monte Carlo draws accepted: bounds memory (8 bytes per draw).
pub const MAX_DRAWS: u32 = 10_000_000;

/// The measured effect of one benefit metric, from the fixed-horizon analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricEffect {
    /// Metric name, as in `[[metrics]]` and `[[roi.benefits]]`.
    pub metric: String,
    /// Which way is better for the metric; for `Decrease` a negative lift is
    /// the value.
    pub direction: Direction,
    /// Absolute lift estimate: treatment mean minus control mean, per
    /// customer over the metric window.
    pub lift: f64,
    /// Standard error of `lift` (0: treat the lift as known exactly).
    pub se: f64,
    /// Control mean, to express the break-even lift as relative; `None` when
    /// the analysis has none.
    pub control_mean: Option<f64>,
}

/// Everything pilot reports about the return of a full rollout.
///
/// Money is in `currency`, discounted to month 0. Values that are undefined
/// are `None` (`null` in JSON), with the reason in `notes`; no field is ever
/// NaN or infinite.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RoiReport {
    /// Currency code or symbol from `[roi] currency`.
    pub currency: String,
    /// Customers reached at full rollout.
    pub customers: f64,
    /// Projection horizon in months.
    pub horizon_months: u32,
    /// Monte Carlo draws.
    pub draws: u32,
    /// Monte Carlo seed.
    pub seed: u64,
    /// Monthly discount rate `(1 + annual)^(1/12) - 1`.
    pub monthly_discount_rate: f64,
    /// Present value of all costs over the horizon, at the estimates.
    pub pv_costs: f64,
    /// Present value of all benefits over the horizon, at the estimates.
    pub pv_benefits: f64,
    /// NPV at the lift estimates: `pv_benefits - pv_costs`.
    pub npv_estimate: f64,
    /// ROI at the lift estimates: `npv_estimate / pv_costs`; `None` when
    /// nothing is paid.
    pub roi_estimate: Option<f64>,
    /// First month at whose end the cumulative discounted net is >= 0, at the
    /// estimates (0 when nothing is paid and the effect is not harmful);
    /// `None` if that does not happen within the horizon.
    pub payback_months: Option<u32>,
    /// Lift of the first benefit metric at which the NPV is 0, the other
    /// metrics held at their estimates; `None` when no benefit is declared.
    pub break_even_lift: Option<BreakEven>,
    /// NPV over the Monte Carlo draws.
    pub npv: NpvSummary,
    /// Median ROI over the draws; `None` when nothing is paid.
    pub roi_median: Option<f64>,
    /// Share of draws with NPV > 0.
    pub probability_positive: f64,
    /// Share of draws that pay back within the horizon.
    pub probability_payback: f64,
    /// Expected money lost by each choice, over the draws.
    pub expected_loss: ExpectedLoss,
    /// The NPV's exact normal distribution (the Monte Carlo converges to it).
    pub analytic: NormalNpv,
    /// Month-by-month cash flow at the estimates, months `0..=H`.
    pub cash_flow: Vec<MonthFlow>,
    /// 5th/50th/95th percentiles of the cumulative discounted net per month,
    /// months `0..=H`, over the draws.
    pub band: Vec<BandMonth>,
    /// Histogram of the draws' NPV.
    pub histogram: Histogram,
    /// Why values are `None`, one note per undefined field.
    pub notes: Vec<Note>,
}

/// Distribution summary of the NPV over the draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct NpvSummary {
    /// Mean.
    pub mean: f64,
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// Expected loss of each decision: what a wrong choice costs on average.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct ExpectedLoss {
    /// `E[max(0, -NPV)]`: money expected to be lost by rolling out.
    pub rollout: f64,
    /// `E[max(0, NPV)]`: money expected to be forgone by stopping.
    pub stop: f64,
}

/// The break-even lift of one metric, in the metric's own sign convention
/// (negative for a metric where lower is better and the rollout costs money).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct BreakEven {
    /// Metric name.
    pub metric: String,
    /// Absolute lift (treatment minus control over the metric window) at
    /// which the NPV is 0; `None` when the NPV does not depend on it.
    pub absolute: Option<f64>,
    /// `absolute / control mean`; `None` when either is unknown or the
    /// control mean is 0.
    pub relative: Option<f64>,
}

/// One month of the cash flow at the lift estimates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct MonthFlow {
    /// Month number: 0 is the rollout day, 1..=H the months after it.
    pub month: u32,
    /// Costs paid this month, undiscounted.
    pub costs: f64,
    /// Benefits received this month, undiscounted.
    pub benefits: f64,
    /// `benefits - costs`, undiscounted.
    pub net: f64,
    /// `(1 + r_m)^(-month)`.
    pub discount_factor: f64,
    /// `net * discount_factor`.
    pub discounted_net: f64,
    /// Discounted net of months `0..=month` (the same formula the payback
    /// month uses; equals the running sum of `discounted_net` up to rounding).
    pub cumulative: f64,
}

/// Percentiles of the cumulative discounted net at the end of one month.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct BandMonth {
    /// Month number, `0..=H`.
    pub month: u32,
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// Why a field of the report is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Note {
    /// The report field (dotted path), e.g. `roi_estimate`.
    pub field: String,
    /// Plain-language reason.
    pub reason: String,
}

/// Projects the return of rolling the pilot out to `customers` customers.
///
/// `effects` must hold one estimate for each metric named in
/// `roi.benefits` (extra metrics are ignored). Errors name the `[roi]` key or
/// metric at fault when an input is out of range (negative costs, a
/// non-positive metric window, `draws` of 0, a negative standard error, ...)
/// or when the numbers are too large to compute with.
pub fn project(roi: &Roi, customers: f64, effects: &[MetricEffect]) -> Result<RoiReport> {
    validate(roi, customers)?;
    let terms = terms(roi, customers, effects)?;
    let schedule = Schedule::new(roi, customers);
    let horizon = schedule.horizon();
    let x = full_effect_benefit(&terms, |term| term.lift);
    let pv_costs = schedule.pv_costs();
    let npv_estimate = schedule.npv(x);
    let roi_of = |npv: f64| (pv_costs > 0.0).then(|| npv / pv_costs);
    let mut notes = Vec::new();

    let payback_months = schedule.payback_month(x);
    if payback_months.is_none() {
        notes.push(note(
            "payback_months",
            format!(
                "at the estimated lifts the cumulative discounted cash flow stays below zero \
                 for all {horizon} months of the horizon"
            ),
        ));
    }
    if pv_costs <= 0.0 {
        let reason = "nothing is paid (all costs are zero), so a return per unit of cost is \
                      undefined; read the NPV instead";
        notes.push(note("roi_estimate", reason.to_string()));
        notes.push(note("roi_median", reason.to_string()));
    }
    let break_even_lift = break_even(&schedule, &terms, npv_estimate, &mut notes);

    let sim = simulate::simulate(&schedule, &terms, roi.draws, roi.seed);
    let sd = schedule.npv_per_benefit()
        * terms
            .iter()
            .fold(0.0f64, |acc, term| acc.hypot(term.coefficient * term.se));
    let npv = NpvSummary {
        mean: sim.npv_mean,
        p05: schedule.npv(sim.x_p05),
        p50: schedule.npv(sim.x_p50),
        p95: schedule.npv(sim.x_p95),
    };
    let cash_flow = (0..=horizon)
        .map(|t| {
            let benefits = x * schedule.decay[t];
            let net = benefits - schedule.cost[t];
            MonthFlow {
                month: t as u32,
                costs: schedule.cost[t],
                benefits,
                net,
                discount_factor: schedule.discount[t],
                discounted_net: net * schedule.discount[t],
                cumulative: schedule.cumulative(t, x),
            }
        })
        .collect();
    // Each month's cumulative net is nondecreasing in x, so its percentiles
    // are the cumulative net at x's percentiles.
    let band = (0..=horizon)
        .map(|t| BandMonth {
            month: t as u32,
            p05: schedule.cumulative(t, sim.x_p05),
            p50: schedule.cumulative(t, sim.x_p50),
            p95: schedule.cumulative(t, sim.x_p95),
        })
        .collect();

    let report = RoiReport {
        currency: roi.currency.clone(),
        customers,
        horizon_months: roi.horizon_months,
        draws: roi.draws,
        seed: roi.seed,
        monthly_discount_rate: schedule.monthly_rate,
        pv_costs,
        pv_benefits: schedule.npv_per_benefit() * x,
        npv_estimate,
        roi_estimate: roi_of(npv_estimate),
        payback_months,
        break_even_lift,
        npv,
        roi_median: roi_of(npv.p50),
        probability_positive: sim.probability_positive,
        probability_payback: sim.probability_payback,
        expected_loss: ExpectedLoss {
            rollout: sim.loss_rollout,
            stop: sim.loss_stop,
        },
        analytic: NormalNpv::new(npv_estimate, sd),
        cash_flow,
        band,
        histogram: sim.histogram,
        notes,
    };
    match report.first_non_finite() {
        None => Ok(report),
        Some(field) => Err(Error::input(format!(
            "the ROI projection overflowed at `{field}`: customers, costs, unit values or \
             lifts are too large to compute with"
        ))),
    }
}

/// The NPV as a linear function of the true lifts:
/// `NPV = at_zero_effect + sum_m per_unit_lift[m] * lift_m`.
///
/// The decision model reads this instead of the Monte Carlo: with the lifts'
/// posterior it gives the NPV's distribution exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearNpv {
    /// NPV if no metric moves: minus the present value of the costs.
    pub at_zero_effect: f64,
    /// Per distinct benefit metric (in `[[roi.benefits]]` order): its name
    /// and the NPV gained per unit of absolute lift (negative for a metric
    /// where lower is better).
    pub per_unit_lift: Vec<(String, f64)>,
}

/// The NPV of rolling out to `customers` as a linear function of the lifts.
///
/// `effects` names the benefit metrics as for [`project`] (their estimates
/// are not used). Errors as [`project`] does, and when a coefficient
/// overflows.
pub fn linear_npv(roi: &Roi, customers: f64, effects: &[MetricEffect]) -> Result<LinearNpv> {
    validate(roi, customers)?;
    let terms = terms(roi, customers, effects)?;
    let schedule = Schedule::new(roi, customers);
    let per_unit = schedule.npv_per_benefit();
    let linear = LinearNpv {
        at_zero_effect: -schedule.pv_costs(),
        per_unit_lift: terms
            .iter()
            .map(|t| (t.metric.clone(), per_unit * t.coefficient))
            .collect(),
    };
    let finite = linear.at_zero_effect.is_finite()
        && linear.per_unit_lift.iter().all(|(_, k)| k.is_finite());
    if finite {
        Ok(linear)
    } else {
        Err(Error::input(
            "the ROI projection overflowed: customers, costs or unit values are too large to \
             compute with"
                .to_string(),
        ))
    }
}

/// The absolute lift `metric` must reach on its own for the rollout to break
/// even (NPV = 0) when every other benefit is zero, for `pilot plan`.
///
/// In the metric's sign convention: with `Direction::Decrease` and positive
/// costs the answer is negative. `Ok(None)` when the metric's lift does not
/// change the NPV (unit value, margin or customers of 0). Errors when the
/// inputs are out of range (see [`project`]), when no `[[roi.benefits]]`
/// entry names `metric`, or when the answer is too large to represent.
pub fn plan_break_even_lift(
    roi: &Roi,
    customers: f64,
    metric: &str,
    direction: Direction,
) -> Result<Option<f64>> {
    validate(roi, customers)?;
    let mut named = roi
        .benefits
        .iter()
        .filter(|b| b.metric == metric)
        .peekable();
    if named.peek().is_none() {
        return Err(Error::input(format!(
            "metric `{metric}` has no [[roi.benefits]] entry, so its lift creates no value"
        )));
    }
    // A metric named by several benefits creates the value of all of them.
    let coefficient: f64 = named
        .map(|b| {
            benefit_coefficient(
                customers,
                roi.metric_window_months,
                b.unit_value,
                b.margin,
                direction,
            )
        })
        .sum();
    let schedule = Schedule::new(roi, customers);
    // NPV(lift) = F_H * k * lift - P_H = 0  =>  lift = P_H / (F_H * k).
    let slope = schedule.npv_per_benefit() * coefficient;
    if slope == 0.0 {
        return Ok(None);
    }
    let lift = schedule.pv_costs() / slope;
    if lift.is_finite() {
        Ok(Some(lift))
    } else {
        Err(Error::input(format!(
            "the break-even lift of `{metric}` is too large to represent: its value per \
             customer is too small against the costs"
        )))
    }
}

/// Customer lifetime value for `[roi.clv]`: `arpu_month * margin / churn_month`.
///
/// The margin-adjusted revenue of a customer who stays on average
/// `1 / churn_month` months (geometric lifetime), undiscounted. Used as a
/// benefit's `unit_value`, that benefit's own `margin` should then be 1, or
/// the margin counts twice. `None` unless all inputs are finite,
/// `arpu_month >= 0`, `0 <= margin <= 1` and `0 < churn_month <= 1`.
pub fn customer_lifetime_value(arpu_month: f64, margin: f64, churn_month: f64) -> Option<f64> {
    let valid = arpu_month.is_finite()
        && arpu_month >= 0.0
        && (0.0..=1.0).contains(&margin)
        && churn_month > 0.0
        && churn_month <= 1.0;
    valid.then(|| arpu_month * margin / churn_month)
}

impl RoiReport {
    /// The first field holding NaN or an infinity, if any.
    fn first_non_finite(&self) -> Option<&'static str> {
        let mut fields: Vec<(&'static str, f64)> = vec![
            ("monthly_discount_rate", self.monthly_discount_rate),
            ("pv_costs", self.pv_costs),
            ("pv_benefits", self.pv_benefits),
            ("npv_estimate", self.npv_estimate),
            ("npv.mean", self.npv.mean),
            ("npv.p05", self.npv.p05),
            ("npv.p50", self.npv.p50),
            ("npv.p95", self.npv.p95),
            ("expected_loss.rollout", self.expected_loss.rollout),
            ("expected_loss.stop", self.expected_loss.stop),
            ("analytic.sd", self.analytic.sd),
            ("analytic.p05", self.analytic.p05),
            ("analytic.p95", self.analytic.p95),
            (
                "analytic.expected_loss.rollout",
                self.analytic.expected_loss.rollout,
            ),
            (
                "analytic.expected_loss.stop",
                self.analytic.expected_loss.stop,
            ),
            (
                "analytic.probability_positive",
                self.analytic.probability_positive,
            ),
        ];
        fields.extend(self.roi_estimate.map(|v| ("roi_estimate", v)));
        fields.extend(self.roi_median.map(|v| ("roi_median", v)));
        if let Some(b) = &self.break_even_lift {
            fields.extend(b.absolute.map(|v| ("break_even_lift.absolute", v)));
            fields.extend(b.relative.map(|v| ("break_even_lift.relative", v)));
        }
        for m in &self.cash_flow {
            fields.extend([
                ("cash_flow.costs", m.costs),
                ("cash_flow.benefits", m.benefits),
                ("cash_flow.net", m.net),
                ("cash_flow.discount_factor", m.discount_factor),
                ("cash_flow.discounted_net", m.discounted_net),
                ("cash_flow.cumulative", m.cumulative),
            ]);
        }
        for m in &self.band {
            fields.extend([
                ("band.p05", m.p05),
                ("band.p50", m.p50),
                ("band.p95", m.p95),
            ]);
        }
        fields.extend(self.histogram.edges.iter().map(|&e| ("histogram.edges", e)));
        fields
            .into_iter()
            .find(|(_, v)| !v.is_finite())
            .map(|(name, _)| name)
    }
}

fn note(field: &str, reason: String) -> Note {
    Note {
        field: field.to_string(),
        reason,
    }
}

/// The break-even lift of the first benefit metric, others at their
/// estimates. NPV is linear in the lift, so one Newton step is exact:
/// `lift_be = lift - NPV / (dNPV/dlift)` with `dNPV/dlift = F_H * k`.
fn break_even(
    schedule: &Schedule,
    terms: &[Term],
    npv: f64,
    notes: &mut Vec<Note>,
) -> Option<BreakEven> {
    let Some(first) = terms.first() else {
        notes.push(note(
            "break_even_lift",
            "no [[roi.benefits]] are declared, so no lift changes the NPV".to_string(),
        ));
        return None;
    };
    let slope = schedule.npv_per_benefit() * first.coefficient;
    let absolute = if slope == 0.0 {
        notes.push(note(
            "break_even_lift.absolute",
            format!(
                "the NPV does not depend on the lift of `{}` (its unit value, margin or the \
                 number of customers is zero)",
                first.metric
            ),
        ));
        None
    } else {
        let lift = first.lift - npv / slope;
        if !lift.is_finite() {
            notes.push(note(
                "break_even_lift.absolute",
                format!(
                    "the break-even lift of `{}` is too large to represent",
                    first.metric
                ),
            ));
        }
        Some(lift).filter(|v| v.is_finite())
    };
    // A negative control mean would flip the sign of a relative lift.
    let control = first.control_mean.filter(|m| *m > 0.0);
    let relative = match (absolute, control) {
        (Some(a), Some(c)) => Some(a / c),
        (Some(_), None) => {
            notes.push(note(
                "break_even_lift.relative",
                format!(
                    "the control mean of `{}` is unknown, zero or negative, so the lift \
                     cannot be expressed as relative",
                    first.metric
                ),
            ));
            None
        }
        (None, _) => None,
    };
    // No sign fix-up is needed for a metric where lower is better: its
    // coefficient is already negated, so the lift comes out in its own units.
    Some(BreakEven {
        metric: first.metric.clone(),
        absolute,
        relative,
    })
}

/// Rejects inputs the model cannot give a meaningful answer for.
fn validate(roi: &Roi, customers: f64) -> Result<()> {
    let check = |ok: bool, message: String| {
        if ok {
            Ok(())
        } else {
            Err(Error::input(message))
        }
    };
    check(
        customers.is_finite() && customers >= 0.0,
        format!("[roi] customers must be a number >= 0, found {customers}"),
    )?;
    check(
        (1..=MAX_HORIZON_MONTHS).contains(&roi.horizon_months),
        format!(
            "[roi] horizon_months must be between 1 and {MAX_HORIZON_MONTHS}, found {}",
            roi.horizon_months
        ),
    )?;
    check(
        roi.discount_rate.is_finite() && roi.discount_rate > -1.0,
        format!(
            "[roi] discount_rate must be a number above -1 (0.08 = 8% a year), found {}",
            roi.discount_rate
        ),
    )?;
    for (key, value) in [
        ("one_time_cost", roi.one_time_cost),
        ("monthly_cost", roi.monthly_cost),
        ("cost_per_customer_month", roi.cost_per_customer_month),
    ] {
        check(
            value.is_finite() && value >= 0.0,
            format!("[roi] {key} must be a number >= 0, found {value}"),
        )?;
    }
    check(
        roi.metric_window_months.is_finite() && roi.metric_window_months > 0.0,
        format!(
            "[roi] metric_window_months must be a number > 0, found {}",
            roi.metric_window_months
        ),
    )?;
    check(
        roi.effect_half_life_months.is_finite() && roi.effect_half_life_months >= 0.0,
        format!(
            "[roi] effect_half_life_months must be a number >= 0 (0: no decay), found {}",
            roi.effect_half_life_months
        ),
    )?;
    check(
        (1..=MAX_DRAWS).contains(&roi.draws),
        format!(
            "[roi] draws must be between 1 and {MAX_DRAWS}, found {}",
            roi.draws
        ),
    )?;
    for b in &roi.benefits {
        check(
            b.unit_value.is_finite() && b.margin.is_finite(),
            format!(
                "[[roi.benefits]] for `{}`: unit_value and margin must be finite numbers, \
                 found {} and {}",
                b.metric, b.unit_value, b.margin
            ),
        )?;
    }
    Ok(())
}

/// One [`Term`] per distinct benefit metric, in order of first appearance
/// in `roi.benefits` (so the first term is the first benefit's metric).
fn terms(roi: &Roi, customers: f64, effects: &[MetricEffect]) -> Result<Vec<Term>> {
    let mut terms: Vec<Term> = Vec::new();
    for benefit in &roi.benefits {
        let mut matching = effects.iter().filter(|e| e.metric == benefit.metric);
        let Some(effect) = matching.next() else {
            return Err(Error::input(format!(
                "no lift estimate for metric `{}` named in [[roi.benefits]]",
                benefit.metric
            )));
        };
        if matching.next().is_some() {
            return Err(Error::input(format!(
                "two lift estimates for metric `{}`; expected one",
                benefit.metric
            )));
        }
        let valid = effect.lift.is_finite()
            && effect.se.is_finite()
            && effect.se >= 0.0
            && effect.control_mean.is_none_or(f64::is_finite);
        if !valid {
            return Err(Error::input(format!(
                "the lift estimate of `{}` must be finite with a standard error >= 0, found \
                 lift {}, se {}, control mean {:?}",
                effect.metric, effect.lift, effect.se, effect.control_mean
            )));
        }
        let coefficient = benefit_coefficient(
            customers,
            roi.metric_window_months,
            benefit.unit_value,
            benefit.margin,
            effect.direction,
        );
        // Benefits naming the same metric share its lift (one draw, fully
        // correlated), so they add up into one coefficient.
        match terms.iter_mut().find(|t| t.metric == benefit.metric) {
            Some(term) => term.coefficient += coefficient,
            None => terms.push(Term {
                metric: benefit.metric.clone(),
                coefficient,
                lift: effect.lift,
                se: effect.se,
                control_mean: effect.control_mean,
            }),
        }
    }
    Ok(terms)
}
