//! Axis helpers: "nice" tick values, domain padding, linear scales, and
//! the one drawing of each kind of axis that the charts share.

use super::anchored_label;
use super::writer::{Frame, GRID, INK, MARGIN, MUTED, SMALL_SIZE, el, line, num_text, text};
use crate::format::Unit;

/// Evenly spaced tick values whose step is 1, 2, 2.5 or 5 times a power of
/// ten, covering a range; the first and last values are the axis ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticks {
    /// Tick values, increasing, at least two.
    pub values: Vec<f64>,
    /// Distance between neighbouring ticks.
    pub step: f64,
}

impl Ticks {
    /// The lowest tick: the start of the axis.
    pub fn lo(&self) -> f64 {
        self.values[0]
    }

    /// The highest tick: the end of the axis.
    pub fn hi(&self) -> f64 {
        self.values[self.values.len() - 1]
    }
}

/// The mantissas of nice steps, times ten so they are integers; 2.5 is
/// allowed because quarter steps (25%, $2.5k) read naturally.
const MANTISSAS_X10: [i64; 4] = [10, 20, 25, 50];

/// The smallest nice step whose ticks cover `[lo, hi]` with at most
/// `max_ticks` ticks, and those ticks. `max_ticks` is raised to 3: a range
/// with zero inside needs `-s, 0, +s` whatever the step.
///
/// Degenerate input is repaired rather than rejected, so callers never
/// have to special-case it: bounds are swapped if reversed, an empty range
/// is padded with [`pad_domain`] (10% of the value, or 1 around zero), and
/// non-finite bounds give the ticks of `[0, 1]`.
///
/// Tick values are computed as integer multiples divided by an exact power
/// of ten, so they print cleanly (`0.3`, never `0.30000000000000004`).
pub fn nice_ticks(lo: f64, hi: f64, max_ticks: usize) -> Ticks {
    let max_ticks = max_ticks.max(3) as i64;
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        pad_domain(lo, hi, 0.0)
    } else {
        (0.0, 1.0)
    };
    let span = hi - lo;
    // Start one decade below the naive step and walk up: the first step
    // that fits is the smallest nice one.
    let mut exp = (span / max_ticks as f64).log10().floor() as i32 - 1;
    loop {
        for m in MANTISSAS_X10 {
            let step = m as f64 * pow10(exp - 1);
            let first = snap(lo / step, f64::floor);
            let last = snap(hi / step, f64::ceil);
            if !(first.is_finite() && last.is_finite()) {
                continue;
            }
            let (first, last) = (first as i64, last as i64);
            if last - first < max_ticks {
                let values = (first..=last.max(first + 1))
                    .map(|i| scaled(i * m, exp - 1))
                    .collect();
                return Ticks { values, step };
            }
        }
        exp += 1;
    }
}

/// Widens a range that is too narrow to draw: if `hi - lo` is below
/// `min_span` (or the range is a single value), the range is grown
/// symmetrically around its middle to `min_span`, or for a single value
/// with `min_span == 0` to 10% of the value either side (1 either side of
/// zero). Non-finite input gives `(0, 1)`.
pub fn pad_domain(lo: f64, hi: f64, min_span: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let mid = lo / 2.0 + hi / 2.0;
    // A range below a relative 1e-9 of its values cannot be ticked.
    let tiny = 1e-9 * lo.abs().max(hi.abs());
    let mut span = hi - lo;
    if span < min_span {
        span = min_span;
    }
    if span <= tiny || span == 0.0 {
        span = if mid == 0.0 { 2.0 } else { mid.abs() * 0.2 };
    }
    if span == hi - lo {
        return (lo, hi);
    }
    (mid - span / 2.0, mid + span / 2.0)
}

/// Rounds `q` with `round`, except that a quotient within a hair of an
/// integer is that integer: 0.3 / 0.1 is 2.9999999999999996 and must count
/// as 3, not round down to 2 and leave 0.3 uncovered.
fn snap(q: f64, round: fn(f64) -> f64) -> f64 {
    let nearest = q.round();
    if (q - nearest).abs() < 1e-9 {
        nearest
    } else {
        round(q)
    }
}

