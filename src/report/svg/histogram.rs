//! Histogram of simulated outcomes (NPV draws) in money, with the loss side
//! hatched and a break-even marker.

use super::axis::{Scale, XAxis, nice_ticks, pad_domain, value_ticks};
use super::writer::{
    Frame, HATCH_ID, INK, MARGIN, MUTED, SMALL_SIZE, WIDTH, el, line, num_text, rect, text,
};
use super::{anchored_label, halo, label_or, symbol, writer, zero_line};
use crate::format::{Unit, count, money};

/// A histogram of simulated money outcomes, already binned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    /// Chart title (user text).
    pub title: String,
    /// Axis title; empty means "Net present value".
    pub x_label: String,
    /// Text under the chart, e.g. the chance of a loss (user text).
    pub caption: String,
    /// Currency symbol or code for the axis (see
    /// [`crate::format::money`]).
    pub currency: String,
    /// Bin edges, increasing: bin `i` is `edges[i] .. edges[i + 1]`.
    pub edges: Vec<f64>,
    /// Number of draws per bin; `counts.len()` should be
    /// `edges.len() - 1`. Bins without two finite increasing edges are
    /// skipped.
    pub counts: Vec<u64>,
    /// Where a dashed, labelled break-even line goes (usually 0).
    pub break_even: Option<f64>,
}

/// Plot area. There is no y axis: bar heights only say "more or less
/// likely", and a share-per-bin scale would invite misreading.
const PLOT_LEFT: f64 = MARGIN + 16.0;
const PLOT_RIGHT: f64 = WIDTH - MARGIN - 16.0;
const PLOT_HEIGHT: f64 = 170.0;

/// Draws the histogram; see [`Histogram`]. No drawable bin gives the "No
/// data yet" chart.
pub fn histogram(h: &Histogram) -> String {
    let n = h.counts.len().min(h.edges.len().saturating_sub(1));
    let bins: Vec<(f64, f64, u64)> = (0..n)
        .map(|i| (h.edges[i], h.edges[i + 1], h.counts[i]))
        .filter(|(a, b, _)| a.is_finite() && b.is_finite() && a < b)
        .collect();
    if bins.is_empty() {
        return writer::no_data("histogram", &h.title);
    }
    let total: u64 = bins.iter().map(|b| b.2).sum();
    let break_even = h.break_even.filter(|b| b.is_finite());

    let mut lo = bins[0].0;
    let mut hi = bins[bins.len() - 1].1;
    for (a, b, _) in &bins {
        lo = lo.min(*a);
        hi = hi.max(*b);
    }
    if let Some(b) = break_even {
        lo = lo.min(b);
        hi = hi.max(b);
    }
    let (lo, hi) = pad_domain(lo, hi, 0.0);
    let ticks = nice_ticks(lo, hi, 6);
    let sx = Scale::new(ticks.lo(), ticks.hi(), PLOT_LEFT, PLOT_RIGHT);
    let max_count = bins.iter().map(|b| b.2).max().unwrap_or(0).max(1) as f64;

    let description = format!(
        "Histogram of {} from {} to {}{}.",
        count(total, "simulated outcome", "simulated outcomes"),
        num_text(money(bins[0].0, &h.currency)),
        num_text(money(bins[bins.len() - 1].1, &h.currency)),
        break_even
            .map(|b| format!(", break-even at {}", num_text(money(b, &h.currency))))
            .unwrap_or_default()
    );
    let mut frame = Frame::new("histogram", &h.title, &description);
    // Room above the plot for the break-even label.
    let top = frame.y + 22.0;
    let bottom = top + PLOT_HEIGHT;
    // Bars never quite reach the top, leaving room for the loss/gain words.
    let sy = Scale::new(0.0, max_count * 1.15, bottom, top);

    let x_label = label_or(&h.x_label, "Net present value");
    let x_axis = XAxis {
        left: PLOT_LEFT,
        right: PLOT_RIGHT,
        top,
        bottom,
        ticks: value_ticks(&sx, &ticks.values, &Unit::Money(h.currency.clone())),
        title: Some(x_label),
    };
    frame.push(&x_axis.grid());
    let any_loss = bins.iter().any(|b| b.0 < 0.0);
    if any_loss {
        frame.define_hatch();
    }
    let mut bars = String::new();
    for &(a, b, c) in &bins {
        let (x0, x1) = (sx.map(a), sx.map(b));
        // A hairline gap between bars, unless bars are too thin for it.
        let gap = if x1 - x0 > 3.0 { 0.5 } else { 0.0 };
        let y = sy.map(c as f64);
        let tooltip = el("title").text(&format!(
            "{} to {}: {}",
            num_text(money(a, &h.currency)),
            num_text(money(b, &h.currency)),
            count(c, "outcome", "outcomes")
        ));
        bars.push_str(
            &rect(x0 + gap, y, x1 - x0 - 2.0 * gap, bottom - y)
                .attr("fill", writer::LIGHT_BLUE)
                .attr("stroke", writer::BLUE)
                .num("stroke-width", 0.8)
                .class("mark bar")
                .children(&tooltip),
        );
        if a < 0.0 {
            // Hatch the part of the bar below zero.
            let x_end = sx.map(b.min(0.0));
            bars.push_str(
                &rect(x0 + gap, y, x_end - x0 - gap, bottom - y)
                    .attr("fill", &format!("url(#{HATCH_ID})"))
                    .class("loss")
                    .empty(),
            );
        }
    }
    frame.push(&bars);

    if sx.lo() < 0.0 && sx.hi() > 0.0 {
        frame.push(&zero_line(sx.map(0.0), top, sx.map(0.0), bottom));
        frame.push(
            &halo(text(PLOT_LEFT + 4.0, top + 14.0, SMALL_SIZE, "start"))
                .attr("fill", MUTED)
                .class("side-label")
                .text("\u{2190} loss"),
        );
        frame.push(
            &halo(text(PLOT_RIGHT - 4.0, top + 14.0, SMALL_SIZE, "end"))
                .attr("fill", MUTED)
                .class("side-label")
                .text("gain \u{2192}"),
        );
    }
    if let Some(b) = break_even {
        let x = sx.map(b);
        frame.push(
            &line(x, top - 6.0, x, bottom, INK, 1.8)
                .attr("stroke-dasharray", "5 3")
                .class("mark break-even")
                .empty(),
        );
        frame.push(
            &anchored_label(x, top - 10.0, SMALL_SIZE, "break-even")
                .attr("font-weight", "bold")
                .class("break-even-label")
                .text("break-even"),
        );
    }

    x_axis.draw(&mut frame);

    let mut legend = vec![(
        symbol::bar(),
        "simulated outcomes (taller = more likely)".to_string(),
    )];
    if any_loss {
        legend.push((symbol::hatch(), "loss".to_string()));
    }
    if break_even.is_some() {
        legend.push((symbol::dashed_vertical(), "break-even".to_string()));
    }
    frame.legend(&legend);
    frame.caption(&h.caption);
    frame.finish()
}
