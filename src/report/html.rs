//! The analysis report as one self-contained HTML page, for sharing with a
//! partner, a manager or a bank.
//!
//! The page explains itself top to bottom: the verdict and a three-sentence
//! summary, the effect on every metric (forest plot), the money (NPV
//! histogram and cumulative cash flow), how the estimate moved over the
//! looks, segments and health checks, and the method notes.
//!
//! What the page guarantees:
//!
//! * **Self-contained**: one file, no JavaScript, nothing loaded from
//!   anywhere (no fonts, scripts, style sheets or images); styles are one
//!   inline `<style>`, charts are inline SVG from [`crate::report::svg`].
//! * **Escaped**: every string from the user's files goes through
//!   [`crate::report::escape`]; the page is also well-formed XML, so tests
//!   can parse it whole.
//! * **Readable anywhere**: a single column that fits a 360 px phone (tables
//!   turn into one card per row there; anything wider still scrolls inside
//!   its own box, never the page), and print CSS that needs no background
//!   colours and keeps charts, table rows and headings with what follows.
//! * **Numbers for people**: [`crate::format`] with U+2212 minus signs.

mod checks;
mod decision;
mod effects;
mod money;
mod over_time;
mod segments;
mod summary;
mod units;

use std::borrow::Cow;

use crate::analysis::result::{MetricResult, Outcome};
use crate::history::Look;
use crate::report::escape;
use crate::report::model::AnalysisReport;

/// Writes formatted text to a `&mut String` (which cannot fail, hence
/// the ignored result).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = ::std::fmt::Write::write_fmt($out, format_args!($($arg)*));
    }};
}
pub(crate) use w;

/// Renders `report` as a complete HTML document.
///
/// `history` holds the earlier looks (as read from the history file); the
/// current report is always added as the latest look. If the last entry of
/// `history` is this very run (same data and experiment file), it is shown
/// once, not twice.
pub fn render(report: &AnalysisReport, history: &[Look]) -> String {
    let page = Page::new(report);
    let mut body = String::with_capacity(64 * 1024);
    summary::write(&mut body, &page);
    decision::write(&mut body, &page);
    effects::write_effects(&mut body, &page);
    money::write(&mut body, &page);
    over_time::write(&mut body, &page, history);
    segments::write_segments(&mut body, &page);
    checks::write_health(&mut body, &page);
    checks::write_method(&mut body, &page);

    let mut out = String::with_capacity(body.len() + CSS.len() + 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    w!(
        &mut out,
        "<meta name=\"generator\" content=\"pilot {}\"/>\n<title>{}: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        escape::attr(&report.pilot_version),
        h(&report.experiment.name),
        h(&summary::verdict_title(&page))
    );
    out.push_str(&body);
    w!(
        &mut out,
        "<footer><p>Made with pilot {} on {}. This page is self-contained: it runs no scripts and loads nothing from the internet, so it can be emailed, archived or printed as it is.</p></footer>\n</main>\n</body>\n</html>\n",
        h(&report.pilot_version),
        h(&timestamp(&report.generated_at))
    );
    out
}

/// What every section needs to know about the report.
pub(crate) struct Page<'a> {
    /// The report being rendered.
    pub(crate) report: &'a AnalysisReport,
    /// Currency of money amounts (from the ROI), if any.
    pub(crate) currency: Option<&'a str>,
    /// The primary metric, if the experiment declares one.
    pub(crate) primary: Option<&'a MetricResult>,
    /// The treatment arm the page speaks about: the verdict's arm, or the
    /// first treatment arm.
    pub(crate) focus_arm: Option<&'a str>,
    /// Interval level in words: `95%`.
    pub(crate) level: String,
}

