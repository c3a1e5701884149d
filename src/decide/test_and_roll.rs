//! Test & Roll: how many customers to test before rolling out, sized for
//! profit instead of for power (Feit & Berman 2019, "Test & Roll:
//! Profit-Maximizing A/B Tests", Marketing Science 38(6)).
//!
//! A power calculation asks how many customers it takes to *detect* an
//! effect; a business asks how many it pays to *test*: every test customer
//! in the worse group earns less, and every customer tested is one fewer who
//! gets the better option afterwards. Test `n` customers, then roll the
//! option that looks better out to the remaining `N - n`; the expected
//! profit of that is what this module maximizes.
//!
//! Two models:
//!
//! - [`Symmetric`]: the paper's closed form, two arms with independent
//!   normal priors of the same mean and spread (checked against
//!   `tests/reference/test_and_roll.json`);
//! - [`Rollout`]: what pilot has. The control is the status quo, the
//!   treatment's effect on the metric has the decision model's prior (a
//!   [`NormalMixture`]), and rolling out costs money, so after the test the
//!   treatment is rolled out iff the posterior expected NPV is positive.
//!   Money is counted against keeping the status quo for everyone (0), and
//!   the optimum is found numerically.
//!
//! Test customers are used up as in the paper: their outcome during the
//! test is their whole contribution, and the rollout reaches the rest.

use super::mixture::NormalMixture;
use super::preposterior::{crossing, value_beyond};

/// The paper's symmetric case: the mean response per customer of each arm
/// has an independent prior `N(prior_mean, prior_sd^2)`; responses have
/// standard deviation `response_sd`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Symmetric {
    /// Customers in all, test and rollout (`N`).
    pub population: f64,
    /// Prior mean of each arm's mean response (`mu`).
    pub prior_mean: f64,
    /// Prior standard deviation of each arm's mean response (`sigma`).
    pub prior_sd: f64,
    /// Standard deviation of one customer's response (`s`).
    pub response_sd: f64,
}

/// The profit-maximizing test of the symmetric case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SymmetricPlan {
    /// The maximizer over real `n`: customers per arm.
    pub n_per_arm: f64,
    /// The better whole number of its floor and ceiling.
    pub n_per_arm_whole: u64,
    /// Expected total profit at `n_per_arm_whole`, test included.
    pub expected_profit: f64,
    /// Rolling either arm out to everyone without a test: `N mu`.
    pub profit_without_test: f64,
    /// Knowing which arm is better: `N (mu + sigma / sqrt(pi))`.
    pub profit_perfect_information: f64,
}

impl Symmetric {
    /// Whether the inputs describe a problem with an answer: a population of
    /// at least 2, a finite prior mean and positive, finite spreads.
    fn valid(&self) -> bool {
        self.population.is_finite()
            && self.population >= 2.0
            && self.prior_mean.is_finite()
            && self.prior_sd.is_finite()
            && self.prior_sd > 0.0
            && self.response_sd.is_finite()
            && self.response_sd > 0.0
    }

    /// Expected total profit of testing `n` per arm (`0 <= n <= N / 2`),
    /// test included: `N mu + (N - 2n) sigma^2 / sqrt(pi (sigma^2 + s^2 / n))`.
    pub fn expected_profit(&self, n: f64) -> f64 {
        let (sigma2, s2) = (self.prior_sd.powi(2), self.response_sd.powi(2));
        let base = self.population * self.prior_mean;
        if n <= 0.0 {
            // No data: the arm rolled out is a coin flip.
            return base;
        }
        base + (self.population - 2.0 * n) * sigma2
            / (std::f64::consts::PI * (sigma2 + s2 / n)).sqrt()
    }

