//! The command-line interface: argument definitions and one module per
//! subcommand. Each subcommand resolves its arguments, calls the library and
//! prints; none of them computes anything itself.

mod analyze;
mod assign;
mod docs;
mod init;
mod locking;
mod plan;
mod progress;
mod report;
mod simulate;
mod status;
mod validate;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::error::Error;

/// How long `assign` and `analyze` wait, by default, for another run on the
/// same experiment (see `io::lock`).
const DEFAULT_WAIT_SECONDS: u64 = 60;

/// Exit code for a command-line usage error (clap's convention).
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "pilot",
    version,
    about = "Run A/B tests and pilots of customer initiatives: assign customers, analyze outcomes, decide.",
    long_about = "pilot helps a business try an initiative (an SMS reminder, faster support, a discount) \
on some customers before rolling it out to all. Declare the pilot in a TOML file, assign customers \
from a CSV export to control and pilot groups, then analyze the outcomes.",
    after_help = "Examples:\n  pilot init loyalty-sms\n  pilot validate experiments/loyalty-sms.toml\n  pilot assign experiments/loyalty-sms.toml\n  pilot docs experiment-file"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write a commented template experiment file to experiments/NAME.toml.
    #[command(
        after_help = "Example:\n  pilot init loyalty-sms\n  (writes experiments/loyalty-sms.toml; refuses to overwrite)"
    )]
    Init {
        /// Experiment name: lowercase letters, digits and '-'.
        name: String,
        /// Directory to write the file into.
        #[arg(long, default_value = "experiments")]
        dir: PathBuf,
    },
    /// Show pilot's reference pages (the experiment file, the decision, the statistics...).
    #[command(
        after_help = "Examples:\n  pilot docs\n  pilot docs experiment-file\n  pilot docs decision | less\n\n\
The same pages as the repository's docs/ folder, built into this binary, so they match\n\
the version you run."
    )]
    Docs {
        /// The page to show; without one, the list of pages.
        topic: Option<String>,
    },
    /// Check an experiment file and the headers of the CSV files it references.
    #[command(after_help = "Example:\n  pilot validate experiments/sms-reminder.toml")]
    Validate {
        /// The experiment file (TOML).
        file: PathBuf,
    },
    /// Analyze outcomes: effects, health checks, ROI and a verdict.
    #[command(
        after_help = "Examples:\n  pilot analyze experiments/sms-reminder.toml\n  pilot analyze experiments/sms-reminder.toml --format json > report.json\n  pilot analyze experiments/sms-reminder.toml --format markdown > report.md\n  pilot analyze experiments/sms-reminder.toml --html report.html\n\n\
Safe to rerun whenever new data arrives: with `sequential = true` (the default) the\n\
intervals and p-values stay valid however often you look. Each run with new data or a\n\
changed experiment file is recorded in <experiment>.history.jsonl.\n\n\
With --check the exit code tells the verdict: 10 rollout, 11 continue, 12 stop, 13 investigate."
    )]
    Analyze {
        /// The experiment file (TOML).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "terminal")]
        format: analyze::Format,
        /// Exit with a code per verdict (10 rollout, 11 continue, 12 stop, 13 investigate).
        #[arg(long)]
        check: bool,
        /// Do not record this run in the history file.
        #[arg(long)]
        no_history: bool,
        /// Also write a self-contained HTML page with charts (share it, print it).
        #[arg(long, value_name = "PATH")]
        html: Option<PathBuf>,
        /// Seconds to wait for another run on the same experiment to finish.
        #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_WAIT_SECONDS)]
        wait: u64,
    },
    /// Before the pilot: customers needed, detectable effects, break-even lift, duration.
    #[command(
        after_help = "Examples:\n  pilot plan experiments/sms-reminder.toml\n  pilot plan experiments/sms-reminder.toml --format json\n\n\
Uses each metric's planning inputs (baseline, baseline_sd, mde or mde_absolute), [analysis]\n\
alpha and power, the eligible customers of the population file, [population] new_per_week\n\
and, with [roi], the lift at which the initiative pays for itself."
    )]
    Plan {
        /// The experiment file (TOML).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "terminal")]
        format: analyze::Format,
    },
    /// Show the latest analysis again (e.g. as an HTML page) without recomputing it.
    #[command(
        after_help = "Examples:\n  pilot report experiments/sms-reminder.toml --html report.html\n  pilot report experiments/sms-reminder.toml --format markdown\n\n\
Renders the report saved by the last `pilot analyze` (<experiment>.report.json) with the\n\
history of looks; the data is not read again."
    )]
    Report {
        /// The experiment file (TOML).
        file: PathBuf,
        /// Output format on standard output.
        #[arg(long, value_enum, default_value = "terminal")]
        format: analyze::Format,
        /// Also write a self-contained HTML page with charts.
        #[arg(long, value_name = "PATH")]
        html: Option<PathBuf>,
    },
    /// Assign eligible customers to arms and append them to the ledger.
    #[command(
        after_help = "Example:\n  pilot assign experiments/sms-reminder.toml\n\n\
Customers already in the ledger keep their arm; only new eligible customers are assigned.\n\
If the arms, weights, salt, coverage or strata changed since the ledger was written,\n\
pilot refuses unless --reassign is given (the old ledger is kept as a backup)."
    )]
    Assign {
        /// The experiment file (TOML).
        file: PathBuf,
        /// Start a new ledger under a changed design; the old ledger is kept as a backup.
        #[arg(long)]
        reassign: bool,
        /// Check everything and print the result without writing the ledger.
        #[arg(long)]
        dry_run: bool,
        /// Seconds to wait for another run on the same experiment to finish.
        #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_WAIT_SECONDS)]
        wait: u64,
    },
    /// Every experiment of a folder at a glance: stage, customers, last verdict, expected NPV.
    #[command(
        after_help = "Examples:\n  pilot status\n  pilot status experiments --format json\n  pilot status --html status/index.html\n\n\
One line per experiment file (*.toml) in the folder (default: experiments). Stages:\n\
planned (no ledger yet), assigning (customers assigned, not analysed), running (last\n\
verdict: keep piloting or investigate), decided (last verdict: roll out or stop), broken\n\
(the file cannot be read). Verdicts and money are those of each experiment's last\n\
`pilot analyze`; nothing is recomputed. --html writes an index page and, beside it,\n\
each analysed experiment's report page, linked from the index."
    )]
    Status {
        /// The folder of experiment files.
        #[arg(default_value = "experiments")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value = "terminal")]
        format: analyze::Format,
        /// Also write an HTML index page (and each experiment's page beside it).
        #[arg(long, value_name = "PATH")]
        html: Option<PathBuf>,
    },
    /// Write synthetic customers, a ledger and outcomes with a known effect.
    #[command(
        after_help = "Example:\n  pilot simulate experiments/sms-reminder.toml --customers 5000 \\\n      --effect repeat_purchase=0.10 --effect revenue_90d=0.05 --seed 42 --looks 4 --out simulated\n\n\
--effect METRIC=LIFT is a relative change of the metric's mean in every treatment arm\n\
(0.10 = +10%); for CSAT of the share of 4-5 answers; for NPS it is in points (5 = +5).\n\
Writes customers.csv, ledger.csv (by the real assignment), outcomes.csv and, with\n\
--looks K, outcomes.look1.csv ... outcomes.lookK.csv with growing cumulative data."
    )]
    Simulate {
        /// The experiment file (TOML).
        file: PathBuf,
        /// Customers in the synthetic population.
        #[arg(long, default_value_t = 2000)]
        customers: u64,
        /// A true effect, METRIC=LIFT (repeatable); unlisted metrics have none.
        #[arg(long, value_name = "METRIC=LIFT")]
        effect: Vec<String>,
        /// Seed of the random draws: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Cumulative looks: writes outcomes.look1.csv ... with growing data.
        #[arg(long, default_value_t = 1)]
        looks: u32,
        /// Output directory.
        #[arg(long, default_value = "simulated")]
        out: PathBuf,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { EXIT_USAGE } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Init { name, dir } => init::run(&name, &dir).map(|()| 0),
        Command::Status { dir, format, html } => {
            status::run(&dir, format, html.as_deref()).map(|()| 0)
        }
        Command::Docs { topic } => docs::run(topic.as_deref()).map(|()| 0),
        Command::Validate { file } => validate::run(&file).map(|()| 0),
        Command::Plan { file, format } => plan::run(&file, format).map(|()| 0),
        Command::Report { file, format, html } => {
            report::run(&file, format, html.as_deref()).map(|()| 0)
        }
        Command::Analyze {
            file,
            format,
            check,
            no_history,
            html,
            wait,
        } => analyze::run(&analyze::AnalyzeArgs {
            file: &file,
            format,
            check,
            no_history,
            html: html.as_deref(),
            now: now(),
            wait: Duration::from_secs(wait),
        }),
        Command::Assign {
            file,
            reassign,
            dry_run,
            wait,
        } => assign::run(&file, reassign, dry_run, now(), Duration::from_secs(wait)).map(|()| 0),
        Command::Simulate {
            file,
            customers,
            effect,
            seed,
            looks,
            out,
        } => simulate::run(&simulate::SimulateArgs {
            file: &file,
            customers,
            effects: &effect,
            seed,
            looks,
            out: &out,
        })
        .map(|()| 0),
    };
    match result {
        Ok(code) => code,
        Err(err) => report(&err),
    }
}

/// The current time, RFC 3339 UTC; read here so the library stays clock-free.
fn now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    crate::dates::rfc3339_utc(seconds)
}

fn report(err: &Error) -> i32 {
    // Errors quote the user's text (a name, a cell): sanitized like the rest.
    eprintln!("{}", crate::sanitize::printable(&err.to_string()));
    err.exit_code()
}
