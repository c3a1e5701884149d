//! The ledger end to end: determinism, growth, design changes, --reassign,
//! atomic writes and ledgers made elsewhere.

mod assign_support;

use std::fs;

use assign_support::*;
use pilot::assign::assign;
use pilot::assign::ledger::read_ledger;
use pilot::config::FilterRule;
use pilot::error::ErrorKind;

#[test]
fn same_input_gives_the_same_ledger_whatever_the_row_order() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let mut exp_a = fifty_fifty(a.path());
    let mut exp_b = fifty_fifty(b.path());
    for exp in [&mut exp_a, &mut exp_b] {
        exp.assignment.stratify = vec!["segment".into()];
    }
    write_population(&exp_a, 0..500);
    let mut shuffled: Vec<usize> = (0..500).collect();
    shuffled.reverse();
    shuffled.rotate_left(123);
    write_population(&exp_b, shuffled);
    run(&exp_a);
    run(&exp_b);
    let ledger_a = fs::read(&exp_a.assignment.file).unwrap();
    assert_eq!(ledger_a, fs::read(&exp_b.assignment.file).unwrap());
    // And a second run on the same input changes nothing.
    let again = run(&exp_a);
    assert!(!again.written);
    assert_eq!(again.kept, 500);
    assert_eq!(again.newly_assigned, 0);
    assert_eq!(ledger_a, fs::read(&exp_a.assignment.file).unwrap());
}

#[test]
fn ledger_format() {
    let dir = tempfile::tempdir().unwrap();
    let exp = fifty_fifty(dir.path());
    write_population(&exp, 0..3);
    let out = run(&exp);
    let text = fs::read_to_string(&exp.assignment.file).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("customer_id,arm,stratum,assigned_at,design")
    );
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 5, "{line}");
        assert!(fields[0].starts_with('C'));
        assert!(fields[1] == "control" || fields[1] == "pilot");
        assert_eq!(fields[2], "");
        assert_eq!(fields[3], NOW);
        assert_eq!(fields[4], out.design);
    }
    assert!(out.design.starts_with("v1:") && out.design.len() == 15);
    assert!(dir.path().join("assignments.design.json").exists());
}

#[test]
fn growth_keeps_existing_customers_and_appends() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(
        dir.path(),
        &[("control", 2.0), ("pilot", 3.0), ("pilot-b", 5.0)],
    );
    write_population(&exp, 0..1000);
    let first = run(&exp);
    assert_eq!(first.newly_assigned, 1000);
    let before = fs::read(&exp.assignment.file).unwrap();
    let rows_before = ledger_rows(&exp.assignment.file);

    write_population(&exp, (0..1500).rev());
    let second = assign(
        &exp,
        &pilot::assign::AssignOptions {
            reassign: false,
            dry_run: false,
            now: "2025-03-08T09:30:00Z".into(),
        },
    )
    .unwrap();
    assert_eq!(second.kept, 1000);
    assert_eq!(second.newly_assigned, 500);
    assert_eq!(second.new_per_arm.iter().sum::<u64>(), 500);
    let after = fs::read(&exp.assignment.file).unwrap();
    assert!(after.starts_with(&before), "the ledger must only grow");
    let rows_after = ledger_rows(&exp.assignment.file);
    assert_eq!(&rows_after[..1000], &rows_before[..]);
    assert_eq!(rows_after.len(), 1500);
    let text = String::from_utf8(after).unwrap();
    assert_eq!(text.matches("2025-03-08T09:30:00Z").count(), 500);
    // Growing a population of one customer at a time gives the same arms
    // as assigning everyone at once (the hash decides, not the batch).
    let other = tempfile::tempdir().unwrap();
    let all_at_once = experiment(
        other.path(),
        &[("control", 2.0), ("pilot", 3.0), ("pilot-b", 5.0)],
    );
    write_population(&all_at_once, 0..1500);
    run(&all_at_once);
    let mut a = ledger_rows(&exp.assignment.file);
    let mut b = ledger_rows(&all_at_once.assignment.file);
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn customers_leaving_the_population_stay_in_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = fifty_fifty(dir.path());
    write_population(&exp, 0..100);
    run(&exp);
    write_population(&exp, 10..120);
    exp.population.filters = vec![filter("segment", FilterRule::NotIn(vec!["A".into()]))];
    let out = run(&exp);
    assert_eq!(out.kept, 100);
    assert_eq!(out.ledger_not_in_population, 10);
    // Of customers 10..100, segment A (i % 6 == 0) now fails the filter.
    assert_eq!(
        out.ledger_no_longer_eligible,
        (10..100).filter(|i| i % 6 == 0).count() as u64
    );
    assert_eq!(
        out.ineligible,
        (100..120).filter(|i| i % 6 == 0).count() as u64
    );
    assert_eq!(
        out.newly_assigned,
        (100..120).filter(|i| i % 6 != 0).count() as u64
    );
    assert_eq!(
        ledger_rows(&exp.assignment.file).len() as u64,
        100 + out.newly_assigned
    );
    assert_eq!(out.balance.total, 90 + out.newly_assigned);
}

