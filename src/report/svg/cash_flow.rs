//! Cumulative cash flow over months: the median path, a shaded band where
//! 90% of simulated paths fall, the zero line and the payback month.

use super::axis::{Scale, XAxis, nice_ticks, pad_domain, value_ticks, y_axis, y_title};
use super::writer::{
    BLUE, Frame, INK, LIGHT_BLUE, MARGIN, SMALL_SIZE, WIDTH, el, line, num_text, points, text,
};
use super::{circle, halo, label_or, min_span, symbol, writer, zero_line};
use crate::format::{Unit, count, money};

/// Cumulative cash at one month, across simulations.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CashFlowMonth {
    /// 5th percentile: the low edge of the band.
    pub p05: f64,
    /// Median: the line.
    pub median: f64,
    /// 95th percentile: the high edge of the band.
    pub p95: f64,
}

/// A cumulative cash-flow chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CashFlow {
    /// Chart title (user text).
    pub title: String,
    /// Title of the money axis; empty means "Cumulative cash".
    pub y_label: String,
    /// Text under the chart (user text).
    pub caption: String,
    /// Currency symbol or code (see [`crate::format::money`]).
    pub currency: String,
    /// One entry per month, month 0 first. Months with a non-finite value
    /// are left out (the line joins their neighbours).
    pub months: Vec<CashFlowMonth>,
    /// Month in which cumulative cash turns positive (may be fractional);
    /// drawn as a dashed line with "pays back in month N" (N rounded up:
    /// the month during which it happens).
    pub payback_month: Option<f64>,
}

const PLOT_LEFT: f64 = 64.0;
const PLOT_RIGHT: f64 = WIDTH - MARGIN - 8.0;
const PLOT_HEIGHT: f64 = 190.0;

