//! Generates the bundled demo data in `examples/demo/`.
//!
//! The demo business is "Harbor & Bean", a small coffee roaster with a shop
//! and a web store. Its CRM export (`customers.csv`) is what the example
//! experiments in `experiments/` assign from. For each experiment the
//! generator also writes
//!
//! - the ledger `<name>/assignments.csv` (and its `assignments.design.json`),
//!   by calling `pilot::assign::assign` exactly as `pilot assign` does: a
//!   first batch on 2026-09-01 and four weekly batches of newly "arrived"
//!   customers (a fixed random subset of `customers.csv`, sized to the
//!   experiment's `new_per_week`), so `assigned_at` has five dates;
//! - the outcome export `<name>/outcomes.csv`, in the shape a shop or
//!   help-desk system exports, with each customer followed for 90 days from
//!   enrollment and behaviour derived from `segment`, `orders_last_year`
//!   and `revenue_prev_90d` (so the CUPED covariate is predictive).
//!
//! True effects (expected values per enrolled customer, averaged over
//! everyone enrolled; the generator prints them):
//!
//! - sms-reminder: 90-day repeat purchase rate 18.0% -> 23.0%; orders
//!   +39%, revenue $15.51 -> $21.25 (+37%); unsubscribes 2.0% -> 2.6%
//!   (+30%, inside the guardrail's 50% margin).
//! - faster-support: CSAT share of 4-5 72% -> 80%; NPS 17 -> 25; mean
//!   effort (1-7) 3.20 -> 2.79; tickets per customer 1.372 -> 1.316 (15%
//!   fewer follow-ups); churn 15% -> 12%. Surveys are answered for about
//!   35% of customers in both arms.
//! - loyalty-discount: orders +8% (10% off) and +14% (15% off); basket at
//!   list prices x1.14 and x1.06; revenue per order +2.6% and -9.9%; gross
//!   margin per customer $17.48 -> $17.61 (+0.7%) and $15.36 (-12.1%).
//!
//! `examples/demo/README.md` describes the files, the models and the
//! effects in full. Each file draws from its own random stream
//! (`Xoshiro256PlusPlus` seeded from `--seed` and the file's name), so the
//! output is byte-identical for the same seed.
//!
//! Regenerate:
//!
//! ```sh
//! cargo run --example generate_demo -- --seed 20261122 --out examples/demo
//! ```

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use pilot::assign::ledger::design_record_path;
use pilot::assign::{AssignOptions, assign};
use pilot::config::Experiment;
use pilot::stats::dist::normal_cdf;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Gamma, LogNormal, Poisson, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Number of customers in the demo CRM export.
const CUSTOMERS: usize = 4_000;

/// Days between 2023-01-01 and the export date 2026-09-01.
const HISTORY_DAYS: u32 = 1_339;

struct Args {
    seed: u64,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut seed = 20_261_122;
    let mut out = PathBuf::from("examples/demo");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--seed" => seed = value.parse().map_err(|_| "--seed needs an integer")?,
            "--out" => out = PathBuf::from(value),
            _ => {
                return Err(format!(
                    "unknown argument {arg}; expected --seed N --out DIR"
                ));
            }
        }
    }
    Ok(Args { seed, out })
}

/// A customer segment with its purchasing habits.
struct Segment {
    name: &'static str,
    share: f64,
    orders_per_year: f64,
    /// Log-normal order value: median and spread of the log.
    order_value_median: f64,
    order_value_sigma: f64,
    support_contacts_per_quarter: f64,
}

const SEGMENTS: [Segment; 3] = [
    Segment {
        name: "retail",
        share: 0.55,
        orders_per_year: 4.0,
        order_value_median: 16.0,
        order_value_sigma: 0.45,
        support_contacts_per_quarter: 0.25,
    },
    Segment {
        name: "online",
        share: 0.38,
        orders_per_year: 3.0,
        order_value_median: 32.0,
        order_value_sigma: 0.55,
        support_contacts_per_quarter: 0.45,
    },
    Segment {
        name: "wholesale",
        share: 0.07,
        orders_per_year: 11.0,
        order_value_median: 210.0,
        order_value_sigma: 0.6,
        support_contacts_per_quarter: 1.2,
    },
];

const REGIONS: [(&str, f64); 4] = [
    ("north", 0.30),
    ("south", 0.25),
    ("east", 0.25),
    ("west", 0.20),
];

fn pick<'a, T>(rng: &mut Xoshiro256PlusPlus, items: &'a [T], share: impl Fn(&T) -> f64) -> &'a T {
    let mut u: f64 = rng.random();
    for item in items {
        u -= share(item);
        if u < 0.0 {
            return item;
        }
    }
    &items[items.len() - 1]
}

/// `2023-01-01` plus `days`, as `YYYY-MM-DD`.
fn date_from_day(days: u32) -> String {
    let mut year = 2023;
    let mut day = days;
    loop {
        let len = if year % 4 == 0 { 366 } else { 365 };
        if day < len {
            break;
        }
        day -= len;
        year += 1;
    }
    let leap = year % 4 == 0;
    let months = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while day >= months[month] {
        day -= months[month];
        month += 1;
    }
    format!("{year:04}-{:02}-{:02}", month + 1, day + 1)
}

