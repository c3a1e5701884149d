//! Mann-Whitney U test for ordinal scales, computed from counts per value.
//!
//! H. B. Mann and D. R. Whitney, Ann. Math. Statist. 18 (1947) 50-60; normal
//! approximation with tie correction of the variance and continuity
//! correction, = R `wilcox.test(exact = FALSE, correct = TRUE)` and
//! `scipy.stats.mannwhitneyu(method = "asymptotic", use_continuity = True)`.
//! Working from counts (5 or 11 numbers per arm) instead of rank vectors makes
//! the test O(scale size) and exactly mergeable. statrs' Mann-Whitney is not
//! used: its exact path is slow and wrong for unequal group sizes.

use super::dist;
use super::result::{Arm, NotComputable, TestKind};
use super::summary::OrdinalCounts;
use serde::Serialize;
use std::collections::BTreeMap;

/// Result of [`compare_ordinal`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RankComparison {
    /// Always [`TestKind::MannWhitney`].
    pub test: TestKind,
    /// Answers in the control arm.
    pub control_n: u64,
    /// Answers in the treatment arm.
    pub treatment_n: u64,
    /// U of the treatment arm: pairs (treatment, control) where the treatment
    /// answer is higher, plus half the tied pairs.
    pub u_treatment: f64,
    /// U / (n_t n_c): the chance that a random treatment answer beats a random
    /// control answer (ties count half); 0.5 means no difference.
    pub probability_of_superiority: f64,
    /// Continuity-corrected z statistic (positive: treatment higher).
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Mann-Whitney U comparison of two ordinal distributions given as counts.
pub fn compare_ordinal(
    control: &OrdinalCounts,
    treatment: &OrdinalCounts,
) -> Result<RankComparison, NotComputable> {
    let (nc, nt) = (control.n(), treatment.n());
    if nc == 0 {
        return Err(NotComputable::EmptyArm(Arm::Control));
    }
    if nt == 0 {
        return Err(NotComputable::EmptyArm(Arm::Treatment));
    }
    let mut table: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    for (v, c) in control.iter() {
        table.entry(v).or_default().0 += c;
    }
    for (v, c) in treatment.iter() {
        table.entry(v).or_default().1 += c;
    }
    // Twice U, kept in integers: 2 U = sum_v t_v (2 c_below + c_v).
    let mut twice_u: u128 = 0;
    let mut ties: u128 = 0;
    let mut control_below: u128 = 0;
    for &(c, t) in table.values() {
        let (c, t) = (u128::from(c), u128::from(t));
        twice_u += t * (2 * control_below + c);
        let tied = c + t;
        ties += tied * tied * tied - tied;
        control_below += c;
    }
    let u = twice_u as f64 / 2.0;
    let (ncf, ntf) = (nc as f64, nt as f64);
    let n = ncf + ntf;
    let mu = ncf * ntf / 2.0;
    let var = ncf * ntf / 12.0 * ((n + 1.0) - ties as f64 / (n * (n - 1.0)));
    if !(var > 0.0) {
        return Err(NotComputable::NoVariation);
    }
    let d = u - mu;
    let z = (d - 0.5 * d.signum()) / var.sqrt();
    Ok(RankComparison {
        test: TestKind::MannWhitney,
        control_n: nc,
        treatment_n: nt,
        u_treatment: u,
        probability_of_superiority: u / (ncf * ntf),
        z,
        p_value: dist::normal_two_sided_p(z),
    })
}