    /// The profit-maximizing test (the paper's eq. 10), or `None` when the
    /// inputs are not valid (see [`Symmetric`]'s fields).
    pub fn plan(&self) -> Option<SymmetricPlan> {
        if !self.valid() {
            return None;
        }
        // r = s^2 / (4 sigma^2): n* = sqrt(N r + (3 r)^2) - 3 r, never above
        // N / 2. Written as N r / (sqrt(N r + 9 r^2) + 3 r) to avoid the
        // cancellation of two close square roots when r is large.
        let r = self.response_sd.powi(2) / (4.0 * self.prior_sd.powi(2));
        let nr = self.population * r;
        let n = nr / ((nr + 9.0 * r * r).sqrt() + 3.0 * r);
        let half = (self.population / 2.0).floor();
        let whole = [n.floor(), n.ceil()]
            .into_iter()
            .map(|c| c.clamp(0.0, half))
            .max_by(|a, b| {
                self.expected_profit(*a)
                    .total_cmp(&self.expected_profit(*b))
            })
            .unwrap_or(0.0);
        Some(SymmetricPlan {
            n_per_arm: n,
            n_per_arm_whole: whole as u64,
            expected_profit: self.expected_profit(whole),
            profit_without_test: self.population * self.prior_mean,
            profit_perfect_information: self.population
                * (self.prior_mean + self.prior_sd / std::f64::consts::PI.sqrt()),
        })
    }
}

/// Rolling one treatment out, as pilot's decision model sees it before the
/// test. Money is per customer over the ROI horizon, discounted, and counted
/// against keeping the status quo.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollout {
    /// Customers in all, test and rollout (`N`).
    pub population: f64,
    /// Prior of the treatment's absolute effect on the metric (`theta`).
    pub prior: NormalMixture,
    /// Standard deviation of one control customer's metric.
    pub control_sd: f64,
    /// Standard deviation of one treated customer's metric.
    pub treatment_sd: f64,
    /// Treated customers per control customer in the test (the weights).
    pub treatment_per_control: f64,
    /// Money per treated customer per unit of effect (negative for a metric
    /// where lower is better).
    pub value_per_unit: f64,
    /// Money each treated customer costs (the per-customer rollout cost).
    pub cost_per_customer: f64,
    /// Money a rollout costs whatever its size (one-time and fixed monthly
    /// costs); the test does not pay it.
    pub fixed_cost: f64,
}

/// The profit-maximizing test of a [`Rollout`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RolloutPlan {
    /// The maximizer over real sizes: control customers (the treatment gets
    /// `treatment_per_control` times as many); 0 when no test pays.
    pub control_exact: f64,
    /// Control customers to test, a whole number (0: do not test).
    pub control: u64,
    /// Treated customers to test, a whole number (0: do not test).
    pub treatment: u64,
    /// Expected profit of testing that many and rolling out iff the
    /// posterior expected NPV is positive.
    pub expected_profit: f64,
}

/// Why a [`Rollout`] has no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutError {
    /// A number is not finite, or a spread, weight or population is not
    /// positive, or a cost is negative.
    InvalidInput,
}

impl std::fmt::Display for RolloutError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RolloutError::InvalidInput => f.write_str(
                "the population, spreads and allocation must be positive and finite, and the \
                 costs finite and not negative",
            ),
        }
    }
}

/// Points of the log grid the optimizer scans before refining.
const GRID_POINTS: usize = 240;

impl Rollout {
    fn validate(&self) -> Result<(), RolloutError> {
        let positive = |x: f64| x.is_finite() && x > 0.0;
        let ok = positive(self.population)
            && positive(self.control_sd)
            && positive(self.treatment_sd)
            && positive(self.treatment_per_control)
            && self.value_per_unit.is_finite()
            && self.cost_per_customer.is_finite()
            && self.cost_per_customer >= 0.0
            && self.fixed_cost.is_finite()
            && self.fixed_cost >= 0.0;
        if ok {
            Ok(())
        } else {
            Err(RolloutError::InvalidInput)
        }
    }

    /// Expected NPV of rolling out to `customers` at the effect's mean.
    fn expected_npv(&self, customers: f64, effect_mean: f64) -> f64 {
        -self.fixed_cost + customers * (self.value_per_unit * effect_mean - self.cost_per_customer)
    }

    /// Rolling out to everyone without a test, whatever it earns (negative
    /// when the prior expects a loss).
    pub fn profit_rolling_out_blind(&self) -> f64 {
        self.expected_npv(self.population, self.prior.mean())
    }

