//! Portfolios of simulated pilots, each analysed once at its end by pilot's
//! real analysis, with every verdict valued at the true money it earns.
//!
//! The question this answers: over many small-business pilots whose true
//! effects follow a known distribution, how much of the attainable profit
//! does a verdict rule earn? A portfolio ([`PortfolioSpec`]) draws, per
//! pilot, the true effects, the base rates and spend, and the `[roi]`
//! parameters; [`run_portfolio`] simulates every customer, writes the
//! experiment file's text and parses it with [`crate::config::parse`],
//! aggregates the customers with the same code `pilot analyze` uses
//! ([`aggregate_metric`]) and runs [`build_report`], so whatever verdict
//! logic the pipeline has is what gets measured. Each [`Rule`] then picks an
//! arm to roll out or none, and the pick is valued at the NPV that pilot's
//! ROI model ([`crate::roi::project`]) gives at the *true* lift (no sampling
//! error); not rolling out is worth 0.
//!
//! Every pilot has three metrics: `purchased` (binary, primary), `revenue`
//! (per customer: a log-normal amount for buyers, 0 for the others; the
//! money metric, the only `[[roi.benefits]]`), and optionally
//! `unsubscribed` (binary guardrail, lower is better). The initiative moves
//! the purchase rate by a relative effect drawn from the portfolio's prior;
//! buyers spend as before, so revenue moves by the same relative effect.
//!
//! The Bayes-optimal rule ([`Rule::BayesOptimal`]) rolls out the arm with the
//! largest `E[NPV | data] > 0` under the true prior, with the exact binomial
//! likelihoods of the control's and the arm's purchases, the base rate
//! integrated out under its true distribution and the spend per buyer
//! known. Purchases are then sufficient for the effect and the NPV is
//! linear in it, so no rule that learns from the pilot's data earns more in
//! expectation: it is the benchmark whose profit the others are shares of.
//! [`Rule::BayesKnownBaseRate`] also knows the true base rate, which no
//! pilot does: an upper benchmark.
//!
//! No I/O: the experiment file is parsed from its text and the customers
//! are aggregated in memory. Seeded: the
//! same spec gives the same figures on every platform and with any number
//! of threads (each pilot has its own generator, [`SimRng`] seeded from the
//! portfolio seed and the pilot's index).

mod prior;

use prior::weighted_mean;
pub use prior::{Component, EFFECT_MAX, EFFECT_MIN, EffectPrior, gauss_legendre};

use std::fmt::Write as _;
use std::path::Path;

use rand::SeedableRng;

use super::{SimRng, normal, uniform};
use crate::analysis::health;
use crate::analysis::metrics::analyze_metric;
use crate::analysis::result::{ArmComparison, MetricResult, Outcome};
use crate::config::{Direction, Experiment, Roi, Role};
use crate::decide::verdict::Verdict;
use crate::error::{Error, Result};
use crate::ingest::aggregate::{CustomerView, GroupStats, aggregate_metric};
use crate::ingest::cross::{MetricValues, linked_pairs};
use crate::ingest::dataset::{DataCounts, Dataset};
use crate::pipeline::{Context, build_report};
use crate::report::model::AnalysisReport;
use crate::roi::{MetricEffect, project};
use crate::stats::Options;

/// When every pilot is analysed (its end). A `[decision]` deadline given in
/// [`PortfolioSpec::decision`] should fall on or before this day.
pub const ANALYSIS_TIME: &str = "2026-06-30T18:00:00Z";
/// Months the rollout is projected over.
pub const HORIZON_MONTHS: u32 = 12;
/// Annual discount rate of every projection.
pub const DISCOUNT_RATE: f64 = 0.08;
/// Months of behaviour the pilot's outcomes cover (its length).
pub const METRIC_WINDOW_MONTHS: f64 = 1.0;
/// Significance level of the "roll out when p < 0.05" rule.
pub const P_THRESHOLD: f64 = 0.05;

const PRIMARY: &str = "purchased";
const MONEY: &str = "revenue";
const GUARDRAIL: &str = "unsubscribed";
/// Mixed into a pilot's seed for the stream of its customers, so that the
/// customers do not reuse the numbers that drew the pilot's truth.
const CUSTOMER_STREAM: u64 = 0x5851_F42D_4C95_7F2D;

/// A guardrail metric (unsubscribes) with its own true effect per arm.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardrailSpec {
    /// Unsubscribe base rate, uniform on `[low, high]`.
    pub base_rate: (f64, f64),
    /// The guardrail's `margin` (relative rise tolerated), also the line
    /// beyond which an arm counts as truly harming it.
    pub margin: f64,
    /// Chance that an arm harms the guardrail.
    pub harmful_share: f64,
    /// Relative rise of a harmful arm, uniform on `[low, high]`.
    pub harmful_effect: (f64, f64),
    /// Standard deviation of the relative change of the other arms (normal
    /// around 0).
    pub benign_sd: f64,
}

/// How a portfolio of pilots is drawn. Ranges `(low, high)` are inclusive;
/// "log-uniform" means uniform on the log scale.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioSpec {
    /// Short name, for tables.
    pub name: String,
    /// What the portfolio stands for, one sentence.
    pub description: String,
    /// Number of pilots.
    pub pilots: usize,
    /// Seed of every draw.
    pub seed: u64,
    /// Treatment arms per pilot (besides the control).
    pub treatment_arms: usize,
    /// True relative effect on the purchase rate (and so on revenue) of
    /// each treatment arm, drawn independently per arm.
    pub effect: EffectPrior,
    /// Purchase base rate, uniform.
    pub base_rate: (f64, f64),
    /// Customers per arm (every arm the same), log-uniform, rounded.
    pub customers_per_arm: (u64, u64),
    /// Mean spend per buyer over the pilot, log-uniform.
    pub spend_per_buyer: (f64, f64),
    /// Sigma of log(spend) among buyers, uniform.
    pub spend_sigma: (f64, f64),
    /// `[roi] customers`: reached at rollout, log-uniform, rounded.
    pub reached: (f64, f64),
    /// Relative lift at which the rollout breaks even, uniform: the costs
    /// are set from it, so that near-break-even initiatives are common.
    pub break_even: (f64, f64),
    /// `[[roi.benefits]] margin` of revenue, uniform, to two decimals.
    pub margin: (f64, f64),
    /// The unsubscribe guardrail, if the pilots have one.
    pub guardrail: Option<GuardrailSpec>,
    /// True relative change in what a buyer spends, drawn per arm
    /// independently of the purchase effect; `None`: buyers spend as
    /// before, so revenue moves exactly with purchases.
    pub spend_effect: Option<EffectPrior>,
    /// Lines of a `[decision]` section (for example `deadline = 2026-06-30`);
    /// empty: no section, pilot's defaults.
    pub decision: String,
}

impl PortfolioSpec {
    /// The settings shared by the standard portfolios: base rates 8-35%,
    /// 100-4,000 customers per arm, spend per buyer 20-200 (sigma 0.8-1.2),
    /// 500-20,000 customers reached, margin 30-70%, an unsubscribe guardrail
    /// (base 1-4%, margin 25%, 15% of arms raise it by 30-100%, the others
    /// change it by normal(0, 5%)), one treatment arm.
    fn standard(
        name: &str,
        description: &str,
        pilots: usize,
        seed: u64,
        effect: EffectPrior,
    ) -> Self {
        Self {
            name: name.to_string(),
            description: description.to_string(),
            pilots,
            seed,
            treatment_arms: 1,
            effect,
            base_rate: (0.08, 0.35),
            customers_per_arm: (100, 4000),
            spend_per_buyer: (20.0, 200.0),
            spend_sigma: (0.8, 1.2),
            reached: (500.0, 20_000.0),
            break_even: (0.01, 0.12),
            margin: (0.3, 0.7),
            guardrail: Some(GuardrailSpec {
                base_rate: (0.01, 0.04),
                margin: 0.25,
                harmful_share: 0.15,
                harmful_effect: (0.3, 1.0),
                benign_sd: 0.05,
            }),
            spend_effect: None,
            decision: String::new(),
        }
    }

