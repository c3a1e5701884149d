//! Adjusted p-values for testing several metrics or arms at once, in input
//! order, = R `p.adjust` and statsmodels `multipletests`.
//!
//! * Bonferroni: min(1, m p).
//! * Holm (S. Holm, Scand. J. Statist. 6 (1979) 65-70): step-down,
//!   running maximum of (m - i + 1) p_(i); controls the family-wise error.
//! * Benjamini-Hochberg (JRSS B 57 (1995) 289-300): step-up, running minimum
//!   from the largest of m p_(i) / i; controls the false discovery rate.

use super::result::NotComputable;
use serde::Serialize;

/// Which adjustment to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// Bonferroni (family-wise error, simplest).
    Bonferroni,
    /// Holm's step-down (family-wise error, never worse than Bonferroni).
    Holm,
    /// Benjamini-Hochberg (false discovery rate).
    BenjaminiHochberg,
}

/// Adjusted p-values in the order of `p_values`.
pub fn adjust_p_values(p_values: &[f64], method: Adjustment) -> Result<Vec<f64>, NotComputable> {
    if p_values.iter().any(|p| !(0.0..=1.0).contains(p)) {
        return Err(NotComputable::InvalidInput(
            "p-values must be numbers between 0 and 1",
        ));
    }
    let m = p_values.len() as f64;
    let mut order: Vec<usize> = (0..p_values.len()).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut out = vec![0.0; p_values.len()];
    match method {
        Adjustment::Bonferroni => {
            for (o, p) in out.iter_mut().zip(p_values) {
                *o = (m * p).min(1.0);
            }
        }
        Adjustment::Holm => {
            let mut running = 0.0_f64;
            for (i, &idx) in order.iter().enumerate() {
                running = running.max((m - i as f64) * p_values[idx]);
                out[idx] = running.min(1.0);
            }
        }
        Adjustment::BenjaminiHochberg => {
            let mut running = f64::INFINITY;
            for (i, &idx) in order.iter().enumerate().rev() {
                running = running.min(p_values[idx] / ((i + 1) as f64 / m));
                out[idx] = running.min(1.0);
            }
        }
    }
    Ok(out)
}