    /// The better choice without a test: rolling out blind or keeping the
    /// status quo (0).
    pub fn profit_without_test(&self) -> f64 {
        self.profit_rolling_out_blind().max(0.0)
    }

    /// Knowing the effect: roll out to everyone iff it pays,
    /// `E[max(NPV(N), 0)]` under the prior.
    pub fn profit_perfect_information(&self) -> f64 {
        let n = self.population;
        self.prior
            .affine(
                -self.fixed_cost - n * self.cost_per_customer,
                n * self.value_per_unit,
            )
            .positive_part()
    }

    /// Expected profit of testing `control` and `treatment` customers, then
    /// rolling out to the other `N - control - treatment` iff the posterior
    /// expected NPV is positive: the treated test customers' expected
    /// earnings plus `E[max(E[NPV | test] , 0)]` over the preposterior.
    ///
    /// A test with an empty group tells nothing (the effect is the difference
    /// of the groups), so it is worth [`Self::profit_without_test`] on the
    /// rest. `None` when the inputs are invalid or the test is larger than
    /// the population.
    pub fn expected_profit(&self, control: f64, treatment: f64) -> Option<f64> {
        self.validate().ok()?;
        let tested = control + treatment;
        if !(control >= 0.0 && treatment >= 0.0 && tested <= self.population) {
            return None;
        }
        let mean = self.prior.mean();
        let during_test = treatment * (self.value_per_unit * mean - self.cost_per_customer);
        let rest = self.population - tested;
        let a = -self.fixed_cost - rest * self.cost_per_customer;
        let b = rest * self.value_per_unit;
        let after = if control > 0.0 && treatment > 0.0 && b != 0.0 {
            let se =
                (self.control_sd.powi(2) / control + self.treatment_sd.powi(2) / treatment).sqrt();
            expected_best(&self.prior, se, a, b)
        } else {
            (a + b * mean).max(0.0)
        };
        Some(during_test + after)
    }

    /// The profit-maximizing test at the configured allocation.
    ///
    /// Scans a log grid of control sizes up to the whole population, refines
    /// the best point by golden-section search, then takes the better whole
    /// number around it; when no test earns more than deciding without one,
    /// the answer is 0 customers (worth [`Self::profit_without_test`]).
    pub fn plan(&self) -> Result<RolloutPlan, RolloutError> {
        self.validate()?;
        let k = self.treatment_per_control;
        let profit = |c: f64| self.expected_profit(c, k * c).unwrap_or(f64::NEG_INFINITY);
        let no_test = RolloutPlan {
            control_exact: 0.0,
            control: 0,
            treatment: 0,
            expected_profit: self.profit_without_test(),
        };
        let max_control = self.population / (1.0 + k);
        // The smallest test has one customer in the smaller group.
        let min_control = (1.0 / k).max(1.0);
        if max_control < min_control {
            return Ok(no_test);
        }
        let ratio = (max_control / min_control).powf(1.0 / (GRID_POINTS - 1) as f64);
        let grid: Vec<f64> = (0..GRID_POINTS)
            .map(|i| (min_control * ratio.powi(i as i32)).min(max_control))
            .collect();
        let best = grid
            .iter()
            .enumerate()
            .max_by(|a, b| profit(*a.1).total_cmp(&profit(*b.1)))
            .map_or(0, |(i, _)| i);
        let lo = grid[best.saturating_sub(1)];
        let hi = grid[(best + 1).min(GRID_POINTS - 1)];
        let exact = golden_section_max(&profit, lo, hi);
        let whole = [exact.floor(), exact.ceil()]
            .into_iter()
            .filter_map(|c| {
                let treatment = (k * c).round().max(1.0);
                let control = c.max(1.0);
                let value = self.expected_profit(control, treatment)?;
                Some((control, treatment, value))
            })
            .max_by(|a, b| a.2.total_cmp(&b.2));
        match whole {
            Some((control, treatment, value)) if value > no_test.expected_profit => {
                Ok(RolloutPlan {
                    control_exact: exact,
                    control: control as u64,
                    treatment: treatment as u64,
                    expected_profit: value,
                })
            }
            _ => Ok(no_test),
        }
    }
}

