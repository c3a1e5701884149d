//! Balance of the arms on the population's other columns (pure).
//!
//! For every arm: its count against the target (weight × customers). For
//! every numeric column: the mean per arm and the standardized mean
//! difference against the control arm, `SMD = (mean_t - mean_c) /
//! sqrt((var_t + var_c) / 2)` with sample variances. For every categorical
//! column: each level's share per arm (the 10 most frequent levels, the
//! rest pooled as "(other)") and the binary SMD of the share, `(p_t - p_c) /
//! sqrt((p_t(1-p_t) + p_c(1-p_c)) / 2)`. An |SMD| above 0.1 is commonly read
//! as a sign of imbalance. The sample-ratio test belongs to the statistics
//! engine and is not computed here.

use serde::Serialize;

use super::population::{Column, ColumnValues};
use crate::config::Arm;
use crate::width;

/// Levels shown per categorical column before pooling the rest.
pub const TOP_LEVELS: usize = 10;
/// The |SMD| above which balance is commonly considered off.
pub const SMD_THRESHOLD: f64 = 0.1;

/// The balance of the arms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceReport {
    /// Arm names; the first is the control.
    pub arms: Vec<String>,
    /// Customers in the report.
    pub total: u64,
    /// Count and target per arm.
    pub counts: Vec<ArmCount>,
    /// Numeric columns.
    pub numeric: Vec<NumericBalance>,
    /// Categorical columns.
    pub categorical: Vec<CategoricalBalance>,
    /// Columns left out, with the reason.
    pub skipped: Vec<SkippedColumn>,
}

/// Customers of one arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmCount {
    /// Arm name.
    pub arm: String,
    /// Customers in the arm.
    pub count: u64,
    /// Weight × all customers.
    pub target: f64,
}

/// One numeric column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericBalance {
    /// Column name.
    pub column: String,
    /// Per arm, in arm order.
    pub arms: Vec<NumericArm>,
}

/// One numeric column in one arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericArm {
    /// Non-blank values.
    pub n: u64,
    /// Mean of the non-blank values.
    pub mean: Option<f64>,
    /// Sample standard deviation.
    pub sd: Option<f64>,
    /// SMD against the control arm (`None` for the control, or undefined).
    pub smd: Option<f64>,
}

/// One categorical column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoricalBalance {
    /// Column name.
    pub column: String,
    /// Distinct values in the column.
    pub distinct: usize,
    /// The most frequent levels, then "(other)" if any were pooled.
    pub levels: Vec<LevelBalance>,
}

/// One level of a categorical column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelBalance {
    /// The value; "(blank)" for empty cells, "(other)" for the pooled rest.
    pub level: String,
    /// Share of each arm's customers with this level.
    pub shares: Vec<f64>,
    /// Binary SMD of the share against the control (`None` for the control).
    pub smd: Vec<Option<f64>>,
}

/// A column not in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedColumn {
    /// Column name.
    pub column: String,
    /// Why.
    pub reason: String,
}

/// SMD of two means with sample variances; `None` if undefined (an empty
/// arm, or zero variance with different means). Equal means give 0.
pub fn smd(mean_t: f64, var_t: f64, mean_c: f64, var_c: f64) -> Option<f64> {
    let pooled = ((var_t + var_c) / 2.0).sqrt();
    let diff = mean_t - mean_c;
    if !(pooled.is_finite() && diff.is_finite()) {
        None
    } else if pooled > 0.0 {
        Some(diff / pooled)
    } else if diff == 0.0 {
        Some(0.0)
    } else {
        None
    }
}

/// SMD of two shares.
pub fn binary_smd(p_t: f64, p_c: f64) -> Option<f64> {
    smd(p_t, p_t * (1.0 - p_t), p_c, p_c * (1.0 - p_c))
}

#[derive(Clone, Copy, Default)]
struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    fn add(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    fn variance(&self) -> Option<f64> {
        match self.n {
            0 => None,
            1 => Some(0.0),
            n => Some(self.m2 / (n - 1) as f64),
        }
    }
}

