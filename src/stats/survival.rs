//! Time to an event (churn): Kaplan-Meier curves, restricted mean survival
//! time, the log-rank test and a Cox model with the arm as its only
//! covariate, matching R's `survival` package (3.5).
//!
//! # Sufficient statistics
//!
//! Per arm, [`SurvivalCounts`] holds for every distinct time the number of
//! customers whose event (churn) happened then and the number censored then
//! (last seen still a customer). Every quantity here is a function of these
//! counts alone: the number at risk at time t is the number of customers
//! whose time is t or later. Counts are integers, so shards (days, files,
//! warehouse partitions) merge exactly with `+`, `+=` or
//! [`SurvivalCounts::merge`]; a warehouse sends one row per arm and time:
//! `time, events, censored` (optionally `at_risk`, which is checked).
//!
//! # Conventions (R's)
//!
//! Times are whole units (days). At a tied time, events come before
//! censorings: a customer censored at t was still at risk at t. Curves start
//! at time 0 with S = 1.

use super::dist;
use super::result::{Arm, Effect, Interval, NotComputable, serialize_outcome};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::{Add, AddAssign};

/// Largest total number of customers accepted from summary rows: beyond
/// 2^53 the counts stop being exact as floating-point numbers.
const MAX_EXACT_COUNT: u64 = 1 << 53;

/// Newton-Raphson iterations allowed for the Cox fit. From a start at 0 the
/// one-parameter fit converges quadratically within a handful of
/// iterations; the cap only guards against pathological input.
const COX_MAX_ITERATIONS: u32 = 50;

/// The Cox fit has converged once a Newton step moves the log hazard ratio
/// by less than this (relative to max(1, |beta|)). Convergence is
/// quadratic, so the estimate is then exact to rounding; R instead stops on
/// a relative change of the log-likelihood below 1e-9 (`coxph.control`),
/// which leaves its estimate up to a few 1e-9 short of the maximum.
const COX_STEP_TOLERANCE: f64 = 1e-10;

/// Step halvings allowed in one Newton iteration before giving up.
const COX_MAX_HALVINGS: u32 = 60;

/// Events and censorings at one time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TimeCounts {
    /// Customers whose event (churn) happened at this time.
    pub events: u64,
    /// Customers last seen at this time without the event.
    pub censored: u64,
}

/// One row of a per-time summary for one arm, as a warehouse sends it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SummaryRow {
    /// The time (day) the row is about.
    pub time: u64,
    /// Customers whose event happened at `time`.
    pub events: u64,
    /// Customers last seen at `time` without the event.
    pub censored: u64,
    /// Customers at risk at `time` (those whose time is `time` or later), as
    /// life tables and R's `summary(survfit)` print it. It follows from the
    /// other rows, so it is optional; when given it is checked, which
    /// catches a truncated export or customers entering late (not
    /// supported).
    pub at_risk: Option<u64>,
}

/// Sufficient statistics of a time-to-event metric for one arm: events and
/// censorings per distinct time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurvivalCounts {
    by_time: BTreeMap<u64, TimeCounts>,
}

impl SurvivalCounts {
    /// No customers.
    pub fn new() -> SurvivalCounts {
        SurvivalCounts::default()
    }

    /// From one (time, event) pair per customer; `event` is false for a
    /// customer still active when last seen (censored).
    pub fn from_observations<I: IntoIterator<Item = (u64, bool)>>(observations: I) -> Self {
        let mut counts = SurvivalCounts::new();
        for (time, event) in observations {
            counts.push(time, event);
        }
        counts
    }

    /// From per-time summary rows (several rows for the same time add up).
    /// Rejects totals beyond 2^53 customers and rows whose `at_risk` does
    /// not equal the number of customers with that time or later.
    pub fn from_summary_rows<I: IntoIterator<Item = SummaryRow>>(
        rows: I,
    ) -> Result<SurvivalCounts, NotComputable> {
        let too_many = NotComputable::InvalidInput(
            "survival summary rows add up to more customers than can be counted exactly (2^53)",
        );
        let mut counts = SurvivalCounts::new();
        let mut total: u64 = 0;
        let mut claimed_at_risk: Vec<(u64, u64)> = Vec::new();
        for row in rows {
            total = total
                .checked_add(row.events)
                .and_then(|t| t.checked_add(row.censored))
                .filter(|&t| t <= MAX_EXACT_COUNT)
                .ok_or(too_many)?;
            counts.add_counts(row.time, row.events, row.censored);
            if let Some(at_risk) = row.at_risk {
                claimed_at_risk.push((row.time, at_risk));
            }
        }
        // Latest claim first, so one backward pass sums the customers with
        // each claimed time or later.
        claimed_at_risk.sort_unstable_by_key(|&(time, _)| std::cmp::Reverse(time));
        let mut later = counts.by_time.iter().rev().peekable();
        let mut at_risk: u64 = 0;
        for (time, claimed) in claimed_at_risk {
            while let Some((_, c)) = later.next_if(|(t, _)| **t >= time) {
                at_risk += c.events + c.censored;
            }
            if at_risk != claimed {
                return Err(NotComputable::InvalidInput(
                    "a survival summary row's at_risk differs from the customers with that time or later; rows may be missing, or customers joined late, which is not supported",
                ));
            }
        }
        Ok(counts)
    }

    /// Adds one customer.
    pub fn push(&mut self, time: u64, event: bool) {
        if event {
            self.add_counts(time, 1, 0);
        } else {
            self.add_counts(time, 0, 1);
        }
    }

