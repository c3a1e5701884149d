//! The verdict: roll out, keep piloting, stop, or investigate, decided in
//! money and explained in plain sentences.
//!
//! Per treatment arm, with `[roi]`: the NPV of rolling it out has a
//! posterior under the prior ([`super::money`]); rolling out is worth its
//! expected NPV, stopping is worth 0. Rules, in order:
//!
//! 1. **investigate** when the data are broken: a blocking health finding
//!    (sample ratio mismatch, an export that matches nobody), an arm without
//!    a single outcome row, or a `[roi]` that cannot be computed.
//! 2. An arm **may roll out** when its expected NPV is positive, every
//!    guardrail is shown within its margin ([`super::guardrails`]), its
//!    primary metric is not likely worse, both groups have
//!    `min_customers_per_arm` customers, and the user's risk limits
//!    (`min_probability_positive_npv`, `max_expected_loss`) hold.
//! 3. **continue** while the deadline allows and either the information of
//!    the coming weeks is worth more than waiting costs
//!    ([`super::waiting`]), or an arm that is expected to pay is held back
//!    only by something more weeks can settle (a guardrail not yet shown
//!    safe, too few customers, a risk limit) and can settle before the
//!    deadline. It says for how many weeks.
//! 3. Otherwise **rollout** of the allowed arm with the highest expected
//!    NPV, or **stop** when none may roll out.
//!
//! Without `[roi]` there is no money: the primary metric's posterior chance
//! of an improvement replaces the expected NPV (roll out at
//! `min_probability_positive_npv`, default 90%; stop at the same chance of
//! harm), and waiting goes on until the deadline.

use serde::{Deserialize, Serialize};

use super::guardrails::{GuardrailCheck, GuardrailStatus};
use super::money::{MoneyOutlook, NpvModel, outlook};
use super::target::{Target, TargetInput, best_target};
use super::waiting::{WaitingInputs, WaitingValue, best_wait};
use crate::analysis::needed::SampleNeed;
use crate::analysis::result::{ArmComparison, MetricResult};
use crate::config::MetricKind;
use crate::format::{fmt_sig, money, number, p_value, pct, pp, probability, signed_money};

/// The verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Roll the initiative out.
    Rollout,
    /// Keep piloting: more data is worth its cost.
    Continue,
    /// Stop: it harms, or it does not pay.
    Stop,
    /// Something is wrong with the data or the split; fix it first.
    Investigate,
}

impl Verdict {
    /// The verdict as written in reports (`rollout`, `continue`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Rollout => "rollout",
            Verdict::Continue => "continue",
            Verdict::Stop => "stop",
            Verdict::Investigate => "investigate",
        }
    }
}

/// Chance of harm (or of an improvement, without `[roi]`) that settles the
/// primary metric.
const PRIMARY_SETTLED: f64 = 0.95;

/// Without `[roi]` and without `min_probability_positive_npv`: the chance of
/// an improvement the primary metric needs to roll out.
const DEFAULT_PROBABILITY_BETTER: f64 = 0.9;

/// The primary metric's effect, raw and shrunk by the prior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShrunkenEffect {
    /// Metric name.
    pub metric: String,
    /// The data's estimate (fixed horizon) and its standard error.
    pub estimate: f64,
    /// Standard error of `estimate`.
    pub std_error: f64,
    /// Posterior mean under the prior.
    pub shrunken: f64,
    /// 2.5th percentile of the posterior.
    pub lower: f64,
    /// 97.5th percentile of the posterior.
    pub upper: f64,
    /// Posterior chance the change is in the metric's good direction.
    pub probability_better: f64,
}

/// The money of one arm under an alternative prior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorCheck {
    /// The alternative prior, in words.
    pub prior: String,
    /// Expected NPV under it.
    pub expected_npv: f64,
    /// Chance of a positive NPV under it.
    pub probability_positive: f64,
}

/// What the decision found for one treatment arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmDecision {
    /// Arm name.
    pub arm: String,
    /// Whether this arm may roll out today.
    pub may_roll_out: bool,
    /// The money of rolling it out, under the prior (`None` without `[roi]`).
    pub money: Option<MoneyOutlook>,
    /// The same from the data alone, and under other priors.
    pub sensitivity: Vec<PriorCheck>,
    /// The primary metric and benefit metrics, raw and shrunk.
    pub effects: Vec<ShrunkenEffect>,
    /// Every guardrail's check.
    pub guardrails: Vec<GuardrailCheck>,
    /// The best further wait for this arm and what it is worth.
    pub waiting: Option<WaitingValue>,
    /// Rolling out to some segments only, when that is expected to earn
    /// more than rolling out to everyone; the arm's value and risk limits
    /// are then read from it.
    #[serde(default)]
    pub target: Option<Target>,
}

/// The deadline of the pilot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deadline {
    /// The last day, `YYYY-MM-DD`; `None` when the pilot's start is not
    /// known (a ledger without dates and no `deadline` set).
    pub date: Option<String>,
    /// Whole weeks left from the analysis date (0: reached). With an
    /// unknown start, `max_weeks`: the pilot is treated as just begun.
    pub weeks_left: u32,
    /// Where the date comes from: `deadline`, `max_weeks` or
    /// `unknown_start`.
    pub source: String,
}