fn write_customers(args: &Args) -> Result<(), Box<dyn Error>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(args.seed);
    let path = args.out.join("customers.csv");
    let mut out = BufWriter::new(fs::File::create(&path)?);
    writeln!(
        out,
        "customer_id,signup_date,segment,region,orders_last_year,revenue_prev_90d,\
         days_since_last_order,sms_opt_in,loyalty_member,support_contacts_90d"
    )?;
    for i in 0..CUSTOMERS {
        let id = format!("HB-{:05}", 10_001 + i);
        let signup_day = rng.random_range(0..HISTORY_DAYS - 30);
        let segment = pick(&mut rng, &SEGMENTS, |s| s.share);
        let region = pick(&mut rng, &REGIONS, |r| r.1).0;
        // Customers differ in engagement; a gamma-like multiplier from a
        // log-normal keeps most near the segment's habit with a long tail.
        let engagement = LogNormal::new(-0.18, 0.6)?.sample(&mut rng);
        let tenure_years = f64::from(HISTORY_DAYS - signup_day) / 365.0;
        let yearly_rate = segment.orders_per_year * engagement * tenure_years.min(1.0);
        let orders_last_year = Poisson::new(yearly_rate.max(1e-9))?.sample(&mut rng) as u32;
        let order_value =
            LogNormal::new(segment.order_value_median.ln(), segment.order_value_sigma)?;
        let quarter_orders =
            Poisson::new((f64::from(orders_last_year) / 4.0).max(1e-9))?.sample(&mut rng) as u32;
        let revenue_prev_90d =
            (0..quarter_orders).fold(0.0, |total, _| total + order_value.sample(&mut rng));
        let days_since_last_order = if orders_last_year == 0 {
            (365 + rng.random_range(0..400)).min(HISTORY_DAYS - signup_day)
        } else if quarter_orders > 0 {
            rng.random_range(1..90)
        } else {
            let gap = 365.0 / f64::from(orders_last_year + 1);
            (90.0 + rng.random::<f64>() * gap * 2.0).min(364.0) as u32
        };
        let sms_opt_in = if rng.random::<f64>() < 0.62 {
            "yes"
        } else {
            "no"
        };
        let loyalty_member =
            if rng.random::<f64>() < 0.15 + 0.04 * f64::from(orders_last_year.min(10)) {
                "yes"
            } else {
                "no"
            };
        let support = Poisson::new(segment.support_contacts_per_quarter * engagement.sqrt())?
            .sample(&mut rng) as u32;
        writeln!(
            out,
            "{id},{},{},{region},{orders_last_year},{revenue_prev_90d:.2},{days_since_last_order},{sms_opt_in},{loyalty_member},{support}",
            date_from_day(signup_day),
            segment.name,
        )?;
    }
    out.flush()?;
    println!("wrote {CUSTOMERS} customers to {}", path.display());
    Ok(())
}

// ---------------------------------------------------------------------------
// The three pilots: ledgers written by pilot itself, in weekly batches.

/// Day number (since 2023-01-01) of the pilot start, 2026-09-01.
const PILOT_START: u32 = HISTORY_DAYS;

/// Weekly enrollment batches after the first one (2026-09-08 ... 09-29).
const LATER_BATCHES: u32 = 4;

/// Days each customer is followed after enrollment.
const FOLLOW_UP_DAYS: u32 = 90;

/// Cost of goods as a share of the list price.
const COST_OF_GOODS: f64 = 0.45;

/// The day of enrollment batch `batch` (0 = the pilot start).
fn batch_day(batch: u32) -> u32 {
    PILOT_START + 7 * batch
}

/// The `assigned_at` time of batch `batch`.
fn batch_timestamp(batch: u32) -> String {
    format!("{}T08:00:00Z", date_from_day(batch_day(batch)))
}

