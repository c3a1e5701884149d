//! Reports for people: escaping, self-contained SVG charts and the HTML page (number
//! formatting lives in [`crate::format`], shared with earlier stages).
//! Everything here is pure (values in, strings out).

pub mod escape;
pub mod html;
pub mod markdown;
pub mod model;
pub mod plan;
pub mod svg;
pub mod terminal;