    /// Effects normal(0, 8%): most near zero, as many harmful as helpful.
    pub fn normal(pilots: usize, seed: u64) -> Result<Self> {
        Ok(Self::standard(
            "normal",
            "effects mostly near zero, as many harmful as helpful",
            pilots,
            seed,
            EffectPrior::normal(0.0, 0.08)?,
        ))
    }

    /// Effects 4% x Student-t(3 df): mostly tiny, a few very large either way.
    pub fn heavy_tailed(pilots: usize, seed: u64) -> Result<Self> {
        Ok(Self::standard(
            "heavy-tailed",
            "mostly tiny effects, a few very large ones either way",
            pilots,
            seed,
            EffectPrior::student_t(3, 0.04)?,
        ))
    }

    /// Spike and slab: 60% do exactly nothing, 25% help (normal(+10%, 5%)),
    /// 15% harm (normal(-10%, 5%)).
    pub fn mostly_zero(pilots: usize, seed: u64) -> Result<Self> {
        Ok(Self::standard(
            "mostly zero",
            "most initiatives do nothing at all, some help, some harm",
            pilots,
            seed,
            EffectPrior::new(vec![
                (0.60, Component::PointMass { at: 0.0 }),
                (
                    0.25,
                    Component::Normal {
                        mean: 0.10,
                        sd: 0.05,
                    },
                ),
                (
                    0.15,
                    Component::Normal {
                        mean: -0.10,
                        sd: 0.05,
                    },
                ),
            ])?,
        ))
    }

    /// Weak data: rare purchases (base rates 1-5%) and small effects
    /// (normal(+1%, 4%)), with break-even lifts of 0-6%.
    pub fn weak_data(pilots: usize, seed: u64) -> Result<Self> {
        Ok(Self {
            base_rate: (0.01, 0.05),
            break_even: (0.0, 0.06),
            ..Self::standard(
                "weak data",
                "rare purchases and small effects: the pilots cannot measure them",
                pilots,
                seed,
                EffectPrior::normal(0.01, 0.04)?,
            )
        })
    }

    /// [`PortfolioSpec::normal`] where the initiative also changes what a
    /// buyer spends, by normal(0, 8%) independently of the purchase effect:
    /// revenue no longer follows purchases, the case the joint model's
    /// correlation below 1 is for.
    pub fn spend_moves_too(pilots: usize, seed: u64) -> Result<Self> {
        Ok(Self {
            name: "normal, spend moves too".to_string(),
            description: "as *normal*, and the initiative also changes what a buyer spends, \
                          independently of the purchases"
                .to_string(),
            spend_effect: Some(EffectPrior::normal(0.0, 0.08)?),
            ..Self::normal(pilots, seed)?
        })
    }

    /// [`PortfolioSpec::normal`] with two treatment arms per pilot.
    pub fn two_arms(pilots: usize, seed: u64) -> Result<Self> {
        Ok(Self {
            name: "normal, two arms".to_string(),
            description: "as *normal*, with two treatment arms per pilot".to_string(),
            treatment_arms: 2,
            ..Self::normal(pilots, seed)?
        })
    }

    /// Checks that every draw stays meaningful: ranges ordered and
    /// positive, rates at most `1 / (1 + EFFECT_MAX)` so that no effect
    /// pushes a rate past 1, at least one treatment arm and two customers
    /// per arm.
    pub fn validate(&self) -> Result<()> {
        let max_rate = 1.0 / (1.0 + EFFECT_MAX);
        let range = |(lo, hi): (f64, f64), min: f64, max: f64| {
            lo.is_finite() && hi.is_finite() && min <= lo && lo <= hi && hi <= max
        };
        let mut problems = Vec::new();
        if self.treatment_arms == 0 {
            problems.push("at least one treatment arm is needed".to_string());
        }
        let (n_lo, n_hi) = self.customers_per_arm;
        if n_lo < 2 || n_lo > n_hi {
            problems.push(format!(
                "customers_per_arm {n_lo}..{n_hi}: need 2 <= low <= high"
            ));
        }
        let checks = [
            ("base_rate", self.base_rate, f64::MIN_POSITIVE, max_rate),
            (
                "spend_per_buyer",
                self.spend_per_buyer,
                f64::MIN_POSITIVE,
                1e9,
            ),
            ("spend_sigma", self.spend_sigma, 0.0, 5.0),
            ("reached", self.reached, 1.0, 1e9),
            ("break_even", self.break_even, 0.0, EFFECT_MAX),
            ("margin", self.margin, 0.0, 1.0),
        ];
        for (name, r, min, max) in checks {
            if !range(r, min, max) {
                problems.push(format!(
                    "{name} {r:?}: must be ordered and within {min}..={max}"
                ));
            }
        }
        if let Some(g) = &self.guardrail {
            let ok = range(g.base_rate, f64::MIN_POSITIVE, max_rate)
                && range(g.harmful_effect, 0.0, EFFECT_MAX)
                && (0.0..=1.0).contains(&g.harmful_share)
                && g.margin.is_finite()
                && g.margin >= 0.0
                && g.benign_sd.is_finite()
                && g.benign_sd >= 0.0;
            if !ok {
                problems.push(format!(
                    "guardrail {g:?}: rates, shares or spreads out of range"
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::input(format!(
                "portfolio `{}`: {}",
                self.name,
                problems.join("; ")
            )))
        }
    }

    /// The portfolio's distributions in one paragraph of Markdown.
    pub fn describe(&self) -> String {
        let pct = |x: f64| format!("{}%", crate::format::fmt_sig(100.0 * x, 2));
        let n = |x: f64| crate::format::number(x, 0);
        let mut s = format!(
            "**{}** ({}): {} pilots, seed {}, {} treatment arm{} per pilot. True relative \
             effect on purchases{}: {}. Purchase base rate uniform {}-{}; customers \
             per arm log-uniform {}-{}; spend per buyer log-normal with mean log-uniform {}-{} \
             and sigma uniform {}-{}; customers reached log-uniform {}-{}; margin uniform \
             {}-{}; break-even lift uniform {}-{}.",
            self.name,
            self.description,
            self.pilots,
            self.seed,
            self.treatment_arms,
            if self.treatment_arms == 1 { "" } else { "s" },
            if self.spend_effect.is_some() {
                ""
            } else {
                " and revenue"
            },
            self.effect.describe(),
            pct(self.base_rate.0),
            pct(self.base_rate.1),
            self.customers_per_arm.0,
            n(self.customers_per_arm.1 as f64),
            self.spend_per_buyer.0,
            self.spend_per_buyer.1,
            self.spend_sigma.0,
            self.spend_sigma.1,
            n(self.reached.0),
            n(self.reached.1),
            pct(self.margin.0),
            pct(self.margin.1),
            pct(self.break_even.0),
            pct(self.break_even.1),
        );
        if let Some(e) = &self.spend_effect {
            let _ = write!(
                s,
                " True relative change in spend per buyer, independent of the purchase \
                 effect: {}.",
                e.describe()
            );
        }
        if let Some(g) = &self.guardrail {
            let _ = write!(
                s,
                " Guardrail (unsubscribes, margin {}): base rate uniform {}-{}; {} of arms \
                 raise it by {}-{}, the others change it by normal(0, {}).",
                pct(g.margin),
                pct(g.base_rate.0),
                pct(g.base_rate.1),
                pct(g.harmful_share),
                pct(g.harmful_effect.0),
                pct(g.harmful_effect.1),
                pct(g.benign_sd),
            );
        }
        if !self.decision.is_empty() {
            let _ = write!(
                s,
                " `[decision]`: `{}`.",
                self.decision.trim().replace('\n', "; ")
            );
        }
        s
    }
}

/// The day every pilot is analysed and its deadline: each pilot is judged
/// once, at its end, where pilot's verdict must be roll out or stop.
pub const AT_THE_DEADLINE: &str = "deadline = 2026-06-30";

/// The standard portfolios, `pilots` pilots each, seeds 1 to 6: normal,
/// heavy-tailed, mostly zero, weak data and normal with two treatment arms,
/// judged in money alone (no guardrail, so that the Bayes-optimal rule and
/// pilot face the same question), and normal with an unsubscribe guardrail
/// (where pilot may not roll out an arm whose guardrail is not shown safe,
/// which the Bayes-optimal rule in money ignores). Every pilot is analysed
/// at its deadline.
pub fn standard_portfolios(pilots: usize) -> Result<Vec<PortfolioSpec>> {
    let money_only = |spec: PortfolioSpec| PortfolioSpec {
        guardrail: None,
        decision: AT_THE_DEADLINE.to_string(),
        ..spec
    };
    let mut guarded = PortfolioSpec::normal(pilots, 6)?;
    guarded.name = "normal, guardrail".to_string();
    guarded.description =
        "as *normal*, with an unsubscribe guardrail that 15% of arms harm".to_string();
    guarded.decision = AT_THE_DEADLINE.to_string();
    Ok(vec![
        money_only(PortfolioSpec::normal(pilots, 1)?),
        money_only(PortfolioSpec::heavy_tailed(pilots, 2)?),
        money_only(PortfolioSpec::mostly_zero(pilots, 3)?),
        money_only(PortfolioSpec::weak_data(pilots, 4)?),
        money_only(PortfolioSpec::two_arms(pilots, 5)?),
        guarded,
    ])
}

/// The guardrail's truth in one pilot.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardrailTruth {
    /// Unsubscribe rate of the control.
    pub base_rate: f64,
    /// The margin written into the experiment file.
    pub margin: f64,
    /// Relative change of the unsubscribe rate, per treatment arm.
    pub effects: Vec<f64>,
}

/// One pilot: its truth, its experiment file and what its rollout is worth.
#[derive(Debug, Clone, PartialEq)]
pub struct Pilot {
    /// Position in the portfolio.
    pub index: usize,
    /// Seed of this pilot's generator.
    pub seed: u64,
    /// Customers in every arm.
    pub customers_per_arm: u64,
    /// Purchase rate of the control.
    pub base_rate: f64,
    /// Mean spend per buyer.
    pub spend_per_buyer: f64,
    /// Sigma of log(spend) among buyers.
    pub spend_sigma: f64,
    /// True relative effect on purchases, per treatment arm.
    pub effects: Vec<f64>,
    /// True relative change in spend per buyer, per treatment arm (0 when
    /// the portfolio has no spend effect).
    pub spend_effects: Vec<f64>,
    /// The guardrail's truth, if the pilot has one.
    pub guardrail: Option<GuardrailTruth>,
    /// `[roi]` as parsed from the experiment file.
    pub roi: Roi,
    /// `[roi] customers`.
    pub reached: f64,
    /// True NPV of rolling out each treatment arm.
    pub true_npv: Vec<f64>,
    /// The experiment file's text.
    pub experiment_toml: String,
}

impl Pilot {
    /// Whether treatment arm `arm` (0-based among the treatments) truly
    /// raises the guardrail beyond its margin.
    pub fn guardrail_harmed(&self, arm: usize) -> bool {
        self.guardrail
            .as_ref()
            .and_then(|g| g.effects.get(arm).map(|e| *e > g.margin))
            .unwrap_or(false)
    }

