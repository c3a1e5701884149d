//! Result and option types shared by every comparison.

use serde::{Serialize, Serializer};
use std::fmt;

use super::group_sequential::GroupSequential;

/// Settings of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Options {
    /// Significance level: intervals have coverage 1 - alpha. Default 0.05.
    pub alpha: f64,
    /// Use always-valid (sequential) inference, safe under continuous
    /// monitoring, instead of fixed-horizon tests. Default false.
    pub sequential: bool,
    /// Tuning sample size N* of the confidence sequence (total customers at
    /// which it is tightest). Default 5000, as in GrowthBook.
    pub tuning: f64,
    /// With `sequential`, for a pilot with a planned size: the
    /// group-sequential analysis at the current look, whose repeated
    /// confidence interval and repeated p-value replace the confidence
    /// sequence (which is meant for monitoring without a planned end).
    /// Default none.
    #[serde(skip)]
    pub group_sequential: Option<GroupSequential>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            alpha: 0.05,
            sequential: false,
            tuning: 5000.0,
            group_sequential: None,
        }
    }
}

impl Options {
    /// Checks alpha and the tuning size; every comparison calls this first.
    pub fn validate(&self) -> Result<(), NotComputable> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(NotComputable::InvalidInput(
                "the significance level alpha must be between 0 and 1",
            ));
        }
        if self.sequential && !(self.tuning > 0.0 && self.tuning.is_finite()) {
            return Err(NotComputable::InvalidInput(
                "the sequential tuning size must be a positive number of customers",
            ));
        }
        if self.sequential
            && let Some(gs) = &self.group_sequential
            && gs.alpha() != self.alpha
        {
            return Err(NotComputable::InvalidInput(
                "the group-sequential boundaries were computed for another significance level",
            ));
        }
        Ok(())
    }

    /// The test a sequential comparison reports: group-sequential with a
    /// plan, the always-valid confidence sequence without.
    pub(crate) fn sequential_test(&self) -> TestKind {
        if self.group_sequential.is_some() {
            TestKind::GroupSequential
        } else {
            TestKind::Sequential
        }
    }
}

/// Which arm a statement is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    /// The baseline arm.
    Control,
    /// The arm receiving the change.
    Treatment,
}

impl fmt::Display for Arm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Arm::Control => "control",
            Arm::Treatment => "treatment",
        })
    }
}

/// Why a quantity cannot be computed for this data. Renders as a plain
/// sentence for people who are not statisticians.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotComputable {
    /// An arm has no customers.
    EmptyArm(Arm),
    /// An arm has one customer, so its spread is unknown.
    SingleCustomer(Arm),
    /// Every customer in both arms has the same value.
    NoVariation,
    /// The control average is zero, so a percent change is undefined.
    ZeroControlMean,
    /// The control average is negative, so a percent change would have the
    /// wrong sign.
    NegativeControlMean,
    /// Within each arm every customer has the same value, but the arms
    /// differ: there is no spread to judge the difference against.
    NoSpreadWithinArms,
    /// A ratio metric's denominator sums to zero in an arm.
    ZeroDenominator(Arm),
    /// A percent change of a score that can be negative (NPS) is misleading.
    SignedScore,
    /// Sample size: the two groups are expected to be identical.
    NoEffect,
    /// Minimum detectable effect: no effect within the metric's range reaches
    /// the requested power.
    Unreachable,
    /// Nobody has been assigned to any arm yet.
    NoData,
    /// Time to event: no customer in either arm has had the event (churned)
    /// yet, so there is nothing to compare.
    NoEvents,
    /// Time to event: no event happened while customers of both arms were
    /// still being observed (or every customer still observed had the event
    /// on the same day), so the log-rank test has no variance to work with.
    NoSharedRisk,
    /// Time to event: every event while both arms were observed happened in
    /// one arm, so the hazard ratio is 0 or infinite (the Cox likelihood has
    /// no maximum).
    EventsInOneArm,
    /// An iterative fit (Cox's Newton-Raphson) did not settle on an answer.
    NotConverged,
    /// Restricted mean survival: the horizon is later than the last day this
    /// arm was observed while its curve is still above zero, so the area up
    /// to the horizon would rest on an assumption (nobody leaves after the
    /// last observation) instead of data.
    HorizonBeyondFollowUp(Arm),
    /// Restricted mean survival: neither arm's restricted mean has any
    /// uncertainty up to the horizon (typically nobody churned before it), so
    /// their difference cannot be judged against chance.
    NoSpreadBeforeHorizon,
    /// Pooling a segment column's effects needs at least two segments with
    /// an effect.
    TooFewSegments,
    /// The input violates a precondition; the text says which.
    InvalidInput(&'static str),
}