    /// Adds `events` events and `censored` censorings at `time`. Empty rows
    /// leave no trace, so statistics built with and without them are equal.
    pub fn add_counts(&mut self, time: u64, events: u64, censored: u64) {
        if events == 0 && censored == 0 {
            return;
        }
        let entry = self.by_time.entry(time).or_default();
        // Saturating: a wrapped count would silently turn into a small one.
        entry.events = entry.events.saturating_add(events);
        entry.censored = entry.censored.saturating_add(censored);
    }

    /// Number of customers.
    pub fn customers(&self) -> u64 {
        self.by_time.values().map(|c| c.events + c.censored).sum()
    }

    /// Number of events (churned customers).
    pub fn events(&self) -> u64 {
        self.by_time.values().map(|c| c.events).sum()
    }

    /// The last time any customer was observed (event or censoring).
    pub fn last_time(&self) -> Option<u64> {
        self.by_time.keys().next_back().copied()
    }

    /// Customers at risk at `time`: those whose time is `time` or later.
    pub fn at_risk(&self, time: u64) -> u64 {
        self.by_time
            .range(time..)
            .map(|(_, c)| c.events + c.censored)
            .sum()
    }

    /// The counts per distinct time, in increasing time.
    pub fn iter(&self) -> impl Iterator<Item = (u64, TimeCounts)> + '_ {
        self.by_time.iter().map(|(&t, &c)| (t, c))
    }

    /// Adds another shard's statistics.
    pub fn merge(&mut self, other: &SurvivalCounts) {
        for (time, counts) in other.iter() {
            self.add_counts(time, counts.events, counts.censored);
        }
    }
}

impl AddAssign<&SurvivalCounts> for SurvivalCounts {
    fn add_assign(&mut self, other: &SurvivalCounts) {
        self.merge(other);
    }
}

impl AddAssign for SurvivalCounts {
    fn add_assign(&mut self, other: SurvivalCounts) {
        self.merge(&other);
    }
}

impl Add for SurvivalCounts {
    type Output = SurvivalCounts;
    fn add(mut self, other: SurvivalCounts) -> SurvivalCounts {
        self.merge(&other);
        self
    }
}

fn validate_alpha(alpha: f64) -> Result<(), NotComputable> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(NotComputable::InvalidInput(
            "the significance level alpha must be between 0 and 1",
        ))
    }
}

/// One distinct time of a Kaplan-Meier curve.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Step {
    time: u64,
    at_risk: u64,
    events: u64,
    /// S just after this time.
    survival: f64,
    /// Greenwood's sum of d / (n (n - d)) up to and including this time.
    greenwood: f64,
}

/// An arm's Kaplan-Meier estimate of the share of customers still active
/// after each time, S(t) = prod over event times t_j <= t of (1 - d_j / n_j).
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    arm: Arm,
    customers: u64,
    steps: Vec<Step>,
}

/// The Kaplan-Meier estimate at one requested time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SurvivalPoint {
    /// The requested time.
    pub time: f64,
    /// Estimated share of customers without the event by `time`, S(time).
    pub survival: f64,
    /// Greenwood standard error of S(time), as R's `summary(survfit)`
    /// reports it.
    pub std_error: f64,
    /// Customers still followed at `time` (their time is `time` or later).
    /// 0 past the last observation, where the curve only carries its last
    /// value forward.
    pub at_risk: u64,
}

/// Restricted mean survival time of one arm: the expected time without the
/// event within the first `tau` time units (the area under S up to tau).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RestrictedMean {
    /// The horizon tau.
    pub tau: f64,
    /// Area under the Kaplan-Meier curve from 0 to tau.
    pub estimate: f64,
    /// Its standard error, as R's `summary(survfit, rmean = tau)` reports it.
    pub std_error: f64,
}

impl KaplanMeier {
    /// The curve of one arm's counts; `arm` names the arm in reasons.
    pub fn fit(counts: &SurvivalCounts, arm: Arm) -> Result<KaplanMeier, NotComputable> {
        let customers = counts.customers();
        if customers == 0 {
            return Err(NotComputable::EmptyArm(arm));
        }
        let mut steps = Vec::with_capacity(counts.by_time.len());
        let mut at_risk = customers;
        let mut survival = 1.0;
        let mut greenwood = 0.0;
        for (time, c) in counts.iter() {
            if c.events > 0 {
                let n = at_risk as f64;
                let d = c.events as f64;
                survival *= 1.0 - d / n;
                // When everyone at risk has the event the term is infinite;
                // S is then exactly 0 and so is its standard error.
                if at_risk > c.events {
                    greenwood += d / (n * (n - d));
                }
            }
            steps.push(Step {
                time,
                at_risk,
                events: c.events,
                survival,
                greenwood,
            });
            at_risk -= c.events + c.censored;
        }
        Ok(KaplanMeier {
            arm,
            customers,
            steps,
        })
    }

    /// The arm the curve belongs to.
    pub fn arm(&self) -> Arm {
        self.arm
    }

    /// Number of customers behind the curve.
    pub fn customers(&self) -> u64 {
        self.customers
    }