/// The verdict with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// `rollout`, `continue`, `stop` or `investigate`.
    pub verdict: Verdict,
    /// The treatment arm the verdict is about (the one to roll out, or the
    /// best candidate), if any.
    pub arm: Option<String>,
    /// One line a shop owner can act on.
    #[serde(default)]
    pub headline: String,
    /// Plain sentences, most important first.
    pub reasons: Vec<String>,
    /// With `continue`: customers per arm still needed.
    pub more_customers_per_arm: Option<u64>,
    /// With `continue`: days that takes at the current enrollment rate.
    pub more_days: Option<f64>,
    /// With `continue`: weeks of further piloting.
    #[serde(default)]
    pub more_weeks: Option<u32>,
    /// The prior the money is computed under, in words.
    #[serde(default)]
    pub prior: String,
    /// The pilot's deadline, if the start of enrollment is known.
    #[serde(default)]
    pub deadline: Option<Deadline>,
    /// Per treatment arm.
    #[serde(default)]
    pub arms: Vec<ArmDecision>,
    /// With `rollout`: the segments to roll out to, when not everyone.
    #[serde(default)]
    pub target: Option<Target>,
}

/// The money side of one arm, built by the caller from `[roi]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmMoney {
    /// NPV with no effect (minus the costs' present value).
    pub at_zero_effect: f64,
    /// What is known about the lifts the NPV is linear in.
    pub model: NpvModel,
    /// The metrics the NPV is computed from (`[roi]` benefits).
    pub money_metrics: Vec<String>,
    /// Metrics without money that the money metrics were learned with (the
    /// primary, in the joint model); empty when each was learned alone.
    pub linked_with: Vec<String>,
    /// Alternative priors for the sensitivity check: a name and the model
    /// under it.
    pub alternatives: Vec<(String, NpvModel)>,
    /// The rollout's horizon in months.
    pub horizon_months: f64,
    /// What running the pilot costs per week (`[roi]` monthly and
    /// per-customer costs of the pilot's treated customers).
    pub pilot_cost_per_week: f64,
    /// The pilot's treated customers for one week as a share of the
    /// rollout (customers times horizon): the NPV's effect part times this
    /// is what the pilot's own customers gain or lose per week of waiting.
    pub pilot_share_per_week: f64,
    /// Seed of the Monte Carlo for several benefit metrics.
    pub seed: u64,
    /// Present value of the costs paid whoever is reached (one-time and
    /// monthly).
    pub fixed_costs: f64,
    /// Present value of the per-customer costs of reaching everyone.
    pub customer_costs: f64,
    /// NPV per unit of each money metric's lift at full rollout, in
    /// `money_metrics` order.
    pub npv_per_unit: Vec<f64>,
}

/// One treatment arm's evidence.
#[derive(Debug, Clone)]
pub struct ArmEvidence<'a> {
    /// Arm name.
    pub arm: &'a str,
    /// Customers in the arm.
    pub customers: u64,
    /// Customers of the arm with at least one outcome row (`None`: not
    /// known, as with summary input).
    pub customers_with_outcomes: Option<u64>,
    /// The primary metric's comparison for this arm.
    pub primary: &'a ArmComparison,
    /// The primary metric's effect under the prior, if estimable.
    pub primary_effect: Option<ShrunkenEffect>,
    /// Benefit metrics' effects under the prior (for the report).
    pub benefit_effects: Vec<ShrunkenEffect>,
    /// Guardrail checks.
    pub guardrails: Vec<GuardrailCheck>,
    /// Money: `None` without `[roi]`; `Err` with the reason when `[roi]` is
    /// configured but cannot be computed.
    pub money: Option<Result<ArmMoney, String>>,
    /// The segments a targeted rollout could choose from (`None` without
    /// money or segments).
    pub target: Option<TargetInput>,
}

/// Everything the decision reads.
#[derive(Debug, Clone)]
pub struct DecisionInput<'a> {
    /// The primary metric (its overall results).
    pub primary: &'a MetricResult,
    /// Control arm name and customers.
    pub control: (&'a str, u64),
    /// Customers of the control with at least one outcome row.
    pub control_with_outcomes: Option<u64>,
    /// Per treatment arm.
    pub arms: Vec<ArmEvidence<'a>>,
    /// Blocking health findings.
    pub blocking: &'a [String],
    /// `[decision]`.
    pub settings: &'a crate::config::Decision,
    /// The prior, in words.
    pub prior: String,
    /// Significance level (for "95% interval" wording).
    pub alpha: f64,
    /// The deadline, if known.
    pub deadline: Option<Deadline>,
    /// New customers reaching the smallest arm per week, if known.
    pub new_per_arm_per_week: Option<f64>,
    /// Without `[roi]`: customers per arm needed for the primary metric.
    pub need: Option<SampleNeed>,
    /// Currency of money amounts.
    pub currency: &'a str,
    /// `[roi] horizon_months`, for wording.
    pub horizon_months: Option<u32>,
    /// What the reasons call each metric.
    pub titles: &'a crate::analysis::result::MetricTitles,
}

