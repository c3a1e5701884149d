//! The words and tables of the "decision in money" section, shared by the
//! terminal, Markdown and HTML reports.
//!
//! Plain text only; each renderer escapes and lays it out.

use super::text::change;
use crate::decide::money::MoneyOutlook;
use crate::decide::target::Target;
use crate::decide::verdict::{ArmDecision, list_values};
use crate::format::{money, probability, signed_money};
use crate::report::model::AnalysisReport;

/// The section, ready to lay out.
pub(crate) struct DecisionSection {
    /// Sentences under the title: the prior, the deadline, how much the
    /// call depends on the prior.
    pub notes: Vec<String>,
    /// Column headers of the money table.
    pub money_headers: [&'static str; 6],
    /// One row per treatment arm with money.
    pub money_rows: Vec<[String; 6]>,
    /// Column headers of the effects table.
    pub effect_headers: [&'static str; 5],
    /// One row per arm and metric: measured and likely change.
    pub effect_rows: Vec<[String; 5]>,
}

/// The section of `report`, or `None` when the decision has nothing in
/// money or effects to show (no primary metric, broken data).
pub(crate) fn decision_section(report: &AnalysisReport) -> Option<DecisionSection> {
    let decision = &report.decision;
    if decision.arms.is_empty() {
        return None;
    }
    let currency = report.roi.as_ref().map_or("$", |r| r.currency.as_str());
    let mut notes = vec![format!("Prior: {}.", decision.prior)];
    if let Some(d) = &decision.deadline {
        let source = match d.source.as_str() {
            "deadline" => "the deadline set in the file",
            _ => "max_weeks after the first assignment; set [decision] deadline to choose the day",
        };
        notes.push(match (&d.date, d.weeks_left) {
            (None, w) => format!(
                "pilot does not know when this pilot began (the ledger has no dates), so it \
                 treats it as just begun ({} left); set [decision] deadline to say when it ends.",
                weeks(w)
            ),
            (Some(date), 0) => format!(
                "The pilot's end, {date} ({source}), is reached: the verdict is roll out or stop."
            ),
            (Some(date), w) => format!("The pilot ends {date} ({source}): {} left.", weeks(w)),
        });
    }
    let multi = decision.arms.len() > 1;
    let money_row = |label: String, m: &MoneyOutlook, waiting: String| {
        [
            label,
            signed_money(m.expected_npv, currency),
            format!(
                "{} to {}",
                signed_money(m.npv_p05, currency),
                signed_money(m.npv_p95, currency)
            ),
            probability(m.probability_positive),
            format!(
                "{} / {}",
                money(m.expected_loss_rollout, currency),
                money(m.expected_loss_stop, currency)
            ),
            waiting,
        ]
    };
    let mut money_rows: Vec<[String; 6]> = Vec::new();
    for a in &decision.arms {
        let Some(m) = &a.money else {
            continue;
        };
        money_rows.push(money_row(a.arm.clone(), m, waiting_cell(a, currency)));
        if let Some(t) = &a.target {
            let label = format!("{}, {} {} only", a.arm, t.column, list_values(&t.values));
            money_rows.push(money_row(label, &t.money, String::new()));
            notes.push(target_note(a, t, currency));
        }
    }
    for a in &decision.arms {
        if let (Some(m), false) = (a.money, a.sensitivity.is_empty()) {
            let checks: Vec<String> = a
                .sensitivity
                .iter()
                .map(|c| {
                    format!(
                        "{} {} ({} chance it pays off)",
                        c.prior,
                        signed_money(c.expected_npv, currency),
                        probability(c.probability_positive)
                    )
                })
                .collect();
            let flips = a
                .sensitivity
                .iter()
                .any(|c| (c.expected_npv > 0.0) != (m.expected_npv > 0.0));
            let who = if multi {
                format!("{}: ", a.arm)
            } else {
                String::new()
            };
            notes.push(format!(
                "{who}Expected NPV under other priors: {}. {}",
                checks.join("; "),
                if flips {
                    "Under some of them rolling out would be the other call: the data are not \
                     strong enough to settle it without a prior."
                } else {
                    "Every one of them leads to the same call."
                }
            ));
        }
    }
    let effect_rows = decision
        .arms
        .iter()
        .flat_map(|a| {
            a.effects.iter().filter_map(move |e| {
                let metric = report.metrics.iter().find(|m| m.name == e.metric)?;
                let name = if multi {
                    format!("{} ({})", metric.title(), a.arm)
                } else {
                    metric.title().to_string()
                };
                Some([
                    name,
                    change(metric, e.estimate),
                    change(metric, e.shrunken),
                    format!("{} to {}", change(metric, e.lower), change(metric, e.upper)),
                    probability(e.probability_better),
                ])
            })
        })
        .collect();
    Some(DecisionSection {
        notes,
        money_headers: [
            "Arm",
            "Expected NPV",
            "90% range",
            "Chance it pays off",
            "Expected loss: roll out / stop",
            "Waiting: worth / cost",
        ],
        money_rows,
        effect_headers: [
            "metric",
            "measured",
            "likely",
            "likely range (95%)",
            "chance it is better",
        ],
        effect_rows,
    })
}

/// What rolling out to some segments only would earn, segment by segment.
fn target_note(a: &ArmDecision, t: &Target, currency: &str) -> String {
    let per_segment: Vec<String> = t
        .segments
        .iter()
        .map(|s| {
            format!(
                "{} {} ({} chance it pays off)",
                s.value,
                signed_money(s.expected_npv, currency),
                probability(s.probability_positive)
            )
        })
        .collect();
    format!(
        "Rolled out to {} {} only ({} customers), {} is expected to earn {}, against {} rolled \
         out to everyone: the segments differ enough, after allowing for their noise, that \
         leaving out the others pays. Each segment on its own, with the fixed costs shared by \
         customers: {}.",
        t.column,
        list_values(&t.values),
        crate::format::number(t.customers, 0),
        a.arm,
        signed_money(t.money.expected_npv, currency),
        signed_money(t.everyone_expected_npv, currency),
        per_segment.join("; ")
    ) + if a.may_roll_out {
        ""
    } else {
        " It is held back all the same, for the reasons the verdict gives."
    }
}

fn waiting_cell(a: &ArmDecision, currency: &str) -> String {
    match a.waiting {
        Some(w) => format!(
            "{} {} / {}",
            weeks(w.weeks),
            money(w.value_of_information, currency),
            money(w.cost, currency)
        ),
        None => "none left".to_string(),
    }
}

fn weeks(w: u32) -> String {
    if w == 1 {
        "1 week".to_string()
    } else {
        format!("{w} weeks")
    }
}