    /// S(time) with its Greenwood standard error S(t) sqrt(sum over event
    /// times t_j <= t of d_j / (n_j (n_j - d_j))). Before the first event
    /// S = 1; past the last observation the last value carries on (R's
    /// `summary(survfit, times, extend = TRUE)`), with `at_risk` 0.
    pub fn at(&self, time: f64) -> Result<SurvivalPoint, NotComputable> {
        if !(time >= 0.0 && time.is_finite()) {
            return Err(NotComputable::InvalidInput(
                "survival times must be finite and not negative",
            ));
        }
        let reached = self.steps.partition_point(|s| s.time as f64 <= time);
        let (survival, std_error) = match self.steps[..reached].last() {
            Some(step) if step.survival > 0.0 => {
                (step.survival, step.survival * step.greenwood.sqrt())
            }
            Some(_) => (0.0, 0.0),
            None => (1.0, 0.0),
        };
        // The first distinct time at or after `time` counts everyone still
        // followed at `time`.
        let first_later = self.steps.partition_point(|s| (s.time as f64) < time);
        let at_risk = self.steps.get(first_later).map_or(0, |s| s.at_risk);
        Ok(SurvivalPoint {
            time,
            survival,
            std_error,
            at_risk,
        })
    }

    /// Median time to the event: the first time S(t) <= 0.5, or None if the
    /// curve never gets there. As in R, where S is 0.5 (to within
    /// sqrt(machine epsilon)) on a flat stretch, the median is the middle of
    /// that stretch, the midpoint of its start and the next event time, so
    /// that without censoring it equals the ordinary sample median.
    pub fn median(&self) -> Option<f64> {
        let tolerance = f64::EPSILON.sqrt();
        let first = self
            .steps
            .iter()
            .position(|s| s.events > 0 && s.survival < 0.5 + tolerance)?;
        let at = &self.steps[first];
        if (at.survival - 0.5).abs() < tolerance
            && let Some(next) = self.steps[first + 1..]
                .iter()
                .find(|s| s.survival < at.survival)
        {
            return Some((at.time as f64 + next.time as f64) / 2.0);
        }
        Some(at.time as f64)
    }

    /// Restricted mean survival time up to `tau`: the area under S from 0 to
    /// tau, and the standard error R's `summary(survfit, rmean = tau)`
    /// reports: the square root of sum over event times t_j <= tau of
    /// A_j^2 d_j / (n_j (n_j - d_j)), with A_j the area under S from t_j to
    /// tau (no n / (n - 1) factor; terms with n_j = d_j count 0, as R's).
    ///
    /// R also extends a curve flat past the last observation; here a tau
    /// beyond the arm's last observed time is refused unless the curve has
    /// already reached 0 there (then the area is exact), because the
    /// extension assumes nobody leaves after the data end.
    pub fn restricted_mean(&self, tau: f64) -> Result<RestrictedMean, NotComputable> {
        if !(tau > 0.0 && tau.is_finite()) {
            return Err(NotComputable::InvalidInput(
                "the restricted-mean horizon must be a positive, finite time",
            ));
        }
        if let Some(last) = self.steps.last()
            && tau > last.time as f64
            && last.survival > 0.0
        {
            return Err(NotComputable::HorizonBeyondFollowUp(self.arm));
        }
        let reached = self.steps.partition_point(|s| s.time as f64 <= tau);
        // Walk back from tau so the area from each t_j to tau is at hand.
        let mut tail_area = 0.0;
        let mut upper = tau;
        let mut variance = 0.0;
        for step in self.steps[..reached].iter().rev() {
            let start = step.time as f64;
            tail_area += (upper - start) * step.survival;
            upper = start;
            if step.events > 0 && step.at_risk > step.events {
                let n = step.at_risk as f64;
                let d = step.events as f64;
                variance += tail_area * tail_area * d / (n * (n - d));
            }
        }
        // Before the first distinct time S = 1.
        Ok(RestrictedMean {
            tau,
            estimate: tail_area + upper,
            std_error: variance.sqrt(),
        })
    }
}

/// Restricted mean survival time of both arms and their difference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RmstComparison {
    /// The horizon tau.
    pub tau: f64,
    /// Control arm.
    pub control: RestrictedMean,
    /// Treatment arm.
    pub treatment: RestrictedMean,
    /// Treatment minus control with a normal interval and two-sided p, or
    /// why it cannot be judged.
    #[serde(serialize_with = "serialize_outcome")]
    pub difference: Result<Effect, NotComputable>,
}

/// Restricted mean survival time up to `tau` per arm and treatment minus
/// control, with standard error sqrt(se_c^2 + se_t^2), interval
/// diff -/+ z_{alpha/2} se and p = 2 P(Z > |diff / se|).
pub fn compare_restricted_means(
    control: &SurvivalCounts,
    treatment: &SurvivalCounts,
    tau: f64,
    alpha: f64,
) -> Result<RmstComparison, NotComputable> {
    validate_alpha(alpha)?;
    let control = KaplanMeier::fit(control, Arm::Control)?.restricted_mean(tau)?;
    let treatment = KaplanMeier::fit(treatment, Arm::Treatment)?.restricted_mean(tau)?;
    let estimate = treatment.estimate - control.estimate;
    let std_error = control.std_error.hypot(treatment.std_error);
    let difference = if std_error > 0.0 {
        let half_width = dist::normal_isf(alpha / 2.0) * std_error;
        Ok(Effect {
            estimate,
            ci_low: estimate - half_width,
            ci_high: estimate + half_width,
            std_error,
            p_value: dist::normal_two_sided_p(estimate / std_error),
        })
    } else {
        Err(NotComputable::NoSpreadBeforeHorizon)
    };
    Ok(RmstComparison {
        tau,
        control,
        treatment,
        difference,
    })
}