#[test]
fn changed_weights_are_refused_with_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let exp = fifty_fifty(dir.path());
    write_population(&exp, 0..50);
    run(&exp);
    let before = fs::read(&exp.assignment.file).unwrap();
    let changed = experiment(dir.path(), &[("control", 0.3), ("pilot", 0.7)]);
    write_population(&changed, 0..60);
    let err = assign(&changed, &opts()).unwrap_err();
    let ledger = exp.assignment.file.display();
    let backup = dir.path().join("assignments.2025-03-01T09-30-00Z.csv");
    assert_eq!(
        err.to_string(),
        format!(
            "error: the ledger {ledger} was written with weights control 0.50 / pilot 0.50, \
             the experiment file now says weights control 0.30 / pilot 0.70; \
             rerun with --reassign to start a new ledger (the old one is kept as {})",
            backup.display()
        )
    );
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.exit_code(), 3);
    assert_eq!(fs::read(&exp.assignment.file).unwrap(), before);
}

#[test]
fn other_design_changes_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let exp = fifty_fifty(dir.path());
    write_population(&exp, 0..20);
    run(&exp);
    let ledger = exp.assignment.file.display().to_string();
    let backup = dir.path().join("assignments.2025-03-01T09-30-00Z.csv");
    let tail = format!(
        "; rerun with --reassign to start a new ledger (the old one is kept as {})",
        backup.display()
    );

    let mut e = fifty_fifty(dir.path());
    e.meta.salt = "spring-pilot-2".into();
    e.assignment.stratify = vec!["segment".into()];
    assert_eq!(
        assign(&e, &opts()).unwrap_err().to_string(),
        format!(
            "error: the ledger {ledger} was written with salt `spring-pilot` and no stratification, \
             the experiment file now says salt `spring-pilot-2` and stratification by segment{tail}"
        )
    );

    let e = experiment(dir.path(), &[("control", 1.0), ("treatment", 1.0)]);
    assert_eq!(
        assign(&e, &opts()).unwrap_err().to_string(),
        format!(
            "error: the ledger {ledger} was written with arms control 0.50 / pilot 0.50, \
             the experiment file now says arms control 0.50 / treatment 0.50{tail}"
        )
    );

    let mut e = fifty_fifty(dir.path());
    e.assignment.hash = pilot::config::HashScheme::GrowthBook;
    assert_eq!(
        assign(&e, &opts()).unwrap_err().to_string(),
        format!(
            "error: the ledger {ledger} was written with hash scheme sha256-v1, \
             the experiment file now says hash scheme growthbook-v2{tail}"
        )
    );

    // Without the design record pilot cannot say what changed, but still refuses.
    fs::remove_file(dir.path().join("assignments.design.json")).unwrap();
    let mut e = fifty_fifty(dir.path());
    e.assignment.coverage = 0.5;
    let msg = assign(&e, &opts()).unwrap_err().to_string();
    assert!(msg.contains("was written with split design v1:"), "{msg}");
    assert!(msg.contains("what changed is not known"), "{msg}");
}

