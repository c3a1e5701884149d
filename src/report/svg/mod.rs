//! Small, dependency-free SVG charts for reports.
//!
//! Each chart is a pure function from an input struct to a complete SVG
//! document as a `String`:
//!
//! * [`forest_plot`]: effects per metric with intervals and guardrails.
//! * [`histogram`]: simulated NPV draws, loss side hatched, break-even.
//! * [`cash_flow`]: cumulative cash over months, median and 90% band.
//! * [`effect_over_time`]: the estimate at each look with its interval.
//! * [`balance`]: customers per arm against the target.
//!
//! What every chart guarantees:
//!
//! * **Self-contained**: presentation attributes only, no `<style>` (it
//!   would leak into a page the SVG is inlined in), no external references,
//!   no scripts, no images, system fonts only. The only `url(#…)` is the
//!   hatch pattern in the chart's own `<defs>`.
//! * **Responsive**: a 360-unit wide `viewBox` with `width="100%"`, drawn
//!   at about its own size on a phone (12.5-unit text is 12 px on a 390 px
//!   screen) and at most 470 px wide on a desktop page.
//! * **Printable in black and white**: significant results are filled
//!   markers with bold labels, others hollow; losses are hatched; limits
//!   are dashed. Colour only repeats what shapes already say.
//! * **Escaped**: every string reaches the markup through
//!   [`crate::report::escape`], in the one writer all charts share.
//! * **Accessible**: `role="img"`, `aria-label`, `<title>` and a `<desc>`
//!   stating the numbers; each row or point also has a `<title>` tooltip.
//! * **Countable**: every data mark has class `mark` plus its kind
//!   (`mark interval`, `mark estimate`, `mark bar`, …), one per input item.
//! * **Total**: empty input gives a small chart with its title and "No
//!   data yet" (not `None`, so a report can always embed it); a single
//!   item or all-equal values get a padded axis; intervals beyond the axis
//!   are clipped with an arrow; non-finite values are never drawn.
//!
//! Numbers use [`crate::format`] with U+2212 minus signs.

pub mod axis;
mod balance;
mod cash_flow;
mod effect_over_time;
mod forest;
mod histogram;
mod writer;

pub use balance::{Balance, BalanceBar, balance};
pub use cash_flow::{CashFlow, CashFlowMonth, cash_flow};
pub use effect_over_time::{EffectOverTime, Look, effect_over_time};
pub use forest::{Forest, ForestRow, Guardrail, HarmDirection, forest_plot};
pub use histogram::{Histogram, histogram};

use axis::Scale;
use writer::{El, el, line, points};

/// Class of the arrows drawn where an interval runs past the axis.
const CLIP_CLASS: &str = "clip-arrow";

/// Draws an interval from `lo` to `hi` along `scale`, at `across` on the
/// other axis, clipped to the scale's domain. Visible ends get a short cap;
/// clipped ends get an arrow pointing off the chart. Returns the markup and
/// whether anything was clipped.
fn interval_mark(
    scale: &Scale,
    (lo, hi): (f64, f64),
    across: f64,
    horizontal: bool,
    color: &str,
) -> (String, bool) {
    let pt = |along: f64, off: f64| {
        if horizontal {
            (along, across + off)
        } else {
            (across + off, along)
        }
    };
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let a = scale.clamped(lo);
    let b = scale.clamped(hi);
    let (x1, y1) = pt(a, 0.0);
    let (x2, y2) = pt(b, 0.0);
    let mut out = line(x1, y1, x2, y2, color, 2.5)
        .attr("stroke-linecap", "butt")
        .class("mark interval")
        .empty();
    // Which way is "off the chart" at each end of the domain.
    let out_lo = (scale.map(scale.lo()) - scale.map(scale.hi())).signum();
    let mut clipped = false;
    for (value, end, outward, beyond) in [
        (lo, a, out_lo, lo < scale.lo()),
        (hi, b, -out_lo, hi > scale.hi()),
    ] {
        if beyond {
            clipped = true;
            let edge = scale.clamped(value);
            let tri = [pt(edge + outward * 8.0, 0.0), pt(edge, -5.0), pt(edge, 5.0)];
            out.push_str(
                &el("polygon")
                    .attr("points", &points(&tri))
                    .attr("fill", color)
                    .class(CLIP_CLASS)
                    .empty(),
            );
        } else {
            let (cx1, cy1) = pt(end, -5.0);
            let (cx2, cy2) = pt(end, 5.0);
            out.push_str(&line(cx1, cy1, cx2, cy2, color, 2.0).class("cap").empty());
        }
    }
    (out, clipped)
}

/// Draws a point estimate: a circle, filled if `significant` and hollow
/// otherwise (the black-and-white distinction), or, if the value is beyond
/// the axis, a triangle at the edge pointing off the chart.
fn estimate_mark(
    scale: &Scale,
    value: f64,
    across: f64,
    horizontal: bool,
    significant: bool,
    color: &str,
) -> String {
    let class = if significant {
        "mark estimate significant"
    } else {
        "mark estimate"
    };
    let fill = if significant { color } else { "#fff" };
    if scale.contains(value) {
        let along = scale.map(value);
        let (x, y) = if horizontal {
            (along, across)
        } else {
            (across, along)
        };
        return circle(x, y, 6.0)
            .attr("fill", fill)
            .attr("stroke", color)
            .num("stroke-width", 2.0)
            .class(class)
            .empty();
    }
    let out_lo = (scale.map(scale.lo()) - scale.map(scale.hi())).signum();
    let outward = if value < scale.lo() { out_lo } else { -out_lo };
    let edge = scale.clamped(value);
    let pt = |along: f64, off: f64| {
        if horizontal {
            (along, across + off)
        } else {
            (across + off, along)
        }
    };
    let tri = [
        pt(edge + outward * 4.0, 0.0),
        pt(edge - outward * 8.0, -7.0),
        pt(edge - outward * 8.0, 7.0),
    ];
    el("polygon")
        .attr("points", &points(&tri))
        .attr("fill", fill)
        .attr("stroke", color)
        .num("stroke-width", 2.0)
        .class(&format!("{class} off-scale"))
        .empty()
}

