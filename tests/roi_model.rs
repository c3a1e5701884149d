//! Closed-form checks of the ROI model at the point estimate: every expected
//! value is worked out by hand in the comments.

use pilot::config::{Benefit, Direction, Roi};
use pilot::roi::{MetricEffect, RoiReport, customer_lifetime_value, plan_break_even_lift, project};

/// A config with no discounting, no decay, no costs and one benefit worth 1
/// per unit of `orders`; tests change what they need.
fn base() -> Roi {
    Roi {
        customers: None,
        horizon_months: 12,
        discount_rate: 0.0,
        one_time_cost: 0.0,
        monthly_cost: 0.0,
        cost_per_customer_month: 0.0,
        metric_window_months: 1.0,
        effect_half_life_months: 0.0,
        draws: 1000,
        seed: 1,
        currency: "$".to_string(),
        benefits: vec![benefit("orders", 1.0, 1.0)],
    }
}

fn benefit(metric: &str, unit_value: f64, margin: f64) -> Benefit {
    Benefit {
        metric: metric.to_string(),
        unit_value,
        margin,
    }
}

fn effect(metric: &str, direction: Direction, lift: f64, se: f64) -> MetricEffect {
    MetricEffect {
        metric: metric.to_string(),
        direction,
        lift,
        se,
        control_mean: None,
    }
}

fn orders(lift: f64) -> Vec<MetricEffect> {
    vec![effect("orders", Direction::Increase, lift, 0.0)]
}

fn close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual} (tolerance {tol})"
    );
}

fn has_note(report: &RoiReport, field: &str) -> bool {
    report.notes.iter().any(|n| n.field == field)
}

/// The shop of the first tests: 100 customers, `orders` worth 2 at 50%
/// margin, lift 0.3 orders per customer per month.
/// Monthly benefit x = 100 * 0.3 / 1 * 2 * 0.5 = 30.
/// Monthly cost = 5 + 100 * 0.1 = 15; one-time cost 50.
fn shop() -> Roi {
    Roi {
        one_time_cost: 50.0,
        monthly_cost: 5.0,
        cost_per_customer_month: 0.1,
        benefits: vec![benefit("orders", 2.0, 0.5)],
        ..base()
    }
}

#[test]
fn undiscounted_npv_is_the_simple_sum() {
    let r = project(&shop(), 100.0, &orders(0.3)).unwrap();
    // PV costs = 50 + 12 * 15 = 230; PV benefits = 12 * 30 = 360.
    close(r.pv_costs, 230.0, 1e-9);
    close(r.pv_benefits, 360.0, 1e-9);
    // NPV = 360 - 230 = 130; ROI = 130 / 230 = 0.565217...
    close(r.npv_estimate, 130.0, 1e-9);
    close(r.roi_estimate.unwrap(), 130.0 / 230.0, 1e-12);
    assert_eq!(r.monthly_discount_rate, 0.0);
    // Table: month 0 pays 50; every month after nets 30 - 15 = 15.
    assert_eq!(r.cash_flow.len(), 13);
    assert_eq!(r.cash_flow[0].costs, 50.0);
    assert_eq!(r.cash_flow[0].benefits, 0.0);
    close(r.cash_flow[5].net, 15.0, 1e-12);
    // Cumulative at month 3: -50 + 3 * 15 = -5; at month 4: +10.
    close(r.cash_flow[3].cumulative, -5.0, 1e-9);
    close(r.cash_flow[4].cumulative, 10.0, 1e-9);
    close(r.cash_flow[12].cumulative, 130.0, 1e-9);
    assert_eq!(r.payback_months, Some(4));
}

#[test]
fn window_spreads_the_lift_over_months() {
    // The same 0.3 lift measured over a 3-month window is 0.1 a month:
    // x = 100 * 0.3 / 3 * 2 * 0.5 = 10; NPV = 12 * 10 - 230 = -110.
    let roi = Roi {
        metric_window_months: 3.0,
        ..shop()
    };
    let r = project(&roi, 100.0, &orders(0.3)).unwrap();
    close(r.npv_estimate, -110.0, 1e-9);
}

#[test]
fn decrease_metric_values_a_decrease() {
    // Support tickets, worth 4 each: a lift of -0.5 tickets per customer is
    // a saving of 100 * 0.5 * 4 = 200 a month; +0.5 is a loss of 200.
    let roi = Roi {
        benefits: vec![benefit("tickets", 4.0, 1.0)],
        horizon_months: 1,
        ..base()
    };
    let down = project(
        &roi,
        100.0,
        &[effect("tickets", Direction::Decrease, -0.5, 0.0)],
    )
    .unwrap();
    close(down.npv_estimate, 200.0, 1e-9);
    let up = project(
        &roi,
        100.0,
        &[effect("tickets", Direction::Decrease, 0.5, 0.0)],
    )
    .unwrap();
    close(up.npv_estimate, -200.0, 1e-9);
}