    /// True absolute lift of revenue per customer of treatment arm `arm`.
    fn true_revenue_lift(&self, arm: usize) -> f64 {
        let spend = self.spend_effects.get(arm).copied().unwrap_or(0.0);
        self.base_rate * self.spend_per_buyer * ((1.0 + self.effects[arm]) * (1.0 + spend) - 1.0)
    }
}

/// The rules every portfolio scores, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Whatever [`build_report`] decides: rollout counts, every other
    /// verdict (continue, stop, investigate) does not.
    Pilot,
    /// A copy of the verdict rule pilot had when this harness was written
    /// ([`todays_rule`]), kept so the report compares against it after the
    /// pipeline's rule changes.
    Today,
    /// Roll out when the primary metric's fixed-horizon test gives
    /// p < 0.05 with the effect in the good direction (the arm with the
    /// largest such effect).
    PValue,
    /// Roll out the arm with the largest `E[NPV | data]` under the true
    /// prior, when it is positive: the exact likelihood of the control's
    /// and the arm's purchases, the base rate integrated out under its true
    /// (uniform) distribution.
    BayesOptimal,
    /// The same knowing the pilot's true base rate (the purchase rate
    /// without the initiative): more than any rule can learn from the
    /// pilot, which must estimate it from the control group.
    BayesKnownBaseRate,
    /// The same from the revenue estimate and its standard error alone
    /// (normal likelihood, relative to the measured control mean) under
    /// the true prior: what a perfect choice of prior would earn from the
    /// money metric alone, as pilot decided before its joint model.
    BayesOnEstimate,
    /// Roll out the arm with the largest true NPV, when it is positive: an
    /// upper bound no rule reaches.
    PerfectInformation,
    /// Always roll out the arm with the best primary estimate.
    Always,
    /// Never roll out.
    Never,
}

impl Rule {
    /// Every rule, in table order.
    pub const ALL: [Rule; 9] = [
        Rule::Pilot,
        Rule::Today,
        Rule::PValue,
        Rule::BayesOptimal,
        Rule::BayesKnownBaseRate,
        Rule::BayesOnEstimate,
        Rule::PerfectInformation,
        Rule::Always,
        Rule::Never,
    ];

    /// Label in tables.
    pub fn label(self) -> &'static str {
        match self {
            Rule::Pilot => "pilot's verdict",
            Rule::Today => "today's rule (copy)",
            Rule::PValue => "p < 0.05",
            Rule::BayesOptimal => "Bayes-optimal",
            Rule::BayesKnownBaseRate => "Bayes-optimal, base rate known",
            Rule::BayesOnEstimate => "Bayes-optimal on the revenue estimate",
            Rule::PerfectInformation => "perfect information",
            Rule::Always => "always roll out",
            Rule::Never => "never roll out",
        }
    }

    /// Position in [`PortfolioResult::rules`] and [`PilotResult::actions`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a candidate rule sees of one pilot: the experiment, the aggregated
/// data and pilot's report; never the truth.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// The parsed experiment file.
    pub experiment: &'a Experiment,
    /// The aggregated data.
    pub data: &'a Dataset,
    /// pilot's report on it.
    pub report: &'a AnalysisReport,
}

/// A candidate verdict rule: the treatment arm to roll out (0-based among
/// the treatments), or `None`.
pub type RuleFn = dyn Fn(&Evidence<'_>) -> Option<usize> + Sync;

/// One pilot's outcome under every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct PilotResult {
    /// The pilot.
    pub pilot: Pilot,
    /// pilot's verdict.
    pub verdict: Verdict,
    /// Per rule (as in [`PortfolioResult::rules`]): the treatment arm
    /// rolled out, or `None`.
    pub actions: Vec<Option<usize>>,
    /// `E[NPV | data]` under the true prior, per treatment arm.
    pub expected_npv: Vec<f64>,
}

impl PilotResult {
    /// True money earned by rule `index`: the rolled-out arm's true NPV, or 0.
    pub fn profit(&self, index: usize) -> f64 {
        self.actions
            .get(index)
            .copied()
            .flatten()
            .map_or(0.0, |arm| self.pilot.true_npv[arm])
    }
}

/// One rule's score over a portfolio.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleScore {
    /// Rule label.
    pub rule: String,
    /// Total true profit (sum of the true NPVs of its rollouts).
    pub profit: f64,
    /// Pilots rolled out.
    pub rollouts: usize,
    /// Rollouts whose true NPV is negative.
    pub harmful_rollouts: usize,
    /// Rollouts of an arm that truly harms the guardrail beyond its margin.
    pub guardrail_harmed_rollouts: usize,
}

/// Every pilot of a portfolio and every rule's score.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioResult {
    /// The spec it was drawn from.
    pub spec: PortfolioSpec,
    /// Rule labels: [`Rule::ALL`] in order, then the candidate rules.
    pub rules: Vec<String>,
    /// Per pilot.
    pub pilots: Vec<PilotResult>,
    /// Per rule, in the order of `rules`.
    pub scores: Vec<RuleScore>,
}

impl PortfolioResult {
    /// A rule's profit as a share of the Bayes-optimal profit; `None` when
    /// that is not positive.
    pub fn share_of_bayes(&self, index: usize) -> Option<f64> {
        let bayes = self.scores[Rule::BayesOptimal.index()].profit;
        (bayes > 0.0).then(|| self.scores[index].profit / bayes)
    }

