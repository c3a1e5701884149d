//! Sample balance: one horizontal bar per arm with its count, and a tick at
//! the target, so a lopsided split is visible at a glance.

use super::axis::Scale;
use super::writer::{
    BLUE, Frame, INK, LABEL_SIZE, LIGHT_BLUE, MARGIN, SMALL_SIZE, WIDTH, el, line, rect, text,
    text_width, truncate,
};
use super::{symbol, writer};
use crate::format::{count, number};

/// One arm's count and target.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BalanceBar {
    /// Arm name (user text).
    pub label: String,
    /// How many were assigned (or observed).
    pub count: u64,
    /// How many were expected; `None` (or non-finite/negative) draws no
    /// target tick.
    pub target: Option<f64>,
}

/// A balance chart: counts per arm against targets.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Balance {
    /// Chart title (user text).
    pub title: String,
    /// Text under the chart (user text).
    pub caption: String,
    /// What is counted, singular and plural: `("customer", "customers")`;
    /// empty gives bare numbers.
    pub units: (String, String),
    /// One bar per arm, top to bottom.
    pub bars: Vec<BalanceBar>,
}

const ROW: f64 = 46.0;
const BAR_LEFT: f64 = MARGIN;
const BAR_RIGHT: f64 = WIDTH - MARGIN;

/// Draws the balance chart; see [`Balance`]. No bars give the "No data
/// yet" chart.
pub fn balance(b: &Balance) -> String {
    if b.bars.is_empty() {
        return writer::no_data("balance", &b.title);
    }
    let target = |bar: &BalanceBar| bar.target.filter(|t| t.is_finite() && *t >= 0.0);
    let counted = |n: u64| {
        if b.units.1.is_empty() {
            number(n as f64, 0)
        } else {
            count(n, &b.units.0, &b.units.1)
        }
    };
    let max = b
        .bars
        .iter()
        .map(|bar| (bar.count as f64).max(target(bar).unwrap_or(0.0)))
        .fold(0.0f64, f64::max);
    // 5% headroom so the longest bar does not touch the edge; 1 if all zero.
    let sx = Scale::new(
        0.0,
        if max > 0.0 { max * 1.05 } else { 1.0 },
        BAR_LEFT,
        BAR_RIGHT,
    );

    let values: Vec<String> = b
        .bars
        .iter()
        .map(|bar| match target(bar) {
            Some(t) => format!("{} (target {})", counted(bar.count), number(t, 0)),
            None => counted(bar.count),
        })
        .collect();
    let description = b
        .bars
        .iter()
        .zip(&values)
        .map(|(bar, v)| format!("{}: {v}", bar.label))
        .collect::<Vec<_>>()
        .join("; ");
    let mut frame = Frame::new("balance", &b.title, &description);
    let top = frame.y;
    let mut any_target = false;
    for (i, (bar, value)) in b.bars.iter().zip(&values).enumerate() {
        let row_top = top + ROW * i as f64;
        let text_y = row_top + 16.0;
        let bar_y = row_top + 24.0;
        let value_width = text_width(value, SMALL_SIZE) + 12.0;
        let label = truncate(&bar.label, BAR_RIGHT - BAR_LEFT - value_width, LABEL_SIZE);
        let mut marks = el("title").text(&format!("{}: {value}", bar.label));
        marks.push_str(
            &text(MARGIN, text_y, LABEL_SIZE, "start")
                .class("label")
                .text(&label),
        );
        marks.push_str(
            &text(WIDTH - MARGIN, text_y, SMALL_SIZE, "end")
                .class("value")
                .text(value),
        );
        // Track behind the bar shows the full scale, so short bars read as
        // short rather than as missing.
        marks.push_str(
            &rect(BAR_LEFT, bar_y, BAR_RIGHT - BAR_LEFT, 12.0)
                .attr("fill", "#eef1f4")
                .class("track")
                .empty(),
        );
        marks.push_str(
            &rect(BAR_LEFT, bar_y, sx.map(bar.count as f64) - BAR_LEFT, 12.0)
                .attr("fill", LIGHT_BLUE)
                .attr("stroke", BLUE)
                .num("stroke-width", 1.0)
                .class("mark bar")
                .empty(),
        );
        if let Some(t) = target(bar) {
            any_target = true;
            let x = sx.map(t);
            marks.push_str(
                &line(x, bar_y - 5.0, x, bar_y + 17.0, INK, 2.5)
                    .class("mark target")
                    .empty(),
            );
        }
        frame.push(&el("g").class("row").children(&marks));
    }
    frame.y = top + ROW * b.bars.len() as f64;
    let mut legend = vec![(symbol::bar(), "actual".to_string())];
    if any_target {
        legend.push((symbol::target_tick(), "target".to_string()));
    }
    frame.legend(&legend);
    frame.caption(&b.caption);
    frame.finish()
}