impl NotComputable {
    /// A short machine-readable code for reports.
    pub fn code(&self) -> &'static str {
        match self {
            NotComputable::EmptyArm(_) => "empty_arm",
            NotComputable::SingleCustomer(_) => "single_customer",
            NotComputable::NoVariation => "no_variation",
            NotComputable::ZeroControlMean => "zero_control_mean",
            NotComputable::NegativeControlMean => "negative_control_mean",
            NotComputable::NoSpreadWithinArms => "no_spread_within_arms",
            NotComputable::ZeroDenominator(_) => "zero_denominator",
            NotComputable::SignedScore => "signed_score",
            NotComputable::NoEffect => "no_effect",
            NotComputable::Unreachable => "unreachable",
            NotComputable::NoData => "no_data",
            NotComputable::NoEvents => "no_events",
            NotComputable::NoSharedRisk => "no_shared_risk",
            NotComputable::EventsInOneArm => "events_in_one_arm",
            NotComputable::NotConverged => "not_converged",
            NotComputable::HorizonBeyondFollowUp(_) => "horizon_beyond_follow_up",
            NotComputable::NoSpreadBeforeHorizon => "no_spread_before_horizon",
            NotComputable::TooFewSegments => "too_few_segments",
            NotComputable::InvalidInput(_) => "invalid_input",
        }
    }
}

impl fmt::Display for NotComputable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotComputable::EmptyArm(arm) => write!(f, "the {arm} arm has no customers yet"),
            NotComputable::SingleCustomer(arm) => write!(
                f,
                "the {arm} arm has only one customer; at least two are needed to measure how much results vary"
            ),
            NotComputable::NoVariation => f.write_str(
                "every customer in both arms has the same value, so there is no variation to judge a difference against",
            ),
            NotComputable::ZeroControlMean => {
                f.write_str("the control average is zero, so a percent change cannot be calculated")
            }
            NotComputable::NegativeControlMean => f.write_str(
                "the control average is negative, so a percent change would point the wrong way; read the difference instead",
            ),
            NotComputable::NoSpreadWithinArms => f.write_str(
                "within each arm every customer has the same value, but the arms differ; with no spread inside the arms the difference cannot be judged by this test (collect more customers)",
            ),
            NotComputable::ZeroDenominator(arm) => write!(
                f,
                "the {arm} arm's denominator adds up to zero (for example no orders yet), so the ratio is undefined"
            ),
            NotComputable::SignedScore => f.write_str(
                "a percent change is not reported for a score that can be negative (such as NPS); use the point difference",
            ),
            NotComputable::NoEffect => f.write_str(
                "the expected values of the two groups are equal, so no sample size can detect a difference",
            ),
            NotComputable::Unreachable => f.write_str(
                "no change within the possible range of the metric reaches the requested power with this many customers",
            ),
            NotComputable::NoData => f.write_str("no customers have been assigned yet"),
            NotComputable::NoEvents => f.write_str(
                "no customer in either arm has churned yet, so there is nothing to compare",
            ),
            NotComputable::NoSharedRisk => f.write_str(
                "no customer churned while customers of both arms were still being followed, so the arms cannot be compared yet",
            ),
            NotComputable::EventsInOneArm => f.write_str(
                "while both arms were being followed, every customer who churned was in the same arm, so the hazard ratio is zero or infinite and cannot be estimated (collect more customers)",
            ),
            NotComputable::NotConverged => f.write_str(
                "the model fit did not settle on an answer for this data",
            ),
            NotComputable::HorizonBeyondFollowUp(arm) => write!(
                f,
                "the horizon is later than the last day any {arm} customer was followed, so the average time up to it would be a guess; choose an earlier horizon"
            ),
            NotComputable::NoSpreadBeforeHorizon => f.write_str(
                "the average time up to the horizon has no uncertainty in either arm (usually because nobody churned before it), so the difference cannot be judged against chance",
            ),
            NotComputable::TooFewSegments => f.write_str(
                "at least two segments with an effect are needed to compare and pool segments",
            ),
            NotComputable::InvalidInput(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for NotComputable {}

impl Serialize for NotComputable {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("NotComputable", 2)?;
        st.serialize_field("not_computable", self.code())?;
        st.serialize_field("because", &self.to_string())?;
        st.end()
    }
}

