//! Deterministic customer assignment.