/// An independent random stream per experiment and purpose, so that
/// changing one file's model never changes another file.
fn rng_for(seed: u64, name: &str, purpose: &str) -> Xoshiro256PlusPlus {
    // FNV-1a 64 of "name/purpose".
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes().chain([b'/']).chain(purpose.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    Xoshiro256PlusPlus::seed_from_u64(seed ^ hash)
}

fn poisson(rng: &mut Xoshiro256PlusPlus, mean: f64) -> Result<u32, Box<dyn Error>> {
    if mean <= 0.0 {
        return Ok(0);
    }
    Ok(Poisson::new(mean)?.sample(rng) as u32)
}

/// The customers of `customers.csv`, with the lines as written.
struct Customers {
    header: String,
    lines: Vec<String>,
    list: Vec<Customer>,
    by_id: HashMap<String, usize>,
}

/// The columns of a customer the outcome models use.
struct Customer {
    id: String,
    segment: usize,
    orders_last_year: f64,
    revenue_prev_90d: f64,
    days_since_last_order: f64,
    support_contacts_90d: f64,
}

impl Customer {
    fn segment(&self) -> &'static Segment {
        &SEGMENTS[self.segment]
    }

    /// Median list value of this customer's orders: the segment's median,
    /// pulled halfway (geometrically) toward the customer's own average
    /// order of the last quarter. With [`Customer::activity`], this is what
    /// makes `revenue_prev_90d` predict the outcome revenue.
    fn order_value_median(&self) -> f64 {
        let segment = self.segment().order_value_median;
        if self.revenue_prev_90d <= 0.0 {
            return segment;
        }
        let orders = (self.orders_last_year / 4.0).round().max(1.0);
        let own = (self.revenue_prev_90d / orders).clamp(segment / 3.0, segment * 3.0);
        (segment * own).sqrt()
    }

    /// Expected list value of one order.
    fn expected_order_value(&self) -> f64 {
        let sigma = self.segment().order_value_sigma;
        self.order_value_median() * (sigma * sigma / 2.0).exp()
    }

    /// One order's list value.
    fn order_value(&self, rng: &mut Xoshiro256PlusPlus) -> Result<f64, Box<dyn Error>> {
        let sigma = self.segment().order_value_sigma;
        Ok(LogNormal::new(self.order_value_median().ln(), sigma)?.sample(rng))
    }

    /// Orders expected in a quarter from the customer's history: 40% last
    /// year's pace, 60% last quarter's spend in typical orders.
    fn activity(&self) -> f64 {
        let recent = (self.revenue_prev_90d / self.segment().order_value_median).min(6.0);
        0.4 * self.orders_last_year / 4.0 + 0.6 * recent
    }
}

fn read_customers(path: &Path) -> Result<Customers, Box<dyn Error>> {
    let text = fs::read_to_string(path)?;
    let mut lines = text.lines().map(str::to_string);
    let header = lines.next().ok_or("customers.csv is empty")?;
    let columns: Vec<&str> = header.split(',').collect();
    let col = |name: &str| {
        columns
            .iter()
            .position(|c| *c == name)
            .ok_or(format!("customers.csv has no column {name}"))
    };
    let (id, segment, orders, revenue, days, support) = (
        col("customer_id")?,
        col("segment")?,
        col("orders_last_year")?,
        col("revenue_prev_90d")?,
        col("days_since_last_order")?,
        col("support_contacts_90d")?,
    );
    let lines: Vec<String> = lines.collect();
    let mut list = Vec::with_capacity(lines.len());
    let mut by_id = HashMap::new();
    for line in &lines {
        let cells: Vec<&str> = line.split(',').collect();
        let number = |i: usize| -> Result<f64, Box<dyn Error>> { Ok(cells[i].parse()?) };
        let customer = Customer {
            id: cells[id].to_string(),
            segment: SEGMENTS
                .iter()
                .position(|s| s.name == cells[segment])
                .ok_or(format!("unknown segment {}", cells[segment]))?,
            orders_last_year: number(orders)?,
            revenue_prev_90d: number(revenue)?,
            days_since_last_order: number(days)?,
            support_contacts_90d: number(support)?,
        };
        by_id.insert(customer.id.clone(), list.len());
        list.push(customer);
    }
    Ok(Customers {
        header,
        lines,
        list,
        by_id,
    })
}

/// A customer in a pilot's ledger.
struct Enrolled<'a> {
    customer: &'a Customer,
    /// Index of the arm in the experiment (0 = control).
    arm: usize,
    /// Day of enrollment (since 2023-01-01).
    day: u32,
}

/// Loads `experiments/<name>.toml` with its files redirected to `out`.
fn load_experiment(args: &Args, name: &str) -> Result<Experiment, Box<dyn Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("experiments")
        .join(format!("{name}.toml"));
    let mut exp = pilot::config::load(&path)?;
    let dir = args.out.join(name);
    exp.population.file = args.out.join("customers.csv");
    exp.assignment.file = dir.join("assignments.csv");
    if let Some(outcomes) = &mut exp.outcomes {
        outcomes.file = Some(dir.join("outcomes.csv"));
    }
    Ok(exp)
}

