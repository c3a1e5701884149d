//! Reports for people: the analysis report as terminal text
//! ([`terminal`]) and Markdown ([`markdown`]), escaping and self-contained
//! SVG charts (number formatting lives in [`crate::format`], shared with
//! earlier stages). Everything here is pure (values in, strings out).

pub mod escape;
pub mod markdown;
pub mod model;
pub mod plan;
pub mod svg;
pub mod terminal;
mod text;