/// `E[max(a + b E[theta | estimate], 0)]` for `theta ~ prior` and an
/// estimate `~ N(theta, se^2)`, `b != 0`, `se > 0`.
///
/// The posterior mean of a normal-mixture prior under a normal likelihood
/// increases with the estimate, so the decision switches at one breakpoint
/// `c`, and by the tower property the value is `E[(a + b theta) 1{estimate
/// beyond c}]`, a sum of normal partial expectations over the prior's
/// components (marginally the estimate is `N(m_k, s_k^2 + se^2)` and
/// `cov(theta, estimate) = s_k^2`).
fn expected_best(prior: &NormalMixture, se: f64, a: f64, b: f64) -> f64 {
    let switch_at = -a / b;
    let posterior_mean = |y: f64| prior.posterior(y, se).mean();
    let Some(c) = crossing(&posterior_mean, switch_at, prior.sd().max(se)) else {
        // The posterior mean never reaches the break-even effect: the test
        // cannot change the choice.
        return (a + b * prior.mean()).max(0.0);
    };
    value_beyond(prior, se, a, b, c).max(0.0)
}

/// The maximizer of `f` on `[lo, hi]` by golden-section search, assuming one
/// peak there (the grid point around which it is called is the best of its
/// neighbours).
fn golden_section_max(f: &dyn Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let inv_phi = (5f64.sqrt() - 1.0) / 2.0;
    let mut x1 = hi - inv_phi * (hi - lo);
    let mut x2 = lo + inv_phi * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..200 {
        if hi - lo <= 1e-12 * hi {
            break;
        }
        if f1 < f2 {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + inv_phi * (hi - lo);
            f2 = f(x2);
        } else {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - inv_phi * (hi - lo);
            f1 = f(x1);
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::mixture::Component;
    use crate::decide::prior::DEFAULT_COMPONENTS;
    use crate::stats::dist::normal_pdf;

    /// The rollout that coincides with the symmetric case: the difference of
    /// two `N(mu, sigma^2)` arms is `N(0, 2 sigma^2)`, the test earns the
    /// control's `mu` on every test customer (counted here as 0: money is
    /// against the status quo) and nothing costs anything.
    fn as_rollout(s: &Symmetric) -> Rollout {
        Rollout {
            population: s.population,
            prior: NormalMixture::normal(0.0, 2f64.sqrt() * s.prior_sd),
            control_sd: s.response_sd,
            treatment_sd: s.response_sd,
            treatment_per_control: 1.0,
            value_per_unit: 1.0,
            cost_per_customer: 0.0,
            fixed_cost: 0.0,
        }
    }

    const CASE: Symmetric = Symmetric {
        population: 2058.0,
        prior_mean: 4.257375883829649,
        prior_sd: 0.726160609742513,
        response_sd: 7.861867408016269,
    };

    #[test]
    fn the_numerical_optimum_reproduces_the_closed_form() {
        let closed = CASE.plan().unwrap();
        let rollout = as_rollout(&CASE);
        let plan = rollout.plan().unwrap();
        let base = CASE.population * CASE.prior_mean;
        assert!(
            (plan.control_exact - closed.n_per_arm).abs() < 1e-6 * closed.n_per_arm,
            "{plan:?} vs {closed:?}"
        );
        assert_eq!(plan.control, closed.n_per_arm_whole);
        assert_eq!(plan.treatment, closed.n_per_arm_whole);
        let profit = plan.expected_profit + base;
        assert!((profit - closed.expected_profit).abs() < 1e-9 * closed.expected_profit);
        let perfect = rollout.profit_perfect_information() + base;
        assert!((perfect - closed.profit_perfect_information).abs() < 1e-9 * perfect);
        assert_eq!(rollout.profit_without_test(), 0.0);
    }

    /// Brute force: the preposterior by quadrature over the effect and the
    /// estimate, with the posterior mean computed directly.
    fn quadrature(r: &Rollout, control: f64, treatment: f64) -> f64 {
        let se = (r.control_sd.powi(2) / control + r.treatment_sd.powi(2) / treatment).sqrt();
        let rest = r.population - control - treatment;
        let steps = 800;
        let mut total = 0.0;
        for k in r.prior.components() {
            // Midpoint rule over +-8 sd of the component and of the noise.
            let h = 16.0 / steps as f64;
            for i in 0..steps {
                let zt = -8.0 + (i as f64 + 0.5) * h;
                let theta = k.mean + k.sd * zt;
                let mut inner = 0.0;
                for j in 0..steps {
                    let ze = -8.0 + (j as f64 + 0.5) * h;
                    let y = theta + se * ze;
                    let npv = -r.fixed_cost
                        + rest
                            * (r.value_per_unit * r.prior.posterior(y, se).mean()
                                - r.cost_per_customer);
                    inner += npv.max(0.0) * normal_pdf(ze) * h;
                }
                let test = treatment * (r.value_per_unit * theta - r.cost_per_customer);
                total += k.weight * (test + inner) * normal_pdf(zt) * h;
            }
        }
        total
    }

    fn mixture_rollout(value_per_unit: f64) -> Rollout {
        Rollout {
            population: 5000.0,
            prior: NormalMixture::new(
                DEFAULT_COMPONENTS
                    .iter()
                    .map(|&(weight, sd)| Component {
                        weight,
                        mean: 0.0,
                        sd: sd * 10.0,
                    })
                    .collect(),
            )
            .unwrap(),
            control_sd: 30.0,
            treatment_sd: 33.0,
            treatment_per_control: 2.0,
            value_per_unit,
            cost_per_customer: 0.5,
            fixed_cost: 800.0,
        }
    }

    #[test]
    fn the_closed_form_preposterior_matches_quadrature() {
        // Lower is better too: the rollout then happens below the breakpoint.
        for value in [1.4, -1.4] {
            let r = mixture_rollout(value);
            let exact = r.expected_profit(150.0, 300.0).unwrap();
            let brute = quadrature(&r, 150.0, 300.0);
            assert!(
                (exact - brute).abs() < 1e-4 * brute.abs().max(1.0),
                "{value}: {exact} vs {brute}"
            );
        }
    }

    #[test]
    fn the_optimum_beats_its_neighbours_and_deciding_blind() {
        let r = mixture_rollout(1.4);
        let plan = r.plan().unwrap();
        assert!(plan.control > 0 && plan.treatment >= 2 * plan.control - 1);
        assert!(plan.expected_profit > r.profit_without_test());
        assert!(plan.expected_profit < r.profit_perfect_information());
        for c in [plan.control_exact * 0.8, plan.control_exact * 1.25] {
            assert!(r.expected_profit(c, 2.0 * c).unwrap() < plan.expected_profit);
        }
    }

    #[test]
    fn no_test_pays_when_nothing_can_pay() {
        // Costs far beyond any plausible effect: keep the status quo.
        let r = Rollout {
            fixed_cost: 1e9,
            ..mixture_rollout(1.4)
        };
        let plan = r.plan().unwrap();
        assert_eq!((plan.control, plan.treatment), (0, 0));
        assert_eq!(plan.expected_profit, 0.0);
    }

    #[test]
    fn invalid_inputs_are_errors_not_panics() {
        for r in [
            Rollout {
                population: f64::NAN,
                ..mixture_rollout(1.0)
            },
            Rollout {
                control_sd: 0.0,
                ..mixture_rollout(1.0)
            },
            Rollout {
                fixed_cost: -1.0,
                ..mixture_rollout(1.0)
            },
        ] {
            assert_eq!(r.plan(), Err(RolloutError::InvalidInput));
            assert_eq!(r.expected_profit(10.0, 10.0), None);
        }
        assert_eq!(mixture_rollout(1.0).expected_profit(4000.0, 2000.0), None);
        let tiny = Symmetric {
            response_sd: 0.0,
            ..CASE
        };
        assert_eq!(tiny.plan(), None);
    }
}
