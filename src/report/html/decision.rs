//! The decision in money: the expected NPV under the prior, the chance it
//! pays off, what each choice risks, what more weeks would be worth, how
//! much the call leans on the prior, and the effects shrunk by it.

use super::{Page, h, td, w};
use crate::report::decision_text::decision_section;

/// Writes the section; nothing when the decision has no arm to show.
pub(super) fn write(out: &mut String, page: &Page<'_>) {
    let Some(section) = decision_section(page.report) else {
        return;
    };
    out.push_str("<section id=\"decision\">\n<h2>The decision in money</h2>\n");
    for note in &section.notes {
        w!(out, "<p>{}</p>\n", h(note));
    }
    table(
        out,
        "Rolling out each arm",
        &section.money_headers,
        &section.money_rows,
    );
    if !section.effect_rows.is_empty() {
        table(
            out,
            "Effects as measured and as likely, allowing for how rarely initiatives move a metric much",
            &section.effect_headers,
            &section.effect_rows,
        );
    }
    out.push_str("</section>\n");
}

/// A table whose first column names the row; it becomes cards on phones.
fn table<const N: usize>(
    out: &mut String,
    caption: &str,
    headers: &[&str; N],
    rows: &[[String; N]],
) {
    if rows.is_empty() {
        return;
    }
    w!(
        out,
        "<div class=\"scroll\"><table class=\"stack\">\n<caption>{}</caption>\n<thead><tr>",
        h(caption)
    );
    for (i, header) in headers.iter().enumerate() {
        let class = if i == 0 { "" } else { " class=\"num\"" };
        w!(out, "<th{class}>{}</th>", h(header));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        w!(out, "<tr><th>{}</th>", h(&row[0]));
        for (header, cell) in headers.iter().zip(row).skip(1) {
            out.push_str(&td(header, "num", &h(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}
