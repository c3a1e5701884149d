//! Taking an experiment's lock from a command, telling the user when it
//! has to wait (see [`crate::io::lock`]).

use std::path::Path;
use std::time::Duration;

use crate::error::Result;
use crate::io::lock::{ExperimentLock, lock_experiment};

/// The lock of `experiment` for `command`; says on standard error, once,
/// who holds it when this run has to wait.
pub fn lock(experiment: &Path, command: &str, now: &str, wait: Duration) -> Result<ExperimentLock> {
    lock_experiment(experiment, command, now, wait, &mut |holder| {
        eprintln!(
            "Waiting for another run on {} to finish ({holder}; up to {} s)...",
            experiment.display(),
            wait.as_secs()
        );
    })
}
