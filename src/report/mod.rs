//! Reports for people: the analysis report as terminal text
//! ([`terminal`]), Markdown ([`markdown`]) and a self-contained HTML page
//! ([`html`]), plus escaping and SVG charts (number formatting lives in
//! [`crate::format`], shared with earlier stages). Everything here is pure
//! (values in, strings out).

mod decision_text;
pub mod escape;
pub mod html;
pub mod markdown;
pub mod model;
pub mod plan;
pub mod svg;
pub mod terminal;
mod text;