/// A circle centred at (x, y).
fn circle(x: f64, y: f64, r: f64) -> El {
    el("circle").num("cx", x).num("cy", y).num("r", r)
}

/// Legend symbols, each drawn in a 16 x 12 box at the origin.
mod symbol {
    use super::writer::{BLUE, HATCH_ID, INK, LIGHT_BLUE, el, line, rect};
    use super::{CLIP_CLASS, circle};

    /// A filled marker: significant.
    pub(super) fn filled() -> String {
        circle(8.0, 6.0, 5.0)
            .attr("fill", INK)
            .attr("stroke", INK)
            .num("stroke-width", 2.0)
            .empty()
    }

    /// A hollow marker: not significant.
    pub(super) fn hollow() -> String {
        circle(8.0, 6.0, 5.0)
            .attr("fill", "#fff")
            .attr("stroke", INK)
            .num("stroke-width", 2.0)
            .empty()
    }

    /// A dashed vertical line: a limit or a threshold.
    pub(super) fn dashed_vertical() -> String {
        line(8.0, -1.0, 8.0, 13.0, INK, 1.5)
            .attr("stroke-dasharray", "3 2")
            .empty()
    }

    /// An arrow: something runs past the axis.
    pub(super) fn arrow() -> String {
        el("polygon")
            .attr("points", "16,6 8,1 8,11")
            .attr("fill", INK)
            .class(CLIP_CLASS)
            .empty()
            + &line(0.0, 6.0, 8.0, 6.0, INK, 2.5).empty()
    }

    /// A hatched swatch: loss.
    pub(super) fn hatch() -> String {
        rect(0.0, 0.0, 16.0, 12.0)
            .attr("fill", &format!("url(#{HATCH_ID})"))
            .attr("stroke", INK)
            .num("stroke-width", 0.8)
            .empty()
    }

    /// A plain bar swatch.
    pub(super) fn bar() -> String {
        rect(0.0, 0.0, 16.0, 12.0)
            .attr("fill", LIGHT_BLUE)
            .attr("stroke", BLUE)
            .num("stroke-width", 1.0)
            .empty()
    }

    /// A band swatch.
    pub(super) fn band() -> String {
        rect(0.0, 0.0, 16.0, 12.0).attr("fill", LIGHT_BLUE).empty()
    }

    /// A thick line: a median or a trend.
    pub(super) fn thick_line() -> String {
        line(0.0, 6.0, 16.0, 6.0, BLUE, 2.5).empty()
    }

    /// A short vertical tick: a target.
    pub(super) fn target_tick() -> String {
        line(8.0, -1.0, 8.0, 13.0, INK, 2.5).empty()
    }
}

/// Writes `label` centred under/over `x` but kept inside the frame: near an
/// edge it is anchored at that edge instead of overflowing.
fn anchored_label(x: f64, y: f64, size: f64, label: &str) -> El {
    use writer::{MARGIN, WIDTH, text, text_width};
    let half = text_width(label, size) / 2.0;
    if x - half < MARGIN / 2.0 {
        text((x - 2.0).max(MARGIN / 2.0), y, size, "start")
    } else if x + half > WIDTH - MARGIN / 2.0 {
        text((x + 2.0).min(WIDTH - MARGIN / 2.0), y, size, "end")
    } else {
        text(x, y, size, "middle")
    }
}

/// The caller's axis title, or `fallback` when it left it blank.
fn label_or<'a>(given: &'a str, fallback: &'a str) -> &'a str {
    if given.trim().is_empty() {
        fallback
    } else {
        given
    }
}

/// Gives in-plot text a white outline so it stays readable over marks.
fn halo(el: El) -> El {
    halo_on(el, "#fff")
}

/// Gives text an outline in the colour behind it, so grid and zero lines
/// stop short of the letters instead of striking through them.
fn halo_on(el: El, background: &str) -> El {
    el.attr("paint-order", "stroke")
        .attr("stroke", background)
        .num("stroke-width", 6.0)
        .attr("stroke-linejoin", "round")
}

/// The colour of a result that is favourable, unfavourable or neither.
fn judgement_color(favourable: Option<bool>) -> &'static str {
    match favourable {
        Some(true) => writer::GOOD,
        Some(false) => writer::BAD,
        None => writer::NEUTRAL,
    }
}

/// A zero line: darker than the grid, so "no effect" stands out.
fn zero_line(x1: f64, y1: f64, x2: f64, y2: f64) -> String {
    line(x1, y1, x2, y2, writer::ZERO, 1.5)
        .class("zero-line")
        .empty()
}

/// Smallest range drawn for values in `unit`: two percentage points for
/// rates, otherwise a fifth of the values' size (1 if they are all zero),
/// so an all-equal series still gets a readable axis.
fn min_span(unit: &crate::format::Unit, lo: f64, hi: f64) -> f64 {
    use crate::format::Unit;
    match unit {
        Unit::Share | Unit::Relative | Unit::Points => 0.02,
        Unit::Money(_) | Unit::Number => {
            let size = lo.abs().max(hi.abs());
            if size > 0.0 { size * 0.2 } else { 1.0 }
        }
    }
}