impl<'a> Page<'a> {
    fn new(report: &'a AnalysisReport) -> Page<'a> {
        let currency = report
            .roi
            .as_ref()
            .or_else(|| report.roi_by_arm.iter().find_map(|a| a.roi.as_ref()))
            .map(|r| r.currency.as_str());
        let focus_arm = report
            .decision
            .arm
            .as_deref()
            .or_else(|| report.arms.get(1).map(|a| a.name.as_str()));
        Page {
            report,
            currency,
            primary: report
                .metrics
                .iter()
                .find(|m| m.role == crate::config::Role::Primary),
            focus_arm,
            level: level(report.settings.alpha),
        }
    }

    /// Number of treatment arms (arms besides the control).
    pub(crate) fn treatments(&self) -> usize {
        self.report.arms.len().saturating_sub(1)
    }

    /// The control arm's name, or `control`.
    pub(crate) fn control(&self) -> &'a str {
        self.report
            .arms
            .first()
            .map_or("control", |a| a.name.as_str())
    }

    /// How the intervals are to be read, one sentence.
    pub(crate) fn interval_note(&self) -> String {
        if self.report.settings.group_sequential.is_some() {
            format!(
                "The {} intervals are repeated confidence intervals of a group-sequential test: valid at every look up to the planned size, so rerunning the analysis every week is safe.",
                self.level
            )
        } else if self.report.settings.sequential {
            format!(
                "The {} intervals are always-valid: they stay valid however often the results are looked at, so rerunning the analysis every week is safe.",
                self.level
            )
        } else {
            format!(
                "The {} intervals are fixed-horizon: valid for one planned look at the end; reading them at every look overstates certainty.",
                self.level
            )
        }
    }
}

/// The interval level for a significance level: `95%`, `90%`, `99.5%`.
fn level(alpha: f64) -> String {
    whole_pct(1.0 - alpha)
}

/// A percentage without a needless `.0`: `50%`, `99.5%`, `12.3%`.
pub(crate) fn whole_pct(x: f64) -> String {
    let text = crate::format::pct(x);
    match text.strip_suffix(".0%") {
        Some(whole) => format!("{whole}%"),
        None => text,
    }
}

/// Escapes text for element content, and keeps numbers in one piece
/// where a browser would otherwise break a line: after a U+2212 minus
/// (`−` / `$5,437`) and before a unit (`+6.2` / `pp`).
pub(crate) fn h(text: &str) -> Cow<'_, str> {
    let escaped = escape::html(text);
    if !escaped.contains(['\u{2212}', ' ']) {
        return escaped;
    }
    Cow::Owned(
        escaped
            .replace('\u{2212}', "\u{2212}\u{2060}")
            .replace(" pp", "\u{a0}pp")
            .replace(" points", "\u{a0}points")
            .replace("p = ", "p\u{a0}=\u{a0}")
            .replace("p &lt; ", "p\u{a0}&lt;\u{a0}")
            .replace("p &gt; ", "p\u{a0}&gt;\u{a0}"),
    )
}

/// A table cell for data: on a phone, tables stack into one card per row
/// and each cell shows `label` before its content (CSS `attr()`), so the
/// label is written as an escaped attribute. `content` is markup.
pub(crate) fn td(label: &str, class: &str, content: &str) -> String {
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"{class}\"")
    };
    format!(
        "<td{class} data-label=\"{}\"><span>{content}</span></td>",
        escape::attr(label)
    )
}

/// An inline chart: the SVG from the chart module without its `xmlns`
/// (HTML parsers put `<svg>` in the SVG namespace themselves, and the page
/// then holds no URL at all), in a figure.
pub(crate) fn figure(out: &mut String, svg: &str) {
    let inline = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    w!(out, "<figure>\n{}</figure>\n", inline.trim_end());
    out.push('\n');
}

/// Result of a comparison in words (never colour alone).
pub(crate) fn outcome_words(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Better => "better",
        Outcome::Worse => "worse",
        Outcome::Inconclusive => "not clear yet",
        Outcome::NotComputable => "not computable",
    }
}

/// A tagged result: the words, with a class for colour.
pub(crate) fn outcome_tag(outcome: Outcome) -> String {
    let class = match outcome {
        Outcome::Better => "better",
        Outcome::Worse => "worse",
        Outcome::Inconclusive => "unclear",
        Outcome::NotComputable => "na",
    };
    format!(
        "<span class=\"tag {class}\">{}</span>",
        outcome_words(outcome)
    )
}

