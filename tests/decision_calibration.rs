//! Calibration of the decision model's own probabilities (pure functions,
//! no files; a few seconds in `cargo test`):
//!
//! - a guardrail whose true change sits exactly at its margin is "shown
//!   safe" at most `max_guardrail_risk` (10%) of the time;
//! - when effects really come from pilot's default prior, the 95% posterior
//!   intervals hold the true effect 95% of the time, and P(NPV > 0) is
//!   honest: among pilots told "70-80% chance it pays off", 70-80% do;
//! - the same for the joint model of a primary and a money metric, with
//!   effects drawn from its factor prior.

mod common;

use common::Rng;
use pilot::config::{Direction, Prior};
use pilot::decide::guardrails::{GuardrailEvidence, GuardrailStatus, check};
use pilot::decide::prior::relative_prior;

#[test]
fn a_guardrail_at_its_margin_is_shown_safe_at_most_ten_percent_of_the_time() {
    // Complaints 10% -> 12% against a 20% margin: exactly at the margin.
    let (p0, margin, n) = (0.10, 0.20, 2000u32);
    let p1 = p0 * (1.0 + margin);
    let reps = 2000;
    let mut rng = Rng(11);
    let mut safe = 0;
    for _ in 0..reps {
        let c = rng.binomial(n, p0) / f64::from(n);
        let t = rng.binomial(n, p1) / f64::from(n);
        let se = (c * (1.0 - c) / f64::from(n) + t * (1.0 - t) / f64::from(n)).sqrt();
        let g = check(
            "complaints",
            &GuardrailEvidence {
                direction: Direction::Decrease,
                margin,
                control_mean: Some(c),
                control_sd: Some((c * (1.0 - c)).sqrt()),
                estimate: Some((t - c, se)),
            },
            0.1,
        );
        safe += usize::from(g.status == GuardrailStatus::Safe);
    }
    let rate = safe as f64 / f64::from(reps);
    // Nominal 10%; three binomial standard errors is 0.02.
    eprintln!("shown safe at the margin: {rate:.3} of {reps}");
    assert!(rate <= 0.10 + 0.02, "{rate}");
    assert!(
        rate >= 0.05,
        "{rate}: the check should not be far more cautious than stated"
    );
}

#[test]
fn posterior_intervals_and_chances_are_honest_under_the_default_prior() {
    let prior = relative_prior(Prior::Default).expect("a proper prior");
    let reps = 4000;
    let mut rng = Rng(5);
    let mut covered = 0;
    // Bins of the stated P(effect > break-even) and how often it was so.
    let mut bins = [(0usize, 0usize); 10];
    for i in 0..reps {
        // Draw a true effect from the prior (pick a component, then normal).
        let truth = draw(&prior, &mut rng);
        // Pilots of different precision: se from 2% to 20% relative.
        let se = 0.02 + 0.18 * (i as f64 / reps as f64);
        let estimate = truth + se * rng.normal();
        let post = prior.posterior(estimate, se);
        let (lo, hi) = (post.quantile(0.025), post.quantile(0.975));
        covered += usize::from(lo <= truth && truth <= hi);
        // A rollout breaking even at +3%: P(NPV > 0) = P(effect > 3%).
        let stated = post.sf(0.03);
        let bin = ((stated * 10.0) as usize).min(9);
        bins[bin].0 += 1;
        bins[bin].1 += usize::from(truth > 0.03);
    }
    let coverage = covered as f64 / f64::from(reps);
    eprintln!("coverage of 95% posterior intervals: {coverage:.3}");
    // 3 standard errors of a 95% proportion over 4000 draws: 0.010.
    assert!((coverage - 0.95).abs() <= 0.011, "{coverage}");
    check_stated_chances("stated", &bins);
}

/// A draw from a normal mixture: a component, then a normal.
fn draw(prior: &pilot::decide::mixture::NormalMixture, rng: &mut Rng) -> f64 {
    let u = rng.uniform();
    let mut acc = 0.0;
    let mut chosen = prior.components()[0];
    for k in prior.components() {
        acc += k.weight;
        if u < acc {
            chosen = *k;
            break;
        }
    }
    chosen.mean + chosen.sd * rng.normal()
}

#[test]
fn joint_posterior_intervals_are_honest_when_effects_follow_the_joint_prior() {
    use pilot::decide::joint::{JointEvidence, joint_prior};
    use pilot::decide::linalg::Matrix;
    let relative = relative_prior(Prior::Default).expect("a proper prior");
    let rho = pilot::config::DEFAULT_PRIOR_CORRELATION;
    let prior = joint_prior(&relative, &[1.0, 1.0], &[1.0, 1.0], rho, 1.0).unwrap();
    let reps = 4000;
    let mut rng = Rng(9);
    let mut covered = 0;
    let mut bins = [(0usize, 0usize); 10];
    for i in 0..reps {
        // The truth, drawn as the factor model says (not from the
        // components joint_prior built): a common part and each metric's own.
        let common = draw(&relative, &mut rng);
        let own = [draw(&relative, &mut rng), draw(&relative, &mut rng)];
        let truth: Vec<f64> = own
            .iter()
            .map(|e| rho.sqrt() * common + (1.0 - rho).sqrt() * e)
            .collect();
        // A precise primary (2-20%) and a money metric three times as
        // noisy, their estimates correlated by 0.7 (the same customers).
        let se_primary = 0.02 + 0.18 * (i as f64 / reps as f64);
        let se_money = 3.0 * se_primary;
        let (z1, z2) = (rng.normal(), rng.normal());
        let r = 0.7;
        let estimates = vec![
            truth[0] + se_primary * z1,
            truth[1] + se_money * (r * z1 + (1.0 - r * r).sqrt() * z2),
        ];
        let c = r * se_primary * se_money;
        let mut sampling = Matrix::zeros(2);
        sampling.set(0, 0, se_primary * se_primary);
        sampling.set(0, 1, c);
        sampling.set(1, 0, c);
        sampling.set(1, 1, se_money * se_money);
        let evidence = JointEvidence::new(estimates, sampling, Some(prior.clone())).unwrap();
        let money = evidence.marginal(1);
        let (lo, hi) = (money.quantile(0.025), money.quantile(0.975));
        covered += usize::from(lo <= truth[1] && truth[1] <= hi);
        let stated = money.sf(0.03);
        let bin = ((stated * 10.0) as usize).min(9);
        bins[bin].0 += 1;
        bins[bin].1 += usize::from(truth[1] > 0.03);
    }
    let coverage = covered as f64 / f64::from(reps);
    eprintln!(
        "coverage of 95% joint posterior intervals (money metric learned with the primary): {coverage:.3}"
    );
    assert!((coverage - 0.95).abs() <= 0.011, "{coverage}");
    check_stated_chances("stated (joint)", &bins);
}

/// Each tenth of stated chances (`bins[b]`: pilots told between b/10 and
/// (b+1)/10, and how many of them came true) with at least 100 pilots must
/// come true that often, within three binomial standard errors.
fn check_stated_chances(label: &str, bins: &[(usize, usize); 10]) {
    for (b, &(n, hits)) in bins.iter().enumerate() {
        if n >= 100 {
            let observed = hits as f64 / n as f64;
            let (low, high) = (b as f64 / 10.0, (b + 1) as f64 / 10.0);
            let slack = 3.0 * (0.25 / n as f64).sqrt();
            eprintln!("{label} {low:.1}-{high:.1}: observed {observed:.3} of {n}");
            assert!(
                observed >= low - slack && observed <= high + slack,
                "{label} {low}-{high}, observed {observed} over {n}"
            );
        }
    }
}
