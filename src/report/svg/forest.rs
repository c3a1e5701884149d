//! Forest plot: one row per metric (or segment), the relative effect with
//! its interval, a zero line, and guardrail limits.

use super::axis::{Scale, XAxis, nice_ticks, pad_domain, value_ticks};
use super::writer::{
    Frame, INK, LABEL_SIZE, MARGIN, MUTED, SMALL_SIZE, WIDTH, bold, el, line, num_text, rect, text,
    text_width, truncate, wrap,
};
use super::{
    estimate_mark, halo, halo_on, interval_mark, judgement_color, label_or, symbol, writer,
    zero_line,
};
use crate::config::Direction;
use crate::format::{Minus, Unit, interval, signed_pct};

/// Which way a guardrail metric gets worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HarmDirection {
    /// Harm is a decrease: the limit is drawn at `-margin`.
    Decrease,
    /// Harm is an increase: the limit is drawn at `+margin`.
    Increase,
}

impl HarmDirection {
    /// The harmful direction of a metric whose better direction is
    /// `better` (as declared in the experiment file).
    pub fn against(better: Direction) -> HarmDirection {
        match better {
            Direction::Increase => HarmDirection::Decrease,
            Direction::Decrease => HarmDirection::Increase,
        }
    }
}

/// A guardrail's non-inferiority limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guardrail {
    /// Tolerated relative worsening, positive (0.02 = 2% worse tolerated).
    pub margin: f64,
    /// Which side of zero is worse.
    pub harm_direction: HarmDirection,
}

impl Guardrail {
    /// Where the limit sits on the relative-effect axis, if drawable.
    fn position(&self) -> Option<f64> {
        let m = self.margin.abs();
        if !m.is_finite() {
            return None;
        }
        Some(match self.harm_direction {
            HarmDirection::Decrease => -m,
            HarmDirection::Increase => m,
        })
    }
}

/// One row of a forest plot. Effects are relative, as fractions
/// (0.051 = +5.1%).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ForestRow {
    /// What the row is, e.g. a metric or segment name (user text).
    pub label: String,
    /// Point estimate of the relative effect.
    pub estimate: f64,
    /// Interval `(low, high)`; `None` (or any non-finite number) shows the
    /// row as "not computable" instead of a mark.
    pub ci: Option<(f64, f64)>,
    /// Whether the result is statistically significant: a filled marker
    /// and bold text, otherwise hollow and regular.
    pub significant: bool,
    /// Good news (`Some(true)`, green), bad news (`Some(false)`, red), or
    /// no judgement (`None`, slate).
    pub favourable: Option<bool>,
    /// A guardrail limit drawn as a dashed marker on the harmful side.
    pub guardrail: Option<Guardrail>,
    /// For a row without a relative effect (`ci` is `None`) whose change
    /// was computed in the metric's own units (NPS points, a margin of
    /// mean zero): that change, written in the row instead of "not
    /// computable", which would say the opposite of the table beside it.
    pub in_own_units: Option<String>,
}

/// A forest plot: relative effects with intervals, one row each.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Forest {
    /// Chart title (user text).
    pub title: String,
    /// Axis title; empty means "Change vs control".
    pub x_label: String,
    /// Text under the chart, e.g. what the intervals mean (user text).
    pub caption: String,
    /// The rows, drawn top to bottom.
    pub rows: Vec<ForestRow>,
    /// Axis range `(low, high)` as fractions; intervals beyond it are
    /// clipped with arrows. `None` fits all values within -100% .. +300%
    /// (wider values are clipped so one wild interval cannot squash the
    /// rest). Zero and guardrail limits are always inside the axis.
    pub domain: Option<(f64, f64)>,
}

/// Height of one row: a text line, then the interval under it.
const ROW: f64 = 50.0;
/// Background of every other row.
const STRIPE: &str = "#f4f5f6";
/// Extra height per additional label line.
const LINE: f64 = 17.0;
/// Plot area: tick labels centred on the ends need about 20 units of room.
const PLOT_LEFT: f64 = MARGIN + 20.0;
const PLOT_RIGHT: f64 = WIDTH - MARGIN - 20.0;
/// The automatic axis never goes beyond these relative effects.
const AUTO_LIMITS: (f64, f64) = (-1.0, 3.0);