/// Builds the report. `arm_of[row]` is the arm (index into `arms`) of each
/// row of the columns, `None` for rows not in the experiment.
pub fn balance_report(arms: &[Arm], arm_of: &[Option<u16>], columns: &[Column]) -> BalanceReport {
    let k = arms.len();
    let mut sizes = vec![0u64; k];
    for a in arm_of.iter().flatten() {
        sizes[usize::from(*a)] += 1;
    }
    let total: u64 = sizes.iter().sum();
    let counts = arms
        .iter()
        .zip(&sizes)
        .map(|(arm, &count)| ArmCount {
            arm: arm.name.clone(),
            count,
            target: arm.weight * total as f64,
        })
        .collect();
    let mut report = BalanceReport {
        arms: arms.iter().map(|a| a.name.clone()).collect(),
        total,
        counts,
        numeric: Vec::new(),
        categorical: Vec::new(),
        skipped: Vec::new(),
    };
    for column in columns {
        match &column.values {
            ColumnValues::Numeric(values) => {
                report
                    .numeric
                    .push(numeric(&column.name, values, arm_of, k));
            }
            ColumnValues::Categorical { levels, codes } => {
                report
                    .categorical
                    .push(categorical(&column.name, levels, codes, arm_of, &sizes));
            }
            ColumnValues::Dropped(reason) => report.skipped.push(SkippedColumn {
                column: column.name.clone(),
                reason: reason.clone(),
            }),
        }
    }
    report
}

fn numeric(name: &str, values: &[f64], arm_of: &[Option<u16>], k: usize) -> NumericBalance {
    let mut acc = vec![Welford::default(); k];
    for (&v, a) in values.iter().zip(arm_of) {
        if let Some(a) = a
            && !v.is_nan()
        {
            acc[usize::from(*a)].add(v);
        }
    }
    let control = acc.first().copied().unwrap_or_default();
    let arms = acc
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mean = (w.n > 0).then_some(w.mean);
            let var = w.variance();
            let smd = if i == 0 {
                None
            } else {
                match (var, control.variance()) {
                    (Some(vt), Some(vc)) => smd(w.mean, vt, control.mean, vc),
                    _ => None,
                }
            };
            NumericArm {
                n: w.n,
                mean,
                sd: var.map(f64::sqrt),
                smd,
            }
        })
        .collect();
    NumericBalance {
        column: name.to_string(),
        arms,
    }
}

fn categorical(
    name: &str,
    levels: &[String],
    codes: &[u32],
    arm_of: &[Option<u16>],
    sizes: &[u64],
) -> CategoricalBalance {
    let k = sizes.len();
    let mut counts = vec![vec![0u64; k]; levels.len()];
    for (&code, a) in codes.iter().zip(arm_of) {
        if let Some(a) = a {
            counts[code as usize][usize::from(*a)] += 1;
        }
    }
    let mut order: Vec<usize> = (0..levels.len()).collect();
    order.sort_by_key(|&l| std::cmp::Reverse(counts[l].iter().sum::<u64>()));
    let share = |c: &[u64]| -> Vec<f64> {
        c.iter()
            .zip(sizes)
            .map(|(&n, &size)| {
                if size == 0 {
                    0.0
                } else {
                    n as f64 / size as f64
                }
            })
            .collect()
    };
    let level = |label: String, c: &[u64]| {
        let shares = share(c);
        let smd = shares
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                if i == 0 || sizes[i] == 0 || sizes[0] == 0 {
                    None
                } else {
                    binary_smd(p, shares[0])
                }
            })
            .collect();
        LevelBalance {
            level: label,
            shares,
            smd,
        }
    };
    let mut out: Vec<LevelBalance> = order
        .iter()
        .take(TOP_LEVELS)
        .map(|&l| {
            let label = if levels[l].is_empty() {
                "(blank)".to_string()
            } else {
                levels[l].clone()
            };
            level(label, &counts[l])
        })
        .collect();
    if order.len() > TOP_LEVELS {
        let mut rest = vec![0u64; k];
        for &l in &order[TOP_LEVELS..] {
            for (r, c) in rest.iter_mut().zip(&counts[l]) {
                *r += c;
            }
        }
        out.push(level("(other)".to_string(), &rest));
    }
    CategoricalBalance {
        column: name.to_string(),
        distinct: levels.len(),
        levels: out,
    }
}

/// The sample ratio check of the ledger's group sizes against the targets,
/// as a line under the counts, when it is not ordinary chance: a hash split
/// of 300 customers lands at 176/124 (p = 0.003) about once in 300 pilots,
/// which is worth knowing before outcomes arrive. `None` when the sizes are
/// unremarkable or cannot be checked.
fn split_check(report: &BalanceReport) -> Option<String> {
    use crate::stats::srm::{SRM_THRESHOLD, SRM_UNUSUAL, sample_ratio_mismatch};
    let counts: Vec<u64> = report.counts.iter().map(|c| c.count).collect();
    let targets: Vec<f64> = report.counts.iter().map(|c| c.target).collect();
    let srm = sample_ratio_mismatch(&counts, &targets).ok()?;
    let p = crate::format::p_value(srm.p_value);
    if srm.p_value < SRM_THRESHOLD {
        Some(format!(
            "\nSplit check: MISMATCH ({p}): the group sizes are not what the weights say. \
             Check the weights and that nobody edited the ledger's arm column.\n"
        ))
    } else if srm.p_value < SRM_UNUSUAL {
        Some(format!(
            "\nSplit check: the group sizes are further from the targets than chance usually \
             makes them ({p}), short of a mismatch (p < 0.001). With a random split this \
             happens now and then; if the ledger was edited by hand, check it.\n"
        ))
    } else {
        None
    }
}