#[test]
fn reassign_backs_up_and_raising_coverage_keeps_everyone_enrolled() {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = fifty_fifty(dir.path());
    exp.assignment.coverage = 0.4;
    write_population(&exp, 0..2000);
    let first = run(&exp);
    assert!(
        first.not_enrolled > 1000 && first.not_enrolled < 1400,
        "{}",
        first.not_enrolled
    );
    let old_rows = ledger_rows(&exp.assignment.file);
    let old_bytes = fs::read(&exp.assignment.file).unwrap();

    exp.assignment.coverage = 0.8;
    let err = assign(&exp, &opts()).unwrap_err().to_string();
    assert!(
        err.contains("was written with coverage 0.40, the experiment file now says coverage 0.80"),
        "{err}"
    );
    assert!(
        err.ends_with("\nhelp: coverage was only raised: after --reassign every customer the old ledger enrolled keeps their arm"),
        "{err}"
    );

    let out = assign(&exp, &reassign_opts()).unwrap();
    let backup = out.backup.clone().unwrap();
    assert_eq!(
        backup,
        dir.path().join("assignments.2025-03-01T09-30-00Z.csv")
    );
    assert_eq!(fs::read(&backup).unwrap(), old_bytes);
    let summary = out.reassigned.clone().unwrap();
    assert_eq!(summary.previous, old_rows.len() as u64);
    assert_eq!(summary.same_arm, old_rows.len() as u64);
    assert_eq!(summary.other_arm, 0);
    assert_eq!(summary.dropped, 0);
    let new_rows = ledger_rows(&exp.assignment.file);
    for (id, arm, _) in &old_rows {
        assert!(new_rows.iter().any(|(i, a, _)| i == id && a == arm), "{id}");
    }
    // The new ledger carries the new design and is accepted from now on.
    let again = run(&exp);
    assert!(!again.written);
    assert_eq!(again.kept, new_rows.len() as u64);
}

#[test]
fn a_failed_write_leaves_the_old_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let exp = fifty_fifty(dir.path());
    write_population(&exp, 0..100);
    run(&exp);
    let before = fs::read(&exp.assignment.file).unwrap();
    write_population(&exp, 0..200);
    // Block the temporary file that the atomic write uses.
    let tmp = dir
        .path()
        .join(format!(".assignments.csv.{}.tmp", std::process::id()));
    fs::create_dir(&tmp).unwrap();
    let err = assign(&exp, &opts()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.to_string().starts_with(&format!(
        "error: {}: cannot create file",
        exp.assignment.file.display()
    )));
    assert_eq!(fs::read(&exp.assignment.file).unwrap(), before);
    fs::remove_dir(&tmp).unwrap();
    assert_eq!(run(&exp).newly_assigned, 100);
}

#[test]
fn nothing_is_written_when_the_input_has_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = fifty_fifty(dir.path());
    exp.assignment.stratify = vec!["tier".into()];
    write_population(&exp, 0..10);
    let err = assign(&exp, &opts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "error: {}: missing column `tier` (found: customer_id, segment, orders, region)",
            exp.population.file.display()
        )
    );
    assert!(!exp.assignment.file.exists());
    assert!(!dir.path().join("assignments.design.json").exists());
}

#[test]
fn ledgers_made_elsewhere_are_readable_but_not_extended() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("assignments.csv");
    fs::write(
        &path,
        "user;variant;note\r\nu1;control;x\r\nu2;'=pilot;\r\nu1;control;again\r\n",
    )
    .unwrap();
    let ledger = read_ledger(&path, "user", "variant").unwrap();
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger.arm_name(1), "=pilot");
    assert_eq!(ledger.duplicate_rows(), 1);
    assert!(!ledger.has_design_column());
    assert_eq!(ledger.design(), None);

    let mut exp = fifty_fifty(dir.path());
    exp.assignment.id_column = "user".into();
    exp.assignment.arm_column = "variant".into();
    write_population(&exp, 0..5);
    let err = assign(&exp, &opts()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "error: the ledger {} has no `design` column, so pilot did not write it and cannot tell how it was split; \
             rerun with --reassign to start a new ledger (the old one is kept as {})",
            path.display(),
            dir.path()
                .join("assignments.2025-03-01T09-30-00Z.csv")
                .display()
        )
    );
}