/// Annual rate whose monthly rate is exactly 1%: 1.01^12 - 1.
fn one_percent_a_month() -> f64 {
    1.01f64.powi(12) - 1.0
}

#[test]
fn discounting_by_hand_one_and_two_months() {
    // One-time 100, monthly 10, benefit x = 100 * 0.5 = 50; net 40 a month.
    let roi = Roi {
        one_time_cost: 100.0,
        monthly_cost: 10.0,
        discount_rate: one_percent_a_month(),
        horizon_months: 1,
        ..base()
    };
    // H = 1: -100 + 40 / 1.01 = -100 + 39.603960396039604 = -60.396039603960396
    let r = project(&roi, 100.0, &orders(0.5)).unwrap();
    close(r.monthly_discount_rate, 0.01, 1e-15);
    close(r.npv_estimate, -60.396_039_603_960_396, 1e-9);
    close(r.cash_flow[1].discount_factor, 1.0 / 1.01, 1e-15);
    // The month-0 cost is not discounted.
    assert_eq!(r.cash_flow[0].discount_factor, 1.0);
    // H = 2: also + 40 / 1.0201 = 39.21184197627684 -> -21.18419762768356
    let roi = Roi {
        horizon_months: 2,
        ..roi
    };
    let r = project(&roi, 100.0, &orders(0.5)).unwrap();
    close(r.npv_estimate, -21.184_197_627_683_56, 1e-9);
    // PV costs: 100 + 10 / 1.01 + 10 / 1.0201 = 100 + 9.900990099 + 9.802960494
    close(r.pv_costs, 119.703_950_593_079_1, 1e-9);
    close(r.cash_flow[2].discounted_net, 39.211_841_976_276_84, 1e-9);
}

#[test]
fn monthly_rate_is_compounded_not_divided() {
    // 12% a year is (1.12)^(1/12) - 1 = 0.9488792934583046% a month, not 1%.
    let roi = Roi {
        discount_rate: 0.12,
        ..base()
    };
    let r = project(&roi, 100.0, &orders(0.5)).unwrap();
    close(r.monthly_discount_rate, 0.009_488_792_934_583_046, 1e-15);
    // After 12 months a flow is worth exactly 1 / 1.12 of its face value.
    close(r.cash_flow[12].discount_factor, 1.0 / 1.12, 1e-15);
}

#[test]
fn decay_follows_the_half_life_from_month_one() {
    // x = 100 (100 customers, lift 1, unit 1). Half-life 1 month, 3 months:
    // benefits 100, 50, 25 -> PV benefits 175 (rate 0).
    let roi = Roi {
        effect_half_life_months: 1.0,
        horizon_months: 3,
        ..base()
    };
    let r = project(&roi, 100.0, &orders(1.0)).unwrap();
    close(r.cash_flow[1].benefits, 100.0, 1e-12);
    close(r.cash_flow[2].benefits, 50.0, 1e-12);
    close(r.cash_flow[3].benefits, 25.0, 1e-12);
    close(r.pv_benefits, 175.0, 1e-9);

    // Half-life 2 months, 4 months: geometric series with q = 0.5^(1/2):
    // sum_{t=1..4} q^(t-1) = (1 - q^4) / (1 - q) = 0.75 / 0.2928932188134524
    //   = 2.560660171779822 -> PV benefits 256.0660171779822.
    let roi = Roi {
        effect_half_life_months: 2.0,
        horizon_months: 4,
        ..base()
    };
    let r = project(&roi, 100.0, &orders(1.0)).unwrap();
    close(r.pv_benefits, 256.066_017_177_982_2, 1e-9);
    // Month 1 + half-life = month 3 has exactly half the effect.
    close(r.cash_flow[3].benefits, 50.0, 1e-12);
}

#[test]
fn decay_and_discounting_combine() {
    // r_m = 1%, half-life 1, H = 2, x = 100, no cost:
    // 100 / 1.01 + 50 / 1.0201 = 99.00990099009901 + 49.01480247034604
    //   = 148.02470346044504
    let roi = Roi {
        discount_rate: one_percent_a_month(),
        effect_half_life_months: 1.0,
        horizon_months: 2,
        ..base()
    };
    let r = project(&roi, 100.0, &orders(1.0)).unwrap();
    close(r.npv_estimate, 148.024_703_460_445_04, 1e-9);
}

