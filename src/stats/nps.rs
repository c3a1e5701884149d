//! Net Promoter Score and CSAT from ordinal counts.
//!
//! NPS (F. F. Reichheld, "The one number you need to grow", Harvard Business
//! Review, 2003): answers 0-10; promoters (9-10) score +100, passives (7-8) 0,
//! detractors (0-6) -100, and NPS is the mean score. Arms are compared with
//! Welch's t-test on the recoded scores (= numpy recoding +
//! `scipy.stats.ttest_ind(equal_var = False)`), which is valid because the
//! recoded score is an ordinary bounded mean.
//!
//! CSAT: share of satisfied answers (4 or 5 on a 1-5 scale), compared as a
//! conversion rate.

use super::proportions::compare_proportions;
use super::result::{Comparison, NotComputable, Options};
use super::summary::{BinaryStats, MeanStats, OrdinalCounts};
use super::welch::compare_means;

/// The NPS recoding of 0-10 answers as a mean metric (mean = NPS).
pub fn nps_scores(counts: &OrdinalCounts) -> Result<MeanStats, NotComputable> {
    if counts.iter().any(|(v, c)| c > 0 && !(0..=10).contains(&v)) {
        return Err(NotComputable::InvalidInput(
            "NPS answers must be whole numbers from 0 to 10",
        ));
    }
    Ok(counts.recoded(|v| match v {
        9..=10 => 100.0,
        7..=8 => 0.0,
        _ => -100.0,
    }))
}

/// Compares NPS between arms: `control.mean` and `treatment.mean` are the
/// NPS values, `absolute` the difference in points with Welch's interval and
/// p-value. The percent change is not reported ([`NotComputable::SignedScore`])
/// because NPS can be negative, where a ratio misleads.
pub fn compare_nps(
    control: &OrdinalCounts,
    treatment: &OrdinalCounts,
    opts: &Options,
) -> Result<Comparison, NotComputable> {
    let mut cmp = compare_means(&nps_scores(control)?, &nps_scores(treatment)?, opts)?;
    cmp.relative = Err(NotComputable::SignedScore);
    Ok(cmp)
}

/// Satisfied (4-5) answers on a 1-5 scale as a conversion metric.
pub fn csat_satisfied(counts: &OrdinalCounts) -> Result<BinaryStats, NotComputable> {
    if counts.iter().any(|(v, c)| c > 0 && !(1..=5).contains(&v)) {
        return Err(NotComputable::InvalidInput(
            "CSAT answers must be whole numbers from 1 to 5",
        ));
    }
    BinaryStats::new(counts.n(), counts.count_between(4, 5))
}

/// Compares the CSAT share of satisfied customers (4-5 of 5) between arms
/// with [`compare_proportions`].
pub fn compare_csat(
    control: &OrdinalCounts,
    treatment: &OrdinalCounts,
    opts: &Options,
) -> Result<Comparison, NotComputable> {
    compare_proportions(&csat_satisfied(control)?, &csat_satisfied(treatment)?, opts)
}
