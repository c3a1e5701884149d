//! pilot: an A/B test and pilot experiment engine for small businesses.
//!
//! Data flows one way:
//!
//! ```text
//! experiment file -> config -> assign (ledger) -> ingest (outcomes)
//!     -> stats -> roi -> decision -> report
//! ```
//!
//! [`stats`] is pure: functions of mergeable sufficient statistics, no I/O.
//! [`config`] parses and validates experiment files; [`assign`] splits
//! customers into arms; [`io`] holds the streaming CSV and atomic-write
//! helpers; [`cli`] wires them into the `pilot` command.

pub mod analysis;
pub mod assign;
pub mod cli;
pub mod config;
pub mod dates;
pub mod decide;
pub mod error;
pub mod format;
pub mod history;
pub mod ids;
pub mod ingest;
pub mod io;
pub mod memory;
pub mod parallel;
pub mod pipeline;
pub mod plan;
pub mod preflight;
pub mod report;
pub mod roi;
pub mod sanitize;
pub mod simulate;
pub mod stats;
pub mod width;

pub use error::{Error, Result};