/// Runs the pilot's enrollment with the real `pilot::assign`: the first
/// batch on 2026-09-01, then one batch a week for four weeks. Each batch
/// assigns from the customers who had "arrived" by then (a deterministic
/// random subset of `customers.csv`, sized so that about `new_per_week`
/// eligible customers arrive each week), exactly as rerunning
/// `pilot assign` on a weekly export would. Returns the ledger's customers.
fn enroll<'a>(
    args: &Args,
    exp: &mut Experiment,
    customers: &'a Customers,
) -> Result<Vec<Enrolled<'a>>, Box<dyn Error>> {
    let name = exp.meta.name.clone();
    let ledger = exp.assignment.file.clone();
    if let Some(dir) = ledger.parent() {
        fs::create_dir_all(dir)?;
    }
    for stale in [ledger.clone(), design_record_path(&ledger)] {
        match fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    let full_population = exp.population.file.clone();
    let everyone = assign(
        exp,
        &AssignOptions {
            reassign: false,
            dry_run: true,
            now: batch_timestamp(0),
        },
    )?;
    let eligible = (everyone.newly_assigned + everyone.not_enrolled) as f64;
    let per_week = exp.population.new_per_week.unwrap_or(0.0);
    let late_share = (f64::from(LATER_BATCHES) * per_week / eligible.max(1.0)).min(0.3);
    let mut rng = rng_for(args.seed, &name, "arrival");
    let arrival: Vec<u32> = customers
        .list
        .iter()
        .map(|_| {
            if rng.random::<f64>() < late_share {
                rng.random_range(1..=LATER_BATCHES)
            } else {
                0
            }
        })
        .collect();

    let scratch = tempfile::tempdir()?;
    let batch_file = scratch.path().join("customers.csv");
    let mut per_batch = Vec::new();
    for batch in 0..=LATER_BATCHES {
        let mut text = format!("{}\n", customers.header);
        for (line, _) in customers
            .lines
            .iter()
            .zip(&arrival)
            .filter(|(_, a)| **a <= batch)
        {
            text.push_str(line);
            text.push('\n');
        }
        fs::write(&batch_file, text)?;
        exp.population.file = batch_file.clone();
        let outcome = assign(
            exp,
            &AssignOptions {
                reassign: false,
                dry_run: false,
                now: batch_timestamp(batch),
            },
        )?;
        per_batch.push(outcome.newly_assigned.to_string());
    }
    exp.population.file = full_population;

    let mut enrolled = Vec::new();
    let epoch = pilot::dates::parse_day("2023-01-01").ok_or("bad epoch")?;
    let mut reader = csv::Reader::from_path(&ledger)?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("the ledger has no column {name}"))
    };
    let (id_col, arm_col, at_col) = (col("customer_id")?, col("arm")?, col("assigned_at")?);
    for record in reader.records() {
        let record = record?;
        let id = &record[id_col];
        let customer = &customers.list[*customers
            .by_id
            .get(id)
            .ok_or(format!("ledger customer {id} is not in customers.csv"))?];
        let arm = exp
            .arms
            .iter()
            .position(|a| a.name == record[arm_col])
            .ok_or("unknown arm in the ledger")?;
        let day = pilot::dates::parse_day(&record[at_col]).ok_or("bad assigned_at")? - epoch;
        enrolled.push(Enrolled {
            customer,
            arm,
            day: day as u32,
        });
    }
    println!(
        "{name}: {} customers enrolled in batches of {} ({})",
        enrolled.len(),
        per_batch.join(", "),
        ledger.display()
    );
    Ok(enrolled)
}

/// One row of an outcome export before sorting: rows are written in date
/// order, then customer, then the customer's own sequence.
struct Row<T> {
    day: u32,
    id: String,
    seq: u32,
    data: T,
}

/// Sorts `rows` like a shop system's export and writes them; `format`
/// gets the row's position in the file (for order and ticket numbers).
fn write_rows<T>(
    path: &Path,
    header: &str,
    mut rows: Vec<Row<T>>,
    format: impl Fn(usize, &Row<T>) -> String,
) -> Result<usize, Box<dyn Error>> {
    rows.sort_by(|a, b| (a.day, &a.id, a.seq).cmp(&(b.day, &b.id, b.seq)));
    let mut out = BufWriter::new(fs::File::create(path)?);
    writeln!(out, "{header}")?;
    for (i, row) in rows.iter().enumerate() {
        writeln!(out, "{}", format(i, row))?;
    }
    out.flush()?;
    Ok(rows.len())
}

/// Customers of the export who are not in the ledger (for the handful of
/// stray rows every real export has), picked at random.
fn strangers<'a>(
    rng: &mut Xoshiro256PlusPlus,
    customers: &'a Customers,
    enrolled: &[Enrolled<'_>],
    accept: impl Fn(&Customer) -> bool,
    count: usize,
) -> Vec<&'a Customer> {
    let in_ledger: HashSet<&str> = enrolled.iter().map(|e| e.customer.id.as_str()).collect();
    let mut picked: Vec<&Customer> = Vec::new();
    while picked.len() < count {
        let c = &customers.list[rng.random_range(0..customers.list.len())];
        if !in_ledger.contains(c.id.as_str()) && accept(c) && !picked.iter().any(|p| p.id == c.id) {
            picked.push(c);
        }
    }
    picked
}

/// Mean of `f` over the enrolled customers.
fn mean_over<T>(items: &[T], f: impl Fn(&T) -> f64) -> f64 {
    items.iter().map(f).sum::<f64>() / items.len().max(1) as f64
}

/// Prints the expected value per customer under each arm (the true effect,
/// averaged over everyone enrolled) and the relative change to the control.
fn print_truth(label: &str, arms: &[&str], values: &[f64], decimals: usize) {
    let cells: Vec<String> = arms
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (arm, v))| {
            if i == 0 {
                format!("{arm} {v:.decimals$}")
            } else {
                format!(
                    "{arm} {v:.decimals$} ({:+.1}%)",
                    100.0 * (v / values[0] - 1.0)
                )
            }
        })
        .collect();
    println!("  true {label:<26} {}", cells.join(", "));
}