/// Draws a forest plot; see [`Forest`]. Empty `rows` give the "No data
/// yet" chart.
pub fn forest_plot(plot: &Forest) -> String {
    if plot.rows.is_empty() {
        return writer::no_data("forest", &plot.title);
    }
    let rows: Vec<(&ForestRow, Option<(f64, f64)>)> =
        plot.rows.iter().map(|r| (r, computable(r))).collect();

    let scale_ticks = axis_ticks(plot, &rows);
    let sx = Scale::new(scale_ticks.lo(), scale_ticks.hi(), PLOT_LEFT, PLOT_RIGHT);

    let descriptions: Vec<String> = rows.iter().map(|(r, ci)| describe(r, *ci)).collect();
    let mut frame = Frame::new("forest", &plot.title, &descriptions.join("; "));
    let top = frame.y + 4.0;
    let mut layouts = Vec::with_capacity(rows.len());
    let mut y = top;
    for (i, (row, ci)) in rows.iter().enumerate() {
        let layout = RowLayout::new(row, *ci, y, i % 2 == 1);
        y += layout.height;
        layouts.push(layout);
    }
    let bottom = y;

    // Alternate row shading helps the eye follow a row across on a phone.
    for layout in layouts.iter().filter(|l| l.striped) {
        let stripe = rect(MARGIN / 2.0, layout.top, WIDTH - MARGIN, layout.height)
            .attr("fill", STRIPE)
            .class("stripe")
            .empty();
        frame.push(&stripe);
    }
    let x_label = label_or(&plot.x_label, "Change vs control");
    let x_axis = XAxis {
        left: PLOT_LEFT,
        right: PLOT_RIGHT,
        top,
        bottom,
        ticks: value_ticks(&sx, &scale_ticks.values, &Unit::Relative),
        title: Some(x_label),
    };
    frame.push(&x_axis.grid());
    frame.push(&zero_line(sx.map(0.0), top, sx.map(0.0), bottom));

    let mut any_clipped = false;
    let mut any_guardrail = false;
    for (((row, ci), layout), description) in rows.iter().zip(&layouts).zip(&descriptions) {
        let (markup, clipped) = draw_row(&sx, row, *ci, layout);
        any_clipped |= clipped;
        any_guardrail |= row.guardrail.and_then(|g| g.position()).is_some();
        let tooltip = el("title").text(description);
        frame.push(&el("g").class("row").children(&(tooltip + &markup)));
    }

    x_axis.draw(&mut frame);

    let mut legend = vec![
        (symbol::filled(), "significant".to_string()),
        (symbol::hollow(), "not significant".to_string()),
    ];
    if any_guardrail {
        legend.push((symbol::dashed_vertical(), "guardrail limit".to_string()));
    }
    if any_clipped {
        legend.push((symbol::arrow(), "continues beyond the axis".to_string()));
    }
    frame.legend(&legend);
    frame.caption(&plot.caption);
    frame.finish()
}

/// The row's interval if everything needed to draw it is finite.
fn computable(row: &ForestRow) -> Option<(f64, f64)> {
    let (lo, hi) = row.ci?;
    if lo.is_finite() && hi.is_finite() && row.estimate.is_finite() {
        Some((lo.min(hi), lo.max(hi)))
    } else {
        None
    }
}