    /// Standard error of [`PortfolioResult::share_of_bayes`] over the
    /// pilots (delta method for a ratio of sums: `sqrt(sum (a_i - R b_i)^2)
    /// / |sum b_i|`), because a few large pilots carry much of the profit.
    pub fn share_standard_error(&self, index: usize) -> Option<f64> {
        let share = self.share_of_bayes(index)?;
        let bayes = Rule::BayesOptimal.index();
        let residuals: f64 = self
            .pilots
            .iter()
            .map(|p| (p.profit(index) - share * p.profit(bayes)).powi(2))
            .sum();
        Some(residuals.sqrt() / self.scores[bayes].profit)
    }

    /// Pilots where pilot's verdict and [`todays_rule`] differ.
    pub fn verdict_changes(&self) -> usize {
        self.pilots
            .iter()
            .filter(|p| p.actions[Rule::Pilot.index()] != p.actions[Rule::Today.index()])
            .count()
    }
}

/// Draws, analyses and scores every pilot of `spec` under [`Rule::ALL`].
pub fn run_portfolio(spec: &PortfolioSpec) -> Result<PortfolioResult> {
    run_portfolio_with(spec, &[])
}

/// [`run_portfolio`] with candidate rules scored on the same pilots, after
/// the standard ones (name, rule).
pub fn run_portfolio_with(
    spec: &PortfolioSpec,
    candidates: &[(&str, &RuleFn)],
) -> Result<PortfolioResult> {
    spec.validate()?;
    let indices: Vec<usize> = (0..spec.pilots).collect();
    let pilots = crate::parallel::map_in_two(&indices, |&i| run_pilot(spec, i, candidates))
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let rules: Vec<String> = Rule::ALL
        .iter()
        .map(|r| r.label().to_string())
        .chain(candidates.iter().map(|(name, _)| name.to_string()))
        .collect();
    let scores = rules
        .iter()
        .enumerate()
        .map(|(r, label)| {
            let rolled: Vec<(&PilotResult, usize)> = pilots
                .iter()
                .filter_map(|p| p.actions[r].map(|arm| (p, arm)))
                .collect();
            RuleScore {
                rule: label.clone(),
                profit: pilots.iter().map(|p| p.profit(r)).sum(),
                rollouts: rolled.len(),
                harmful_rollouts: rolled
                    .iter()
                    .filter(|(p, arm)| p.pilot.true_npv[*arm] < 0.0)
                    .count(),
                guardrail_harmed_rollouts: rolled
                    .iter()
                    .filter(|(p, arm)| p.pilot.guardrail_harmed(*arm))
                    .count(),
            }
        })
        .collect();
    Ok(PortfolioResult {
        spec: spec.clone(),
        rules,
        pilots,
        scores,
    })
}

