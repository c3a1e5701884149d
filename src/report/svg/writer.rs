//! The SVG text writer shared by the charts: an element builder that
//! escapes every attribute value and every text node, the common frame
//! (root element, title, caption, legend), and text measuring heuristics.
//!
//! Escaping lives here, in the only code that writes markup, so a chart
//! cannot forget it: there is no way to append unescaped user text.

use std::fmt::Write as _;

use crate::format::{Minus, with_minus};
use crate::report::escape;

/// Width of every chart's coordinate system. Phone-sized on purpose: with
/// `width="100%"` a 360-unit chart fills the ~366 px a 390 px phone page
/// leaves at about 1:1, so the smallest (12.5-unit) text is 12 px there
/// (at 440 units it was 10 px); the report page's 470 px `max-width` keeps
/// it from growing past 1.3x on desktops.
pub(crate) const WIDTH: f64 = 360.0;
/// Horizontal margin of the frame.
pub(crate) const MARGIN: f64 = 16.0;
/// System fonts only: nothing to load, nothing external.
const FONT_FAMILY: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/// Text colour.
pub(crate) const INK: &str = "#222";
/// Secondary text (ticks, captions).
pub(crate) const MUTED: &str = "#555";
/// Grid lines.
pub(crate) const GRID: &str = "#e2e2e2";
/// Zero lines: darker than the grid so "no effect" stands out.
pub(crate) const ZERO: &str = "#777";
/// Favourable results (colour is a bonus; shapes carry the meaning).
pub(crate) const GOOD: &str = "#1b7a3d";
/// Unfavourable results.
pub(crate) const BAD: &str = "#b3261e";
/// Results with no judgement.
pub(crate) const NEUTRAL: &str = "#3a4a5a";
/// Bars and lines with no judgement.
pub(crate) const BLUE: &str = "#2f5f8a";
/// Light fill for bands and bars; prints as light grey.
pub(crate) const LIGHT_BLUE: &str = "#a9c6e0";

/// Font sizes, in viewBox units.
pub(crate) const TITLE_SIZE: f64 = 16.0;
pub(crate) const LABEL_SIZE: f64 = 14.0;
pub(crate) const SMALL_SIZE: f64 = 12.5;

/// The id of the hatch pattern in `<defs>`. Fixed rather than unique: two
/// charts inlined in one page then define the same id with identical
/// content, so whichever the browser picks draws the same hatching.
pub(crate) const HATCH_ID: &str = "pilot-hatch";

/// Formats a coordinate: one decimal is plenty at this size, trailing `.0`
/// dropped, never `NaN` or `-0`.
pub(crate) fn coord(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let r = (v * 10.0).round() / 10.0;
    let s = format!("{r:.1}");
    let s = s.strip_suffix(".0").unwrap_or(&s);
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A formatted number for chart text: U+2212 minus, as typesetting wants.
pub(crate) fn num_text(text: String) -> String {
    with_minus(text, Minus::Unicode)
}

/// An element under construction.
pub(crate) struct El {
    buf: String,
    name: &'static str,
}

/// Starts an element named `name`.
pub(crate) fn el(name: &'static str) -> El {
    El {
        buf: format!("<{name}"),
        name,
    }
}

impl El {
    /// Adds an attribute; the value is escaped.
    pub(crate) fn attr(mut self, key: &str, value: &str) -> El {
        let _ = write!(self.buf, " {key}=\"{}\"", escape::attr(value));
        self
    }

    /// Adds a numeric attribute (a coordinate or length).
    pub(crate) fn num(self, key: &str, value: f64) -> El {
        let v = coord(value);
        self.attr(key, &v)
    }

    /// Adds the `class` attribute.
    pub(crate) fn class(self, class: &str) -> El {
        self.attr("class", class)
    }

    /// Closes the element with no content: `<rect .../>`.
    pub(crate) fn empty(mut self) -> String {
        self.buf.push_str("/>");
        self.buf
    }

    /// Closes the element around escaped text.
    pub(crate) fn text(mut self, text: &str) -> String {
        let _ = write!(self.buf, ">{}</{}>", escape::html(text), self.name);
        self.buf
    }

    /// Closes the element around already written child markup.
    pub(crate) fn children(mut self, markup: &str) -> String {
        let _ = write!(self.buf, ">{markup}</{}>", self.name);
        self.buf
    }
}

/// Text anchored at (x, y) with a size, colour and anchor.
pub(crate) fn text(x: f64, y: f64, size: f64, anchor: &str) -> El {
    let el = el("text").num("x", x).num("y", y);
    let el = if size == LABEL_SIZE {
        el
    } else {
        el.num("font-size", size)
    };
    if anchor == "start" {
        el
    } else {
        el.attr("text-anchor", anchor)
    }
}

/// A line segment.
pub(crate) fn line(x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) -> El {
    el("line")
        .num("x1", x1)
        .num("y1", y1)
        .num("x2", x2)
        .num("y2", y2)
        .attr("stroke", stroke)
        .num("stroke-width", width)
}

/// A rectangle from its corner and size (negative sizes are normalised).
pub(crate) fn rect(x: f64, y: f64, w: f64, h: f64) -> El {
    let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
    let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
    el("rect")
        .num("x", x)
        .num("y", y)
        .num("width", w)
        .num("height", h)
}

/// A polygon or polyline `points` attribute.
pub(crate) fn points(pts: &[(f64, f64)]) -> String {
    let mut out = String::new();
    for (i, (x, y)) in pts.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{},{}", coord(*x), coord(*y));
    }
    out
}