/// One-time cost `upfront`, x = 100 a month, no monthly cost, rate 0:
/// cumulative at month t = 100 t - upfront.
fn payback_of(upfront: f64) -> Option<u32> {
    let roi = Roi {
        one_time_cost: upfront,
        ..base()
    };
    project(&roi, 100.0, &orders(1.0)).unwrap().payback_months
}

#[test]
fn payback_month_boundaries() {
    // 400: cumulative at month 4 is 400 - 400 = 0 exactly, which counts.
    assert_eq!(payback_of(400.0), Some(4));
    // Just above: month 4 is -0.01, month 5 is +99.99.
    assert_eq!(payback_of(400.01), Some(5));
    assert_eq!(payback_of(399.99), Some(4));
    // 50: month 1 already nets +50.
    assert_eq!(payback_of(50.0), Some(1));
    // 1200: month 12 is exactly 0, the last month of the horizon.
    assert_eq!(payback_of(1200.0), Some(12));
    // 1200.01: never within 12 months.
    assert_eq!(payback_of(1200.01), None);
}

#[test]
fn payback_never_is_explained() {
    let roi = Roi {
        one_time_cost: 10_000.0,
        ..base()
    };
    let r = project(&roi, 100.0, &orders(1.0)).unwrap();
    assert_eq!(r.payback_months, None);
    assert!(has_note(&r, "payback_months"));
}

#[test]
fn payback_with_monthly_costs_only_starts_at_month_one() {
    // No one-time cost, monthly cost 60, x = 100: month 1 nets +40 -> 1.
    let roi = Roi {
        monthly_cost: 60.0,
        ..base()
    };
    assert_eq!(
        project(&roi, 100.0, &orders(1.0)).unwrap().payback_months,
        Some(1)
    );
    // Monthly cost 150 > x = 100: every month loses 50 -> never.
    let roi = Roi {
        monthly_cost: 150.0,
        ..base()
    };
    assert_eq!(
        project(&roi, 100.0, &orders(1.0)).unwrap().payback_months,
        None
    );
}

#[test]
fn payback_is_the_first_crossing_even_if_decay_undoes_it() {
    // Monthly cost 60, x = 100, half-life 1, H = 3:
    // nets 100-60 = +40, 50-60 = -10, 25-60 = -35; cumulative 40, 30, -5.
    // Paid back at month 1, yet the NPV over 3 months is -5.
    let roi = Roi {
        monthly_cost: 60.0,
        effect_half_life_months: 1.0,
        horizon_months: 3,
        ..base()
    };
    let r = project(&roi, 100.0, &orders(1.0)).unwrap();
    assert_eq!(r.payback_months, Some(1));
    close(r.npv_estimate, -5.0, 1e-9);
}

#[test]
fn payback_with_no_cost_at_all() {
    // Nothing to recover: month 0 when the effect is not harmful...
    let r = project(&base(), 100.0, &orders(1.0)).unwrap();
    assert_eq!(r.payback_months, Some(0));
    let r = project(&base(), 100.0, &orders(0.0)).unwrap();
    assert_eq!(r.payback_months, Some(0));
    // ...never when it loses money every month.
    let r = project(&base(), 100.0, &orders(-1.0)).unwrap();
    assert_eq!(r.payback_months, None);
}

#[test]
fn roi_without_costs_is_none_with_a_reason() {
    let r = project(&base(), 100.0, &orders(1.0)).unwrap();
    assert_eq!(r.pv_costs, 0.0);
    assert_eq!(r.roi_estimate, None);
    assert_eq!(r.roi_median, None);
    assert!(has_note(&r, "roi_estimate"));
    assert!(has_note(&r, "roi_median"));
    // NPV is still defined: 12 * 100 = 1200.
    close(r.npv_estimate, 1200.0, 1e-9);
}

#[test]
fn break_even_lift_by_hand() {
    // shop(): NPV(l) = 12 * (100 * l * 2 * 0.5) - 230 = 1200 l - 230,
    // so l = 230 / 1200 = 0.19166666666666668; relative to a control mean
    // of 2 orders: 0.09583333333333334.
    let mut effects = orders(0.3);
    effects[0].control_mean = Some(2.0);
    let r = project(&shop(), 100.0, &effects).unwrap();
    let be = r.break_even_lift.clone().unwrap();
    assert_eq!(be.metric, "orders");
    close(be.absolute.unwrap(), 230.0 / 1200.0, 1e-12);
    close(be.relative.unwrap(), 230.0 / 2400.0, 1e-12);
}

