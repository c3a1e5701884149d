//! A progress bar on standard error for analyses that take over a second.
//!
//! Drawn only when standard error is a terminal, so pipes, files and tests
//! see nothing. It samples [`crate::io::progress::bytes_read`] against the
//! total size of the files the command will read.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::io::progress::bytes_read;

/// Delay before the bar appears: quick runs stay quiet.
const DELAY: Duration = Duration::from_secs(1);
const WIDTH: usize = 30;

/// A running progress bar; [`Progress::finish`] removes it.
pub struct Progress {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts the bar for reading `total` bytes (nothing happens when
    /// standard error is not a terminal or there is nothing to read).
    pub fn start(label: &str, total: u64) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() || total == 0 {
            return Self { stop, handle: None };
        }
        let flag = Arc::clone(&stop);
        let label = label.to_string();
        let base = bytes_read();
        let handle = std::thread::spawn(move || {
            let started = Instant::now();
            let mut drawn = false;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if started.elapsed() < DELAY {
                    continue;
                }
                let done = bytes_read().saturating_sub(base).min(total);
                let filled = (done as f64 / total as f64 * WIDTH as f64) as usize;
                let mut err = std::io::stderr().lock();
                let _ = write!(
                    err,
                    "\r{label} [{}{}] {:>3}% {:.0} of {:.0} MB",
                    "#".repeat(filled),
                    "-".repeat(WIDTH - filled),
                    done * 100 / total,
                    done as f64 / 1e6,
                    total as f64 / 1e6
                );
                let _ = err.flush();
                drawn = true;
            }
            if drawn {
                // Clear the line so the report starts clean.
                let _ = write!(std::io::stderr(), "\r\x1b[K");
            }
        });
        Self {
            stop,
            handle: Some(handle),
        }
    }

    /// Stops and erases the bar.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