/// `n * 10^exp` computed so the result is the double nearest to the exact
/// decimal: multiply by an exact power of ten, or divide by one.
fn scaled(n: i64, exp: i32) -> f64 {
    if exp >= 0 {
        n as f64 * pow10(exp)
    } else {
        n as f64 / pow10(-exp)
    }
}

fn pow10(exp: i32) -> f64 {
    10f64.powi(exp)
}

/// A linear map from data values to SVG coordinates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// Maps `[d0, d1]` onto `[r0, r1]`; `d0 == d1` maps everything to `r0`.
    pub(crate) fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        Scale { d0, d1, r0, r1 }
    }

    /// The coordinate of `v`, not clamped.
    pub(crate) fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 || !span.is_finite() {
            return self.r0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }

    /// The coordinate of `v` clamped into the range.
    pub(crate) fn clamped(&self, v: f64) -> f64 {
        self.map(v.clamp(self.lo(), self.hi()))
    }

    /// The smaller end of the domain.
    pub(crate) fn lo(&self) -> f64 {
        self.d0.min(self.d1)
    }

    /// The larger end of the domain.
    pub(crate) fn hi(&self) -> f64 {
        self.d0.max(self.d1)
    }

    /// Whether `v` lies in the domain.
    pub(crate) fn contains(&self, v: f64) -> bool {
        v >= self.lo() && v <= self.hi()
    }
}

/// Tick positions (SVG coordinates) and labels for `values` along `scale`,
/// formatted in `unit` with typographic minus signs. Labels are formatted
/// together so they share one number of decimals.
pub(crate) fn value_ticks(scale: &Scale, values: &[f64], unit: &Unit) -> Vec<(f64, String)> {
    values
        .iter()
        .zip(unit.ticks(values))
        .map(|(&v, label)| (scale.map(v), num_text(label)))
        .collect()
}

/// The horizontal axis under a plot. One drawing for all charts, so ticks,
/// labels, spacing and title look the same in every report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct XAxis<'a> {
    /// Left end of the plot: where the axis line starts.
    pub(crate) left: f64,
    /// Right end of the plot: where the axis line ends.
    pub(crate) right: f64,
    /// Top of the plot: where grid lines start.
    pub(crate) top: f64,
    /// The axis line's y; ticks and labels hang below it.
    pub(crate) bottom: f64,
    /// Tick positions (SVG x) with their labels, already formatted.
    pub(crate) ticks: Vec<(f64, String)>,
    /// Axis title centred under the labels; `None` for no title.
    pub(crate) title: Option<&'a str>,
}

/// Tick labels' baseline below the axis line.
const LABEL_DROP: f64 = 17.0;
/// Axis title's baseline below the axis line.
const TITLE_DROP: f64 = 36.0;

impl XAxis<'_> {
    /// Vertical grid lines at the ticks, from the plot's top to the axis.
    /// Separate from [`XAxis::draw`] because the grid goes behind the
    /// marks and the axis in front of them.
    pub(crate) fn grid(&self) -> String {
        let mut out = String::new();
        for &(x, _) in &self.ticks {
            out.push_str(
                &line(x, self.top, x, self.bottom, GRID, 1.0)
                    .class("grid")
                    .empty(),
            );
        }
        out
    }

    /// Draws the axis line, a tick and a label per tick, and the title into
    /// `frame`, and moves `frame.y` below them for the legend. Labels near
    /// the chart's edges are anchored inward so they are never cut off.
    pub(crate) fn draw(&self, frame: &mut Frame) {
        let mut axis = line(self.left, self.bottom, self.right, self.bottom, MUTED, 1.0)
            .class("baseline")
            .empty();
        for (x, label) in &self.ticks {
            axis.push_str(&line(*x, self.bottom, *x, self.bottom + 4.0, MUTED, 1.0).empty());
            axis.push_str(
                &anchored_label(*x, self.bottom + LABEL_DROP, SMALL_SIZE, label)
                    .attr("fill", MUTED)
                    .class("tick")
                    .text(label),
            );
        }
        frame.push(&el("g").class("axis x-axis").children(&axis));
        match self.title {
            Some(title) => {
                frame.push(
                    &text(
                        (self.left + self.right) / 2.0,
                        self.bottom + TITLE_DROP,
                        SMALL_SIZE,
                        "middle",
                    )
                    .attr("fill", INK)
                    .class("axis-title")
                    .text(title),
                );
                frame.y = self.bottom + TITLE_DROP + 6.0;
            }
            None => frame.y = self.bottom + LABEL_DROP + 11.0,
        }
    }
}