/// Per-arm findings before the arms are combined.
struct Judged {
    decision: ArmDecision,
    /// Expected NPV (money) or chance of an improvement (no money).
    value: f64,
    /// Why the arm may not roll out, as sentences (empty if it may).
    held_back: Vec<String>,
    /// Weeks that could settle what holds it back (`None`: weeks cannot).
    weeks_to_settle: Option<u32>,
    /// Reasons that make it a stop outright (harm).
    harmed: Vec<String>,
}

/// Decides.
pub fn decide(input: &DecisionInput<'_>) -> Decision {
    let mut decision = Decision {
        verdict: Verdict::Investigate,
        arm: None,
        headline: String::new(),
        reasons: Vec::new(),
        more_customers_per_arm: None,
        more_days: None,
        more_weeks: None,
        prior: input.prior.clone(),
        deadline: input.deadline.clone(),
        arms: Vec::new(),
        target: None,
    };
    let broken = broken_data(input);
    if !broken.is_empty() {
        decision.headline = format!("Investigate: {}", broken[0]);
        decision.reasons = broken;
        return decision;
    }
    let judged: Vec<Judged> = input.arms.iter().map(|a| judge(input, a)).collect();
    let weeks_left = input.deadline.as_ref().map_or(0, |d| d.weeks_left);
    let with_money = judged.iter().any(|j| j.decision.money.is_some());

    // The best arm that may roll out today, and what choosing it is worth.
    let best_allowed = judged
        .iter()
        .enumerate()
        .filter(|(_, j)| j.held_back.is_empty() && j.harmed.is_empty())
        .max_by(|(_, a), (_, b)| a.value.total_cmp(&b.value))
        .map(|(i, _)| i);
    let value_now = best_allowed.map_or(0.0, |i| judged[i].value.max(0.0));

    // Waiting for information, arm by arm (money only).
    let mut judged = judged;
    if with_money && weeks_left > 0 {
        for i in 0..judged.len() {
            let alternative = judged
                .iter()
                .enumerate()
                .filter(|(j, other)| {
                    *j != i && other.held_back.is_empty() && other.harmed.is_empty()
                })
                .map(|(_, other)| other.value)
                .fold(0.0f64, f64::max);
            judged[i].decision.waiting =
                waiting_for(input, &input.arms[i], weeks_left, value_now, alternative);
        }
    }
    let best_wait = judged
        .iter()
        .enumerate()
        .filter(|(_, j)| j.harmed.is_empty())
        .filter_map(|(i, j)| j.decision.waiting.map(|w| (i, w)))
        .max_by(|(_, a), (_, b)| a.net().total_cmp(&b.net()));

    let currency = input.currency;
    let horizon = input
        .horizon_months
        .map(|h| format!(" over {h} months"))
        .unwrap_or_default();

    // 1. Waiting pays.
    if let Some((i, wait)) = best_wait.filter(|(i, w)| w.net() > material(&judged[*i])) {
        let j = &judged[i];
        decision.verdict = Verdict::Continue;
        decision.arm = Some(j.decision.arm.clone());
        decision.more_weeks = Some(wait.weeks);
        decision.headline = format!(
            "Keep piloting {} for {}: the data they bring are worth about {} and waiting costs \
             about {}.{}",
            j.decision.arm,
            weeks(wait.weeks),
            money(wait.value_of_information, currency),
            money(wait.cost, currency),
            j.decision
                .money
                .map(|m| if m.expected_npv >= 0.0 {
                    format!(
                        " Rolled out today it would be expected to earn {}{horizon}.",
                        money(m.expected_npv, currency)
                    )
                } else {
                    format!(
                        " Rolled out today it would be expected to lose {}{horizon}.",
                        money(-m.expected_npv, currency)
                    )
                })
                .unwrap_or_default()
        );
        decision.reasons = arm_reasons(input, i, j);
        decision.arms = judged.into_iter().map(|j| j.decision).collect();
        fill_customers(&mut decision, input, with_money);
        return decision;
    }
    // 2. A promising arm is held back by what a few more weeks can settle.
    let settle = judged
        .iter()
        .enumerate()
        .filter(|(_, j)| j.harmed.is_empty() && !j.held_back.is_empty() && j.value > 0.0)
        .filter(|(_, j)| !with_money || j.decision.money.is_some_and(|m| m.expected_npv > 0.0))
        .filter_map(|(i, j)| {
            j.weeks_to_settle
                .filter(|&w| w <= weeks_left && w > 0)
                .map(|w| (i, w))
        })
        .filter(|(i, _)| best_allowed.is_none_or(|b| judged[*i].value > judged[b].value))
        .min_by_key(|&(_, w)| w);
    if let Some((i, w)) = settle {
        let j = &judged[i];
        decision.verdict = Verdict::Continue;
        decision.arm = Some(j.decision.arm.clone());
        decision.more_weeks = Some(w);
        decision.headline = format!(
            "Keep piloting {} for {}: {}",
            j.decision.arm,
            weeks(w),
            lower_first(&j.held_back[0])
        );
        decision.reasons = arm_reasons(input, i, j);
        decision.reasons.extend(j.held_back.iter().cloned());
        decision.arms = judged.into_iter().map(|j| j.decision).collect();
        fill_customers(&mut decision, input, with_money);
        return decision;
    }
    // 3. Roll out the best allowed arm, if rolling out beats stopping.
    if let Some(i) = best_allowed.filter(|&i| !with_money || judged[i].value > 0.0) {
        let j = &judged[i];
        decision.verdict = Verdict::Rollout;
        decision.arm = Some(j.decision.arm.clone());
        decision.headline = match (&j.decision.target, j.decision.money) {
            (Some(t), Some(m)) => format!(
                "Roll out {} to {} {} only: expected {}{horizon}; {} chance it loses money \
                 (expected loss {}). Rolled out to everyone: expected {}.{}",
                j.decision.arm,
                t.column,
                list_values(&t.values),
                signed_money(t.money.expected_npv, currency),
                probability(1.0 - t.money.probability_positive),
                money(t.money.expected_loss_rollout, currency),
                signed_money(m.expected_npv, currency),
                waiting_clause(j.decision.waiting, weeks_left, currency)
            ),
            (_, Some(m)) => format!(
                "Roll out {}: expected {}{horizon}; {} chance it loses money (expected loss {}).{}",
                j.decision.arm,
                signed_money(m.expected_npv, currency),
                probability(1.0 - m.probability_positive),
                money(m.expected_loss_rollout, currency),
                waiting_clause(j.decision.waiting, weeks_left, currency)
            ),
            (_, None) => format!(
                "Roll out {}: {} chance that it improved {}.",
                j.decision.arm,
                probability(j.value),
                input.primary.title()
            ),
        };
        decision.reasons = arm_reasons(input, i, j);
        if let Some(t) = &j.decision.target {
            decision.reasons.push(format!(
                "Rolled out to {} {} only ({} of the customers), the expected NPV is {} (90% \
                 between {} and {}); the chance it pays off is {}. Everyone: {}. The segments \
                 left out are expected to lose money.",
                t.column,
                list_values(&t.values),
                number(t.customers, 0),
                signed_money(t.money.expected_npv, currency),
                signed_money(t.money.npv_p05, currency),
                signed_money(t.money.npv_p95, currency),
                probability(t.money.probability_positive),
                signed_money(t.everyone_expected_npv, currency)
            ));
        }
        decision.target = j.decision.target.clone();
        decision.arms = judged.into_iter().map(|j| j.decision).collect();
        return decision;
    }
    // 4. Stop.
    decision.verdict = Verdict::Stop;
    let best = judged
        .iter()
        .enumerate()
        .filter(|(_, j)| j.harmed.is_empty())
        .max_by(|(_, a), (_, b)| a.value.total_cmp(&b.value))
        .or_else(|| judged.iter().enumerate().next());
    if let Some((i, j)) = best {
        decision.arm = Some(j.decision.arm.clone());
        decision.headline = stop_headline(input, j, weeks_left, &horizon);
        decision.reasons = arm_reasons(input, i, j);
        decision.reasons.extend(j.harmed.iter().cloned());
        decision.reasons.extend(j.held_back.iter().cloned());
        for (k, other) in judged.iter().enumerate() {
            if k != i && !other.harmed.is_empty() {
                decision.reasons.push(format!(
                    "{} is out: {}",
                    other.decision.arm,
                    other.harmed.join(" ")
                ));
            }
        }
    } else {
        decision.headline = "Stop: there is no treatment arm to roll out.".to_string();
    }
    decision.arms = judged.into_iter().map(|j| j.decision).collect();
    decision
}

