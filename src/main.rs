//! The `pilot` command: parses arguments and hands over to the library.

fn main() {
    restore_default_sigpipe();
    std::process::exit(pilot::cli::main());
}

/// Rust ignores SIGPIPE, so `pilot analyze ... | head` would panic with
/// "failed printing to stdout: Broken pipe". Like every Unix tool, end
/// quietly instead when the reader goes away (files are written before any
/// output, atomically, so nothing is lost).
#[cfg(unix)]
fn restore_default_sigpipe() {
    const SIGPIPE: i32 = 13;
    const SIG_DFL: usize = 0;
    unsafe extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
    }
    // SAFETY: installing the default disposition for SIGPIPE at start-up,
    // before any other thread exists.
    unsafe {
        signal(SIGPIPE, SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}