/// Writes a value axis's title above the plot's top-left corner and moves
/// `frame.y` past it; a blank title writes nothing. The title sits above
/// rather than rotated beside the axis so it reads on a phone.
pub(crate) fn y_title(frame: &mut Frame, title: &str) {
    if title.trim().is_empty() {
        return;
    }
    frame.y += 14.0;
    frame.push(
        &text(MARGIN, frame.y, SMALL_SIZE, "start")
            .attr("fill", INK)
            .class("axis-title")
            .text(title),
    );
}

/// The vertical value axis of a plot spanning `left..right`: a horizontal
/// grid line across the plot at each tick (SVG y) and its label right-
/// aligned just left of the plot. The grid doubles as the axis, so there
/// is no axis line.
pub(crate) fn y_axis(left: f64, right: f64, ticks: &[(f64, String)]) -> String {
    let mut grid = String::new();
    for (y, label) in ticks {
        grid.push_str(&line(left, *y, right, *y, GRID, 1.0).class("grid").empty());
        grid.push_str(
            &text(left - 6.0, y + 4.0, SMALL_SIZE, "end")
                .attr("fill", MUTED)
                .class("tick")
                .text(label),
        );
    }
    el("g").class("axis y-axis").children(&grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws `axis` into an otherwise empty chart and returns the SVG and
    /// where the axis left `frame.y`.
    fn drawn(axis: &XAxis) -> (String, f64) {
        let mut frame = Frame::new("test", "Axis", "");
        axis.draw(&mut frame);
        let y = frame.y;
        (frame.finish(), y)
    }

    fn with_class<'a>(doc: &'a roxmltree::Document, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
        doc.descendants()
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|w| w == class))
            })
            .collect()
    }

    fn attr(node: &roxmltree::Node, name: &str) -> f64 {
        node.attribute(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    }

    fn sample(title: Option<&str>) -> XAxis<'_> {
        XAxis {
            left: 40.0,
            right: 400.0,
            top: 50.0,
            bottom: 200.0,
            ticks: vec![
                (40.0, "0".into()),
                (220.0, "50".into()),
                (430.0, "1,000,000".into()),
            ],
            title,
        }
    }

    #[test]
    fn x_axis_draws_line_ticks_labels_and_title() {
        let axis = sample(Some("Days & nights"));
        let (svg, y) = drawn(&axis);
        let doc = roxmltree::Document::parse(&svg).expect("valid SVG");
        let group = with_class(&doc, "x-axis");
        assert_eq!(group.len(), 1);
        let baseline = with_class(&doc, "baseline");
        assert_eq!(baseline.len(), 1);
        assert_eq!(
            [
                attr(&baseline[0], "x1"),
                attr(&baseline[0], "x2"),
                attr(&baseline[0], "y1"),
                attr(&baseline[0], "y2"),
            ],
            [40.0, 400.0, 200.0, 200.0]
        );
        let ticks = with_class(&doc, "tick");
        let labels: Vec<&str> = ticks.iter().filter_map(|t| t.text()).collect();
        assert_eq!(labels, ["0", "50", "1,000,000"]);
        assert!(ticks.iter().all(|t| attr(t, "y") == 217.0));
        // A tick mark per label, hanging from the axis line.
        let marks = group[0]
            .children()
            .filter(|n| n.has_tag_name("line") && attr(n, "y1") == 200.0 && attr(n, "y2") == 204.0)
            .count();
        assert_eq!(marks, 3);
        // A label that would overflow the right edge is anchored inward.
        assert_eq!(ticks[2].attribute("text-anchor"), Some("end"));
        assert_eq!(ticks[1].attribute("text-anchor"), Some("middle"));
        let title = with_class(&doc, "axis-title");
        assert_eq!(title.len(), 1);
        assert_eq!(title[0].text(), Some("Days & nights"));
        assert_eq!(attr(&title[0], "x"), 220.0);
        assert_eq!(y, 242.0);
    }

    #[test]
    fn x_axis_without_title_leaves_less_room() {
        let (svg, y) = drawn(&sample(None));
        let doc = roxmltree::Document::parse(&svg).expect("valid SVG");
        assert!(with_class(&doc, "axis-title").is_empty());
        assert_eq!(with_class(&doc, "tick").len(), 3);
        assert_eq!(y, 228.0);
    }

    #[test]
    fn x_grid_has_a_line_per_tick_across_the_plot() {
        let grid = format!("<g>{}</g>", sample(None).grid());
        let doc = roxmltree::Document::parse(&grid).expect("valid markup");
        let lines = with_class(&doc, "grid");
        let xs: Vec<f64> = lines.iter().map(|l| attr(l, "x1")).collect();
        assert_eq!(xs, [40.0, 220.0, 430.0]);
        assert!(
            lines
                .iter()
                .all(|l| attr(l, "y1") == 50.0 && attr(l, "y2") == 200.0)
        );
    }

    #[test]
    fn y_axis_has_a_grid_line_and_a_label_left_of_the_plot_per_tick() {
        let markup = y_axis(64.0, 400.0, &[(200.0, "$0".into()), (100.0, "$5k".into())]);
        let doc = roxmltree::Document::parse(&markup).expect("valid markup");
        let grid = with_class(&doc, "grid");
        let ys: Vec<f64> = grid.iter().map(|l| attr(l, "y1")).collect();
        assert_eq!(ys, [200.0, 100.0]);
        assert!(
            grid.iter()
                .all(|l| attr(l, "x1") == 64.0 && attr(l, "x2") == 400.0)
        );
        let ticks = with_class(&doc, "tick");
        let labels: Vec<&str> = ticks.iter().filter_map(|t| t.text()).collect();
        assert_eq!(labels, ["$0", "$5k"]);
        assert!(ticks.iter().all(|t| attr(t, "x") == 58.0));
        assert!(
            ticks
                .iter()
                .all(|t| t.attribute("text-anchor") == Some("end"))
        );
    }

    #[test]
    fn y_title_is_skipped_when_blank() {
        let mut frame = Frame::new("test", "Axis", "");
        let start = frame.y;
        y_title(&mut frame, "  ");
        assert_eq!(frame.y, start);
        y_title(&mut frame, "Cash");
        assert_eq!(frame.y, start + 14.0);
        assert!(frame.finish().contains(">Cash</text>"));
    }

    #[test]
    fn value_ticks_place_and_format_together() {
        let scale = Scale::new(-0.5, 1.0, 0.0, 300.0);
        let ticks = value_ticks(&scale, &[-0.5, 0.0, 0.5, 1.0], &Unit::Relative);
        assert_eq!(
            ticks,
            [
                (0.0, "\u{2212}50%".to_string()),
                (100.0, "0%".to_string()),
                (200.0, "+50%".to_string()),
                (300.0, "+100%".to_string()),
            ]
        );
    }

    #[test]
    fn scale_maps_and_clamps() {
        let s = Scale::new(-1.0, 1.0, 0.0, 100.0);
        assert_eq!(s.map(0.0), 50.0);
        assert_eq!(s.clamped(5.0), 100.0);
        assert!(s.contains(-1.0) && !s.contains(1.5));
        let flipped = Scale::new(0.0, 10.0, 200.0, 0.0);
        assert_eq!(flipped.map(10.0), 0.0);
        assert_eq!(Scale::new(1.0, 1.0, 3.0, 9.0).map(7.0), 3.0);
    }
}