/// Both arms at one time at which at least one event happened.
#[derive(Debug, Clone, Copy, PartialEq)]
struct EventTime {
    /// Customers at risk, control then treatment.
    at_risk: [u64; 2],
    /// Events, control then treatment.
    events: [u64; 2],
}

/// The event times of the two arms together, after checking that neither
/// arm is empty.
fn event_times(
    control: &SurvivalCounts,
    treatment: &SurvivalCounts,
) -> Result<Vec<EventTime>, NotComputable> {
    let mut at_risk = [control.customers(), treatment.customers()];
    if at_risk[0] == 0 {
        return Err(NotComputable::EmptyArm(Arm::Control));
    }
    if at_risk[1] == 0 {
        return Err(NotComputable::EmptyArm(Arm::Treatment));
    }
    let mut joint: BTreeMap<u64, [TimeCounts; 2]> = BTreeMap::new();
    for (arm, counts) in [control, treatment].into_iter().enumerate() {
        for (time, c) in counts.iter() {
            joint.entry(time).or_default()[arm] = c;
        }
    }
    let mut times = Vec::new();
    for [c, t] in joint.into_values() {
        if c.events + t.events > 0 {
            times.push(EventTime {
                at_risk,
                events: [c.events, t.events],
            });
        }
        at_risk[0] -= c.events + c.censored;
        at_risk[1] -= t.events + t.censored;
    }
    Ok(times)
}

/// The log-rank test of the two arms' curves (R `survdiff`, rho = 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LogRank {
    /// Events observed in the control arm.
    pub observed_control: u64,
    /// Events expected in the control arm if both arms had the same hazard.
    pub expected_control: f64,
    /// Events observed in the treatment arm.
    pub observed_treatment: u64,
    /// Events expected in the treatment arm under equal hazards.
    pub expected_treatment: f64,
    /// Hypergeometric variance of the treatment's observed events.
    pub variance: f64,
    /// (O_t - E_t)^2 / V, chi-square with 1 degree of freedom.
    pub chi_squared: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
}

/// Log-rank test: at each event time j with n_j at risk (n_tj treatment)
/// and d_j events, E_t += d_j n_tj / n_j and
/// V += d_j (n_tj / n_j) (1 - n_tj / n_j) (n_j - d_j) / (n_j - 1)
/// (the hypergeometric variance, exact for ties); chi-square =
/// (O_t - E_t)^2 / V.
pub fn log_rank(
    control: &SurvivalCounts,
    treatment: &SurvivalCounts,
) -> Result<LogRank, NotComputable> {
    let times = event_times(control, treatment)?;
    if times.is_empty() {
        return Err(NotComputable::NoEvents);
    }
    let mut expected_treatment = 0.0;
    let mut expected_control = 0.0;
    let mut variance = 0.0;
    for t in &times {
        let n = (t.at_risk[0] + t.at_risk[1]) as f64;
        let d = (t.events[0] + t.events[1]) as f64;
        let share_treatment = t.at_risk[1] as f64 / n;
        let share_control = t.at_risk[0] as f64 / n;
        expected_treatment += d * share_treatment;
        expected_control += d * share_control;
        if n > 1.0 {
            variance += d * share_treatment * share_control * (n - d) / (n - 1.0);
        }
    }
    if !(variance > 0.0) {
        return Err(NotComputable::NoSharedRisk);
    }
    let observed_treatment = times.iter().map(|t| t.events[1]).sum::<u64>();
    let observed_control = times.iter().map(|t| t.events[0]).sum::<u64>();
    let excess = observed_treatment as f64 - expected_treatment;
    let chi_squared = excess * excess / variance;
    Ok(LogRank {
        observed_control,
        expected_control,
        observed_treatment,
        expected_treatment,
        variance,
        chi_squared,
        p_value: dist::chi_squared_sf(chi_squared, 1.0),
    })
}

/// The Cox partial log-likelihood (Efron ties) of the log hazard ratio
/// beta of treatment against control, with its first two derivatives.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartialLikelihood {
    /// Log partial likelihood at beta.
    pub log_likelihood: f64,
    /// Its derivative (the score) at beta.
    pub score: f64,
    /// Minus its second derivative (the observed information) at beta.
    pub information: f64,
}