/// Segment values in words: `online`, `online and retail`, `a, b and c`.
pub fn list_values(values: &[String]) -> String {
    match values {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The least net value of waiting worth a verdict of "keep piloting":
/// a thousandth of the money at stake (expected NPV and both expected
/// losses), so that rounding-level gains never keep a pilot running.
fn material(j: &Judged) -> f64 {
    j.decision.money.map_or(0.0, |m| {
        1e-3 * (m.expected_npv.abs() + m.expected_loss_rollout + m.expected_loss_stop)
    })
}

/// Findings that make any verdict on this data wrong.
fn broken_data(input: &DecisionInput<'_>) -> Vec<String> {
    let mut broken: Vec<String> = input.blocking.to_vec();
    let any_outcomes = input.control_with_outcomes.unwrap_or(1) > 0
        || input
            .arms
            .iter()
            .any(|a| a.customers_with_outcomes.unwrap_or(1) > 0);
    if any_outcomes {
        let empty = std::iter::once((
            input.control.0,
            input.control.1,
            input.control_with_outcomes,
        ))
        .chain(
            input
                .arms
                .iter()
                .map(|a| (a.arm, a.customers, a.customers_with_outcomes)),
        );
        for (arm, customers, with) in empty {
            if customers > 0 && with == Some(0) {
                broken.push(format!(
                    "Not one of the {} customers of {arm} has a row in the outcome export, while \
                     the other groups do: the export is probably cut or filtered. Check it before \
                     reading any effect.",
                    number(customers as f64, 0)
                ));
            }
        }
    }
    for arm in &input.arms {
        if let Some(Err(why)) = &arm.money {
            broken.push(format!(
                "The return on investment of {} cannot be computed ({why}), so pilot cannot say \
                 whether it pays. Fix [roi] or the benefit metrics' data.",
                arm.arm
            ));
        }
    }
    broken
}

/// Judges one arm on its own.
fn judge(input: &DecisionInput<'_>, arm: &ArmEvidence<'_>) -> Judged {
    let settings = input.settings;
    let mut held_back = Vec::new();
    let mut harmed = Vec::new();
    let mut weeks_to_settle: Option<u32> = Some(0);
    let mut need_weeks = |w: Option<u32>| {
        weeks_to_settle = match (weeks_to_settle, w) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    };
    let rate = input.new_per_arm_per_week.filter(|r| *r > 0.0);
    let fewest = arm.customers.min(input.control.1);
    // Without an enrollment rate pilot cannot say how soon more customers
    // settle a question; it then keeps piloting until the deadline.
    let weeks_left = input.deadline.as_ref().map_or(0, |d| d.weeks_left);
    let unknown_rate = || rate.is_none().then_some(weeks_left);

    // Guardrails.
    for g in &arm.guardrails {
        match g.status {
            GuardrailStatus::LikelyHarmed => harmed.push(format!(
                "Guardrail {} is likely worse than its margin allows: {} chance it is beyond it.",
                input.titles.get(&g.metric),
                probability(g.probability_beyond_margin.unwrap_or(1.0))
            )),
            GuardrailStatus::NotYetSafe | GuardrailStatus::NotComputable => {
                held_back.push(match g.probability_beyond_margin {
                    Some(p) => format!(
                        "Guardrail {} is not yet shown safe: a {} chance it is worse than its \
                         margin allows (roll-out needs less than {}).",
                        input.titles.get(&g.metric),
                        probability(p),
                        pct(settings.max_guardrail_risk)
                    ),
                    None => format!(
                        "Guardrail {} cannot be judged yet (no estimate), so it is not shown safe.",
                        input.titles.get(&g.metric)
                    ),
                });
                need_weeks(guardrail_weeks(input, arm, g, rate).or_else(unknown_rate));
            }
            GuardrailStatus::Safe | GuardrailStatus::InNpv => {}
        }
    }
    // The primary metric must not be likely worse.
    if let Some(e) = &arm.primary_effect
        && 1.0 - e.probability_better >= PRIMARY_SETTLED
    {
        harmed.push(format!(
            "{} made {} worse: {} chance of harm.",
            arm.arm,
            input.titles.get(&e.metric),
            probability(1.0 - e.probability_better)
        ));
    }
    if fewest < settings.min_customers_per_arm {
        held_back.push(format!(
            "The decision waits for at least {} customers per group (the smallest has {}).",
            number(settings.min_customers_per_arm as f64, 0),
            number(fewest as f64, 0)
        ));
        need_weeks(
            rate.map(|r| ((settings.min_customers_per_arm - fewest) as f64 / r).ceil() as u32),
        );
    }

    let (money_outlook, sensitivity, value) = match &arm.money {
        Some(Ok(m)) => {
            let o = outlook(&m.model.distribution(m.at_zero_effect));
            let sensitivity = m
                .alternatives
                .iter()
                .map(|(name, model)| {
                    let alt = outlook(&model.distribution(m.at_zero_effect));
                    PriorCheck {
                        prior: name.clone(),
                        expected_npv: alt.expected_npv,
                        probability_positive: alt.probability_positive,
                    }
                })
                .collect();
            (Some(o), sensitivity, o.expected_npv)
        }
        _ => (
            None,
            Vec::new(),
            arm.primary_effect
                .as_ref()
                .map_or(0.5, |e| e.probability_better),
        ),
    };
    // A targeted rollout replaces rolling out to everyone when it is
    // expected to earn more by more than rounding.
    let target = money_outlook.and_then(|o| {
        let stakes = o.expected_npv.abs() + o.expected_loss_rollout + o.expected_loss_stop;
        arm.target
            .as_ref()
            .and_then(|t| best_target(t, 1e-3 * stakes))
    });
    let value = target.as_ref().map_or(value, |t| t.money.expected_npv);
    match target.as_ref().map(|t| t.money).or(money_outlook) {
        Some(o) => {
            if let Some(min) = settings.min_probability_positive_npv
                && o.probability_positive < min
                && o.expected_npv > 0.0
            {
                held_back.push(format!(
                    "Your risk limit needs a chance of at least {} that it pays off; it is {}.",
                    pct(min),
                    probability(o.probability_positive)
                ));
                need_weeks(rate.map(|_| 1).or_else(unknown_rate));
            }
            if let Some(max) = settings.max_expected_loss
                && o.expected_loss_rollout > max
                && o.expected_npv > 0.0
            {
                held_back.push(format!(
                    "Your risk limit allows an expected loss of at most {}; rolling out risks {}.",
                    money(max, input.currency),
                    money(o.expected_loss_rollout, input.currency)
                ));
                need_weeks(rate.map(|_| 1).or_else(unknown_rate));
            }
        }
        None => {
            let needed = settings
                .min_probability_positive_npv
                .unwrap_or(DEFAULT_PROBABILITY_BETTER);
            match &arm.primary_effect {
                Some(e) if e.probability_better >= needed => {}
                Some(e) => {
                    held_back.push(format!(
                        "Roll-out needs a chance of at least {} that {} improved; it is {}.",
                        pct(needed),
                        input.titles.get(&e.metric),
                        probability(e.probability_better)
                    ));
                    need_weeks(
                        input
                            .need
                            .and_then(|n| {
                                let more = n.per_arm.saturating_sub(fewest) as f64;
                                rate.map(|r| (more / r).ceil().max(1.0) as u32)
                            })
                            .or_else(unknown_rate),
                    );
                }
                None => {
                    held_back.push(format!("{} cannot be compared yet.", input.primary.title()));
                    need_weeks(rate.map(|_| 1).or_else(unknown_rate));
                }
            }
        }
    }
    let mut effects: Vec<ShrunkenEffect> = arm.primary_effect.iter().cloned().collect();
    effects.extend(
        arm.benefit_effects
            .iter()
            .filter(|e| effects.iter().all(|p| p.metric != e.metric))
            .cloned()
            .collect::<Vec<_>>(),
    );
    // Nothing measured yet (no outcome data): there is nothing to judge,
    // so the pilot goes on until its deadline whatever else holds it back.
    let nothing_measured = arm.primary_effect.is_none();
    let weeks_to_settle = match (held_back.is_empty(), nothing_measured) {
        (true, _) => None,
        (false, true) => Some(weeks_left),
        (false, false) => weeks_to_settle,
    };
    Judged {
        decision: ArmDecision {
            arm: arm.arm.to_string(),
            may_roll_out: held_back.is_empty() && harmed.is_empty(),
            money: money_outlook,
            sensitivity,
            effects,
            guardrails: arm.guardrails.clone(),
            waiting: None,
            target,
        },
        value,
        held_back,
        weeks_to_settle,
        harmed,
    }
}

/// Weeks until a guardrail that is not yet safe would be shown safe if its
/// estimate stayed where it is (the standard error shrinking with the
/// customers enrolled meanwhile); `None` if it never would.
fn guardrail_weeks(
    input: &DecisionInput<'_>,
    arm: &ArmEvidence<'_>,
    g: &GuardrailCheck,
    rate: Option<f64>,
) -> Option<u32> {
    let rate = rate?;
    let p = g.probability_beyond_margin?;
    let n = arm.customers.min(input.control.1) as f64;
    if n <= 0.0 || p >= 0.5 {
        return None;
    }
    // P = Phi(-(allowed - worse) / se); se scales as 1/sqrt(n): the
    // distance in standard errors grows as sqrt(n' / n).
    let z_now = -crate::stats::dist::normal_quantile(p);
    let z_needed = -crate::stats::dist::normal_quantile(input.settings.max_guardrail_risk);
    if z_now <= 0.0 {
        return None;
    }
    let n_needed = n * (z_needed / z_now).powi(2);
    let w = ((n_needed - n) / rate).ceil();
    (w.is_finite() && w <= 520.0).then_some(w.max(1.0) as u32)
}

/// The best wait for one arm's money.
fn waiting_for(
    input: &DecisionInput<'_>,
    arm: &ArmEvidence<'_>,
    weeks_left: u32,
    value_now: f64,
    alternative: f64,
) -> Option<WaitingValue> {
    let Some(Ok(m)) = &arm.money else {
        return None;
    };
    // While the pilot runs, its treated customers keep the initiative: an
    // expected harm is a cost of waiting (an expected gain is not counted,
    // so waiting is never made to look free).
    let effect_per_week =
        (m.model.distribution(m.at_zero_effect).mean() - m.at_zero_effect) * m.pilot_share_per_week;
    best_wait(
        &WaitingInputs {
            weeks_left,
            customers_per_arm: arm.customers.min(input.control.1) as f64,
            new_per_arm_per_week: input.new_per_arm_per_week.unwrap_or(0.0),
            horizon_months: m.horizon_months,
            value_now,
            pilot_cost_per_week: m.pilot_cost_per_week + (-effect_per_week).max(0.0),
        },
        |ratio| {
            m.model
                .value_of_more_data(m.at_zero_effect, ratio, alternative, m.seed)
        },
    )
}

/// The sentences about one arm's evidence: the primary effect, guardrails,
/// money.
fn arm_reasons(input: &DecisionInput<'_>, index: usize, j: &Judged) -> Vec<String> {
    let arm = &input.arms[index];
    let mut reasons = vec![effect_sentence(
        input.primary,
        arm.primary,
        input.alpha,
        arm.arm,
    )];
    if let Some(e) = &arm.primary_effect {
        reasons.push(format!(
            "Allowing for how rarely initiatives move a metric much, the likely change in {} is \
             {} (95% between {} and {}); {} chance it is an improvement.",
            input.titles.get(&e.metric),
            change(input.primary.kind, e.shrunken),
            change(input.primary.kind, e.lower),
            change(input.primary.kind, e.upper),
            probability(e.probability_better)
        ));
    }
    let safe: Vec<&str> = j
        .decision
        .guardrails
        .iter()
        .filter(|g| g.status == GuardrailStatus::Safe)
        .map(|g| input.titles.get(&g.metric))
        .collect();
    if !safe.is_empty() {
        reasons.push(format!(
            "Shown within its margin: {} (less than {} chance of being beyond it).",
            safe.join(", "),
            pct(input.settings.max_guardrail_risk)
        ));
    }
    if let Some(m) = j.decision.money {
        reasons.push(format!(
            "Rolled out, the expected net present value is {} (90% between {} and {}); the chance \
             it pays off is {}. Expected loss if rolled out {}, if stopped {}.",
            signed_money(m.expected_npv, input.currency),
            signed_money(m.npv_p05, input.currency),
            signed_money(m.npv_p95, input.currency),
            probability(m.probability_positive),
            money(m.expected_loss_rollout, input.currency),
            money(m.expected_loss_stop, input.currency)
        ));
        if let Some(Ok(arm_money)) = &arm.money
            && !arm_money.linked_with.is_empty()
        {
            let titles = |names: &[String]| -> String {
                names
                    .iter()
                    .map(|n| input.titles.get(n))
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            let money_metrics = titles(&arm_money.money_metrics);
            let linked = titles(&arm_money.linked_with);
            reasons.push(format!(
                "The money rests on {money_metrics}, read together with {linked}: both are \
                 measured on the same customers and an initiative that moves one usually moves \
                 the other, so the clearer of the two sharpens what is known about the money."
            ));
        }
        if let Some(data_only) = j.decision.sensitivity.first() {
            let pays = m.expected_npv > 0.0;
            let other_call: Vec<&str> = j.decision.sensitivity[1..]
                .iter()
                .filter(|c| (c.expected_npv > 0.0) != pays)
                .map(|c| c.prior.as_str())
                .collect();
            let verdict_on_prior = if (data_only.expected_npv > 0.0) != pays {
                "; the call depends on the prior, so read it with care.".to_string()
            } else if other_call.is_empty() {
                "; the call does not hinge on the prior.".to_string()
            } else {
                format!(
                    ", the same call; but under {} it would be the other, so read it with care.",
                    other_call.join(" or ")
                )
            };
            reasons.push(format!(
                "From the data alone (no prior) it would be {} ({} chance it pays off){}",
                signed_money(data_only.expected_npv, input.currency),
                probability(data_only.probability_positive),
                verdict_on_prior
            ));
        }
    }
    reasons
}

/// " 8 more weeks would be worth $120 and cost $300." after a rollout.
fn waiting_clause(wait: Option<WaitingValue>, weeks_left: u32, currency: &str) -> String {
    match wait {
        Some(w) => format!(
            " {} more would be worth {} and cost {}.",
            weeks(w.weeks),
            money(w.value_of_information, currency),
            money(w.cost, currency)
        ),
        None if weeks_left == 0 => " The pilot has reached its deadline.".to_string(),
        None => String::new(),
    }
}

fn stop_headline(input: &DecisionInput<'_>, j: &Judged, weeks_left: u32, horizon: &str) -> String {
    let arm = &j.decision.arm;
    if let Some(h) = j.harmed.first() {
        return format!("Stop {arm}: {}", lower_first(h));
    }
    if let Some(m) = j.decision.money {
        if m.expected_npv <= 0.0 {
            return format!(
                "Stop {arm}: rolling out is expected to lose {}{horizon}; {} chance it pays off.",
                money(-m.expected_npv, input.currency),
                probability(m.probability_positive)
            );
        }
        if let Some(h) = j.held_back.first() {
            return format!(
                "Stop {arm}: it is expected to earn {}{horizon}, but it may not roll out. {h} {}",
                signed_money(m.expected_npv, input.currency),
                unsettled(weeks_left)
            );
        }
    }
    match j.held_back.first() {
        Some(h) => format!(
            "Stop {arm}: it may not roll out. {h} {}",
            unsettled(weeks_left)
        ),
        None => format!("Stop {arm}: rolling out is not worth it."),
    }
}

/// Why what holds an arm back ends the pilot.
fn unsettled(weeks_left: u32) -> &'static str {
    if weeks_left == 0 {
        "The pilot has reached its deadline."
    } else {
        "The weeks left before the deadline are too few to settle that."
    }
}

/// Fills `more_customers_per_arm` and `more_days`: from the weeks and the
/// enrollment rate, or without money from the customers the primary metric
/// needs.
fn fill_customers(decision: &mut Decision, input: &DecisionInput<'_>, with_money: bool) {
    let rate = input.new_per_arm_per_week.filter(|r| *r > 0.0);
    if !with_money && let Some(need) = input.need {
        let smallest = input
            .arms
            .iter()
            .map(|a| a.customers)
            .chain(std::iter::once(input.control.1))
            .min()
            .unwrap_or(0);
        let more = need.per_arm.saturating_sub(smallest);
        decision.more_customers_per_arm = Some(more);
        decision.more_days = rate.filter(|_| more > 0).map(|r| more as f64 / r * 7.0);
        return;
    }
    if let (Some(w), Some(rate)) = (decision.more_weeks, rate) {
        decision.more_customers_per_arm = Some((f64::from(w) * rate).round() as u64);
        decision.more_days = Some(f64::from(w) * 7.0);
    }
}

fn weeks(w: u32) -> String {
    if w == 1 {
        "1 more week".to_string()
    } else {
        format!("{w} more weeks")
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        _ => s.to_string(),
    }
}

/// Rates as percentages points; other values with three significant digits
/// and a sign taken from the value itself.
fn change(kind: MetricKind, x: f64) -> String {
    if matches!(kind, MetricKind::Binary | MetricKind::Csat) {
        pp(x)
    } else {
        let s = fmt_sig(x, 3);
        if x > 0.0 { format!("+{s}") } else { s }
    }
}

fn value(kind: MetricKind, x: f64) -> String {
    if matches!(kind, MetricKind::Binary | MetricKind::Csat) {
        pct(x)
    } else {
        fmt_sig(x, 3)
    }
}

fn effect_sentence(metric: &MetricResult, c: &ArmComparison, alpha: f64, arm: &str) -> String {
    let Some(abs) = c.absolute else {
        return format!(
            "{} cannot be compared yet: {}.",
            metric.title(),
            c.not_computable.as_deref().unwrap_or("not enough data")
        );
    };
    let control = metric.arms.first().and_then(|a| a.mean);
    // With CUPED the change is that of the adjusted average: quoting the
    // measured one beside it would contradict it (even in sign).
    let adjusted = c.adjusted_mean();
    let treated = adjusted.or_else(|| {
        metric
            .arms
            .iter()
            .find(|a| a.arm == arm)
            .and_then(|a| a.mean)
    });
    let level = format!("{:.0}%", (1.0 - alpha) * 100.0);
    let moved = match (control, treated) {
        (Some(c0), Some(t0)) => format!(
            "from {} to {}{}",
            value(metric.kind, c0),
            value(metric.kind, t0),
            if adjusted.is_some() {
                " adjusted for what customers did before the pilot"
            } else {
                ""
            }
        ),
        _ => String::new(),
    };
    let relative = c
        .relative
        .map(|r| format!(", {}", crate::format::signed_pct(r.estimate)))
        .unwrap_or_default();
    let p = c
        .p_value_adjusted
        .or(c.p_value)
        .map(p_value)
        .unwrap_or_default();
    let interval = format!(
        "{level} interval {} to {}",
        change(metric.kind, abs.ci_low),
        change(metric.kind, abs.ci_high)
    );
    use crate::analysis::result::Outcome;
    match c.outcome {
        Outcome::Better => format!(
            "{arm} improved {} {moved} ({}{relative}; {interval}; {p}).",
            metric.title(),
            change(metric.kind, abs.estimate)
        ),
        Outcome::Worse => format!(
            "{arm} made {} worse: {moved} ({}{relative}; {interval}; {p}).",
            metric.title(),
            change(metric.kind, abs.estimate)
        ),
        _ => format!(
            "The effect of {arm} on {} is not clear from the test alone: {moved} ({}{relative}; \
             {interval}; {p}).",
            metric.title(),
            change(metric.kind, abs.estimate)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_carry_their_own_sign() {
        // Issue "Numbers that cannot mislead", item 6: a decrease was once
        // printed as "+0.885" and "+7.97".
        assert_eq!(change(MetricKind::Mean, -0.885), "-0.885");
        assert_eq!(change(MetricKind::Mean, -7.97), "-7.97");
        assert_eq!(change(MetricKind::Mean, 7.97), "+7.97");
        assert_eq!(change(MetricKind::Binary, -0.031), "-3.1 pp");
    }

    #[test]
    fn waiting_must_be_material() {
        // Rounding-level information is not a reason to keep piloting.
        let j = Judged {
            decision: ArmDecision {
                arm: "b".into(),
                may_roll_out: false,
                money: Some(MoneyOutlook {
                    expected_npv: -4864.0,
                    npv_p05: -21_000.0,
                    npv_p95: 6900.0,
                    probability_positive: 0.28,
                    expected_loss_rollout: 6014.0,
                    expected_loss_stop: 1150.0,
                }),
                sensitivity: Vec::new(),
                effects: Vec::new(),
                guardrails: Vec::new(),
                waiting: None,
                target: None,
            },
            value: -4864.0,
            held_back: Vec::new(),
            weeks_to_settle: None,
            harmed: Vec::new(),
        };
        assert!((material(&j) - 1e-3 * (4864.0 + 6014.0 + 1150.0)).abs() < 1e-9);
    }
}