#[test]
fn npv_at_the_break_even_lift_is_zero() {
    // Two benefits, discounting and decay: the break-even of the first holds
    // the second at its estimate.
    let roi = Roi {
        discount_rate: 0.1,
        effect_half_life_months: 5.0,
        one_time_cost: 2_000.0,
        monthly_cost: 150.0,
        cost_per_customer_month: 0.2,
        metric_window_months: 2.0,
        benefits: vec![benefit("orders", 30.0, 0.4), benefit("churn", 200.0, 1.0)],
        ..base()
    };
    let effects = vec![
        effect("orders", Direction::Increase, 0.05, 0.02),
        effect("churn", Direction::Decrease, -0.004, 0.002),
    ];
    let r = project(&roi, 800.0, &effects).unwrap();
    let lift = r.break_even_lift.unwrap().absolute.unwrap();
    assert!(lift != 0.05, "the estimate itself is not at break-even");
    let mut at_break_even = effects.clone();
    at_break_even[0].lift = lift;
    let again = project(&roi, 800.0, &at_break_even).unwrap();
    assert!(
        again.npv_estimate.abs() < 1e-9,
        "NPV at break-even is {}",
        again.npv_estimate
    );
}

#[test]
fn break_even_of_a_decrease_metric_is_negative() {
    // Tickets worth 4, 100 customers, one-time cost 960, H = 12, rate 0:
    // NPV(l) = 12 * 100 * (-l) * 4 - 960 = -4800 l - 960 = 0 -> l = -0.2;
    // relative to a control mean of 0.8 tickets: -0.25.
    let roi = Roi {
        one_time_cost: 960.0,
        benefits: vec![benefit("tickets", 4.0, 1.0)],
        ..base()
    };
    let mut effects = vec![effect("tickets", Direction::Decrease, -0.5, 0.1)];
    effects[0].control_mean = Some(0.8);
    let r = project(&roi, 100.0, &effects).unwrap();
    let be = r.break_even_lift.unwrap();
    close(be.absolute.unwrap(), -0.2, 1e-12);
    close(be.relative.unwrap(), -0.25, 1e-12);
}

#[test]
fn break_even_undefined_cases_say_why() {
    // Unit value 0: the lift does not move the NPV.
    let roi = Roi {
        one_time_cost: 10.0,
        benefits: vec![benefit("orders", 0.0, 1.0)],
        ..base()
    };
    let r = project(&roi, 100.0, &orders(1.0)).unwrap();
    let be = r.break_even_lift.clone().unwrap();
    assert_eq!((be.absolute, be.relative), (None, None));
    assert!(has_note(&r, "break_even_lift.absolute"));

    // Control mean unknown or zero: absolute only.
    for control_mean in [None, Some(0.0)] {
        let mut effects = orders(1.0);
        effects[0].control_mean = control_mean;
        let r = project(&shop(), 100.0, &effects).unwrap();
        let be = r.break_even_lift.clone().unwrap();
        assert!(be.absolute.is_some());
        assert_eq!(be.relative, None);
        assert!(has_note(&r, "break_even_lift.relative"));
    }

    // No benefits at all.
    let roi = Roi {
        benefits: vec![],
        one_time_cost: 10.0,
        ..base()
    };
    let r = project(&roi, 100.0, &[]).unwrap();
    assert_eq!(r.break_even_lift, None);
    close(r.npv_estimate, -10.0, 0.0);
    assert!(has_note(&r, "break_even_lift"));
}

#[test]
fn plan_break_even_by_hand() {
    // shop(): PV costs 230, dNPV/dlift = 12 * 100 * 2 * 0.5 = 1200.
    let lift = plan_break_even_lift(&shop(), 100.0, "orders", Direction::Increase).unwrap();
    close(lift.unwrap(), 230.0 / 1200.0, 1e-12);
    // Lower is better: the same size, negative.
    let lift = plan_break_even_lift(&shop(), 100.0, "orders", Direction::Decrease).unwrap();
    close(lift.unwrap(), -230.0 / 1200.0, 1e-12);
}

