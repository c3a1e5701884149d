//! Reports for people: number formatting, escaping and self-contained SVG
//! charts. Everything here is pure (values in, strings out).

pub mod escape;
pub mod format;
pub mod svg;