/// Renders the report as plain-text tables with aligned columns.
pub fn render_text(report: &BalanceReport) -> String {
    use crate::format::number as grouped;
    let arms = &report.arms;
    let mut out = format!(
        "Balance of {} customers over {} arms\n\n",
        grouped(report.total as f64, 0),
        arms.len()
    );
    let mut rows = vec![cells(["arm", "customers", "target"])];
    for c in &report.counts {
        rows.push(vec![
            c.arm.clone(),
            grouped(c.count as f64, 0),
            grouped(c.target, 1),
        ]);
    }
    out.push_str(&table(&rows, 1));
    if let Some(line) = split_check(report) {
        out.push_str(&line);
    }
    let smd_headers = || {
        arms.iter()
            .skip(1)
            .map(|a| format!("SMD {a}"))
            .collect::<Vec<_>>()
    };
    let mut flagged = false;
    let mut smd_cell = |v: Option<f64>| match v {
        Some(v) if v.abs() > SMD_THRESHOLD => {
            flagged = true;
            format!("{} *", grouped(v, 3))
        }
        Some(v) => format!("{}  ", grouped(v, 3)),
        None => "n/a  ".to_string(),
    };
    if !report.numeric.is_empty() {
        out.push_str("\nNumeric columns: mean per arm, SMD against the control\n");
        let mut header = vec!["column".to_string()];
        header.extend(arms.iter().cloned());
        header.extend(smd_headers());
        let mut rows = vec![header];
        for col in &report.numeric {
            let mut row = vec![col.column.clone()];
            row.extend(col.arms.iter().map(|a| a.mean.map_or("n/a".into(), number)));
            row.extend(col.arms.iter().skip(1).map(|a| smd_cell(a.smd)));
            rows.push(row);
        }
        out.push_str(&table(&rows, 1));
    }
    if !report.categorical.is_empty() {
        out.push_str("\nCategorical columns: share per arm, SMD against the control\n");
        let mut header = vec!["column".to_string(), "value".to_string()];
        header.extend(arms.iter().cloned());
        header.extend(smd_headers());
        let mut rows = vec![header];
        for col in &report.categorical {
            // A level no enrolled customer has (e.g. one the filters exclude)
            // says nothing about balance.
            let present = col
                .levels
                .iter()
                .filter(|l| l.shares.iter().any(|&s| s > 0.0));
            for (i, level) in present.enumerate() {
                let name = if i == 0 {
                    col.column.clone()
                } else {
                    String::new()
                };
                let mut row = vec![name, level.level.clone()];
                row.extend(level.shares.iter().map(|s| format!("{:.1}%", s * 100.0)));
                row.extend(level.smd.iter().skip(1).map(|&s| smd_cell(s)));
                rows.push(row);
            }
        }
        out.push_str(&table(&rows, 2));
    }
    if !report.skipped.is_empty() {
        out.push_str("\nNot shown: ");
        let list: Vec<String> = report
            .skipped
            .iter()
            .map(|s| format!("{} ({})", s.column, s.reason))
            .collect();
        out.push_str(&list.join(", "));
        out.push('\n');
    }
    if !report.numeric.is_empty() || !report.categorical.is_empty() {
        out.push('\n');
        if flagged {
            out.push_str("* ");
        }
        out.push_str(
            "An |SMD| above 0.1 is commonly read as imbalance between the arms; \
             with few customers per arm it can also be chance.\n",
        );
    }
    out
}