#[test]
fn plan_break_even_ignores_the_other_benefits() {
    // With a second benefit whose lift is 0, project() and the planner agree.
    let roi = Roi {
        discount_rate: 0.08,
        effect_half_life_months: 6.0,
        benefits: vec![benefit("orders", 2.0, 0.5), benefit("visits", 0.3, 1.0)],
        ..shop()
    };
    let effects = vec![
        effect("orders", Direction::Increase, 0.3, 0.0),
        effect("visits", Direction::Increase, 0.0, 0.0),
    ];
    let projected = project(&roi, 100.0, &effects)
        .unwrap()
        .break_even_lift
        .unwrap()
        .absolute
        .unwrap();
    let planned = plan_break_even_lift(&roi, 100.0, "orders", Direction::Increase)
        .unwrap()
        .unwrap();
    close(planned, projected, 1e-12);
    // ...and differ when the other benefit has value.
    let mut with_visits = effects.clone();
    with_visits[1].lift = 1.0;
    let projected = project(&roi, 100.0, &with_visits)
        .unwrap()
        .break_even_lift
        .unwrap()
        .absolute
        .unwrap();
    assert!(projected < planned);
}

#[test]
fn plan_break_even_edge_cases() {
    // A metric without a benefit is an error; a worthless one has no answer.
    assert!(plan_break_even_lift(&shop(), 100.0, "visits", Direction::Increase).is_err());
    let roi = Roi {
        benefits: vec![benefit("orders", 0.0, 1.0)],
        ..shop()
    };
    assert_eq!(
        plan_break_even_lift(&roi, 100.0, "orders", Direction::Increase).unwrap(),
        None
    );
    // No cost: any positive lift pays, the break-even is 0.
    assert_eq!(
        plan_break_even_lift(&base(), 100.0, "orders", Direction::Increase).unwrap(),
        Some(0.0)
    );
}

#[test]
fn same_metric_in_two_benefits_adds_value() {
    // `orders` worth 1 (margin 1) and again 2 (margin 0.5): 1 + 1 = 2 per
    // order, x = 100 * 1 * 2 = 200, NPV = 12 * 200 = 2400.
    let roi = Roi {
        benefits: vec![benefit("orders", 1.0, 1.0), benefit("orders", 2.0, 0.5)],
        ..base()
    };
    let r = project(&roi, 100.0, &orders(1.0)).unwrap();
    close(r.npv_estimate, 2400.0, 1e-9);
}

#[test]
fn clv_formula() {
    // 30 a month at 60% margin, 5% monthly churn: 30 * 0.6 / 0.05 = 360.
    close(
        customer_lifetime_value(30.0, 0.6, 0.05).unwrap(),
        360.0,
        1e-9,
    );
    assert_eq!(customer_lifetime_value(30.0, 0.6, 0.0), None);
    assert_eq!(customer_lifetime_value(30.0, 1.5, 0.05), None);
    assert_eq!(customer_lifetime_value(f64::NAN, 0.6, 0.05), None);
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let ok = orders(1.0);
    let message = |roi: &Roi, customers: f64, effects: &[MetricEffect]| {
        project(roi, customers, effects)
            .unwrap_err()
            .message()
            .to_string()
    };
    assert!(message(&base(), f64::NAN, &ok).contains("customers"));
    assert!(message(&base(), -1.0, &ok).contains("customers"));
    let zero_horizon = Roi {
        horizon_months: 0,
        ..base()
    };
    assert!(message(&zero_horizon, 100.0, &ok).contains("horizon_months"));
    let no_draws = Roi { draws: 0, ..base() };
    assert!(message(&no_draws, 100.0, &ok).contains("draws"));
    let negative_cost = Roi {
        monthly_cost: -5.0,
        ..base()
    };
    assert!(message(&negative_cost, 100.0, &ok).contains("monthly_cost"));
    let no_window = Roi {
        metric_window_months: 0.0,
        ..base()
    };
    assert!(message(&no_window, 100.0, &ok).contains("metric_window_months"));
    let bad_rate = Roi {
        discount_rate: -1.0,
        ..base()
    };
    assert!(message(&bad_rate, 100.0, &ok).contains("discount_rate"));
    // Missing, duplicated and malformed estimates.
    assert!(message(&base(), 100.0, &[]).contains("orders"));
    let twice = vec![ok[0].clone(), ok[0].clone()];
    assert!(message(&base(), 100.0, &twice).contains("two lift estimates"));
    let negative_se = vec![effect("orders", Direction::Increase, 1.0, -0.1)];
    assert!(message(&base(), 100.0, &negative_se).contains("standard error"));
    // Numbers too large to compute with.
    let huge = Roi {
        benefits: vec![benefit("orders", 1e300, 1.0)],
        ..base()
    };
    assert!(message(&huge, 1e300, &ok).contains("overflowed"));
}