/// Efron's partial likelihood at `beta`. At an event time with d events
/// (d_t treatment), the k-th of them (k = 0..d-1) sees the risk set with a
/// share k/d of the tied events removed: control weight a_k = n_c - k d_c / d,
/// treatment weight b_k = (n_t - k d_t / d) e^beta. Then
/// loglik = beta D_t - sum log(a_k + b_k), score = D_t - sum p_k and
/// information = sum p_k (1 - p_k), with p_k = b_k / (a_k + b_k).
/// Worked on the log-odds scale so that no exponential overflows at any
/// beta.
fn efron(times: &[EventTime], beta: f64) -> PartialLikelihood {
    let mut log_likelihood = 0.0;
    let mut score = 0.0;
    let mut information = 0.0;
    for t in times {
        let d = (t.events[0] + t.events[1]) as f64;
        let treatment_events = t.events[1] as f64;
        log_likelihood += beta * treatment_events;
        score += treatment_events;
        for k in 0..t.events[0] + t.events[1] {
            let removed = k as f64 / d;
            let control_weight = t.at_risk[0] as f64 - removed * t.events[0] as f64;
            let treatment_weight = t.at_risk[1] as f64 - removed * t.events[1] as f64;
            // log(a_k + b_k), p_k and 1 - p_k without forming e^beta.
            let (log_total, share_treatment, share_control) = if !(treatment_weight > 0.0) {
                (control_weight.ln(), 0.0, 1.0)
            } else if !(control_weight > 0.0) {
                (treatment_weight.ln() + beta, 1.0, 0.0)
            } else {
                let log_odds = treatment_weight.ln() + beta - control_weight.ln();
                let softplus = log_odds.max(0.0) + (-log_odds.abs()).exp().ln_1p();
                (
                    control_weight.ln() + softplus,
                    1.0 / (1.0 + (-log_odds).exp()),
                    1.0 / (1.0 + log_odds.exp()),
                )
            };
            log_likelihood -= log_total;
            score -= share_treatment;
            information += share_treatment * share_control;
        }
    }
    PartialLikelihood {
        log_likelihood,
        score,
        information,
    }
}

/// Efron's Cox partial log-likelihood, score and information of the log
/// hazard ratio `beta` (treatment against control) for these counts. The fit
/// is [`cox_efron`]; this is the function it maximizes, for likelihood-based
/// checks.
pub fn cox_partial_likelihood(
    control: &SurvivalCounts,
    treatment: &SurvivalCounts,
    beta: f64,
) -> Result<PartialLikelihood, NotComputable> {
    if !beta.is_finite() {
        return Err(NotComputable::InvalidInput(
            "the log hazard ratio must be a finite number",
        ));
    }
    Ok(efron(&event_times(control, treatment)?, beta))
}

/// A Cox proportional-hazards fit with the arm as its only covariate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CoxFit {
    /// Maximum partial-likelihood estimate of the log hazard ratio beta.
    pub log_hazard_ratio: f64,
    /// Its standard error, 1 / sqrt(information) at the estimate.
    pub std_error: f64,
    /// Hazard ratio treatment / control, exp(beta), with the Wald interval
    /// exp(beta -/+ z_{alpha/2} se).
    pub hazard_ratio: Interval,
    /// Wald p-value, 2 P(Z > |beta / se|).
    pub p_value: f64,
    /// Newton-Raphson iterations used.
    pub iterations: u32,
}

/// Cox proportional hazards, Efron ties, fitted by Newton-Raphson from
/// beta = 0 with step halving, as R's `coxph(ties = "efron")` reports it in
/// `summary` (hazard ratio, Wald interval, Wald p).
///
/// The likelihood is concave; it has a finite maximum exactly when some
/// treatment event happens while a control customer is at risk and some
/// control event while a treatment customer is at risk. Otherwise the
/// hazard ratio is 0 or infinite ([`NotComputable::EventsInOneArm`]); R
/// warns and reports a huge coefficient instead.
pub fn cox_efron(
    control: &SurvivalCounts,
    treatment: &SurvivalCounts,
    alpha: f64,
) -> Result<CoxFit, NotComputable> {
    validate_alpha(alpha)?;
    let times = event_times(control, treatment)?;
    if times.is_empty() {
        return Err(NotComputable::NoEvents);
    }
    let bounded_above = times.iter().any(|t| t.events[0] > 0 && t.at_risk[1] > 0);
    let bounded_below = times.iter().any(|t| t.events[1] > 0 && t.at_risk[0] > 0);
    if !(bounded_above && bounded_below) {
        return Err(NotComputable::EventsInOneArm);
    }
    let (beta, at_estimate, iterations) = maximize(&times)?;
    let std_error = 1.0 / at_estimate.information.sqrt();
    let half_width = dist::normal_isf(alpha / 2.0) * std_error;
    let hazard_ratio = Interval {
        estimate: beta.exp(),
        ci_low: (beta - half_width).exp(),
        ci_high: (beta + half_width).exp(),
    };
    let p_value = dist::normal_two_sided_p(beta / std_error);
    let finite = [
        std_error,
        hazard_ratio.ci_low,
        hazard_ratio.ci_high,
        p_value,
    ]
    .iter()
    .all(|v| v.is_finite());
    if !(finite && hazard_ratio.estimate > 0.0) {
        return Err(NotComputable::NotConverged);
    }
    Ok(CoxFit {
        log_hazard_ratio: beta,
        std_error,
        hazard_ratio,
        p_value,
        iterations,
    })
}