fn cells<const N: usize>(items: [&str; N]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A mean with a sensible number of decimals.
fn number(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(0.001..1e9).contains(&a) {
        format!("{v:.3e}")
    } else if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Aligns `rows` (the first is the header): the first `text_columns`
/// columns left, the rest right.
fn table(rows: &[Vec<String>], text_columns: usize) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; n];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width::width(cell));
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, (cell, &w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            if i < text_columns {
                line.push_str(&width::pad_end(cell, w));
            } else {
                line.push_str(&width::pad_start(cell, w));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arms() -> Vec<Arm> {
        vec![
            Arm {
                name: "control".into(),
                weight: 0.5,
            },
            Arm {
                name: "pilot".into(),
                weight: 0.5,
            },
        ]
    }

    #[test]
    fn smd_formulas() {
        assert_eq!(smd(2.0, 1.0, 1.0, 1.0), Some(1.0));
        assert_eq!(smd(1.0, 0.0, 1.0, 0.0), Some(0.0));
        assert_eq!(smd(2.0, 0.0, 1.0, 0.0), None);
        let b = binary_smd(0.5, 0.4).unwrap();
        assert!((b - 0.1 / (0.245f64).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn report_and_rendering() {
        let arm_of = [Some(0), Some(0), Some(1), Some(1), None];
        let columns = vec![
            Column {
                name: "orders".into(),
                values: ColumnValues::Numeric(vec![1.0, 3.0, 2.0, f64::NAN, 99.0]),
            },
            Column {
                name: "segment".into(),
                values: ColumnValues::Categorical {
                    levels: vec!["A".into(), "".into()],
                    codes: vec![0, 1, 0, 0, 1],
                },
            },
            Column {
                name: "email".into(),
                values: ColumnValues::Dropped("more than 1000 distinct values".into()),
            },
        ];
        let r = balance_report(&arms(), &arm_of, &columns);
        assert_eq!(r.total, 4);
        assert_eq!(r.counts[1].target, 2.0);
        assert_eq!(r.numeric[0].arms[0].mean, Some(2.0));
        assert_eq!(r.numeric[0].arms[1].n, 1);
        assert_eq!(r.numeric[0].arms[1].smd, Some(0.0));
        assert_eq!(r.categorical[0].levels[0].shares, vec![0.5, 1.0]);
        let text = render_text(&r);
        let expected = "\
Balance of 4 customers over 2 arms

arm      customers  target
control          2     2.0
pilot            2     2.0

Numeric columns: mean per arm, SMD against the control
column  control  pilot  SMD pilot
orders    2.000  2.000    0.000

Categorical columns: share per arm, SMD against the control
column   value    control   pilot  SMD pilot
segment  A          50.0%  100.0%    1.414 *
         (blank)    50.0%    0.0%   -1.414 *

Not shown: email (more than 1000 distinct values)

* An |SMD| above 0.1 is commonly read as imbalance between the arms; with few customers per arm it can also be chance.
";
        assert_eq!(text, expected, "\n{text}");
    }

    #[test]
    fn wide_and_accented_levels_keep_columns_aligned() {
        let arm_of = [Some(0), Some(1), Some(0), Some(1)];
        let columns = vec![Column {
            name: "city".into(),
            values: ColumnValues::Categorical {
                levels: vec!["東京".into(), "Montre\u{301}al".into(), "🎉".into()],
                codes: vec![0, 1, 2, 0],
            },
        }];
        let text = render_text(&balance_report(&arms(), &arm_of, &columns));
        let expected = "\
column  value     control  pilot  SMD pilot
city    東京        50.0%  50.0%    0.000
        Montre\u{301}al     0.0%  50.0%    1.414 *
        🎉          50.0%   0.0%   -1.414 *
";
        assert!(text.contains(expected), "\n{text}");
    }

    #[test]
    fn many_levels_pool_into_other() {
        let levels: Vec<String> = (0..15).map(|i| format!("L{i}")).collect();
        let codes: Vec<u32> = (0..30).map(|i| i % 15).collect();
        let arm_of: Vec<Option<u16>> = (0..30).map(|i| Some(i % 2)).collect();
        let columns = vec![Column {
            name: "c".into(),
            values: ColumnValues::Categorical { levels, codes },
        }];
        let r = balance_report(&arms(), &arm_of, &columns);
        let c = &r.categorical[0];
        assert_eq!(c.distinct, 15);
        assert_eq!(c.levels.len(), TOP_LEVELS + 1);
        assert_eq!(c.levels[TOP_LEVELS].level, "(other)");
        let total: f64 = c.levels.iter().map(|l| l.shares[0]).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}

#[cfg(test)]
mod split_check_tests {
    use super::*;

    fn report(counts: [u64; 2]) -> BalanceReport {
        let total = counts.iter().sum::<u64>();
        BalanceReport {
            arms: vec!["control".into(), "pilot".into()],
            total,
            counts: counts
                .iter()
                .zip(["control", "pilot"])
                .map(|(&count, arm)| ArmCount {
                    arm: arm.into(),
                    count,
                    target: total as f64 / 2.0,
                })
                .collect(),
            numeric: Vec::new(),
            categorical: Vec::new(),
            skipped: Vec::new(),
        }
    }

    #[test]
    fn assign_words_an_unusual_split_and_a_mismatch() {
        // 176/124 of 300: p = 0.0027 (scipy chisquare); 200/100: p = 7.7e-9.
        let unusual = render_text(&report([176, 124]));
        assert!(
            unusual.contains("further from the targets than chance usually makes them (p = 0.003)")
        );
        let broken = render_text(&report([200, 100]));
        assert!(broken.contains("Split check: MISMATCH (p < 0.001)"));
        let fine = render_text(&report([152, 148]));
        assert!(!fine.contains("Split check"));
    }
}