/// Seed of pilot `index` (SplitMix64 of the portfolio seed and the index),
/// so pilots are independent of each other and of the thread they run on.
fn pilot_seed(seed: u64, index: usize) -> u64 {
    let mut z = seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn uniform_in(rng: &mut SimRng, (lo, hi): (f64, f64)) -> f64 {
    lo + (hi - lo) * uniform(rng)
}

fn log_uniform_in(rng: &mut SimRng, (lo, hi): (f64, f64)) -> f64 {
    (lo.ln() + (hi.ln() - lo.ln()) * uniform(rng)).exp()
}

/// Money amounts as an owner would type them: cents.
fn cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// NPV of rolling out with the true (known) revenue lift `lift`, by pilot's
/// ROI model; a single draw, since with no standard error nothing is drawn.
fn npv_at(roi: &Roi, reached: f64, lift: f64) -> Result<f64> {
    let roi = Roi {
        draws: 1,
        ..roi.clone()
    };
    let effect = MetricEffect {
        metric: MONEY.to_string(),
        direction: Direction::Increase,
        lift,
        se: 0.0,
        control_mean: None,
    };
    project(&roi, reached, &[effect]).map(|r| r.npv_estimate)
}

/// The costs of a rollout that breaks even at relative lift `break_even`,
/// split into one-time, monthly and per-customer parts by random shares:
/// `(one_time_cost, monthly_cost, cost_per_customer_month)`.
fn costs(
    rng: &mut SimRng,
    reached: f64,
    margin: f64,
    revenue_per_customer: f64,
    break_even: f64,
) -> Result<(f64, f64, f64)> {
    let free = Roi {
        customers: Some(reached),
        horizon_months: HORIZON_MONTHS,
        discount_rate: DISCOUNT_RATE,
        one_time_cost: 0.0,
        monthly_cost: 0.0,
        cost_per_customer_month: 0.0,
        metric_window_months: METRIC_WINDOW_MONTHS,
        effect_half_life_months: 0.0,
        draws: 1,
        seed: 0,
        currency: "$".to_string(),
        benefits: vec![crate::config::Benefit {
            metric: MONEY.to_string(),
            unit_value: 1.0,
            margin,
        }],
    };
    // NPV per unit of absolute revenue lift, and PV of 1 a month.
    let per_lift = npv_at(&free, reached, 1.0)?;
    let per_month = -npv_at(
        &Roi {
            monthly_cost: 1.0,
            ..free
        },
        reached,
        0.0,
    )?;
    let pv_costs = break_even * revenue_per_customer * per_lift;
    let shares = [uniform(rng), uniform(rng), uniform(rng)];
    let total: f64 = shares.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let [a, b, c] = shares.map(|s| s / total * pv_costs);
    Ok((
        cents(a),
        cents(b / per_month),
        // Per customer and month: rounded to a tenth of a cent, as small
        // per-customer costs are quoted.
        (c / per_month / reached * 1000.0).round() / 1000.0,
    ))
}

/// The experiment file of one pilot.
fn experiment_toml(
    spec: &PortfolioSpec,
    index: usize,
    guardrail_margin: Option<f64>,
    reached: f64,
    margin: f64,
    (one_time, monthly, per_customer): (f64, f64, f64),
) -> String {
    let mut s = format!(
        "# Pilot {index} of the `{}` portfolio (pilot::simulate::portfolio).\n\n\
         [experiment]\nname = \"pilot-{index}\"\n\n\
         [[arms]]\nname = \"control\"\nweight = 1\n\n",
        spec.name
    );
    for t in 1..=spec.treatment_arms {
        let _ = write!(s, "[[arms]]\nname = \"treatment-{t}\"\nweight = 1\n\n");
    }
    let _ = write!(
        s,
        "[population]\nfile = \"customers.csv\"\nid_column = \"customer_id\"\n\n\
         [assignment]\nfile = \"ledger.csv\"\n\n\
         [outcomes]\nfile = \"outcomes.csv\"\nid_column = \"customer_id\"\n\n\
         [[metrics]]\nname = \"{PRIMARY}\"\nkind = \"binary\"\nrole = \"primary\"\n\
         direction = \"increase\"\naggregate = \"max\"\n\n\
         [[metrics]]\nname = \"{MONEY}\"\nkind = \"mean\"\nrole = \"secondary\"\n\
         direction = \"increase\"\naggregate = \"sum\"\n\n"
    );
    if let Some(m) = guardrail_margin {
        let _ = write!(
            s,
            "[[metrics]]\nname = \"{GUARDRAIL}\"\nkind = \"binary\"\nrole = \"guardrail\"\n\
             direction = \"decrease\"\naggregate = \"max\"\nmargin = {m}\n\n"
        );
    }
    if !spec.decision.trim().is_empty() {
        let _ = write!(s, "[decision]\n{}\n\n", spec.decision.trim());
    }
    let _ = write!(
        s,
        "[roi]\ncustomers = {reached}\nhorizon_months = {HORIZON_MONTHS}\n\
         discount_rate = {DISCOUNT_RATE}\none_time_cost = {one_time}\nmonthly_cost = {monthly}\n\
         cost_per_customer_month = {per_customer}\nmetric_window_months = {METRIC_WINDOW_MONTHS}\n\n\
         [[roi.benefits]]\nmetric = \"{MONEY}\"\nunit_value = 1\nmargin = {margin}\n"
    );
    s
}

/// Draws pilot `index` of `spec` and parses its experiment file.
pub fn draw_pilot(spec: &PortfolioSpec, index: usize) -> Result<(Pilot, Experiment)> {
    let seed = pilot_seed(spec.seed, index);
    let mut rng = SimRng::seed_from_u64(seed);
    let (n_lo, n_hi) = spec.customers_per_arm;
    let customers_per_arm =
        (log_uniform_in(&mut rng, (n_lo as f64, n_hi as f64)).round() as u64).clamp(n_lo, n_hi);
    let base_rate = uniform_in(&mut rng, spec.base_rate);
    let spend_per_buyer = log_uniform_in(&mut rng, spec.spend_per_buyer);
    let spend_sigma = uniform_in(&mut rng, spec.spend_sigma);
    let effects: Vec<f64> = (0..spec.treatment_arms)
        .map(|_| spec.effect.draw(&mut rng))
        .collect();
    let guardrail = spec.guardrail.as_ref().map(|g| GuardrailTruth {
        base_rate: uniform_in(&mut rng, g.base_rate),
        margin: g.margin,
        effects: (0..spec.treatment_arms)
            .map(|_| {
                if uniform(&mut rng) < g.harmful_share {
                    uniform_in(&mut rng, g.harmful_effect)
                } else {
                    (g.benign_sd * normal(&mut rng)).clamp(EFFECT_MIN, EFFECT_MAX)
                }
            })
            .collect(),
    });
    let reached = log_uniform_in(&mut rng, spec.reached).round().max(1.0);
    let margin = (uniform_in(&mut rng, spec.margin) * 100.0).round() / 100.0;
    let break_even = uniform_in(&mut rng, spec.break_even);
    let costs = costs(
        &mut rng,
        reached,
        margin,
        base_rate * spend_per_buyer,
        break_even,
    )?;
    // Drawn last, so that the other portfolios' pilots stay as they were.
    let spend_effects: Vec<f64> = (0..spec.treatment_arms)
        .map(|_| spec.spend_effect.as_ref().map_or(0.0, |e| e.draw(&mut rng)))
        .collect();
    let experiment_toml = experiment_toml(
        spec,
        index,
        guardrail.as_ref().map(|g| g.margin),
        reached,
        margin,
        costs,
    );
    let path = format!("portfolio/pilot-{index}.toml");
    let experiment = crate::config::parse(Path::new(&path), &experiment_toml)?;
    let roi = experiment
        .roi
        .clone()
        .ok_or_else(|| Error::input("the generated experiment has no [roi] section"))?;
    let mut pilot = Pilot {
        index,
        seed,
        customers_per_arm,
        base_rate,
        spend_per_buyer,
        spend_sigma,
        effects,
        spend_effects,
        guardrail,
        roi,
        reached,
        true_npv: Vec::new(),
        experiment_toml,
    };
    pilot.true_npv = (0..spec.treatment_arms)
        .map(|arm| npv_at(&pilot.roi, reached, pilot.true_revenue_lift(arm)))
        .collect::<Result<_>>()?;
    Ok((pilot, experiment))
}

/// Simulates every customer of `pilot` and aggregates them as `pilot
/// analyze` does an outcome export with one row per customer.
pub fn simulate_pilot(pilot: &Pilot, experiment: &Experiment) -> Dataset {
    let arms = experiment.arms.len();
    let n = pilot.customers_per_arm;
    let mut rng = SimRng::seed_from_u64(pilot.seed ^ CUSTOMER_STREAM);
    let mu = pilot.spend_per_buyer.ln() - pilot.spend_sigma.powi(2) / 2.0;
    let total = n as usize * arms;
    let mut arm_of = Vec::with_capacity(total);
    let mut purchased = Vec::with_capacity(total);
    let mut revenue = Vec::with_capacity(total);
    let mut unsubscribed = Vec::with_capacity(total);
    for arm in 0..arms {
        let effect = arm.checked_sub(1).map_or(0.0, |t| pilot.effects[t]);
        let rate = pilot.base_rate * (1.0 + effect);
        let spend_change = 1.0
            + arm
                .checked_sub(1)
                .and_then(|t| pilot.spend_effects.get(t))
                .copied()
                .unwrap_or(0.0);
        let unsubscribe = pilot.guardrail.as_ref().map_or(0.0, |g| {
            g.base_rate * (1.0 + arm.checked_sub(1).map_or(0.0, |t| g.effects[t]))
        });
        for _ in 0..n {
            let buys = uniform(&mut rng) < rate;
            let amount = (mu + pilot.spend_sigma * normal(&mut rng)).exp() * spend_change;
            let leaves = uniform(&mut rng) < unsubscribe;
            arm_of.push(arm as u16);
            purchased.push(Some(f64::from(u8::from(buys))));
            revenue.push(Some(if buys { amount } else { 0.0 }));
            unsubscribed.push(Some(f64::from(u8::from(leaves))));
        }
    }
    let view = CustomerView {
        arms: &arm_of,
        segments: &[],
    };
    let inputs: Vec<MetricValues<'_>> = experiment
        .metrics
        .iter()
        .map(|m| MetricValues {
            values: match m.name.as_str() {
                PRIMARY => &purchased,
                MONEY => &revenue,
                _ => &unsubscribed,
            },
            covariate: None,
        })
        .collect();
    let metrics: Vec<_> = experiment
        .metrics
        .iter()
        .zip(&inputs)
        .map(|(m, input)| aggregate_metric(m, input.values, None, None, &view, arms))
        .collect();
    let cross = linked_pairs(experiment, &inputs, &metrics, &arm_of);
    let mut customers_per_arm = vec![0u64; arms];
    for &a in &arm_of {
        customers_per_arm[usize::from(a)] += 1;
    }
    Dataset {
        customers_per_arm,
        metrics,
        counts: DataCounts {
            source: "rows".to_string(),
            ledger_customers: total as u64,
            outcome_rows: total as u64,
            customers_with_outcomes: total as u64,
            ..DataCounts::default()
        },
        enrollment: None,
        covariates: Vec::new(),
        cross,
        fingerprint: format!("portfolio pilot seed {}", pilot.seed),
    }
}

fn run_pilot(
    spec: &PortfolioSpec,
    index: usize,
    candidates: &[(&str, &RuleFn)],
) -> Result<PilotResult> {
    let (pilot, experiment) = draw_pilot(spec, index)?;
    let data = simulate_pilot(&pilot, &experiment);
    let report = build_report(&experiment, &data, &analysis_context());
    let evidence = Evidence {
        experiment: &experiment,
        data: &data,
        report: &report,
    };
    let expected_npv = expected_npv(spec, &pilot, &experiment, &data)?;
    let known_base_rate = expected_npv_known_base_rate(spec, &pilot, &experiment, &data)?;
    let best = |values: &[f64]| {
        values
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .filter(|(_, v)| **v > 0.0)
            .map(|(arm, _)| arm)
    };
    let mut actions: Vec<Option<usize>> = Rule::ALL
        .iter()
        .map(|rule| match rule {
            Rule::Pilot => pilot_verdict(&evidence),
            Rule::Today => todays_rule(&evidence),
            Rule::PValue => p_value_rule(&evidence),
            Rule::BayesOptimal => best(&expected_npv),
            Rule::BayesKnownBaseRate => best(&known_base_rate),
            Rule::BayesOnEstimate => best(&expected_npv_on_estimate(spec, &pilot, &report)),
            Rule::PerfectInformation => best(&pilot.true_npv),
            Rule::Always => Some(best_estimate(&evidence)),
            Rule::Never => None,
        })
        .collect();
    actions.extend(
        candidates
            .iter()
            .map(|(_, rule)| rule(&evidence).filter(|&arm| arm < spec.treatment_arms)),
    );
    Ok(PilotResult {
        verdict: report.decision.verdict,
        pilot,
        actions,
        expected_npv,
    })
}

/// The treatment arm (0-based) an arm name denotes.
fn treatment_index(exp: &Experiment, name: &str) -> Option<usize> {
    exp.arms.iter().skip(1).position(|a| a.name == name)
}

fn primary_index(exp: &Experiment) -> Option<usize> {
    exp.metrics.iter().position(|m| m.role == Role::Primary)
}

/// pilot's verdict as an action: the arm of a `rollout`, else none.
pub fn pilot_verdict(evidence: &Evidence<'_>) -> Option<usize> {
    let decision = &evidence.report.decision;
    if decision.verdict != Verdict::Rollout {
        return None;
    }
    treatment_index(evidence.experiment, decision.arm.as_deref()?)
}

/// pilot's verdict (as [`pilot_verdict`]) with the experiment's settings
/// changed by `adjust` first, for candidate rules that are pilot with other
/// settings (for example `prior_correlation = 0`).
pub fn pilot_verdict_with(
    evidence: &Evidence<'_>,
    adjust: impl Fn(&mut Experiment),
) -> Option<usize> {
    let mut experiment = evidence.experiment.clone();
    adjust(&mut experiment);
    let report = build_report(&experiment, evidence.data, &analysis_context());
    pilot_verdict(&Evidence {
        experiment: &experiment,
        data: evidence.data,
        report: &report,
    })
}

/// The analysis every portfolio pilot gets: once, at its deadline.
fn analysis_context() -> Context {
    Context {
        now: ANALYSIS_TIME.to_string(),
        eligible_customers: None,
        earlier_looks: Vec::new(),
        planned_customers_per_arm: None,
    }
}

/// The verdict rule of `src/decision.rs` as of this harness, reduced to
/// whether and which arm it rolls out, recomputed from the report: no
/// blocking health finding, and for the arm: the primary metric
/// significantly better by the reported (default: always-valid sequential)
/// test, no guardrail harmed beyond its margin, `P(NPV > 0)` at least
/// `[decision] min_probability_positive_npv` (0.8), and at least
/// `min_customers_per_arm` (100) customers in the arm and the control.
/// Among qualifying arms the one with the largest `10 P(NPV > 0) + chance
/// to beat control`.
pub fn todays_rule(evidence: &Evidence<'_>) -> Option<usize> {
    let Evidence {
        experiment: exp,
        data,
        report,
    } = *evidence;
    let blocking = health::check(
        exp,
        &data.customers_per_arm,
        &data.counts,
        &data.covariates,
        &report.metrics,
    )
    .blocking;
    if !blocking.is_empty() {
        return None;
    }
    let primary = &report.metrics[primary_index(exp)?];
    let guardrails: Vec<&MetricResult> = report
        .metrics
        .iter()
        .filter(|m| m.role == Role::Guardrail)
        .collect();
    let control = *data.customers_per_arm.first()?;
    (0..exp.arms.len().saturating_sub(1))
        .filter_map(|t| {
            let c = primary.comparisons.get(t)?;
            let harmed = guardrails.iter().any(|g| {
                g.comparisons
                    .get(t)
                    .is_some_and(|gc| guardrail_harmed(g, gc))
            });
            if harmed || c.outcome != Outcome::Better {
                return None;
            }
            let roi = report
                .roi_by_arm
                .get(t)
                .and_then(|r| r.roi.as_ref())
                .map(|r| r.probability_positive);
            // Below the threshold the old rule kept piloting (or stopped,
            // below 1 - threshold); without a projection it asked nothing.
            // The old rule's default threshold was 0.8.
            let needed = exp.decision.min_probability_positive_npv.unwrap_or(0.8);
            if roi.is_some_and(|p| p < needed || p < 1.0 - needed) {
                return None;
            }
            let fewest = data.customers_per_arm.get(t + 1)?.min(&control);
            if *fewest < exp.decision.min_customers_per_arm {
                return None;
            }
            let rank = roi.unwrap_or(0.0) * 10.0 + c.chance_to_beat_control.unwrap_or(0.0);
            Some((t, rank))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(t, _)| t)
}

/// The old rule's guardrail test: the whole interval on the bad side of the
/// margin (relative interval when there is one, else the absolute interval
/// against the margin times the control value).
fn guardrail_harmed(metric: &MetricResult, c: &ArmComparison) -> bool {
    let margin = metric.margin.unwrap_or(0.0);
    let (interval, allowed) = match (c.relative, c.absolute) {
        (Some(rel), _) => (rel, margin),
        (None, Some(abs)) => {
            let base = metric
                .arms
                .first()
                .and_then(|a| a.mean)
                .unwrap_or(0.0)
                .abs();
            (abs, margin * base)
        }
        (None, None) => return false,
    };
    if metric.direction == Direction::Decrease {
        interval.ci_low > allowed
    } else {
        interval.ci_high < -allowed
    }
}

/// Roll out when pilot's fixed-horizon test of the primary metric gives
/// p < [`P_THRESHOLD`] in the good direction; the arm with the largest such
/// estimate.
pub fn p_value_rule(evidence: &Evidence<'_>) -> Option<usize> {
    let exp = evidence.experiment;
    let p = primary_index(exp)?;
    let names: Vec<String> = exp.arms.iter().map(|a| a.name.clone()).collect();
    let fixed = analyze_metric(
        &exp.metrics[p],
        &evidence.data.metrics[p],
        &names,
        &Options {
            alpha: P_THRESHOLD,
            sequential: false,
            tuning: exp.analysis.sequential_tuning,
            group_sequential: None,
        },
    );
    fixed
        .comparisons
        .iter()
        .enumerate()
        .filter(|(_, c)| c.outcome == Outcome::Better)
        .filter_map(|(t, c)| Some((t, c.fixed_horizon?.estimate)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(t, _)| t)
}

/// The treatment arm with the best primary estimate (in its direction);
/// the first arm when none can be compared.
fn best_estimate(evidence: &Evidence<'_>) -> usize {
    let exp = evidence.experiment;
    let Some(p) = primary_index(exp) else {
        return 0;
    };
    let sign = match exp.metrics[p].direction {
        Direction::Increase => 1.0,
        Direction::Decrease => -1.0,
    };
    evidence.report.metrics[p]
        .comparisons
        .iter()
        .enumerate()
        .map(|(t, c)| {
            (
                t,
                c.fixed_horizon
                    .map_or(f64::NEG_INFINITY, |f| sign * f.estimate),
            )
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(0, |(t, _)| t)
}

/// `E[NPV | data]` of each treatment arm under the true prior, from the
/// purchases of the control and of the arm (exact binomial likelihoods),
/// the base rate `p0` unknown and integrated out under its true uniform
/// distribution, at the true spend per buyer. The NPV is linear in the
/// lift `p0 x effect x spend`, so it is the NPV at the posterior mean of
/// `p0 x effect`: per effect, `E[p0 | effect, data]` by quadrature over
/// `p0`, then its product with the effect averaged over the effect's
/// posterior. (With two treatment arms each arm's posterior uses the
/// control and its own customers: the other arm's purchases say almost
/// nothing about `p0` once its own effect is unknown.)
fn expected_npv(
    spec: &PortfolioSpec,
    pilot: &Pilot,
    experiment: &Experiment,
    data: &Dataset,
) -> Result<Vec<f64>> {
    let counts = |arm: usize| purchases(experiment, data, arm);
    let (x0, n0) = counts(0);
    // The control's likelihood does not depend on the effect: once per node.
    let base_rates: Vec<(f64, f64)> = base_rate_nodes(spec.base_rate, x0, n0)
        .into_iter()
        .map(|(p0, ln_weight)| (p0, ln_weight + binomial_ln(x0, n0, p0)))
        .collect();
    (0..spec.treatment_arms)
        .map(|t| {
            let (x1, n1) = counts(t + 1);
            // (ln of the likelihood integrated over p0, E[p0 | effect]).
            let over_base_rate = |d: f64| -> (f64, f64) {
                let terms: Vec<(f64, f64)> = base_rates
                    .iter()
                    .map(|&(p0, ln_weight)| (ln_weight + binomial_ln(x1, n1, p0 * (1.0 + d)), p0))
                    .collect();
                weighted_mean(&terms)
            };
            let width = if n1 > 0.0 && x1 > 0.0 {
                let q = x1 / n1;
                (q * (1.0 - q) / n1 + q * q / n0.max(1.0)).sqrt() / (x0 / n0.max(1.0)).max(1e-6)
            } else {
                0.1
            };
            let peak = (n0 > 0.0 && n1 > 0.0 && x0 > 0.0)
                .then(|| ((x1 / n1) / (x0 / n0) - 1.0, width.max(1e-6)));
            let rate_times_effect = spec
                .effect
                .posterior_mean_of(
                    |d| {
                        let (ln_likelihood, rate) = over_base_rate(d);
                        (ln_likelihood, d * rate)
                    },
                    peak,
                )
                .unwrap_or(0.0);
            npv_at(
                &pilot.roi,
                pilot.reached,
                rate_times_effect * pilot.spend_per_buyer,
            )
        })
        .collect()
}

/// Quadrature nodes `(p0, ln weight)` over the base rate's true uniform
/// range, on the window where the control's purchases put it (ten of its
/// standard errors either side, more for rare purchases), so that the
/// nodes sit where the likelihood is.
const BASE_RATE_PANELS: u32 = 4;

fn base_rate_nodes(range: (f64, f64), buyers: f64, customers: f64) -> Vec<(f64, f64)> {
    let (mut low, mut high) = range;
    if customers > 0.0 {
        let rate = (buyers + 0.5) / (customers + 1.0);
        let se = (rate * (1.0 - rate) / customers).sqrt();
        // For a handful of buyers the likelihood is skewed: (1 - p)^n
        // falls below e^-30 only 30 / n past the rate.
        let reach = (10.0 * se).max(30.0 / customers);
        let (a, b) = (rate - reach, rate + reach);
        if a < high && b > low {
            (low, high) = (low.max(a), high.min(b));
        }
    }
    // Panels of Gauss-Legendre points: the likelihood is smooth over the
    // window, and skewed near 0 for rare purchases, which four panels
    // resolve (to 1e-9, see the tests).
    let mut nodes = Vec::new();
    for panel in 0..BASE_RATE_PANELS {
        let (a, b) = (
            low + (high - low) * f64::from(panel) / f64::from(BASE_RATE_PANELS),
            low + (high - low) * f64::from(panel + 1) / f64::from(BASE_RATE_PANELS),
        );
        let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
        for &(t, w) in gauss_legendre() {
            nodes.push((mid + half * t, (w * half).ln()));
        }
    }
    nodes
}

/// Buyers and customers of `arm` in the primary (purchase) metric; zeros
/// when it has no binary statistics.
fn purchases(experiment: &Experiment, data: &Dataset, arm: usize) -> (f64, f64) {
    let primary = primary_index(experiment).and_then(|p| data.metrics.get(p));
    match primary.and_then(|m| m.arms.get(arm)) {
        Some(GroupStats::Binary(s)) => (s.successes() as f64, s.n() as f64),
        _ => (0.0, 0.0),
    }
}

/// `ln P(buyers | customers, rate)` up to a constant in the rate;
/// minus infinity for a rate the purchases rule out.
fn binomial_ln(buyers: f64, customers: f64, rate: f64) -> f64 {
    if !(rate > 0.0 && rate < 1.0) {
        let impossible = (rate <= 0.0 && buyers > 0.0) || (rate >= 1.0 && customers > buyers);
        return if impossible { f64::NEG_INFINITY } else { 0.0 };
    }
    let mut l = 0.0;
    if buyers > 0.0 {
        l += buyers * rate.ln();
    }
    if customers > buyers {
        l += (customers - buyers) * (-rate).ln_1p();
    }
    l
}

/// `E[NPV | data]` as [`expected_npv`] but knowing the true base rate: the
/// arm's purchases alone (exact binomial likelihood at the true base rate)
/// give the effect's posterior. More than the pilot's data can tell, since
/// a pilot must learn the base rate from its control group.
fn expected_npv_known_base_rate(
    spec: &PortfolioSpec,
    pilot: &Pilot,
    experiment: &Experiment,
    data: &Dataset,
) -> Result<Vec<f64>> {
    let p0 = pilot.base_rate;
    let n = pilot.customers_per_arm as f64;
    // Width of the likelihood in effect units, for the quadrature panels.
    let width = (p0 * (1.0 - p0) / n).sqrt() / p0;
    (0..spec.treatment_arms)
        .map(|t| {
            let (buyers, customers) = purchases(experiment, data, t + 1);
            let ln_likelihood = |d: f64| binomial_ln(buyers, customers, p0 * (1.0 + d));
            let peak = (customers > 0.0).then(|| (buyers / (customers * p0) - 1.0, width));
            let effect = spec.effect.posterior_mean_with(ln_likelihood, peak);
            npv_at(
                &pilot.roi,
                pilot.reached,
                p0 * effect * pilot.spend_per_buyer,
            )
        })
        .collect()
}

/// `E[NPV | revenue estimate]` per treatment arm under the true prior: the
/// relative effect's likelihood is normal around the measured relative lift
/// (fixed-horizon estimate over the measured control mean); an arm without
/// an estimate gets the prior mean.
fn expected_npv_on_estimate(
    spec: &PortfolioSpec,
    pilot: &Pilot,
    report: &AnalysisReport,
) -> Vec<f64> {
    let revenue = report.metrics.iter().find(|m| m.name == MONEY);
    let control = revenue
        .and_then(|m| m.arms.first())
        .and_then(|a| a.mean)
        .filter(|m| *m > 0.0);
    (0..spec.treatment_arms)
        .map(|t| {
            let fixed = revenue.and_then(|m| m.comparisons.get(t)?.fixed_horizon);
            // The lift in money is the relative effect times the measured
            // control mean: only what pilot itself sees, and the true prior.
            let lift = match (fixed, control) {
                (Some(f), Some(c)) => {
                    c * spec.effect.posterior_mean(f.estimate / c, f.std_error / c)
                }
                _ => 0.0,
            };
            npv_at(&pilot.roi, pilot.reached, lift).unwrap_or(f64::NEG_INFINITY)
        })
        .collect()
}

/// The "Decisions in money" section of `docs/calibration.md`: how the
/// pilots are made and valued, each portfolio's distributions, and the table
/// (portfolio, rule, profit, share of Bayes-optimal, rollouts, harmful
/// rollouts, rollouts harming the guardrail).
pub fn markdown_section(results: &[PortfolioResult]) -> String {
    let mut s = String::from("## Decisions in money: portfolio simulation\n\n");
    let _ = write!(
        s,
        "Generated by `scripts/calibrate.sh` (this section alone: `scripts/calibrate.sh \
         portfolio`), from the `#[ignore]`d test of `tests/portfolio.rs` \
         (`pilot::simulate::portfolio`); every seed is fixed. Each portfolio is a set of simulated small-business \
         pilots, each analysed once at its end by pilot's real pipeline with default settings \
         (`pipeline::build_report` on the parsed experiment file and the customers aggregated \
         as `pilot analyze` does), at its deadline, so pilot must roll out or stop. A pilot \
         has a binary primary metric (purchased) and revenue per customer (log-normal spend \
         for buyers, 0 for the others) as the only ROI benefit; the last portfolio adds an \
         unsubscribe guardrail. The treatment changes the purchase rate by the drawn \
         relative effect; buyers spend as before, so revenue changes by the same share. \
         `[roi]`: the customers reached, a {HORIZON_MONTHS}-month horizon, {}% discount rate, \
         a {METRIC_WINDOW_MONTHS}-month metric window, no decay, and costs (one-time, monthly, \
         per customer and month, in random shares) set so that the rollout breaks even at the \
         drawn break-even lift.\n\n\
         Every verdict is valued at the true NPV of its action by pilot's ROI model at the true \
         lift: rollout earns the rolled-out arm's true NPV, anything else 0. *Profit* is the \
         sum over the pilots. *Bayes-optimal* rolls out the arm with the largest positive \
         E[NPV | data] under the true prior (exact binomial likelihoods of the control's and \
         the arm's purchases, the base rate integrated out under its true uniform range, the \
         spend per buyer known; posterior by quadrature); no rule that learns from the \
         pilot's data earns more in expectation, so the other rules are reported as shares of \
         its profit. *Bayes-optimal, base rate known* does the same knowing the true purchase \
         rate without the initiative, so that only the arm's purchases are uncertain: more \
         than a pilot can know (it must learn the base rate from its control group), shown \
         as an upper benchmark. *Bayes-optimal on the revenue estimate* \
         does the same from the revenue estimate and its standard error alone (normal \
         likelihood, relative to the measured control mean), under the true prior: what a \
         perfect choice of prior would earn from the money metric alone, as pilot decided \
         before it learned revenue together with purchases. pilot earning more than it shows \
         what the joint model adds: purchases carry most of what is known about revenue. *Perfect information* rolls out exactly \
         when the true NPV is positive (an upper bound). *p < 0.05*: pilot's fixed-horizon test \
         of the primary metric, significant in the good direction. *Today's rule (copy)* is \
         the significance-gate verdict pilot had before its decision was made in money \
         (sequential test significant, no guardrail harmed beyond its margin, P(NPV > 0) >= \
         0.8, >= 100 customers per arm), kept for comparison. *Harmful*: true NPV < 0. \
         *Guardrail*: rollouts of an arm that truly raises unsubscribes beyond the margin.\n\n",
        DISCOUNT_RATE * 100.0
    );
    for r in results {
        let _ = writeln!(s, "- {}", r.spec.describe());
    }
    s.push_str(
        "\nShares are given with their standard error over the pilots (delta method for a \
         ratio of sums): NPVs are skewed, a few large pilots carry much of the profit, so \
         shares move by several points between seeds.\n\n\
         | portfolio | rule | profit | share of Bayes-optimal | rollouts | harmful rollouts \
         | guardrail-harmed rollouts |\n|---|---|---|---|---|---|---|\n",
    );
    for r in results {
        for (i, score) in r.scores.iter().enumerate() {
            let share = match (r.share_of_bayes(i), r.share_standard_error(i)) {
                (Some(x), Some(se)) => format!("{:.0}% +/- {:.0}", 100.0 * x, 100.0 * se),
                _ => "n/a".to_string(),
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {share} | {} | {} | {} |",
                r.spec.name,
                score.rule,
                crate::format::number(score.profit, 0),
                score.rollouts,
                score.harmful_rollouts,
                score.guardrail_harmed_rollouts
            );
        }
    }
    s.push_str(&size_breakdown(results));
    s
}

/// The section on a portfolio where revenue does not simply follow
/// purchases ([`PortfolioSpec::spend_moves_too`]): pilot with its default
/// correlation against the candidate rules (pilot with other
/// correlations), p < 0.05 and perfect information. The Bayes-optimal rule
/// of the other tables assumes spend per buyer unchanged, so it is no
/// benchmark here; shares are of perfect information's profit instead.
pub fn robustness_section(result: &PortfolioResult) -> String {
    let mut s = String::from(
        "\n### When revenue does not follow purchases\n\nThe joint model believes that an \
         initiative's effects on purchases and on revenue correlate by `prior_correlation` \
         (default 0.8), not that they are equal. In the portfolios above they are equal \
         (buyers spend as before). Here the initiative also changes what a buyer spends, \
         independently, so purchases say less about revenue (with both changes normal(0, 8%), \
         the effects on purchases and on revenue correlate by about 0.7); the Bayes-optimal \
         rule above \
         assumes unchanged spend and is no benchmark, so shares are of the profit with \
         perfect information. Candidate rules are pilot with `prior_correlation` set as \
         named.\n\n",
    );
    let _ = writeln!(s, "- {}\n", result.spec.describe());
    s.push_str(
        "| rule | profit | share of perfect information | rollouts | harmful rollouts |\n\
         |---|---|---|---|---|\n",
    );
    let perfect = result.scores[Rule::PerfectInformation.index()].profit;
    let shown: Vec<usize> = [
        Rule::Pilot,
        Rule::PValue,
        Rule::PerfectInformation,
        Rule::Never,
    ]
    .iter()
    .map(|r| r.index())
    .chain(Rule::ALL.len()..result.scores.len())
    .collect();
    for i in shown {
        let score = &result.scores[i];
        let share = if perfect > 0.0 {
            format!("{:.0}%", 100.0 * score.profit / perfect)
        } else {
            "n/a".to_string()
        };
        let _ = writeln!(
            s,
            "| {} | {} | {share} | {} | {} |",
            score.rule,
            crate::format::number(score.profit, 0),
            score.rollouts,
            score.harmful_rollouts
        );
    }
    s
}

/// Pilot sizes (customers per arm) of the breakdown by size: how
/// informative a pilot's data are depends first on its size.
const SIZE_BINS: [(u64, u64); 4] = [(0, 400), (400, 1500), (1500, u64::MAX), (0, u64::MAX)];

/// The shares of the Bayes-optimal profit of pilot's verdict and of
/// p < 0.05 within each size bin, valued at each action's expected NPV
/// given the data under the true prior (the Bayes posterior) rather than at
/// the one true NPV drawn: the same expectation with far less noise, so
/// that bins of a few hundred pilots can be compared.
fn size_breakdown(results: &[PortfolioResult]) -> String {
    let mut s = String::from(
        "\nBy pilot size: the shares within pilots of 100-399, 400-1,499 and 1,500-4,000 \
         customers per arm, and over all of them. Here every action is valued at its expected \
         NPV given the pilot's data under the true prior (the Bayes-optimal rule's own \
         posterior), not at the one true NPV drawn: the expected profit is the same, but \
         without the luck of the draw, so that bins can be compared (and no rule can exceed \
         100%). Small pilots carry little information, so no rule earns much of what little \
         there is to earn.\n\n\
         | portfolio | customers per arm | pilots | Bayes-optimal expected profit | pilot's \
         verdict | p < 0.05 |\n|---|---|---|---|---|---|\n",
    );
    for r in results {
        for (low, high) in SIZE_BINS {
            let in_bin: Vec<&PilotResult> = r
                .pilots
                .iter()
                .filter(|p| (low..high).contains(&p.pilot.customers_per_arm))
                .collect();
            let expected = |rule: Rule| {
                in_bin
                    .iter()
                    .map(|p| p.actions[rule.index()].map_or(0.0, |arm| p.expected_npv[arm]))
                    .sum::<f64>()
            };
            let bayes = expected(Rule::BayesOptimal);
            let share = |rule: Rule| {
                if bayes > 0.0 {
                    format!("{:.0}%", 100.0 * expected(rule) / bayes)
                } else {
                    "n/a".to_string()
                }
            };
            let label = match (low, high) {
                (0, u64::MAX) => "all".to_string(),
                (_, u64::MAX) => format!("{}+", crate::format::number(low as f64, 0)),
                _ => format!(
                    "{}-{}",
                    crate::format::number(low.max(100) as f64, 0),
                    crate::format::number((high - 1) as f64, 0)
                ),
            };
            let _ = writeln!(
                s,
                "| {} | {label} | {} | {} | {} | {} |",
                r.spec.name,
                in_bin.len(),
                crate::format::number(bayes, 0),
                share(Rule::Pilot),
                share(Rule::PValue)
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::function::gamma::ln_gamma;

    #[test]
    fn base_rate_quadrature_integrates_the_binomial_likelihood() {
        // Over the whole (0, 1): the integral of p^x (1 - p)^(n - x) is the
        // Beta function B(x + 1, n - x + 1).
        for (x, n) in [(30.0, 200.0), (1.0, 150.0), (700.0, 4000.0)] {
            let nodes = base_rate_nodes((1e-9, 1.0 - 1e-9), x, n);
            let terms: Vec<(f64, f64)> = nodes
                .iter()
                .map(|&(p, w)| (w + binomial_ln(x, n, p), p))
                .collect();
            let (ln_integral, mean) = weighted_mean(&terms);
            let ln_beta = ln_gamma(x + 1.0) + ln_gamma(n - x + 1.0) - ln_gamma(n + 2.0);
            assert!(
                (ln_integral - ln_beta).abs() < 1e-8,
                "{x}/{n}: {ln_integral} {ln_beta}"
            );
            // The posterior mean of a uniform-prior rate: (x + 1) / (n + 2).
            assert!(
                (mean - (x + 1.0) / (n + 2.0)).abs() < 1e-9,
                "{x}/{n}: {mean}"
            );
        }
        assert_eq!(binomial_ln(3.0, 10.0, 0.0), f64::NEG_INFINITY);
        assert_eq!(binomial_ln(0.0, 10.0, 0.0), 0.0);
        assert_eq!(binomial_ln(3.0, 10.0, 1.2), f64::NEG_INFINITY);
    }
}