/// Newton-Raphson on Efron's partial likelihood from beta = 0. A step that
/// lowers the likelihood without shrinking the score overshot, and is
/// halved. Returns beta, the likelihood there and the iterations used.
fn maximize(times: &[EventTime]) -> Result<(f64, PartialLikelihood, u32), NotComputable> {
    let mut beta = 0.0;
    let mut current = efron(times, beta);
    for iteration in 1..=COX_MAX_ITERATIONS {
        if !(current.information > 0.0) {
            return Err(NotComputable::NotConverged);
        }
        let mut step = current.score / current.information;
        let mut halvings = 0;
        let next = loop {
            let candidate = efron(times, beta + step);
            let overshot = candidate.log_likelihood < current.log_likelihood
                && candidate.score.abs() >= current.score.abs();
            let usable = candidate.log_likelihood.is_finite()
                && candidate.score.is_finite()
                && candidate.information.is_finite();
            if usable && !overshot {
                break candidate;
            }
            halvings += 1;
            if halvings > COX_MAX_HALVINGS {
                return Err(NotComputable::NotConverged);
            }
            step /= 2.0;
        };
        beta += step;
        current = next;
        if step.abs() <= COX_STEP_TOLERANCE * beta.abs().max(1.0) {
            return Ok((beta, current, iteration));
        }
    }
    Err(NotComputable::NotConverged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(rows: &[(u64, bool)]) -> SurvivalCounts {
        SurvivalCounts::from_observations(rows.iter().copied())
    }

    fn close(got: f64, want: f64) {
        assert!(
            (got - want).abs() <= 1e-12 * want.abs().max(1.0),
            "got {got}, want {want}"
        );
    }

    /// Churn days of a small pilot: some churn, some still active.
    fn control_rows() -> Vec<(u64, bool)> {
        vec![
            (3, true),
            (5, false),
            (5, true),
            (8, true),
            (8, true),
            (12, false),
            (13, true),
            (20, false),
            (21, true),
            (30, false),
        ]
    }

    fn treatment_rows() -> Vec<(u64, bool)> {
        vec![
            (2, false),
            (6, true),
            (9, false),
            (15, true),
            (18, false),
            (22, false),
            (25, true),
            (30, false),
            (30, false),
        ]
    }

    #[test]
    fn merging_shards_equals_building_from_all_rows() {
        let rows = control_rows();
        let whole = counts(&rows);
        let (first, second) = rows.split_at(4);
        let mut merged = counts(first);
        merged += counts(second);
        assert_eq!(merged, whole);
        assert_eq!(counts(first) + counts(second), whole);
        let mut by_ref = counts(second);
        by_ref += &counts(first);
        assert_eq!(by_ref, whole);

        // The same data as warehouse rows, split over two shards with a
        // time present in both.
        let shard_a = SurvivalCounts::from_summary_rows([
            SummaryRow {
                time: 3,
                events: 1,
                censored: 0,
                at_risk: Some(3),
            },
            SummaryRow {
                time: 5,
                events: 1,
                censored: 0,
                at_risk: Some(2),
            },
            SummaryRow {
                time: 8,
                events: 1,
                censored: 0,
                at_risk: None,
            },
        ])
        .unwrap();
        let shard_b = SurvivalCounts::from_summary_rows([
            SummaryRow {
                time: 5,
                events: 0,
                censored: 1,
                at_risk: Some(7),
            },
            SummaryRow {
                time: 8,
                events: 1,
                censored: 0,
                at_risk: Some(6),
            },
            SummaryRow {
                time: 12,
                events: 0,
                censored: 1,
                ..SummaryRow::default()
            },
            SummaryRow {
                time: 13,
                events: 1,
                censored: 0,
                at_risk: None,
            },
            SummaryRow {
                time: 20,
                events: 0,
                censored: 1,
                at_risk: None,
            },
            SummaryRow {
                time: 21,
                events: 1,
                censored: 0,
                at_risk: None,
            },
            SummaryRow {
                time: 30,
                events: 0,
                censored: 1,
                at_risk: Some(1),
            },
            SummaryRow {
                time: 40,
                events: 0,
                censored: 0,
                at_risk: Some(0),
            },
        ])
        .unwrap();
        assert_eq!(shard_a + shard_b, whole);

        // And every result is a function of the merged counts.
        let treatment = counts(&treatment_rows());
        let test_of = |c: &SurvivalCounts| log_rank(c, &treatment).unwrap();
        assert_eq!(test_of(&merged), test_of(&whole));
    }

    #[test]
    fn summary_rows_with_a_wrong_at_risk_are_refused() {
        let rows = [
            SummaryRow {
                time: 1,
                events: 1,
                censored: 0,
                at_risk: Some(5),
            },
            SummaryRow {
                time: 2,
                events: 1,
                censored: 1,
                at_risk: None,
            },
        ];
        let err = SurvivalCounts::from_summary_rows(rows).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        let huge = [SummaryRow {
            time: 1,
            events: u64::MAX,
            censored: 1,
            at_risk: None,
        }];
        assert!(SurvivalCounts::from_summary_rows(huge).is_err());
    }

    #[test]
    fn kaplan_meier_without_censoring_is_the_empirical_curve() {
        let km = KaplanMeier::fit(
            &counts(&[(1, true), (2, true), (3, true), (4, true)]),
            Arm::Control,
        )
        .unwrap();
        let at = |t: f64| km.at(t).unwrap();
        assert_eq!(at(0.5).survival, 1.0);
        assert_eq!(at(0.5).std_error, 0.0);
        assert_eq!(at(0.5).at_risk, 4);
        close(at(1.0).survival, 0.75);
        // Greenwood: 0.75 sqrt(1 / (4 * 3)) = binomial sqrt(p q / n).
        close(at(1.0).std_error, (0.75f64 * 0.25 / 4.0).sqrt());
        close(at(2.5).survival, 0.5);
        close(at(2.5).std_error, (0.5f64 * 0.5 / 4.0).sqrt());
        assert_eq!(at(2.5).at_risk, 2);
        // Everyone has churned: S = 0 exactly, no NaN from the infinite
        // Greenwood term.
        assert_eq!(at(4.0).survival, 0.0);
        assert_eq!(at(4.0).std_error, 0.0);
        assert_eq!(at(100.0).survival, 0.0);
        // S hits 0.5 exactly on [2, 3): R's midpoint, the sample median.
        assert_eq!(km.median(), Some(2.5));
        assert!(km.at(-1.0).is_err());
        assert!(km.at(f64::NAN).is_err());
    }

    #[test]
    fn kaplan_meier_carries_the_last_value_past_the_data() {
        let km = KaplanMeier::fit(&counts(&control_rows()), Arm::Control).unwrap();
        let last = km.at(30.0).unwrap();
        let beyond = km.at(400.0).unwrap();
        assert_eq!(beyond.survival, last.survival);
        assert_eq!(beyond.std_error, last.std_error);
        assert_eq!(last.at_risk, 1);
        assert_eq!(beyond.at_risk, 0);
        // 10 at risk; events at 3 (1 of 10), 5 (1 of 9), 8 (2 of 7),
        // 13 (1 of 4), 21 (1 of 2).
        let s = 0.9 * (8.0 / 9.0) * (5.0 / 7.0) * 0.75 * 0.5;
        close(last.survival, s);
        let g: f64 = 1.0 / 90.0 + 1.0 / 72.0 + 2.0 / 35.0 + 1.0 / 12.0 + 1.0 / 2.0;
        close(last.std_error, s * g.sqrt());
        // S passes 0.5 at day 13 (0.4286).
        assert_eq!(km.median(), Some(13.0));
    }

    #[test]
    fn median_is_the_first_time_at_or_below_one_half_or_none() {
        // 7/8 * 5/6 = 0.729 after day 15, 0.486 after day 25.
        let km = KaplanMeier::fit(&counts(&treatment_rows()), Arm::Treatment).unwrap();
        assert_eq!(km.median(), Some(25.0));
        let km = KaplanMeier::fit(
            &counts(&[(3, true), (5, false), (9, false), (12, false)]),
            Arm::Control,
        )
        .unwrap();
        assert_eq!(km.median(), None);
        let km = KaplanMeier::fit(&counts(&[(5, false), (9, false)]), Arm::Control).unwrap();
        assert_eq!(km.median(), None);
    }

    #[test]
    fn restricted_mean_is_the_area_under_the_curve() {
        // 3 customers: S = 2/3 after day 2; at day 6 one event among the 2
        // at risk and one censoring, so S = 1/3 and the data end.
        let km =
            KaplanMeier::fit(&counts(&[(2, true), (6, false), (6, true)]), Arm::Control).unwrap();
        let rm = km.restricted_mean(6.0).unwrap();
        close(rm.estimate, 2.0 + 4.0 * 2.0 / 3.0);
        // Only day 2 contributes: A = 4 * 2/3, d / (n (n - d)) = 1 / 6; day
        // 6 has A = 0.
        close(rm.std_error, (4.0 * 2.0 / 3.0) * (1.0f64 / 6.0).sqrt());
        // Tau before the first event: the full tau, no uncertainty.
        let early = km.restricted_mean(1.5).unwrap();
        assert_eq!((early.estimate, early.std_error), (1.5, 0.0));
        assert!(km.restricted_mean(0.0).is_err());
        assert!(km.restricted_mean(f64::INFINITY).is_err());
    }

    #[test]
    fn tau_beyond_the_last_time_is_refused_unless_the_curve_is_at_zero() {
        let control = counts(&control_rows());
        let treatment = counts(&treatment_rows());
        assert_eq!(
            compare_restricted_means(&control, &treatment, 31.0, 0.05).unwrap_err(),
            NotComputable::HorizonBeyondFollowUp(Arm::Control)
        );
        assert!(compare_restricted_means(&control, &treatment, 30.0, 0.05).is_ok());
        // Everyone churned by day 4: the area up to any later tau is known.
        let all_gone = KaplanMeier::fit(
            &counts(&[(1, true), (2, true), (3, true), (4, true)]),
            Arm::Treatment,
        )
        .unwrap();
        let rm = all_gone.restricted_mean(50.0).unwrap();
        close(rm.estimate, 1.0 + 0.75 + 0.5 + 0.25);
        assert!(rm.std_error > 0.0);
    }

    #[test]
    fn all_censored_arms_give_reasons_not_nan() {
        let control = counts(&[(10, false), (12, false), (30, false)]);
        let treatment = counts(&[(11, false), (30, false)]);
        assert_eq!(log_rank(&control, &treatment), Err(NotComputable::NoEvents));
        assert_eq!(
            cox_efron(&control, &treatment, 0.05),
            Err(NotComputable::NoEvents)
        );
        let rmst = compare_restricted_means(&control, &treatment, 20.0, 0.05).unwrap();
        assert_eq!(rmst.control.estimate, 20.0);
        assert_eq!(rmst.treatment.estimate, 20.0);
        assert_eq!(rmst.difference, Err(NotComputable::NoSpreadBeforeHorizon));
        let km = KaplanMeier::fit(&control, Arm::Control).unwrap();
        assert_eq!(km.at(15.0).unwrap().survival, 1.0);
        assert_eq!(km.median(), None);
    }

    #[test]
    fn events_in_one_arm_only() {
        let control = counts(&control_rows());
        let no_churn = counts(&[(4, false), (10, false), (25, false), (30, false)]);
        // The log-rank test still compares the curves...
        let test = log_rank(&control, &no_churn).unwrap();
        assert_eq!(test.observed_treatment, 0);
        assert!(test.chi_squared > 0.0 && test.p_value > 0.0 && test.p_value < 1.0);
        close(
            test.expected_control + test.expected_treatment,
            control.events() as f64,
        );
        // ...but the hazard ratio is 0.
        assert_eq!(
            cox_efron(&control, &no_churn, 0.05),
            Err(NotComputable::EventsInOneArm)
        );
        assert_eq!(
            cox_efron(&no_churn, &control, 0.05),
            Err(NotComputable::EventsInOneArm)
        );
        // Treatment events only after the last control customer left: the
        // arms never share a risk set with a treatment event in it.
        let late = counts(&[(40, true), (45, true), (50, false)]);
        assert_eq!(
            cox_efron(&control, &late, 0.05),
            Err(NotComputable::EventsInOneArm)
        );
    }

    #[test]
    fn a_single_customer_per_arm() {
        let control = counts(&[(5, true)]);
        let treatment = counts(&[(9, false)]);
        // One event with both at risk: O_t = 0, E_t = 1/2, V = 1/4.
        let test = log_rank(&control, &treatment).unwrap();
        close(test.chi_squared, 1.0);
        assert_eq!(
            cox_efron(&control, &treatment, 0.05),
            Err(NotComputable::EventsInOneArm)
        );
        let rmst = compare_restricted_means(&control, &treatment, 9.0, 0.05).unwrap();
        assert_eq!(rmst.control.estimate, 5.0);
        assert_eq!(rmst.treatment.estimate, 9.0);
        assert_eq!(rmst.difference, Err(NotComputable::NoSpreadBeforeHorizon));
        // Both churn the same day: nobody left to compare against.
        let same_day = counts(&[(5, true)]);
        assert_eq!(
            log_rank(&control, &same_day),
            Err(NotComputable::NoSharedRisk)
        );
    }

    #[test]
    fn empty_arms_and_bad_alpha_are_named() {
        let some = counts(&control_rows());
        let none = SurvivalCounts::new();
        assert_eq!(
            log_rank(&none, &some),
            Err(NotComputable::EmptyArm(Arm::Control))
        );
        assert_eq!(
            cox_efron(&some, &none, 0.05),
            Err(NotComputable::EmptyArm(Arm::Treatment))
        );
        assert_eq!(
            compare_restricted_means(&some, &none, 10.0, 0.05),
            Err(NotComputable::EmptyArm(Arm::Treatment))
        );
        assert_eq!(
            KaplanMeier::fit(&none, Arm::Control),
            Err(NotComputable::EmptyArm(Arm::Control))
        );
        assert!(cox_efron(&some, &some, 1.0).is_err());
        assert!(compare_restricted_means(&some, &some, 10.0, f64::NAN).is_err());
        assert!(cox_partial_likelihood(&some, &some, f64::INFINITY).is_err());
    }

    #[test]
    fn cox_fit_maximizes_the_likelihood_and_is_symmetric() {
        let control = counts(&control_rows());
        let treatment = counts(&treatment_rows());
        let fit = cox_efron(&control, &treatment, 0.05).unwrap();
        let at = cox_partial_likelihood(&control, &treatment, fit.log_hazard_ratio).unwrap();
        assert!(at.score.abs() < 1e-12, "score {}", at.score);
        close(fit.std_error, 1.0 / at.information.sqrt());
        for shift in [-1e-3, 1e-3] {
            let off =
                cox_partial_likelihood(&control, &treatment, fit.log_hazard_ratio + shift).unwrap();
            assert!(off.log_likelihood < at.log_likelihood);
        }
        let swapped = cox_efron(&treatment, &control, 0.05).unwrap();
        close(swapped.log_hazard_ratio, -fit.log_hazard_ratio);
        close(swapped.hazard_ratio.ci_high, 1.0 / fit.hazard_ratio.ci_low);
        close(swapped.p_value, fit.p_value);
    }

    #[test]
    fn cox_fit_survives_extreme_data() {
        // Nearly separated arms: one control event among millions while the
        // treatment churns heavily on few days; large tied blocks.
        let mut control = SurvivalCounts::new();
        control.add_counts(1, 1, 0);
        control.add_counts(100, 0, 300_000);
        let mut treatment = SurvivalCounts::new();
        treatment.add_counts(1, 4_000, 0);
        treatment.add_counts(2, 90_000, 0);
        treatment.add_counts(100, 0, 6_000);
        let fit = cox_efron(&control, &treatment, 0.05).unwrap();
        assert!(fit.hazard_ratio.estimate > 1e4, "{fit:?}");
        assert!(fit.std_error.is_finite() && fit.p_value >= 0.0);
        let test = log_rank(&control, &treatment).unwrap();
        assert!(test.chi_squared.is_finite() && test.p_value >= 0.0);
        let rmst = compare_restricted_means(&control, &treatment, 100.0, 0.05).unwrap();
        assert!(rmst.difference.unwrap().estimate < -90.0);
    }

    #[test]
    fn reasons_render_as_sentences() {
        for reason in [
            NotComputable::NoEvents,
            NotComputable::NoSharedRisk,
            NotComputable::EventsInOneArm,
            NotComputable::NotConverged,
            NotComputable::HorizonBeyondFollowUp(Arm::Treatment),
            NotComputable::NoSpreadBeforeHorizon,
        ] {
            let text = reason.to_string();
            assert!(text.len() > 30 && !text.ends_with('.'), "{text}");
            assert!(!reason.code().is_empty());
        }
    }
}