/// The `k` at which the mean of `1 - exp(-k w)` is `target` (bisection;
/// the mean increases with `k`).
fn calibrate_hazard(weights: &[f64], target: f64) -> f64 {
    let rate = |k: f64| mean_over(weights, |w| 1.0 - (-k * w).exp());
    let (mut low, mut high) = (0.0, 1.0);
    while rate(high) < target {
        high *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if rate(mid) < target {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

// ---------------------------------------------------------------------------
// sms-reminder: order export of the 90 days after the texts.

/// 90-day repeat purchase rate: control, sms.
const SMS_REPEAT: [f64; 2] = [0.18, 0.23];
/// Further orders of a returning customer, per unit of purchase hazard.
const SMS_REPEAT_ORDERS: f64 = 0.5;
/// Unsubscribe rate in 90 days: control, sms.
const SMS_UNSUBSCRIBE: [f64; 2] = [0.020, 0.026];

/// The export covers 2026-08-29 to 2026-12-01 (pulled on 2026-12-02), a
/// little wider than the experiment's window 2026-09-01 ... 2026-11-29.
const SMS_EXPORT: (u32, u32) = (PILOT_START - 3, PILOT_START + 91);

enum SmsEvent {
    Order(f64),
    Unsubscribe,
}

fn write_sms(
    args: &Args,
    exp: &Experiment,
    customers: &Customers,
    enrolled: &[Enrolled<'_>],
) -> Result<(), Box<dyn Error>> {
    let mut rng = rng_for(args.seed, &exp.meta.name, "outcomes");
    let gamma = Gamma::new(2.0, 0.5)?;
    // Propensity to come back: recent activity, shorter lapse, and a
    // personal factor the CRM does not see.
    let weights: Vec<f64> = enrolled
        .iter()
        .map(|e| {
            let c = e.customer;
            let lapse = (-(c.days_since_last_order - 60.0).max(0.0) / 365.0).exp();
            (0.15 + c.activity()) * lapse * gamma.sample(&mut rng)
        })
        .collect();
    let hazard = SMS_REPEAT.map(|target| calibrate_hazard(&weights, target));

    let mut rows = Vec::new();
    let mut seq = 0;
    let mut push = |rows: &mut Vec<Row<SmsEvent>>, day: u32, id: &str, event: SmsEvent| {
        seq += 1;
        if (SMS_EXPORT.0..=SMS_EXPORT.1).contains(&day) {
            rows.push(Row {
                day,
                id: id.to_string(),
                seq,
                data: event,
            });
        }
    };
    for (e, w) in enrolled.iter().zip(&weights) {
        let c = e.customer;
        let lambda = hazard[e.arm] * w;
        if rng.random::<f64>() < 1.0 - (-lambda).exp() {
            let orders = 1 + poisson(&mut rng, SMS_REPEAT_ORDERS * lambda)?;
            for _ in 0..orders {
                let day = e.day + rng.random_range(0..FOLLOW_UP_DAYS);
                push(
                    &mut rows,
                    day,
                    &c.id,
                    SmsEvent::Order(c.order_value(&mut rng)?),
                );
            }
        }
        if rng.random::<f64>() < SMS_UNSUBSCRIBE[e.arm] {
            // Texted customers unsubscribe when a text arrives.
            let days = if e.arm == 0 { FOLLOW_UP_DAYS } else { 14 };
            let day = e.day + rng.random_range(0..days);
            push(&mut rows, day, &c.id, SmsEvent::Unsubscribe);
        }
        // A few orders placed in the days before the texts went out.
        if rng.random::<f64>() < 0.004 {
            let day = PILOT_START - rng.random_range(1..=3);
            push(
                &mut rows,
                day,
                &c.id,
                SmsEvent::Order(c.order_value(&mut rng)?),
            );
        }
    }
    // Stray rows: customers who are not in the pilot (opted out of texts,
    // or not lapsed) and two who signed up after the CRM export.
    let others = strangers(&mut rng, customers, enrolled, |_| true, 5);
    let mut stray: Vec<(String, f64)> = Vec::new();
    for c in others {
        stray.push((c.id.clone(), c.order_value(&mut rng)?));
    }
    for n in 0..2 {
        let id = format!(
            "HB-{}",
            10_001 + CUSTOMERS + 10 * n + rng.random_range(0..10)
        );
        stray.push((id, SEGMENTS[0].order_value_median));
    }
    for (id, value) in stray {
        let day = PILOT_START + rng.random_range(0..FOLLOW_UP_DAYS);
        push(&mut rows, day, &id, SmsEvent::Order(value));
    }

    let path = exp
        .outcomes
        .as_ref()
        .and_then(|o| o.file.clone())
        .ok_or("no outcomes file")?;
    let n = write_rows(
        &path,
        "customer_id,date,order_value,purchased,unsubscribed",
        rows,
        |_, row| match row.data {
            SmsEvent::Order(value) => {
                format!("{},{},{value:.2},1,0", row.id, date_from_day(row.day))
            }
            SmsEvent::Unsubscribe => format!("{},{},,,1", row.id, date_from_day(row.day)),
        },
    )?;
    println!("  wrote {n} rows to {}", path.display());

    let arms = ["control", "sms"];
    let pairs: Vec<(&Enrolled<'_>, f64)> = enrolled.iter().zip(weights.iter().copied()).collect();
    // Expected value per customer under each arm, from the hazard `lambda`.
    let under = |f: &dyn Fn(&Enrolled<'_>, f64) -> f64| -> Vec<f64> {
        hazard
            .iter()
            .map(|&k| mean_over(&pairs, |(e, w)| f(e, k * w)))
            .collect()
    };
    let returns = |lambda: f64| 1.0 - (-lambda).exp();
    let orders = |lambda: f64| returns(lambda) * (1.0 + SMS_REPEAT_ORDERS * lambda);
    print_truth("repeat purchase rate", &arms, &under(&|_, l| returns(l)), 4);
    print_truth("orders per customer", &arms, &under(&|_, l| orders(l)), 4);
    print_truth(
        "revenue per customer",
        &arms,
        &under(&|e, l| orders(l) * e.customer.expected_order_value()),
        2,
    );
    print_truth("unsubscribe rate", &arms, &SMS_UNSUBSCRIBE, 4);
    Ok(())
}

// ---------------------------------------------------------------------------
// faster-support: one row per closed ticket, with survey answers.

/// Follow-up tickets per recent support contact (times a personal factor):
/// control, then the priority queue's multiplier.
const SUPPORT_FOLLOW_UPS: f64 = 0.3;
const SUPPORT_FOLLOW_UP_FACTOR: [f64; 2] = [1.0, 0.85];
/// Chance that a closed ticket's survey is answered, per segment (the same
/// in both arms).
const SUPPORT_RESPONSE: [f64; 3] = [0.30, 0.33, 0.24];
/// Of those answering, the share answering the NPS and the effort question.
const SUPPORT_ANSWERS_NPS: f64 = 0.9;
const SUPPORT_ANSWERS_EFFORT: f64 = 0.85;
/// CSAT 1-5 answer distribution: control (72% 4-5), priority (80% 4-5).
const CSAT: [[f64; 5]; 2] = [
    [0.07, 0.07, 0.14, 0.34, 0.38],
    [0.04, 0.05, 0.11, 0.35, 0.45],
];
/// NPS 0-10: control 25% detractors / 42% promoters (NPS 17), priority 22%
/// / 47% (NPS 25).
const NPS: [[f64; 11]; 2] = [
    [
        0.03, 0.01, 0.02, 0.02, 0.03, 0.06, 0.08, 0.14, 0.19, 0.17, 0.25,
    ],
    [
        0.02, 0.01, 0.02, 0.02, 0.02, 0.05, 0.08, 0.13, 0.18, 0.18, 0.29,
    ],
];
/// Effort 1 (easy) - 7 (hard): control mean 3.20, priority 2.79.
const EFFORT: [[f64; 7]; 2] = [
    [0.18, 0.24, 0.20, 0.14, 0.11, 0.08, 0.05],
    [0.26, 0.27, 0.18, 0.12, 0.08, 0.06, 0.03],
];
/// Average churn (no order in the 90 days after the last ticket): control,
/// priority.
const SUPPORT_CHURN: [f64; 2] = [0.15, 0.12];

/// The answer (index into `shares`) at cumulative probability `u`.
fn answer(shares: &[f64], u: f64) -> usize {
    let mut total = 0.0;
    for (i, share) in shares.iter().enumerate() {
        total += share;
        if u < total {
            return i;
        }
    }
    shares.len() - 1
}

struct Ticket {
    csat: Option<usize>,
    nps: Option<usize>,
    effort: Option<usize>,
    churned: Option<bool>,
}

fn write_support(
    args: &Args,
    exp: &Experiment,
    customers: &Customers,
    enrolled: &[Enrolled<'_>],
) -> Result<(), Box<dyn Error>> {
    let mut rng = rng_for(args.seed, &exp.meta.name, "outcomes");
    let gamma = Gamma::new(2.0, 0.5)?;
    // A customer's disposition: it colours every answer and the churn risk.
    let moods: Vec<f64> = enrolled
        .iter()
        .map(|_| StandardNormal.sample(&mut rng))
        .collect();
    let churn_weights: Vec<f64> = enrolled
        .iter()
        .zip(&moods)
        .map(|(e, mood)| {
            let c = e.customer;
            let segment = [1.0, 1.1, 0.6][c.segment];
            (-0.5 * mood).exp() * segment / (1.0 + c.orders_last_year / 8.0)
        })
        .collect();
    let mean_weight = mean_over(&churn_weights, |w| *w);
    let churn_risk = |w: f64, arm: usize| (SUPPORT_CHURN[arm] * w / mean_weight).min(0.9);
    let follow_up_rate = |c: &Customer, personal: f64| {
        SUPPORT_FOLLOW_UPS * c.support_contacts_90d.min(4.0) * personal
    };

    let mut rows = Vec::new();
    let mut personal_factors = Vec::new();
    let normal = |rng: &mut Xoshiro256PlusPlus| -> f64 { StandardNormal.sample(rng) };
    let noise = (1.0f64 - 0.85 * 0.85).sqrt();
    for ((e, mood), w) in enrolled.iter().zip(&moods).zip(&churn_weights) {
        let c = e.customer;
        let personal = gamma.sample(&mut rng);
        personal_factors.push(personal);
        let follow_ups = poisson(
            &mut rng,
            follow_up_rate(c, personal) * SUPPORT_FOLLOW_UP_FACTOR[e.arm],
        )?;
        let first = e.day + rng.random_range(0..14);
        let mut days = vec![first];
        for _ in 0..follow_ups {
            days.push(rng.random_range(first..e.day + FOLLOW_UP_DAYS));
        }
        days.sort_unstable();
        let churned = rng.random::<f64>() < churn_risk(*w, e.arm);
        let last = days.len() - 1;
        for (seq, day) in days.into_iter().enumerate() {
            let mut ticket = Ticket {
                csat: None,
                nps: None,
                effort: None,
                churned: (seq == last).then_some(churned),
            };
            if rng.random::<f64>() < SUPPORT_RESPONSE[c.segment] {
                let z = 0.6 * mood + 0.8 * normal(&mut rng);
                let question =
                    |rng: &mut Xoshiro256PlusPlus| normal_cdf(0.85 * z + noise * normal(rng));
                ticket.csat = Some(1 + answer(&CSAT[e.arm], question(&mut rng)));
                if rng.random::<f64>() < SUPPORT_ANSWERS_NPS {
                    ticket.nps = Some(answer(&NPS[e.arm], question(&mut rng)));
                }
                if rng.random::<f64>() < SUPPORT_ANSWERS_EFFORT {
                    // Happier customers found it easier.
                    ticket.effort = Some(1 + answer(&EFFORT[e.arm], 1.0 - question(&mut rng)));
                }
            }
            rows.push(Row {
                day,
                id: c.id.clone(),
                seq: seq as u32,
                data: ticket,
            });
        }
    }
    // Tickets of customers who are not in the pilot (no contact in the
    // quarter before it started).
    for c in strangers(
        &mut rng,
        customers,
        enrolled,
        |c| c.support_contacts_90d == 0.0,
        4,
    ) {
        rows.push(Row {
            day: PILOT_START + rng.random_range(0..FOLLOW_UP_DAYS),
            id: c.id.clone(),
            seq: 0,
            data: Ticket {
                csat: None,
                nps: None,
                effort: None,
                churned: Some(false),
            },
        });
    }

    let path = exp
        .outcomes
        .as_ref()
        .and_then(|o| o.file.clone())
        .ok_or("no outcomes file")?;
    let cell = |v: Option<usize>| v.map(|v| v.to_string()).unwrap_or_default();
    let n = write_rows(
        &path,
        "customer_id,date,ticket_id,csat,nps,effort,churned",
        rows,
        |i, row| {
            let t = &row.data;
            format!(
                "{},{},T-{},{},{},{},{}",
                row.id,
                date_from_day(row.day),
                50_001 + i,
                cell(t.csat),
                cell(t.nps),
                cell(t.effort),
                t.churned
                    .map(|c| if c { "1" } else { "0" })
                    .unwrap_or_default(),
            )
        },
    )?;
    println!("  wrote {n} rows to {}", path.display());

    let arms = ["control", "priority"];
    let both = |f: &dyn Fn(usize) -> f64| [f(0), f(1)];
    let items: Vec<(&Enrolled<'_>, f64, f64)> = enrolled
        .iter()
        .zip(&personal_factors)
        .zip(&churn_weights)
        .map(|((e, p), w)| (e, *p, *w))
        .collect();
    print_truth(
        "tickets per customer",
        &arms,
        &both(&|a| {
            mean_over(&items, |(e, p, _)| {
                1.0 + follow_up_rate(e.customer, *p) * SUPPORT_FOLLOW_UP_FACTOR[a]
            })
        }),
        4,
    );
    print_truth(
        "CSAT share of 4-5",
        &arms,
        &both(&|a| CSAT[a][3] + CSAT[a][4]),
        4,
    );
    print_truth(
        "NPS",
        &arms,
        &both(&|a| 100.0 * (NPS[a][9] + NPS[a][10] - NPS[a][..7].iter().sum::<f64>())),
        1,
    );
    print_truth(
        "mean effort (1-7)",
        &arms,
        &both(&|a| {
            EFFORT[a]
                .iter()
                .enumerate()
                .map(|(i, s)| (i + 1) as f64 * s)
                .sum()
        }),
        3,
    );
    print_truth(
        "churn rate",
        &arms,
        &both(&|a| mean_over(&items, |(_, _, w)| churn_risk(*w, a))),
        4,
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// loyalty-discount: order export of each customer's three discount months.

/// Discount on every order: control, discount-10, discount-15.
const DISCOUNT: [f64; 3] = [0.0, 0.10, 0.15];
/// Order frequency multiplier per arm.
const LOYALTY_ORDERS: [f64; 3] = [1.0, 1.08, 1.14];
/// Basket (list value per order) multiplier per arm: members at 10% stock
/// up; at 15% the extra orders are small top-ups.
const LOYALTY_BASKET: [f64; 3] = [1.0, 1.14, 1.06];

fn write_loyalty(
    args: &Args,
    exp: &Experiment,
    customers: &Customers,
    enrolled: &[Enrolled<'_>],
) -> Result<(), Box<dyn Error>> {
    let mut rng = rng_for(args.seed, &exp.meta.name, "outcomes");
    let gamma = Gamma::new(2.0, 0.5)?;
    let mut rows = Vec::new();
    let mut rates = Vec::new();
    for e in enrolled {
        let c = e.customer;
        let rate = (0.05 + c.activity()) * gamma.sample(&mut rng);
        rates.push(rate);
        let orders = poisson(&mut rng, rate * LOYALTY_ORDERS[e.arm])?;
        for seq in 0..orders {
            let list = c.order_value(&mut rng)? * LOYALTY_BASKET[e.arm];
            rows.push(Row {
                day: e.day + rng.random_range(0..FOLLOW_UP_DAYS),
                id: c.id.clone(),
                seq,
                data: (list * (1.0 - DISCOUNT[e.arm]), list * COST_OF_GOODS),
            });
        }
    }
    // Orders of customers outside the pilot that a member code was keyed
    // in for by hand.
    for c in strangers(&mut rng, customers, enrolled, |_| true, 5) {
        let list = c.order_value(&mut rng)?;
        rows.push(Row {
            day: PILOT_START + rng.random_range(0..FOLLOW_UP_DAYS),
            id: c.id.clone(),
            seq: 0,
            data: (list * 0.9, list * COST_OF_GOODS),
        });
    }

    let path = exp
        .outcomes
        .as_ref()
        .and_then(|o| o.file.clone())
        .ok_or("no outcomes file")?;
    let n = write_rows(
        &path,
        "customer_id,date,order_id,revenue,orders,gross_margin",
        rows,
        |i, row| {
            let (revenue, cost) = row.data;
            let revenue = (revenue * 100.0).round() / 100.0;
            format!(
                "{},{},W-{},{revenue:.2},1,{:.2}",
                row.id,
                date_from_day(row.day),
                60_001 + i,
                revenue - cost,
            )
        },
    )?;
    println!("  wrote {n} rows to {}", path.display());

    let arms = ["control", "discount-10", "discount-15"];
    let per_arm = |f: &dyn Fn(usize) -> f64| [f(0), f(1), f(2)];
    let items: Vec<(&Enrolled<'_>, f64)> = enrolled.iter().zip(rates.iter().copied()).collect();
    let orders = |a: usize| mean_over(&items, |(_, r)| r * LOYALTY_ORDERS[a]);
    let list = |a: usize| {
        mean_over(&items, |(e, r)| {
            r * LOYALTY_ORDERS[a] * LOYALTY_BASKET[a] * e.customer.expected_order_value()
        })
    };
    let revenue = |a: usize| list(a) * (1.0 - DISCOUNT[a]);
    let margin = |a: usize| list(a) * (1.0 - DISCOUNT[a] - COST_OF_GOODS);
    print_truth("orders per customer", &arms, &per_arm(&orders), 4);
    print_truth("revenue per customer", &arms, &per_arm(&revenue), 2);
    print_truth(
        "revenue per order",
        &arms,
        &per_arm(&|a| revenue(a) / orders(a)),
        2,
    );
    print_truth("gross margin per customer", &arms, &per_arm(&margin), 2);
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    fs::create_dir_all(&args.out)?;
    write_customers(&args)?;
    let customers = read_customers(&args.out.join("customers.csv"))?;
    type Writer = fn(&Args, &Experiment, &Customers, &[Enrolled<'_>]) -> Result<(), Box<dyn Error>>;
    let pilots: [(&str, Writer); 3] = [
        ("sms-reminder", write_sms),
        ("faster-support", write_support),
        ("loyalty-discount", write_loyalty),
    ];
    for (name, write) in pilots {
        let mut exp = load_experiment(&args, name)?;
        let enrolled = enroll(&args, &mut exp, &customers)?;
        write(&args, &exp, &customers, &enrolled)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::date_from_day;

    #[test]
    fn dates_cross_years_and_leap_days() {
        assert_eq!(date_from_day(0), "2023-01-01");
        assert_eq!(date_from_day(365), "2024-01-01");
        assert_eq!(date_from_day(365 + 59), "2024-02-29");
        assert_eq!(date_from_day(365 + 366), "2025-01-01");
    }
}