/// Average character width in em. System UI fonts (Segoe UI, Roboto, San
/// Francisco) average about 0.55 em; DejaVu Sans, the fallback on many
/// Linux machines, about 0.6. Estimating wide means text may end a little
/// early, never overlap.
const CHAR_EM: f64 = 0.6;

/// Estimated width of `text` at `size` (use [`bold`] sizes for bold text).
/// Only used to decide where to wrap and truncate, never for exact layout.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * CHAR_EM
}

/// The size to measure bold text at: bold glyphs are about 10% wider.
pub(crate) fn bold(size: f64) -> f64 {
    size * 1.1
}

/// Cuts `text` to fit `max_width` at `size`, ending with an ellipsis; the
/// full text should also be given in a `<title>` so nothing is lost.
pub(crate) fn truncate(text: &str, max_width: f64, size: f64) -> String {
    let max_chars = (max_width / (size * CHAR_EM)).floor().max(1.0) as usize;
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Greedy word wrap to lines of at most `max_width` at `size`; words longer
/// than a line are cut. Always at least one line.
pub(crate) fn wrap(text: &str, max_width: f64, size: f64) -> Vec<String> {
    let max_chars = (max_width / (size * CHAR_EM)).floor().max(1.0) as usize;
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > max_chars {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            lines.push(word.drain(..max_chars).collect());
        }
        let word: String = word.into_iter().collect();
        if word.is_empty() {
            continue;
        }
        let needed = current.chars().count() + usize::from(!current.is_empty()) + word.len();
        if !current.is_empty() && needed > max_chars {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// Builds one chart: a header with the title, a body the chart draws
/// below it, then an optional legend and caption, all sized to fit.
pub(crate) struct Frame {
    kind: &'static str,
    title: String,
    description: String,
    defs: String,
    body: String,
    /// The y coordinate where the next block starts.
    pub(crate) y: f64,
}

impl Frame {
    /// Starts a chart of `kind` (a CSS-safe word) with a visible title.
    /// `description` is for screen readers and should state the result.
    pub(crate) fn new(kind: &'static str, title: &str, description: &str) -> Frame {
        let mut frame = Frame {
            kind,
            title: title.to_string(),
            description: description.to_string(),
            defs: String::new(),
            body: String::new(),
            y: 8.0,
        };
        let lines = wrap(title, WIDTH - 2.0 * MARGIN, bold(TITLE_SIZE));
        for line in lines {
            frame.y += TITLE_SIZE * 1.3;
            let t = text(MARGIN, frame.y, TITLE_SIZE, "start")
                .attr("font-weight", "bold")
                .class("title")
                .text(&line);
            frame.push(&t);
        }
        frame.y += 6.0;
        frame
    }

    /// Appends markup to the body.
    pub(crate) fn push(&mut self, markup: &str) {
        self.body.push_str(markup);
        self.body.push('\n');
    }

    /// Adds the diagonal hatch pattern to `<defs>`: dark lines on a
    /// transparent ground, so it marks an area in black and white.
    pub(crate) fn define_hatch(&mut self) {
        if !self.defs.is_empty() {
            return;
        }
        let line = line(0.0, 0.0, 0.0, 6.0, "#5a1a14", 1.6).empty();
        self.defs = el("pattern")
            .attr("id", HATCH_ID)
            .attr("patternUnits", "userSpaceOnUse")
            .num("width", 6.0)
            .num("height", 6.0)
            .attr("patternTransform", "rotate(45)")
            .children(&line);
    }

    /// Draws a legend: each item is a symbol drawn in a 16 x 12 box whose
    /// top-left corner is the origin, then its label; items flow onto new
    /// lines when the width runs out.
    pub(crate) fn legend(&mut self, items: &[(String, String)]) {
        if items.is_empty() {
            return;
        }
        let mut x = MARGIN;
        self.y += SMALL_SIZE * 1.6;
        let mut markup = String::new();
        for (symbol, label) in items {
            let w = 22.0 + text_width(label, SMALL_SIZE) + 14.0;
            if x > MARGIN && x + w > WIDTH - MARGIN {
                x = MARGIN;
                self.y += SMALL_SIZE * 1.6;
            }
            let symbol_y = self.y - 10.0;
            let _ = write!(
                markup,
                "{}{}",
                el("g")
                    .attr(
                        "transform",
                        &format!("translate({},{})", coord(x), coord(symbol_y))
                    )
                    .children(symbol),
                text(x + 22.0, self.y, SMALL_SIZE, "start")
                    .attr("fill", MUTED)
                    .text(label)
            );
            x += w;
        }
        let g = el("g").class("legend").children(&markup);
        self.push(&g);
    }

    /// Draws the caption in small type, wrapped, below everything else.
    pub(crate) fn caption(&mut self, caption: &str) {
        if caption.trim().is_empty() {
            return;
        }
        self.y += 4.0;
        for line in wrap(caption, WIDTH - 2.0 * MARGIN, SMALL_SIZE) {
            self.y += SMALL_SIZE * 1.35;
            let t = text(MARGIN, self.y, SMALL_SIZE, "start")
                .attr("fill", MUTED)
                .class("caption")
                .text(&line);
            self.push(&t);
        }
    }

    /// Closes the chart: root element, accessible name, background.
    pub(crate) fn finish(self) -> String {
        let height = (self.y + 12.0).ceil();
        let mut out = String::with_capacity(self.body.len() + 1024);
        let root = el("svg")
            .attr("xmlns", "http://www.w3.org/2000/svg")
            .attr("class", &format!("pilot-chart pilot-{}", self.kind))
            .attr(
                "viewBox",
                &format!("0 0 {} {}", coord(WIDTH), coord(height)),
            )
            .attr("width", "100%")
            .attr("style", "max-width:470px;height:auto")
            .attr("role", "img")
            .attr("aria-label", &self.title)
            .attr("font-family", FONT_FAMILY)
            .num("font-size", LABEL_SIZE)
            .attr("fill", INK);
        // The builder closes elements itself; the root wraps everything.
        let mut inner = String::new();
        inner.push('\n');
        inner.push_str(&el("title").text(&self.title));
        inner.push('\n');
        if !self.description.is_empty() {
            inner.push_str(&el("desc").text(&self.description));
            inner.push('\n');
        }
        if !self.defs.is_empty() {
            inner.push_str(&el("defs").children(&self.defs));
            inner.push('\n');
        }
        inner.push_str(
            &rect(0.0, 0.0, WIDTH, height)
                .attr("fill", "#fff")
                .class("background")
                .empty(),
        );
        inner.push('\n');
        inner.push_str(&self.body);
        out.push_str(&root.children(&inner));
        out.push('\n');
        out
    }
}

/// The chart for empty input: the title and a "No data yet" note, so a
/// report can always embed the chart where it belongs.
pub(crate) fn no_data(kind: &'static str, title: &str) -> String {
    let mut frame = Frame::new(kind, title, "No data yet.");
    frame.y += 24.0;
    let t = text(WIDTH / 2.0, frame.y, LABEL_SIZE, "middle")
        .attr("fill", MUTED)
        .class("no-data")
        .text("No data yet");
    frame.push(&t);
    frame.y += 12.0;
    frame.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_short_and_finite() {
        assert_eq!(coord(1.0), "1");
        assert_eq!(coord(1.26), "1.3");
        assert_eq!(coord(-0.01), "0");
        assert_eq!(coord(f64::NAN), "0");
    }

    #[test]
    fn wrap_breaks_on_words_and_cuts_long_words() {
        let lines = wrap("Revenue per customer over the first month", 120.0, 10.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= 20));
        assert_eq!(wrap("", 100.0, 10.0), [""]);
        let long = wrap(&"x".repeat(50), 60.0, 10.0);
        assert_eq!(long, vec!["x".repeat(10); 5]);
    }

    #[test]
    fn truncate_adds_an_ellipsis() {
        assert_eq!(truncate("short", 100.0, 10.0), "short");
        assert_eq!(truncate("a much longer label", 55.0, 10.0), "a much l…");
    }

    #[test]
    fn builder_escapes_attributes_and_text() {
        let s = el("text").attr("data-x", "\"<").text("<b>&");
        assert_eq!(s, "<text data-x=\"&quot;&lt;\">&lt;b&gt;&amp;</text>");
    }
}