/// An RFC 3339 UTC time for people: `2026-11-22 12:00 UTC`; other text is
/// returned as it is.
pub(crate) fn timestamp(rfc3339: &str) -> String {
    let b = rfc3339.as_bytes();
    let shaped = b.len() >= 16
        && b[10] == b'T'
        && b[13] == b':'
        && rfc3339.is_char_boundary(10)
        && rfc3339.is_char_boundary(16);
    if !shaped {
        return rfc3339.to_string();
    }
    let zone = if rfc3339.ends_with('Z') { " UTC" } else { "" };
    format!("{} {}{zone}", &rfc3339[..10], &rfc3339[11..16])
}

/// The page's styles. No `<`, `&` or URLs, so the page stays well-formed
/// XML and self-contained.
const CSS: &str = r#"
:root{color-scheme:light;--ink:#1d2125;--muted:#55606b;--line:#d5dbe1;--soft:#f3f5f7;--good:#1b7a3d;--bad:#b3261e;--wait:#7a5200;--check:#5b3b8c}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#fff;color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:800px;margin:0 auto;padding:24px 16px 40px}
p,li,td,th,dd{overflow-wrap:break-word}
p{orphans:3;widows:3}
h1,h2,h3{line-height:1.2;margin:0}
h2{font-size:1.4rem;margin:2.4rem 0 .6rem;padding-top:1.2rem;border-top:2px solid var(--line)}
h3{font-size:1.08rem;margin:1.6rem 0 .4rem}
.kicker{margin:0 0 .25rem;font-size:.85rem;letter-spacing:.04em;text-transform:uppercase;color:var(--muted)}
.verdict{border:2px solid var(--c);border-left-width:10px;border-radius:10px;padding:16px 18px;margin:8px 0 20px;background:var(--bg)}
.verdict h1{font-size:2.3rem;color:var(--c);margin:.1rem 0 .35rem}
.verdict .gist{margin:0;font-weight:600}
.v-rollout{--c:var(--good);--bg:#eef7f1}
.v-continue{--c:var(--wait);--bg:#fbf5e9}
.v-stop{--c:var(--bad);--bg:#fcefee}
.v-investigate{--c:var(--check);--bg:#f4f0fa}
.summary p{margin:.5rem 0}
.glance{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px;margin:16px 0;padding:0}
.glance div{border:1px solid var(--line);border-radius:8px;padding:8px 12px}
.glance dt{font-size:.82rem;color:var(--muted)}
.glance dd{margin:0;font-size:1.3rem;font-weight:700;font-variant-numeric:tabular-nums}
.glance dd small{display:block;font-size:.78rem;font-weight:400;color:var(--muted)}
ul.reasons{padding-left:1.2rem;margin:.4rem 0}
ul.reasons li{margin:.25rem 0}
figure{margin:16px 0;padding:0;break-inside:avoid;page-break-inside:avoid}
figure svg{display:block;margin:0 auto;height:auto;max-width:470px!important}
.note{color:var(--muted);font-size:.92rem}
.scroll{overflow-x:auto;margin:8px 0 16px;border:1px solid var(--line);border-radius:8px}
.nowrap,small.nowrap{white-space:nowrap}
.phone-only{display:none}
table{border-collapse:collapse;width:100%;font-size:.9rem;font-variant-numeric:tabular-nums}
caption{text-align:left;padding:8px 10px 0;font-weight:600}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:.8rem;color:var(--muted);font-weight:600;white-space:nowrap}
tbody tr:last-child td,tbody tr:last-child th{border-bottom:0}
tr.group th{background:var(--soft);font-size:.85rem}
tr.total th,tr.total td>span{font-weight:600}
tr.total th,tr.total td{border-top:1px solid var(--line)}
details{margin:8px 0 16px}
summary{cursor:pointer;color:var(--muted);font-size:.92rem}
td.num,th.num{text-align:right;white-space:nowrap}
#decision thead th,#decision td.num{white-space:normal}
td small,th small{display:block;color:var(--muted);font-size:.8rem;font-weight:400;white-space:normal}
.story{border-left:4px solid var(--line);padding:4px 0 4px 12px;font-weight:600}
.tag{display:inline-block;padding:0 6px;border:1px solid currentColor;border-radius:4px;font-size:.8rem;font-weight:600;white-space:nowrap}
.tag.better{color:var(--good)}
.tag.worse{color:var(--bad)}
.tag.unclear,.tag.na{color:var(--muted);font-weight:400}
.tag.ok{color:var(--good)}
.tag.note{color:var(--wait)}
.tag.problem{color:var(--bad)}
dl.facts{display:grid;grid-template-columns:minmax(120px,38%) 1fr;gap:4px 14px;margin:8px 0 16px}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em;overflow-wrap:anywhere}
ul.checks{list-style:none;padding:0;margin:8px 0}
ul.checks li{margin:.5rem 0;padding-left:0}
footer{margin-top:40px;padding-top:12px;border-top:2px solid var(--line);color:var(--muted);font-size:.85rem}
@media (max-width:560px){
table.stack thead{display:none}
table.stack,table.stack tbody,table.stack tr,table.stack th,table.stack caption{display:block;width:100%}
table.stack tr{padding:6px 0;border-bottom:1px solid var(--line)}
table.stack tbody tr:last-child{border-bottom:0}
table.stack th,table.stack td{border:0;padding:2px 10px}
table.stack th small{display:inline;margin-left:.4em}
table.stack td{display:flex;justify-content:space-between;align-items:baseline;gap:12px;text-align:right;white-space:normal}
table.stack td::before{content:attr(data-label);flex:0 1 auto;max-width:38%;text-align:left;color:var(--muted);font-size:.8rem}
table.stack tr.group{padding:0}
table.stack .phone-only{display:inline}
table.stack td.desk-only{display:none}
table.stack tr.group th{padding:6px 10px}
}
@media (max-width:480px){
main{padding:16px 12px 32px}
.verdict{padding:12px 14px}
.verdict h1{font-size:1.9rem}
h2{font-size:1.25rem}
table{font-size:.82rem}
th,td{padding:5px 7px}
dl.facts{grid-template-columns:1fr;gap:0}
dl.facts dd{margin-bottom:6px}
}
@page{margin:14mm}
@media print{
body{font-size:10.5pt}
main{max-width:none;padding:0}
.verdict,.glance div,tr.group th{background:none}
.scroll{overflow:visible;border:0}
h2,h3,caption{break-after:avoid;page-break-after:avoid}
.verdict,.glance,tr,dl.facts,ul.checks li{break-inside:avoid;page-break-inside:avoid}
figure svg{max-width:480px!important}
footer{break-before:avoid;page-break-before:avoid}
.lead,.story,tr.group{break-after:avoid;page-break-after:avoid}
h2{border-top:0;padding-top:0}
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_date_and_time() {
        assert_eq!(timestamp("2026-11-22T12:00:00Z"), "2026-11-22 12:00 UTC");
        assert_eq!(timestamp("2026-11-22T12:00:00+01:00"), "2026-11-22 12:00");
        assert_eq!(timestamp("yesterday"), "yesterday");
        assert_eq!(timestamp("2026-11-22T1\u{e9}:00"), "2026-11-22T1\u{e9}:00");
    }

    #[test]
    fn levels_drop_a_needless_decimal() {
        assert_eq!(level(0.05), "95%");
        assert_eq!(level(0.005), "99.5%");
        assert_eq!(whole_pct(0.5), "50%");
        assert_eq!(whole_pct(0.123), "12.3%");
    }

    #[test]
    fn numbers_stay_whole_and_markup_is_escaped() {
        assert_eq!(
            h("from \u{2212}$5 to +6.2 pp, p = 0.03 <b>"),
            "from \u{2212}\u{2060}$5 to +6.2\u{a0}pp, p\u{a0}=\u{a0}0.03 &lt;b&gt;"
        );
        assert!(matches!(h("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn data_cells_carry_an_escaped_label() {
        assert_eq!(
            td("a\"b", "num", "<b>1</b>"),
            "<td class=\"num\" data-label=\"a&quot;b\"><span><b>1</b></span></td>"
        );
    }
}