/// Serializes `Ok(v)` as `v` and `Err(e)` as the [`NotComputable`] object.
pub(crate) fn serialize_outcome<T: Serialize, S: Serializer>(
    value: &Result<T, NotComputable>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Ok(v) => v.serialize(s),
        Err(e) => e.serialize(s),
    }
}

/// A point estimate with a two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Point estimate.
    pub estimate: f64,
    /// Lower confidence limit.
    pub ci_low: f64,
    /// Upper confidence limit.
    pub ci_high: f64,
}

/// An estimated effect (treatment relative to control) with its uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Effect {
    /// Point estimate (treatment minus control, or treatment / control - 1).
    pub estimate: f64,
    /// Lower confidence limit.
    pub ci_low: f64,
    /// Upper confidence limit.
    pub ci_high: f64,
    /// Standard error of the estimate.
    pub std_error: f64,
    /// Two-sided p-value for "no effect".
    pub p_value: f64,
}

impl Effect {
    /// The estimate and its interval.
    pub fn interval(&self) -> Interval {
        Interval {
            estimate: self.estimate,
            ci_low: self.ci_low,
            ci_high: self.ci_high,
        }
    }
}

/// Which test produced the p-value of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// Welch's unequal-variance t-test (R `t.test(var.equal = FALSE)`).
    Welch,
    /// Pooled two-proportion z-test (R `prop.test(correct = FALSE)`).
    PooledZ,
    /// Fisher's exact test, used when an expected cell count is below 5.
    FisherExact,
    /// Mann-Whitney U, normal approximation with tie and continuity correction.
    MannWhitney,
    /// Always-valid confidence sequence and e-value p-value
    /// (Waudby-Smith et al. 2023, as in GrowthBook).
    Sequential,
    /// Group-sequential test at a look of a pilot with a planned size:
    /// repeated confidence interval and repeated p-value, O'Brien-Fleming-type
    /// alpha spending (Lan & DeMets 1983).
    GroupSequential,
}

impl fmt::Display for TestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TestKind::Welch => "Welch's t-test",
            TestKind::PooledZ => "two-proportion z-test",
            TestKind::FisherExact => "Fisher's exact test",
            TestKind::MannWhitney => "Mann-Whitney U test",
            TestKind::Sequential => "always-valid sequential test",
            TestKind::GroupSequential => "group-sequential test, O'Brien-Fleming spending",
        })
    }
}

/// Size and average of one arm as used in a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ArmSummary {
    /// Customers (units of randomization).
    pub n: u64,
    /// The arm's estimate of the metric: mean, rate, ratio, adjusted mean or NPS.
    pub mean: f64,
}

/// Treatment compared with control for one metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Comparison {
    /// The test behind `p_value`.
    pub test: TestKind,
    /// Significance level of the intervals.
    pub alpha: f64,
    /// Control arm.
    pub control: ArmSummary,
    /// Treatment arm.
    pub treatment: ArmSummary,
    /// Treatment minus control.
    pub absolute: Effect,
    /// Treatment / control - 1, or why it cannot be computed.
    #[serde(serialize_with = "serialize_outcome")]
    pub relative: Result<Effect, NotComputable>,
    /// p-value of `test` for the absolute difference (= `absolute.p_value`).
    pub p_value: f64,
    /// Degrees of freedom of the t reference distribution, if one was used.
    pub degrees_of_freedom: Option<f64>,
}