/// Draws the cash-flow chart; see [`CashFlow`]. No drawable month gives
/// the "No data yet" chart.
pub fn cash_flow(c: &CashFlow) -> String {
    let months: Vec<(f64, CashFlowMonth)> = c
        .months
        .iter()
        .enumerate()
        .filter(|(_, m)| m.p05.is_finite() && m.median.is_finite() && m.p95.is_finite())
        .map(|(i, m)| {
            // Tolerate swapped percentiles rather than draw a twisted band.
            let lo = m.p05.min(m.p95);
            let hi = m.p05.max(m.p95);
            (
                i as f64,
                CashFlowMonth {
                    p05: lo,
                    median: m.median,
                    p95: hi,
                },
            )
        })
        .collect();
    if months.is_empty() {
        return writer::no_data("cash-flow", &c.title);
    }
    let horizon = (c.months.len() - 1) as f64;
    let payback = c
        .payback_month
        .filter(|m| m.is_finite() && *m >= 0.0 && *m <= horizon.max(1.0));

    let month_ticks = month_ticks(horizon);
    let x_end = month_ticks[month_ticks.len() - 1];
    let sx = Scale::new(0.0, x_end, PLOT_LEFT, PLOT_RIGHT);

    let mut lo = 0.0f64;
    let mut hi = 0.0f64;
    for (_, m) in &months {
        lo = lo.min(m.p05).min(m.median);
        hi = hi.max(m.p95).max(m.median);
    }
    let unit = Unit::Money(c.currency.clone());
    let (lo, hi) = pad_domain(lo, hi, min_span(&unit, lo, hi));
    let ticks = nice_ticks(lo, hi, 6);

    let last = months[months.len() - 1];
    let description = format!(
        "Cumulative cash over {}: median {} at month {}, 90% of simulations between {} and {}{}.",
        count(horizon as u64, "month", "months"),
        num_text(money(last.1.median, &c.currency)),
        last.0,
        num_text(money(last.1.p05, &c.currency)),
        num_text(money(last.1.p95, &c.currency)),
        payback
            .map(|m| format!(", pays back in month {}", m.ceil()))
            .unwrap_or_default()
    );
    let mut frame = Frame::new("cash-flow", &c.title, &description);
    y_title(&mut frame, label_or(&c.y_label, "Cumulative cash"));
    let top = frame.y + 14.0;
    let bottom = top + PLOT_HEIGHT;
    let sy = Scale::new(ticks.lo(), ticks.hi(), bottom, top);

    frame.push(&y_axis(
        PLOT_LEFT,
        PLOT_RIGHT,
        &value_ticks(&sy, &ticks.values, &unit),
    ));

    let upper: Vec<(f64, f64)> = months
        .iter()
        .map(|(i, m)| (sx.map(*i), sy.map(m.p95)))
        .collect();
    let lower = months
        .iter()
        .rev()
        .map(|(i, m)| (sx.map(*i), sy.map(m.p05)));
    let band: Vec<(f64, f64)> = upper.iter().copied().chain(lower).collect();
    frame.push(
        &el("polygon")
            .attr("points", &points(&band))
            .attr("fill", LIGHT_BLUE)
            .attr("fill-opacity", "0.7")
            .attr("stroke", LIGHT_BLUE)
            .class("mark band")
            .empty(),
    );
    frame.push(&zero_line(PLOT_LEFT, sy.map(0.0), PLOT_RIGHT, sy.map(0.0)));

    let median: Vec<(f64, f64)> = months
        .iter()
        .map(|(i, m)| (sx.map(*i), sy.map(m.median)))
        .collect();
    frame.push(
        &el("polyline")
            .attr("points", &points(&median))
            .attr("fill", "none")
            .attr("stroke", BLUE)
            .num("stroke-width", 2.5)
            .attr("stroke-linejoin", "round")
            .class("mark median")
            .empty(),
    );
    let mut dots = String::new();
    for (i, m) in &months {
        let tooltip = el("title").text(&format!(
            "Month {i}: median {}, 90% between {} and {}",
            num_text(money(m.median, &c.currency)),
            num_text(money(m.p05, &c.currency)),
            num_text(money(m.p95, &c.currency)),
        ));
        dots.push_str(
            &circle(sx.map(*i), sy.map(m.median), 2.5)
                .attr("fill", BLUE)
                .class("mark point")
                .children(&tooltip),
        );
    }
    frame.push(&dots);

    if let Some(m) = payback {
        let x = sx.map(m);
        frame.push(
            &line(x, top, x, bottom, INK, 1.8)
                .attr("stroke-dasharray", "5 3")
                .class("mark payback")
                .empty(),
        );
        let label = format!("pays back in month {}", m.ceil());
        // Put the label on the roomier side of the line.
        let anchor = if x < (PLOT_LEFT + PLOT_RIGHT) / 2.0 {
            (x + 5.0, "start")
        } else {
            (x - 5.0, "end")
        };
        frame.push(
            &halo(text(anchor.0, top + 14.0, SMALL_SIZE, anchor.1))
                .attr("font-weight", "bold")
                .class("payback-label")
                .text(&label),
        );
    }

    XAxis {
        left: PLOT_LEFT,
        right: PLOT_RIGHT,
        top,
        bottom,
        ticks: month_ticks
            .iter()
            .map(|&t| (sx.map(t), format!("{t}")))
            .collect(),
        title: Some("Months from start"),
    }
    .draw(&mut frame);

    let mut legend = vec![
        (symbol::thick_line(), "median".to_string()),
        (symbol::band(), "90% of simulations".to_string()),
    ];
    if payback.is_some() {
        legend.push((symbol::dashed_vertical(), "payback".to_string()));
    }
    frame.legend(&legend);
    frame.caption(&c.caption);
    frame.finish()
}

/// Month ticks from 0 with a calendar-friendly step (1, 2, 3, 6, 12, 24,
/// ... months: quarters and years rather than 2.5 months), at most 9 ticks,
/// covering `horizon` (at least 1).
fn month_ticks(horizon: f64) -> Vec<f64> {
    let horizon = horizon.max(1.0);
    let mut step = 1.0;
    for candidate in [1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 60.0, 120.0] {
        step = candidate;
        if (horizon / candidate).ceil() <= 8.0 {
            break;
        }
    }
    // Beyond 80 years the step simply grows with the horizon.
    if (horizon / step).ceil() > 8.0 {
        step = (horizon / 8.0 / 12.0).ceil() * 12.0;
    }
    let n = (horizon / step).ceil() as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

#[cfg(test)]
mod tests {
    use super::month_ticks;

    #[test]
    fn month_ticks_use_calendar_steps() {
        assert_eq!(month_ticks(0.0), [0.0, 1.0]);
        assert_eq!(month_ticks(6.0), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(month_ticks(12.0), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
        assert_eq!(
            month_ticks(24.0),
            [0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0, 21.0, 24.0]
        );
        assert_eq!(month_ticks(36.0), [0.0, 6.0, 12.0, 18.0, 24.0, 30.0, 36.0]);
        assert_eq!(month_ticks(20.0).last(), Some(&21.0));
        assert!(month_ticks(1e6).len() <= 10);
    }
}
