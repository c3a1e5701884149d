//! Generates the bundled demo data in `examples/demo/`.
//!
//! The demo business is "Harbor & Bean", a small coffee roaster with a shop
//! and a web store. Its CRM export (`customers.csv`) is what the example
//! experiments in `experiments/` assign from.
//!
//! Regenerate (the output is identical for the same seed):
//!
//! ```sh
//! cargo run --example generate_demo -- --seed 20261122 --out examples/demo
//! ```

use std::error::Error;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal, Poisson};
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

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    fs::create_dir_all(&args.out)?;
    write_customers(&args)?;
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