/// Nice ticks for the axis: the caller's domain or all values (within the
/// automatic limits), always with zero and the guardrail limits.
fn axis_ticks(plot: &Forest, rows: &[(&ForestRow, Option<(f64, f64)>)]) -> super::axis::Ticks {
    let mut lo = 0.0f64;
    let mut hi = 0.0f64;
    match plot.domain {
        Some((a, b)) if a.is_finite() && b.is_finite() && a != b => {
            lo = lo.min(a.min(b));
            hi = hi.max(a.max(b));
        }
        _ => {
            for (row, ci) in rows {
                if let Some((a, b)) = ci {
                    for v in [*a, *b, row.estimate] {
                        let v = v.clamp(AUTO_LIMITS.0, AUTO_LIMITS.1);
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
            }
        }
    }
    for (row, _) in rows {
        if let Some(g) = row.guardrail.and_then(|g| g.position()) {
            lo = lo.min(g);
            hi = hi.max(g);
        }
    }
    let (lo, hi) = pad_domain(lo, hi, 0.02);
    nice_ticks(lo, hi, 6)
}

/// Where a row goes and the text it shows.
struct RowLayout {
    top: f64,
    height: f64,
    /// The label, wrapped to at most two lines.
    lines: Vec<String>,
    /// Estimate and interval, right-aligned.
    value: String,
    /// The line the value is on: 0 (beside the label's only line) or, for a
    /// label that needs the full width, the line after it.
    value_line: usize,
    /// Shaded background (every other row).
    striped: bool,
}

impl RowLayout {
    fn new(row: &ForestRow, ci: Option<(f64, f64)>, top: f64, striped: bool) -> RowLayout {
        let value = match ci {
            Some((lo, hi)) => format!(
                "{}  {}",
                num_text(signed_pct(row.estimate)),
                interval(lo, hi, signed_pct, Minus::Unicode)
            ),
            None => String::new(),
        };
        let (label_size, value_size) = if row.significant {
            (bold(LABEL_SIZE), bold(SMALL_SIZE))
        } else {
            (LABEL_SIZE, SMALL_SIZE)
        };
        let full = WIDTH - 2.0 * MARGIN;
        let beside = full - text_width(&value, value_size) - 12.0;
        // A label that fits beside the value shares its line; a longer one
        // (a phone-width chart, a long metric label) gets the full width and
        // the value moves to the line below it, rather than squeezing the
        // label into a narrow column and cutting it off.
        let (mut lines, room, value_line) = match wrap(&row.label, beside, label_size) {
            lines if lines.len() == 1 || value.is_empty() => (lines, beside, 0),
            _ => {
                let lines = wrap(&row.label, full, label_size);
                let after = lines.len().min(2);
                (lines, full, after)
            }
        };
        // Two lines keep long segment names readable in print; beyond that
        // the full name is in the row's tooltip and description.
        if lines.len() > 2 {
            let rest = lines[1..].join(" ");
            lines.truncate(1);
            lines.push(truncate(&rest, room, label_size));
        }
        let text_lines = lines.len().max(value_line + 1);
        RowLayout {
            top,
            height: ROW + LINE * (text_lines - 1) as f64,
            lines,
            value,
            value_line,
            striped,
        }
    }
}

/// One row's marks; returns the markup and whether anything was clipped.
fn draw_row(
    sx: &Scale,
    row: &ForestRow,
    ci: Option<(f64, f64)>,
    layout: &RowLayout,
) -> (String, bool) {
    let text_y = layout.top + 18.0;
    let mark_y = layout.top + layout.height - 14.0;
    let color = judgement_color(row.favourable);
    let weight = if row.significant { "bold" } else { "normal" };
    let background = if layout.striped { STRIPE } else { "#fff" };
    let mut out = String::new();

    for (i, label) in layout.lines.iter().enumerate() {
        out.push_str(
            &halo_on(
                text(MARGIN, text_y + LINE * i as f64, LABEL_SIZE, "start"),
                background,
            )
            .attr("font-weight", weight)
            .class("label")
            .text(label),
        );
    }
    if !layout.value.is_empty() {
        out.push_str(
            &halo_on(
                text(
                    WIDTH - MARGIN,
                    text_y + LINE * layout.value_line as f64,
                    SMALL_SIZE,
                    "end",
                ),
                background,
            )
            .attr("font-weight", weight)
            .class("value")
            .text(&layout.value),
        );
    }

    if let Some(pos) = row.guardrail.and_then(|g| g.position()) {
        let x = sx.map(pos);
        out.push_str(
            &line(x, mark_y - 13.0, x, mark_y + 13.0, INK, 2.0)
                .attr("stroke-dasharray", "4 2.5")
                .class("mark guardrail")
                .empty(),
        );
    }

    let Some((lo, hi)) = ci else {
        out.push_str(
            &halo(text(
                (PLOT_LEFT + PLOT_RIGHT) / 2.0,
                mark_y + 4.0,
                SMALL_SIZE,
                "middle",
            ))
            .attr("fill", MUTED)
            .attr("font-style", "italic")
            .class("mark not-computable")
            .text(
                &row.in_own_units
                    .as_deref()
                    .map_or("not computable".to_string(), |c| format!("{c}, not a %")),
            ),
        );
        return (out, false);
    };
    let (markup, clipped) = interval_mark(sx, (lo, hi), mark_y, true, color);
    out.push_str(&markup);
    out.push_str(&estimate_mark(
        sx,
        row.estimate,
        mark_y,
        true,
        row.significant,
        color,
    ));
    // An interval wholly beyond the axis is just an arrow: say so.
    let beyond = if hi < sx.lo() {
        Some((PLOT_LEFT + 16.0, "start"))
    } else if lo > sx.hi() {
        Some((PLOT_RIGHT - 16.0, "end"))
    } else {
        None
    };
    if let Some((x, anchor)) = beyond {
        out.push_str(
            &text(x, mark_y + 4.0, SMALL_SIZE, anchor)
                .attr("fill", MUTED)
                .attr("font-style", "italic")
                .class("off-scale-note")
                .text("off scale"),
        );
    }
    (out, clipped)
}

/// The row as a sentence, for `<desc>` and the row tooltip.
fn describe(row: &ForestRow, ci: Option<(f64, f64)>) -> String {
    let Some((lo, hi)) = ci else {
        return match &row.in_own_units {
            Some(change) => format!("{}: {change}, in its own units", row.label),
            None => format!("{}: not computable", row.label),
        };
    };
    let mut s = format!(
        "{}: {} {}, {}",
        row.label,
        num_text(signed_pct(row.estimate)),
        interval(lo, hi, signed_pct, Minus::Unicode),
        if row.significant {
            "significant"
        } else {
            "not significant"
        }
    );
    match row.favourable {
        Some(true) => s.push_str(", favourable"),
        Some(false) => s.push_str(", unfavourable"),
        None => {}
    }
    if let Some(pos) = row.guardrail.and_then(|g| g.position()) {
        s.push_str(&format!(", guardrail limit {}", num_text(signed_pct(pos))));
    }
    s
}
