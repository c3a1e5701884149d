//! The effect at each interim look: estimate and interval per look, with a
//! zero line. The caption (what the intervals mean) comes from the caller.

use super::axis::{Scale, XAxis, nice_ticks, pad_domain, value_ticks, y_axis, y_title};
use super::writer::{Frame, MARGIN, MUTED, SMALL_SIZE, WIDTH, el, num_text, text, truncate};
use super::{estimate_mark, halo, interval_mark, min_span, symbol, writer, zero_line};
use crate::format::{Minus, Unit, interval};

/// The estimate at one look.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Look {
    /// Label under the point, e.g. a date `2025-03-14` or `look 2` (user
    /// text; with many looks only some labels are shown).
    pub label: String,
    /// Point estimate, in the chart's [`Unit`].
    pub estimate: f64,
    /// Interval `(low, high)` valid at this look; `None` draws the point
    /// alone.
    pub ci: Option<(f64, f64)>,
    /// Significant at this look: filled marker, otherwise hollow.
    pub significant: bool,
}

/// An effect-over-time chart.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectOverTime {
    /// Chart title (user text).
    pub title: String,
    /// Title of the value axis, e.g. "Change in revenue per customer".
    pub y_label: String,
    /// Text under the chart, supplied by the caller: for sequential
    /// intervals, that they are valid at every look (user text).
    pub caption: String,
    /// Unit of estimates and intervals (e.g. [`Unit::Relative`]).
    pub unit: Unit,
    /// Looks in time order.
    pub looks: Vec<Look>,
    /// Value axis range; intervals beyond it are clipped with arrows.
    /// `None` fits all values (relative and percentage units within
    /// -100% .. +300%). Zero is always inside.
    pub domain: Option<(f64, f64)>,
}

impl Default for EffectOverTime {
    fn default() -> EffectOverTime {
        EffectOverTime {
            title: String::new(),
            y_label: String::new(),
            caption: String::new(),
            unit: Unit::Relative,
            looks: Vec::new(),
            domain: None,
        }
    }
}

const PLOT_LEFT: f64 = 64.0;
const PLOT_RIGHT: f64 = WIDTH - MARGIN - 8.0;
const PLOT_HEIGHT: f64 = 190.0;
/// At most this many look labels fit under the axis on a phone.
const MAX_LABELS: usize = 6;

/// Draws the chart; see [`EffectOverTime`]. No looks give the "No data
/// yet" chart.
pub fn effect_over_time(c: &EffectOverTime) -> String {
    if c.looks.is_empty() {
        return writer::no_data("effect-over-time", &c.title);
    }
    let unit = &c.unit;
    let drawable = |l: &Look| -> Option<Option<(f64, f64)>> {
        if !l.estimate.is_finite() {
            return None;
        }
        Some(
            l.ci.filter(|(a, b)| a.is_finite() && b.is_finite())
                .map(|(a, b)| (a.min(b), a.max(b))),
        )
    };

    let ticks = {
        let mut lo = 0.0f64;
        let mut hi = 0.0f64;
        match c.domain {
            Some((a, b)) if a.is_finite() && b.is_finite() && a != b => {
                lo = lo.min(a.min(b));
                hi = hi.max(a.max(b));
            }
            _ => {
                let limits = match unit {
                    Unit::Relative | Unit::Share | Unit::Points => (-1.0, 3.0),
                    Unit::Money(_) | Unit::Number => (f64::MIN, f64::MAX),
                };
                for l in &c.looks {
                    if let Some(ci) = drawable(l) {
                        let (a, b) = ci.unwrap_or((l.estimate, l.estimate));
                        for v in [a, b, l.estimate] {
                            let v = v.clamp(limits.0, limits.1);
                            lo = lo.min(v);
                            hi = hi.max(v);
                        }
                    }
                }
            }
        }
        let (lo, hi) = pad_domain(lo, hi, min_span(unit, lo, hi));
        nice_ticks(lo, hi, 6)
    };

    let descriptions: Vec<String> = c
        .looks
        .iter()
        .map(|l| match drawable(l) {
            None => format!("{}: not computable", l.label),
            Some(ci) => format!(
                "{}: {}{}{}",
                l.label,
                num_text(unit.value(l.estimate)),
                ci.map(|(a, b)| format!(" {}", interval(a, b, |v| unit.value(v), Minus::Unicode)))
                    .unwrap_or_default(),
                if l.significant { ", significant" } else { "" }
            ),
        })
        .collect();
    let mut frame = Frame::new("effect-over-time", &c.title, &descriptions.join("; "));
    y_title(&mut frame, &c.y_label);
    let top = frame.y + 14.0;
    let bottom = top + PLOT_HEIGHT;
    let sy = Scale::new(ticks.lo(), ticks.hi(), bottom, top);

    frame.push(&y_axis(
        PLOT_LEFT,
        PLOT_RIGHT,
        &value_ticks(&sy, &ticks.values, unit),
    ));
    frame.push(&zero_line(PLOT_LEFT, sy.map(0.0), PLOT_RIGHT, sy.map(0.0)));

    let n = c.looks.len();
    let band = (PLOT_RIGHT - PLOT_LEFT) / n as f64;
    // Label every k-th look, counting back from the latest so it is
    // always labelled; k large enough that the widest label fits its
    // room, so labels are thinned rather than cut.
    let widest = c
        .looks
        .iter()
        .map(|l| writer::text_width(&l.label, SMALL_SIZE))
        .fold(0.0, f64::max);
    let fitting = ((widest + 6.0) / band).ceil().max(1.0) as usize;
    let every = n.div_ceil(MAX_LABELS).max(fitting).min(n.max(1));
    let mut any_clipped = false;
    let mut x_ticks = Vec::new();
    for (i, (look, description)) in c.looks.iter().zip(&descriptions).enumerate() {
        let x = PLOT_LEFT + band * (i as f64 + 0.5);
        let mut marks = el("title").text(description);
        match drawable(look) {
            None => marks.push_str(
                &halo(text(x, sy.map(0.0) - 8.0, SMALL_SIZE, "middle"))
                    .attr("fill", MUTED)
                    .attr("font-style", "italic")
                    .class("mark not-computable")
                    .text("n/a"),
            ),
            Some(ci) => {
                if let Some(ci) = ci {
                    let (markup, clipped) = interval_mark(&sy, ci, x, false, writer::NEUTRAL);
                    any_clipped |= clipped;
                    marks.push_str(&markup);
                }
                marks.push_str(&estimate_mark(
                    &sy,
                    look.estimate,
                    x,
                    false,
                    look.significant,
                    writer::NEUTRAL,
                ));
            }
        }
        frame.push(&el("g").class("look").children(&marks));
        if (n - 1 - i).is_multiple_of(every) {
            let label = truncate(&look.label, band * every as f64 - 6.0, SMALL_SIZE);
            x_ticks.push((x, label));
        }
    }
    XAxis {
        left: PLOT_LEFT,
        right: PLOT_RIGHT,
        top,
        bottom,
        ticks: x_ticks,
        title: None,
    }
    .draw(&mut frame);

    let mut legend = vec![
        (symbol::filled(), "significant".to_string()),
        (symbol::hollow(), "not significant".to_string()),
    ];
    if any_clipped {
        legend.push((symbol::arrow(), "continues beyond the axis".to_string()));
    }
    frame.legend(&legend);
    frame.caption(&c.caption);
    frame.finish()
}