#[test]
fn ledger_errors_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.csv");
    fs::write(&path, "customer_id,arm\nC1,control\nC2,pilot\nC1,pilot\n").unwrap();
    let err = read_ledger(&path, "customer_id", "arm").err().unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "error: {}:4: column `arm`: customer `C1` is in arm `pilot` here but in arm `control` on line 2; \
             a customer must stay in one arm",
            path.display()
        )
    );
    fs::write(&path, "customer_id,arm\nC1,control\nC2,pilott\n").unwrap();
    let ledger = read_ledger(&path, "customer_id", "arm").unwrap();
    let exp = fifty_fifty(dir.path());
    assert_eq!(
        ledger.arm_indices(&exp.arms).unwrap_err().to_string(),
        format!(
            "error: {}:3: column `arm`: unknown arm `pilott`; the experiment has arms control, pilot; did you mean `pilot`?",
            path.display()
        )
    );
    // A cell that is not an arm name at all is quoted cut short.
    let pasted = "a whole paragraph pasted by mistake ".repeat(100);
    fs::write(&path, format!("customer_id,arm\nC1,control\nC2,{pasted}\n")).unwrap();
    let ledger = read_ledger(&path, "customer_id", "arm").unwrap();
    assert_eq!(
        ledger.arm_indices(&exp.arms).unwrap_err().to_string(),
        format!(
            "error: {}:3: column `arm`: unknown arm `a whole paragraph pasted by mistake a wh...`; \
             the experiment has arms control, pilot",
            path.display()
        )
    );
    fs::write(&path, "customer_id,group\nC1,control\n").unwrap();
    assert_eq!(
        read_ledger(&path, "customer_id", "arm")
            .err()
            .unwrap()
            .to_string(),
        format!(
            "error: {}: missing column `arm` (found: customer_id, group)",
            path.display()
        )
    );
}

#[test]
fn formula_like_arm_names_and_strata_are_neutralized() {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = experiment(dir.path(), &[("=control", 1.0), ("+pilot", 1.0)]);
    exp.assignment.stratify = vec!["band".into()];
    fs::write(
        &exp.population.file,
        "customer_id,band\nC1,-10 to 0\nC2,@risk\nC3,normal\nC4,'=x\n",
    )
    .unwrap();
    run(&exp);
    let text = fs::read_to_string(&exp.assignment.file).unwrap();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert!(fields[1] == "'=control" || fields[1] == "'+pilot", "{line}");
        assert!(!fields[2].starts_with(['=', '+', '-', '@']), "{line}");
    }
    let rows = ledger_rows(&exp.assignment.file);
    let strata: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    for s in ["-10 to 0", "@risk", "normal", "'=x"] {
        assert!(strata.contains(&s), "{strata:?}");
    }
    // Reading back maps the arms to the experiment's names.
    assert!(!run(&exp).written);
}

#[test]
fn growthbook_scheme_end_to_end() {
    // Vectors from the GrowthBook SDK suite (see assign_fixtures): seed
    // "feature-exp", weights 0.3334/0.3333/0.3333: d123 -> 1, i123 -> 2.
    let dir = tempfile::tempdir().unwrap();
    let mut exp = experiment(
        dir.path(),
        &[("control", 0.3334), ("red", 0.3333), ("blue", 0.3333)],
    );
    exp.meta.salt = "feature-exp".into();
    exp.assignment.hash = pilot::config::HashScheme::GrowthBook;
    fs::write(&exp.population.file, "customer_id\nd123\ni123\n").unwrap();
    run(&exp);
    let mut rows = ledger_rows(&exp.assignment.file);
    rows.sort();
    let arms: Vec<(&str, &str)> = rows.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
    assert_eq!(arms, [("d123", "red"), ("i123", "blue")]);
}
