//! Validation: from the parsed TOML document to the types of [`super::types`].
//!
//! Sections are read in a fixed order (unknown sections first, then
//! `[experiment]`, `[[arms]]`, `[population]`, `[assignment]`, `[outcomes]`,
//! `[[metrics]]`, `[analysis]`, `[decision]`, `[roi]`), and the first problem
//! found is reported. Within a table, unknown keys are reported before
//! anything else.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::reader::{Ctx, Field, Table, describe, wrong_type};
use super::types::*;
use crate::error::{Error, Result, did_you_mean, shown};
use crate::sanitize::is_unsafe_for_terminal;

/// Every top-level section, as written in the file.
const SECTIONS: &[(&str, &str)] = &[
    ("experiment", "[experiment]"),
    ("arms", "[[arms]]"),
    ("population", "[population]"),
    ("assignment", "[assignment]"),
    ("outcomes", "[outcomes]"),
    ("metrics", "[[metrics]]"),
    ("analysis", "[analysis]"),
    ("decision", "[decision]"),
    ("roi", "[roi]"),
];

const EXPERIMENT_KEYS: &[&str] = &["name", "description", "salt"];
const ARM_KEYS: &[&str] = &["name", "weight"];
const POPULATION_KEYS: &[&str] = &["file", "id_column", "filters", "new_per_week"];
const FILTER_KEYS: &[&str] = &["column", "in", "not_in", "min", "max"];
const ASSIGNMENT_KEYS: &[&str] = &[
    "file",
    "coverage",
    "stratify",
    "hash",
    "id_column",
    "arm_column",
];
const OUTCOMES_KEYS: &[&str] = &[
    "file",
    "summary",
    "id_column",
    "segment_column",
    "date_column",
    "from",
    "to",
];
const METRIC_KEYS: &[&str] = &[
    "name",
    "label",
    "column",
    "kind",
    "role",
    "direction",
    "denominator",
    "aggregate",
    "missing",
    "covariate",
    "cap",
    "margin",
    "scale",
    "baseline",
    "baseline_sd",
    "mde",
    "mde_absolute",
];
const ANALYSIS_KEYS: &[&str] = &[
    "alpha",
    "power",
    "sequential",
    "sequential_tuning",
    "planned_customers_per_arm",
    "correction",
    "segments",
];
const DECISION_KEYS: &[&str] = &[
    "min_customers_per_arm",
    "min_probability_positive_npv",
    "max_expected_loss",
    "prior",
    "prior_mean",
    "prior_sd",
    "deadline",
    "max_weeks",
    "max_guardrail_risk",
    "prior_correlation",
];
const ROI_KEYS: &[&str] = &[
    "customers",
    "horizon_months",
    "discount_rate",
    "one_time_cost",
    "monthly_cost",
    "cost_per_customer_month",
    "metric_window_months",
    "effect_half_life_months",
    "draws",
    "seed",
    "currency",
    "benefits",
    "clv",
];
const BENEFIT_KEYS: &[&str] = &["metric", "unit_value", "margin"];
const CLV_KEYS: &[&str] = &["arpu_month", "churn_month", "margin"];

/// Validates a parsed document. `path` is the experiment file as the user
/// named it; relative data paths are resolved against its directory.
pub(crate) fn experiment(ctx: Ctx<'_>, doc: &DeTable<'_>) -> Result<Experiment> {
    check_sections(ctx, doc)?;
    let root = Table {
        ctx,
        entries: doc,
        name: "the file".into(),
        span: 0..0,
    };
    let meta = meta(&section(ctx, &root, "experiment")?)?;
    let arms = arms(ctx, &root)?;
    let population = population(&section(ctx, &root, "population")?)?;
    let assignment = assignment(&section(ctx, &root, "assignment")?)?;
    let outcomes = optional_section(&root, "outcomes")?
        .map(|t| outcomes(&t))
        .transpose()?;
    let metrics = metrics(ctx, &root)?;
    let decision = match optional_section(&root, "decision")? {
        Some(t) => decision(&t)?,
        None => Decision::default(),
    };
    let tuning = default_tuning(arms.len(), &decision);
    let analysis = match optional_section(&root, "analysis")? {
        Some(t) => analysis(&t, tuning)?,
        None => default_analysis(tuning),
    };
    let roi = optional_section(&root, "roi")?
        .map(|t| roi(&t, &metrics))
        .transpose()?;
    Ok(Experiment {
        path: ctx.path.to_path_buf(),
        source: ctx.source.to_string(),
        meta,
        arms: arms.into_iter().map(Spanned::into_inner).collect(),
        population,
        assignment,
        outcomes,
        metrics,
        analysis,
        decision,
        roi,
    })
}

/// The confidence sequence's tuning size when `sequential_tuning` is not
/// given: the total customers when every arm has reached `[decision]
/// min_customers_per_arm`, the first size at which pilot gives a verdict.
/// Why: the sequence is narrowest at its tuning size and widens slowly
/// beyond it (1.55 times the fixed-horizon width there, 1.65 at ten times
/// and 1.82 at a hundred times the size) but fast before it (1.97 at a
/// tenth, 2.6 at a twenty-fifth), so tuning to the earliest decision point
/// keeps it usable over the whole pilot, where GrowthBook's 5,000 was
/// nearly powerless at pilot sizes.
fn default_tuning(arms: usize, decision: &Decision) -> f64 {
    arms as f64 * decision.min_customers_per_arm as f64
}

/// The `[analysis]` used when the section is absent, with the confidence
/// sequence tuned to `tuning` customers.
fn default_analysis(tuning: f64) -> Analysis {
    Analysis {
        alpha: 0.05,
        power: 0.8,
        sequential: true,
        sequential_tuning: tuning,
        planned_customers_per_arm: None,
        correction: Correction::Holm,
        segments: Vec::new(),
    }
}

/// How a section is written in the file: `[name]` or `[[name]]`.
fn header(name: &str) -> String {
    SECTIONS
        .iter()
        .find(|(key, _)| *key == name)
        .map_or_else(|| format!("[{name}]"), |(_, h)| (*h).to_string())
}

/// Rejects unknown top-level sections and stray top-level keys.
fn check_sections(ctx: Ctx<'_>, doc: &DeTable<'_>) -> Result<()> {
    let known: Vec<&str> = SECTIONS.iter().map(|(k, _)| *k).collect();
    let unknown = doc
        .iter()
        .filter(|(k, _)| !known.contains(&k.get_ref().as_ref()))
        .min_by_key(|(k, _)| k.span().start);
    let Some((key, value)) = unknown else {
        return Ok(());
    };
    let word = key.get_ref().as_ref();
    let is_section = match value.get_ref() {
        DeValue::Table(_) => true,
        DeValue::Array(items) => !items.is_empty() && items.iter().all(|i| i.get_ref().is_table()),
        _ => false,
    };
    let message = if is_section {
        match did_you_mean(word, known.iter().copied()) {
            Some(s) => format!(
                "unknown section [{}]; did you mean {}?",
                shown(word),
                header(s)
            ),
            None => format!(
                "unknown section [{}]; expected one of: {}",
                shown(word),
                SECTIONS
                    .iter()
                    .map(|(_, h)| *h)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    } else {
        format!(
            "key `{}` is outside any section; write it under its section header, \
             such as [experiment]",
            shown(word)
        )
    };
    Err(ctx.err(key.span(), message))
}

/// A required single-table section.
fn section<'a>(ctx: Ctx<'a>, root: &Table<'a>, key: &'static str) -> Result<Table<'a>> {
    match optional_section(root, key)? {
        Some(t) => Ok(t),
        None => Err(missing_section(ctx, key)),
    }
}

/// The error for a required section that is absent.
fn missing_section(ctx: Ctx<'_>, key: &str) -> Error {
    Error::in_file(ctx.path, format!("missing section {}", header(key))).with_note(
        "every experiment file needs [experiment], [[arms]], [population] and [assignment]; \
         `pilot init NAME` writes a commented template",
    )
}

/// An optional single-table section.
fn optional_section<'a>(root: &Table<'a>, key: &'static str) -> Result<Option<Table<'a>>> {
    let Some(field) = root.get(key) else {
        return Ok(None);
    };
    match field.node.get_ref() {
        DeValue::Table(entries) => Ok(Some(Table {
            ctx: root.ctx,
            entries,
            name: header(key),
            span: field.span(),
        })),
        DeValue::Array(_) => Err(field
            .err(format!(
                "[{key}] must be a single section, found a list of sections"
            ))
            .with_note(format!("write the header with single brackets: [{key}]"))),
        other => Err(field.err(format!(
            "[{key}] must be a section, found {}",
            describe(other)
        ))),
    }
}

/// An optional list-of-tables section such as `[[metrics]]`.
fn table_list<'a>(field: &Field<'a>, name: &str) -> Result<Vec<Table<'a>>> {
    let bare = name.trim_matches(|c| c == '[' || c == ']');
    let not_a_list = || {
        field
            .err(format!(
                "{name} must be a list of sections, found {}",
                describe(field.node.get_ref())
            ))
            .with_note(format!(
                "write each one under its own {name} header, with double brackets"
            ))
    };
    let DeValue::Array(items) = field.node.get_ref() else {
        return Err(not_a_list());
    };
    items
        .iter()
        .map(|item| match item.get_ref() {
            DeValue::Table(entries) => Ok(Table {
                ctx: field.ctx,
                entries,
                name: name.to_string(),
                span: item.span(),
            }),
            other => Err(field.ctx.err(
                item.span(),
                format!(
                    "each item of `{bare}` must be a table, found {}",
                    describe(other)
                ),
            )),
        })
        .collect()
}

/// `[experiment]`.
fn meta(t: &Table<'_>) -> Result<Meta> {
    t.allow(EXPERIMENT_KEYS)?;
    let name_field = t.required("name")?;
    let name = name_field.string()?;
    check_experiment_name(&name_field, &name)?;
    let description = match t.get("description") {
        Some(f) => f.string()?,
        None => String::new(),
    };
    let salt = match t.get("salt") {
        Some(f) => f.nonblank()?,
        None => name.clone(),
    };
    Ok(Meta {
        name,
        description,
        salt,
    })
}

/// The experiment-name rule, as an error at the `name` value.
fn check_experiment_name(field: &Field<'_>, name: &str) -> Result<()> {
    match name_problem(name) {
        Some((message, note)) => {
            let error = field.err(message);
            Err(match note {
                Some(n) => error.with_note(n),
                None => error,
            })
        }
        None => Ok(()),
    }
}

/// What is wrong with an experiment name, if anything: a message and an
/// optional hint.
pub(crate) fn name_problem(name: &str) -> Option<(String, Option<String>)> {
    if name.is_empty() {
        return Some(("experiment name must not be empty".into(), None));
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !name.chars().all(allowed) {
        let message = format!(
            "experiment name `{}` may only contain lowercase letters, digits and '-'",
            shown(name)
        );
        let suggestion = slug(name);
        let note = (!suggestion.is_empty()).then(|| format!("for example: {suggestion}"));
        return Some((message, note));
    }
    if name.starts_with('-') {
        return Some((
            format!("experiment name `{name}` must start with a lowercase letter or digit"),
            None,
        ));
    }
    None
}

/// A valid experiment name close to `name`: lowercase, runs of other
/// characters replaced by one '-'.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Checks a name that ends up in CSV files and reports (arms, metrics):
/// it must survive a spreadsheet round trip unchanged and must not be read
/// as a formula.
fn check_label(field: &Field<'_>, what: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(field.err(format!("{what} must not be empty")));
    }
    if name.trim() != name {
        return Err(field.err(format!(
            "{what} `{}` must not start or end with a space",
            shown(name)
        )));
    }
    if name
        .chars()
        .any(|c| c == ',' || c == '"' || c == '\'' || c.is_control())
    {
        return Err(field.err(format!(
            "{what} `{}` must not contain commas, quotes, tabs or line breaks",
            shown(name)
        )));
    }
    if name.chars().any(is_unsafe_for_terminal) {
        return Err(field.err(format!(
            "{what} `{}` must not contain text-direction controls (U+202A-U+202E, \
             U+2066-U+2069): they reorder how reports read",
            shown(name)
        )));
    }
    if name.starts_with(['=', '+', '-', '@']) {
        return Err(field.err(format!(
            "{what} `{}` must not start with '=', '+', '-' or '@' \
             (spreadsheets would treat it as a formula)",
            shown(name)
        )));
    }
    Ok(())
}

/// `[[arms]]`: at least two, unique names, weights normalised to sum to 1.
/// Each arm keeps its header span for later messages.
fn arms(ctx: Ctx<'_>, root: &Table<'_>) -> Result<Vec<Spanned<Arm>>> {
    let Some(field) = root.get("arms") else {
        return Err(missing_section(ctx, "arms"));
    };
    let tables = table_list(&field, "[[arms]]")?;
    let mut arms: Vec<Spanned<Arm>> = Vec::new();
    let mut weights: Vec<Option<(f64, Field<'_>)>> = Vec::new();
    for t in &tables {
        t.allow(ARM_KEYS)?;
        let name_field = t.required("name")?;
        let name = name_field.string()?;
        check_label(&name_field, "arm name", &name)?;
        let t = &t.renamed(format!("[[arms]] `{name}`"));
        if arms.iter().any(|a| a.get_ref().name == name) {
            return Err(name_field.err(format!("duplicate arm `{name}`; arm names must be unique")));
        }
        let weight = match t.get("weight") {
            Some(f) => {
                let w = f.number()?;
                if w <= 0.0 {
                    return Err(f.err(format!(
                        "arm weight must be greater than 0, found {}",
                        f.text()
                    )));
                }
                Some((w, f))
            }
            None => None,
        };
        weights.push(weight);
        arms.push(Spanned::new(t.span.clone(), Arm { name, weight: 0.0 }));
    }
    if arms.len() < 2 {
        let message = format!(
            "an experiment needs at least two arms (the first is the control), found {}",
            arms.len()
        );
        let error = match arms.first() {
            Some(arm) => ctx.err(arm.span(), message),
            None => field.err(message),
        };
        return Err(error);
    }
    // Weights: all given, or none (an equal split).
    if weights.iter().any(Option::is_some)
        && let Some(i) = weights.iter().position(Option::is_none)
    {
        return Err(tables[i]
            .err(format!(
                "missing `weight` in [[arms]] `{}`",
                arms[i].get_ref().name
            ))
            .with_note("give every arm a weight, or none of them for an equal split"));
    }
    let raw: Vec<f64> = weights
        .iter()
        .map(|w| w.as_ref().map_or(1.0, |(w, _)| *w))
        .collect();
    let total: f64 = raw.iter().sum();
    if !total.is_finite() {
        let span = weights
            .iter()
            .flatten()
            .map(|(_, f)| f.span())
            .next()
            .unwrap_or_else(|| field.span());
        return Err(ctx.err(span, "arm weights are too large to add up"));
    }
    for (arm, w) in arms.iter_mut().zip(raw) {
        arm.get_mut().weight = w / total;
    }
    Ok(arms)
}

/// A data file path, resolved against the experiment file's directory.
fn data_path(ctx: Ctx<'_>, field: &Field<'_>) -> Result<PathBuf> {
    let file = field.nonblank()?;
    Ok(resolve(ctx.path, &file))
}

/// Joins a relative `file` to the directory of `experiment`; keeps relative
/// paths relative and never touches the filesystem. `dir/../x` is shortened
/// to `x` lexically so messages show the path a user would type.
pub(crate) fn resolve(experiment: &Path, file: &str) -> PathBuf {
    let file = Path::new(file);
    if file.is_absolute() {
        return file.to_path_buf();
    }
    match experiment.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => normalize(&dir.join(file)),
        _ => file.to_path_buf(),
    }
}

/// Removes `.` components and folds `name/..` pairs; a leading `..` (or one
/// after another `..`) is kept, since there is nothing to fold it into.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// A column name: a non-blank string.
fn column(t: &Table<'_>, key: &'static str, default: &str) -> Result<(String, Span)> {
    match t.get(key) {
        Some(f) => Ok((f.nonblank()?, f.span())),
        None => Ok((default.to_string(), t.span.clone())),
    }
}

/// An optional column name.
fn optional_column(t: &Table<'_>, key: &'static str) -> Result<Option<String>> {
    t.get(key).map(|f| f.nonblank()).transpose()
}

/// A list of distinct, non-blank column names.
fn column_list(field: &Field<'_>) -> Result<Vec<String>> {
    let items = field.strings()?;
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let name = item.get_ref();
        if name.trim().is_empty() {
            return Err(field.ctx.err(
                item.span(),
                format!(
                    "each item of `{}` must be a column name, found \"\"",
                    field.key
                ),
            ));
        }
        if out.contains(name) {
            return Err(field.ctx.err(
                item.span(),
                format!("column `{}` appears twice in `{}`", shown(name), field.key),
            ));
        }
        out.push(item.into_inner());
    }
    Ok(out)
}

/// `[population]`.
fn population(t: &Table<'_>) -> Result<Population> {
    t.allow(POPULATION_KEYS)?;
    let file_field = t.required("file")?;
    let file = data_path(t.ctx, &file_field)?;
    let (id_column, id_column_span) = column(t, "id_column", "customer_id")?;
    let filters = match t.get("filters") {
        Some(f) => filters(&f)?,
        None => Vec::new(),
    };
    let new_per_week = match t.get("new_per_week") {
        Some(f) => {
            let v = f.number()?;
            if v <= 0.0 {
                return Err(f.err(format!(
                    "`new_per_week` must be greater than 0, found {}",
                    f.text()
                )));
            }
            Some(v)
        }
        None => None,
    };
    Ok(Population {
        file,
        file_span: file_field.span(),
        id_column,
        id_column_span,
        filters,
        new_per_week,
    })
}

/// `population.filters`: a list of inline tables (or `[[population.filters]]`).
fn filters(field: &Field<'_>) -> Result<Vec<Filter>> {
    let items = field.list("a list of filters")?;
    let mut out = Vec::new();
    for item in items {
        let DeValue::Table(entries) = item.get_ref() else {
            return Err(wrong_type(
                field.ctx,
                "each filter",
                "a table such as { column = \"segment\", in = [\"retail\"] }",
                item,
                None,
            ));
        };
        let t = Table {
            ctx: field.ctx,
            entries,
            name: "a [population] filter".into(),
            span: item.span(),
        };
        out.push(filter(&t)?);
    }
    Ok(out)
}

/// One filter: a column and exactly one of `in`, `not_in`, `min`/`max`.
fn filter(t: &Table<'_>) -> Result<Filter> {
    t.allow(FILTER_KEYS)?;
    let column = t.required("column")?.nonblank()?;
    let values = |key: &'static str| -> Result<Option<Vec<String>>> {
        let Some(f) = t.get(key) else {
            return Ok(None);
        };
        let items = f.strings()?;
        if items.is_empty() {
            return Err(f.err(format!("`{key}` must list at least one value")));
        }
        Ok(Some(
            items
                .into_iter()
                .map(|s| s.get_ref().trim().to_string())
                .collect(),
        ))
    };
    let within = values("in")?;
    let not_in = values("not_in")?;
    let min = t.get("min").map(|f| f.number()).transpose()?;
    let max = t.get("max").map(|f| f.number()).transpose()?;
    let range = min.is_some() || max.is_some();
    let rules = usize::from(within.is_some()) + usize::from(not_in.is_some()) + usize::from(range);
    if rules != 1 {
        let found = if rules == 0 {
            "found none".to_string()
        } else {
            let mut given = Vec::new();
            if within.is_some() {
                given.push("`in`");
            }
            if not_in.is_some() {
                given.push("`not_in`");
            }
            if range {
                given.push("a range");
            }
            format!("found {}", given.join(" and "))
        };
        return Err(t.err(format!(
            "a filter needs exactly one of `in`, `not_in` or a `min`/`max` range; {found}"
        )));
    }
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        let span = t.get("min").map_or_else(|| t.span.clone(), |f| f.span());
        return Err(t.ctx.err(
            span,
            format!("filter `min` ({lo}) is greater than `max` ({hi})"),
        ));
    }
    let rule = match (within, not_in) {
        (Some(v), _) => FilterRule::In(v),
        (_, Some(v)) => FilterRule::NotIn(v),
        _ => FilterRule::Range { min, max },
    };
    Ok(Filter {
        column,
        span: t.span.clone(),
        rule,
    })
}

/// Reads an enumerated string value.
fn choice<T: Copy>(field: &Field<'_>, what: &str, options: &[(&str, T)]) -> Result<T> {
    let value = field.string()?;
    if let Some((_, v)) = options.iter().find(|(name, _)| *name == value) {
        return Ok(*v);
    }
    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    let message = match did_you_mean(&value, names.iter().copied()) {
        Some(s) => format!("unknown {what} `{}`; did you mean `{s}`?", shown(&value)),
        None => format!(
            "unknown {what} `{}`; expected one of: {}",
            shown(&value),
            names.join(", ")
        ),
    };
    Err(field.err(message))
}

/// A share between 0 and 1; `low_open`/`high_open` say whether the bounds
/// themselves are excluded.
fn share(field: &Field<'_>, low_open: bool, high_open: bool) -> Result<f64> {
    let v = field.number()?;
    let low_ok = if low_open { v > 0.0 } else { v >= 0.0 };
    let high_ok = if high_open { v < 1.0 } else { v <= 1.0 };
    if low_ok && high_ok {
        return Ok(v);
    }
    let range = match (low_open, high_open) {
        (true, true) => "between 0 and 1 (exclusive)",
        (true, false) => "greater than 0 and at most 1",
        (false, true) => "at least 0 and less than 1",
        (false, false) => "between 0 and 1",
    };
    let mut error = field.err(format!(
        "`{}` must be {range}, found {}",
        field.key,
        field.text()
    ));
    if (2.0..=100.0).contains(&v) {
        error = error.with_note(percent_note(v));
    }
    Err(error)
}

/// A number that must not be negative.
fn non_negative(field: &Field<'_>) -> Result<f64> {
    let v = field.number()?;
    if v < 0.0 {
        return Err(field.err(format!(
            "`{}` must be 0 or more, found {}",
            field.key,
            field.text()
        )));
    }
    Ok(v)
}

/// A number that must be greater than 0.
fn positive(field: &Field<'_>) -> Result<f64> {
    let v = field.number()?;
    if v <= 0.0 {
        return Err(field.err(format!(
            "`{}` must be greater than 0, found {}",
            field.key,
            field.text()
        )));
    }
    Ok(v)
}

/// A whole number within `lo..=hi`.
fn whole_in(field: &Field<'_>, lo: i64, hi: i64) -> Result<i64> {
    let v = field.whole()?;
    if v < lo || v > hi {
        return Err(field.err(format!(
            "`{}` must be a whole number from {} to {}, found {}",
            field.key,
            thousands(lo),
            thousands(hi),
            field.text()
        )));
    }
    Ok(v)
}

/// A whole number of at least `lo`.
fn whole_from(field: &Field<'_>, lo: i64) -> Result<i64> {
    let v = field.whole()?;
    if v < lo {
        return Err(field.err(format!(
            "`{}` must be a whole number of at least {}, found {}",
            field.key,
            thousands(lo),
            field.text()
        )));
    }
    Ok(v)
}

/// `10000000` as `10,000,000`, for messages.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `[assignment]`.
fn assignment(t: &Table<'_>) -> Result<Assignment> {
    t.allow(ASSIGNMENT_KEYS)?;
    let file = data_path(t.ctx, &t.required("file")?)?;
    let coverage = match t.get("coverage") {
        Some(f) => share(&f, true, false)?,
        None => 1.0,
    };
    let stratify = match t.get("stratify") {
        Some(f) => column_list(&f)?,
        None => Vec::new(),
    };
    let hash = match t.get("hash") {
        Some(f) => choice(
            &f,
            "hash",
            &[
                ("sha256", HashScheme::Sha256V1),
                ("growthbook", HashScheme::GrowthBook),
            ],
        )?,
        None => HashScheme::Sha256V1,
    };
    let (id_column, _) = column(t, "id_column", "customer_id")?;
    let (arm_column, _) = column(t, "arm_column", "arm")?;
    if id_column == arm_column
        && let Some(f) = t.get("arm_column").or_else(|| t.get("id_column"))
    {
        return Err(f.err(format!(
            "`id_column` and `arm_column` must be different columns, both are `{}`",
            shown(&id_column)
        )));
    }
    Ok(Assignment {
        file,
        coverage,
        stratify,
        hash,
        id_column,
        arm_column,
    })
}

/// A calendar date written `YYYY-MM-DD`, as a TOML date or a string.
fn date(field: &Field<'_>) -> Result<String> {
    let expected = "a date written YYYY-MM-DD";
    let text = match field.node.get_ref() {
        DeValue::Datetime(d) => match (d.date, d.time, d.offset) {
            (Some(date), None, None) => {
                return Ok(format!(
                    "{:04}-{:02}-{:02}",
                    date.year, date.month, date.day
                ));
            }
            _ => return Err(field.wrong_type(expected)),
        },
        DeValue::String(s) => s.trim().to_string(),
        _ => return Err(field.wrong_type(expected)),
    };
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(field.err(format!(
            "`{}` must be {expected}, found \"{}\"",
            field.key,
            shown(&text)
        )));
    }
    let num = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if day == 0 || day > days {
        return Err(field.err(format!("`{}` is not a real date: {text}", field.key)));
    }
    Ok(text)
}

/// `[outcomes]`: exactly one of `file` and `summary`, an optional date window.
fn outcomes(t: &Table<'_>) -> Result<Outcomes> {
    t.allow(OUTCOMES_KEYS)?;
    let file_field = t.get("file");
    let summary_field = t.get("summary");
    match (&file_field, &summary_field) {
        (None, None) => {
            return Err(t.err(
                "[outcomes] needs `file` (one row per customer or event) \
                 or `summary` (pre-aggregated statistics)",
            ));
        }
        (Some(_), Some(s)) => {
            return Err(s.ctx.err(
                s.key_span.clone(),
                "[outcomes] takes `file` or `summary`, not both",
            ));
        }
        _ => {}
    }
    let file = file_field
        .as_ref()
        .map(|f| data_path(t.ctx, f))
        .transpose()?;
    let summary = summary_field
        .as_ref()
        .map(|f| data_path(t.ctx, f))
        .transpose()?;
    let (id_column, _) = column(t, "id_column", "customer_id")?;
    let segment_column = optional_column(t, "segment_column")?;
    if summary.is_none()
        && let Some(f) = t.get("segment_column")
    {
        return Err(f.ctx.err(
            f.key_span.clone(),
            "`segment_column` applies to a `summary` file only",
        ));
    }
    let date_column = optional_column(t, "date_column")?;
    if summary.is_some()
        && let Some(f) = t.get("date_column")
    {
        return Err(f.ctx.err(
            f.key_span.clone(),
            "`date_column` applies to a row-level `file` only, not to a `summary`",
        ));
    }
    let from = t.get("from").map(|f| date(&f)).transpose()?;
    let to = t.get("to").map(|f| date(&f)).transpose()?;
    if date_column.is_none() {
        for key in ["from", "to"] {
            if let Some(f) = t.get(key) {
                return Err(f.ctx.err(
                    f.key_span.clone(),
                    format!("`{key}` needs `date_column`, the column holding each row's date"),
                ));
            }
        }
    }
    if let (Some(a), Some(b), Some(f)) = (&from, &to, t.get("from"))
        && a > b
    {
        return Err(f.err(format!("`from` ({a}) is after `to` ({b})")));
    }
    Ok(Outcomes {
        file,
        summary,
        id_column,
        date_column,
        from,
        to,
        segment_column,
    })
}

/// Survey kinds: answers on a fixed scale, left out when missing.
fn is_survey(kind: MetricKind) -> bool {
    matches!(
        kind,
        MetricKind::Nps | MetricKind::Csat | MetricKind::Ordinal | MetricKind::Ces
    )
}

/// "a binary metric", "an nps metric".
fn a_kind(kind: MetricKind) -> String {
    let name = kind.as_str();
    let article = if matches!(kind, MetricKind::Nps | MetricKind::Ordinal) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name} metric")
}

/// `[[metrics]]`: unique names and, if any, exactly one primary metric.
fn metrics(ctx: Ctx<'_>, root: &Table<'_>) -> Result<Vec<Metric>> {
    let Some(field) = root.get("metrics") else {
        return Ok(Vec::new());
    };
    let tables = table_list(&field, "[[metrics]]")?;
    let mut out: Vec<Metric> = Vec::new();
    let mut primary: Option<usize> = None;
    for t in &tables {
        let m = metric(t)?;
        if out.iter().any(|o| o.name == m.name) {
            let name_span = t.get("name").map_or_else(|| t.span.clone(), |f| f.span());
            return Err(ctx.err(
                name_span,
                format!("duplicate metric `{}`; metric names must be unique", m.name),
            ));
        }
        if m.role == Role::Primary {
            if let Some(first) = primary {
                let span = t.get("role").map_or_else(|| t.span.clone(), |f| f.span());
                return Err(ctx.err(
                    span,
                    format!(
                        "a second primary metric `{}`; exactly one metric may have \
                         role = \"primary\" (the first is `{}`)",
                        m.name, out[first].name
                    ),
                ));
            }
            primary = Some(out.len());
        }
        out.push(m);
    }
    if primary.is_none()
        && let Some(first) = tables.first()
    {
        return Err(first
            .err("no primary metric; exactly one metric must have role = \"primary\"")
            .with_note("the primary metric is the one the pilot is meant to move"));
    }
    Ok(out)
}

/// One `[[metrics]]` table; kind-specific keys are checked against the kind.
fn metric(t: &Table<'_>) -> Result<Metric> {
    t.allow(METRIC_KEYS)?;
    let name_field = t.required("name")?;
    let name = name_field.string()?;
    check_label(&name_field, "metric name", &name)?;
    let t = &t.renamed(format!("[[metrics]] `{name}`"));
    let label = t.get("label").map(|f| metric_label(&f)).transpose()?;
    let column = match t.get("column") {
        Some(f) => f.nonblank()?,
        None => name.clone(),
    };
    let kind_field = t
        .required("kind")
        .map_err(|e| e.with_note("kind is one of: binary, mean, ratio, nps, csat, ces, ordinal"))?;
    let kind = choice(
        &kind_field,
        "metric kind",
        &[
            ("binary", MetricKind::Binary),
            ("mean", MetricKind::Mean),
            ("ratio", MetricKind::Ratio),
            ("nps", MetricKind::Nps),
            ("csat", MetricKind::Csat),
            ("ordinal", MetricKind::Ordinal),
            ("ces", MetricKind::Ces),
        ],
    )?;
    let role = match t.get("role") {
        Some(f) => choice(
            &f,
            "metric role",
            &[
                ("primary", Role::Primary),
                ("guardrail", Role::Guardrail),
                ("secondary", Role::Secondary),
            ],
        )?,
        None => Role::Secondary,
    };
    // Effort is lower-is-better by convention (1 = very easy); any other
    // kind must say which way is better.
    let direction = match t.get("direction") {
        None if kind == MetricKind::Ces => Direction::Decrease,
        _ => {
            let direction_field = t.required("direction").map_err(|e| {
                e.with_note(
                    "direction is \"increase\" if higher is better (purchases, revenue) \
                     or \"decrease\" if lower is better (churn, tickets)",
                )
            })?;
            choice(
                &direction_field,
                "direction",
                &[
                    ("increase", Direction::Increase),
                    ("decrease", Direction::Decrease),
                ],
            )?
        }
    };

    // Ratio metrics, and only they, have a denominator.
    let denominator = match (t.get("denominator"), kind) {
        (Some(f), MetricKind::Ratio) => {
            let d = f.nonblank()?;
            if d == column {
                return Err(f.err(format!(
                    "`denominator` must be a different column from the metric's own \
                     column `{}`",
                    shown(&column)
                )));
            }
            Some(d)
        }
        (None, MetricKind::Ratio) => {
            return Err(t
                .err(format!("missing `denominator` in {}", t.name))
                .with_note(
                    "a ratio metric divides the sum of its column by the sum of the \
                     denominator column, for example denominator = \"orders\"",
                ));
        }
        (Some(f), other) => {
            return Err(f.ctx.err(
                f.key_span.clone(),
                format!(
                    "`denominator` applies to ratio metrics only; `{name}` is {}",
                    a_kind(other)
                ),
            ));
        }
        (None, _) => None,
    };

    let aggregate = match t.get("aggregate") {
        Some(f) => {
            let a = choice(
                &f,
                "aggregate",
                &[
                    ("sum", Aggregate::Sum),
                    ("mean", Aggregate::Mean),
                    ("max", Aggregate::Max),
                    ("last", Aggregate::Last),
                    ("count", Aggregate::Count),
                ],
            )?;
            let keeps_value = matches!(a, Aggregate::Max | Aggregate::Last);
            if kind == MetricKind::Binary && !keeps_value {
                return Err(f
                    .err(format!(
                        "aggregate `{}` does not fit a binary metric: it can give values \
                         other than 0 and 1",
                        f.text().trim_matches('"')
                    ))
                    .with_note("use \"max\" (1 if any row is 1) or \"last\""));
            }
            if is_survey(kind) && !keeps_value {
                return Err(f
                    .err(format!(
                        "aggregate `{}` does not fit {}: it can give values off the \
                         answer scale",
                        f.text().trim_matches('"'),
                        a_kind(kind)
                    ))
                    .with_note("use \"last\" (the latest answer) or \"max\""));
            }
            a
        }
        None => match kind {
            MetricKind::Binary => Aggregate::Max,
            MetricKind::Mean | MetricKind::Ratio => Aggregate::Sum,
            MetricKind::Nps | MetricKind::Csat | MetricKind::Ordinal | MetricKind::Ces => {
                Aggregate::Last
            }
        },
    };

    let missing = match t.get("missing") {
        Some(f) => {
            let m = choice(
                &f,
                "missing-data rule",
                &[("zero", Missing::Zero), ("exclude", Missing::Exclude)],
            )?;
            if m == Missing::Zero && is_survey(kind) {
                return Err(f
                    .err(format!(
                        "missing = \"zero\" does not fit {}: a customer who did not \
                         answer has no score",
                        a_kind(kind)
                    ))
                    .with_note("use missing = \"exclude\"; response rates are reported"));
            }
            m
        }
        None if is_survey(kind) => Missing::Exclude,
        None => Missing::Zero,
    };

    let covariate = optional_column(t, "covariate")?;

    let cap = match t.get("cap") {
        Some(f) => {
            if !matches!(kind, MetricKind::Mean | MetricKind::Ratio) {
                return Err(f.ctx.err(
                    f.key_span.clone(),
                    format!(
                        "`cap` applies to mean and ratio metrics only; `{name}` is {}",
                        a_kind(kind)
                    ),
                ));
            }
            let v = f.number()?;
            if !(v > 0.5 && v < 1.0) {
                let mut e = f.err(format!(
                    "`cap` must be between 0.5 and 1 (exclusive), found {}",
                    f.text()
                ));
                if v > 50.0 && v < 100.0 {
                    e = e.with_note(format!(
                        "cap is a quantile written as a fraction: the {v}th percentile is {}",
                        v / 100.0
                    ));
                }
                return Err(e);
            }
            Some(v)
        }
        None => None,
    };

    let margin = match t.get("margin") {
        Some(f) => {
            if role != Role::Guardrail {
                return Err(f.ctx.err(
                    f.key_span.clone(),
                    format!(
                        "`margin` applies to guardrail metrics only; set role = \
                         \"guardrail\" on `{name}` or remove `margin`"
                    ),
                ));
            }
            let v = non_negative(&f)?;
            if v >= 1.0 {
                return Err(f
                    .err(format!(
                        "`margin` must be less than 1 (it is relative: 0.02 tolerates \
                         2% worse), found {}",
                        f.text()
                    ))
                    .with_note(percent_note(v)));
            }
            Some(v)
        }
        None if role == Role::Guardrail => Some(0.0),
        None => None,
    };

    let scale = scale(t, kind, &name)?;

    let baseline = match t.get("baseline") {
        Some(f) => {
            let v = f.number()?;
            match kind {
                MetricKind::Binary | MetricKind::Csat if !(v > 0.0 && v < 1.0) => {
                    let mut e = f.err(format!(
                        "`baseline` of {} is a share and must be between 0 and 1 \
                         (exclusive), found {}",
                        a_kind(kind),
                        f.text()
                    ));
                    if (2.0..=100.0).contains(&v) {
                        e = e.with_note(percent_note(v));
                    }
                    return Err(e);
                }
                MetricKind::Nps if !(-100.0..=100.0).contains(&v) => {
                    return Err(f.err(format!(
                        "`baseline` of an nps metric must be from -100 to 100, found {}",
                        f.text()
                    )));
                }
                _ => {}
            }
            Some(v)
        }
        None => None,
    };
    let baseline_sd = match t.get("baseline_sd") {
        Some(f) => {
            if matches!(kind, MetricKind::Binary | MetricKind::Csat) {
                return Err(f.ctx.err(
                    f.key_span.clone(),
                    format!(
                        "`baseline_sd` does not apply to {}: its spread follows from \
                         `baseline`",
                        a_kind(kind)
                    ),
                ));
            }
            Some(positive(&f)?)
        }
        None => None,
    };
    let mde = match t.get("mde") {
        Some(f) => {
            let v = positive(&f)?;
            // A relative change of +100% or more (a doubling) is almost
            // always a percentage typed as a number: `mde = 20` meant 20%,
            // not +2,000%, and would size the pilot at a dozen customers.
            if v >= 1.0 {
                return Err(f
                    .err(format!(
                        "`mde` must be less than 1 (it is relative: 0.1 is a change of \
                         10%), found {}",
                        f.text()
                    ))
                    .with_note(format!(
                        "{}; for a change of +100% or more, give `mde_absolute` in the \
                         metric's units",
                        percent_note(v)
                    )));
            }
            Some(v)
        }
        None => None,
    };
    let mde_absolute = t.get("mde_absolute").map(|f| positive(&f)).transpose()?;
    if mde.is_some()
        && let Some(f) = t.get("mde_absolute")
    {
        return Err(f.ctx.err(
            f.key_span.clone(),
            "give either `mde` (relative) or `mde_absolute`, not both",
        ));
    }

    Ok(Metric {
        name,
        label,
        span: t.span.clone(),
        column,
        denominator,
        kind,
        role,
        direction,
        aggregate,
        missing,
        covariate,
        cap,
        margin,
        scale,
        baseline,
        baseline_sd,
        mde,
        mde_absolute,
    })
}

/// Longest metric label: a report heading, not a paragraph.
const MAX_LABEL_CHARS: usize = 60;

/// A metric's `label`: words for reports, one line, not too long.
fn metric_label(field: &Field<'_>) -> Result<String> {
    let label = field.string()?;
    if label.trim().is_empty() {
        return Err(field.err("`label` must not be empty; leave it out to use the metric's name"));
    }
    if label.chars().any(is_unsafe_for_terminal) {
        return Err(field.err(
            "`label` must be one line of plain text (no tabs, line breaks or direction controls)",
        ));
    }
    let chars = label.chars().count();
    if chars > MAX_LABEL_CHARS {
        return Err(field.err(format!(
            "`label` is {chars} characters long; keep it to {MAX_LABEL_CHARS} (it is a heading, \
             put the explanation in the experiment's description)"
        )));
    }
    Ok(label.trim().to_string())
}

/// The hint for a percentage written where a fraction belongs.
fn percent_note(v: f64) -> String {
    format!("write percentages as fractions: {v}% is {}", v / 100.0)
}

/// The usual customer effort scale: 1 (very easy) to 7 (very hard).
const CES_SCALE: (i64, i64) = (1, 7);

/// `scale`: required for ordinal metrics, 1-7 unless given for ces, fixed for
/// nps (0-10) and csat (1-5), not allowed otherwise.
fn scale(t: &Table<'_>, kind: MetricKind, name: &str) -> Result<Option<(i64, i64)>> {
    let fixed = match kind {
        MetricKind::Nps => Some((0, 10)),
        MetricKind::Csat => Some((1, 5)),
        _ => None,
    };
    let Some(f) = t.get("scale") else {
        return match kind {
            MetricKind::Ordinal => Err(t
                .err(format!("missing `scale` in {}", t.name))
                .with_note("an ordinal metric needs its answer range, for example scale = [1, 7]")),
            MetricKind::Ces => Ok(Some(CES_SCALE)),
            _ => Ok(fixed),
        };
    };
    if !matches!(
        kind,
        MetricKind::Ordinal | MetricKind::Nps | MetricKind::Csat | MetricKind::Ces
    ) {
        return Err(f.ctx.err(
            f.key_span.clone(),
            format!(
                "`scale` applies to ordinal and ces metrics only; `{name}` is {}",
                a_kind(kind)
            ),
        ));
    }
    let items = f.list("a list of two whole numbers, such as [1, 7]")?;
    let bounds: Vec<i64> = items
        .iter()
        .map(|item| {
            let item_field = Field {
                ctx: f.ctx,
                key: "scale",
                key_span: f.key_span.clone(),
                node: item,
            };
            item_field.whole()
        })
        .collect::<Result<_>>()
        .map_err(|_| {
            f.err(format!(
                "`scale` must be two whole numbers such as [1, 7], found {}",
                f.text()
            ))
        })?;
    let &[lo, hi] = bounds.as_slice() else {
        return Err(f.err(format!(
            "`scale` must be two whole numbers such as [1, 7], found {}",
            f.text()
        )));
    };
    if lo >= hi {
        return Err(f.err(format!(
            "`scale` must list the lowest answer first, then a higher one; found {}",
            f.text()
        )));
    }
    if let Some((a, b)) = fixed
        && (lo, hi) != (a, b)
    {
        return Err(f.err(format!(
            "{} always uses the scale [{a}, {b}], found {}",
            a_kind(kind),
            f.text()
        )));
    }
    Ok(Some((lo, hi)))
}

/// `[analysis]`; `tuning` is the default `sequential_tuning`.
fn analysis(t: &Table<'_>, tuning: f64) -> Result<Analysis> {
    t.allow(ANALYSIS_KEYS)?;
    let mut a = default_analysis(tuning);
    if let Some(f) = t.get("alpha") {
        a.alpha = share(&f, true, true)?;
    }
    if let Some(f) = t.get("power") {
        a.power = share(&f, true, true)?;
    }
    if let Some(f) = t.get("sequential") {
        a.sequential = f.boolean()?;
    }
    if let Some(f) = t.get("sequential_tuning") {
        a.sequential_tuning = positive(&f)?;
    }
    if let Some(f) = t.get("planned_customers_per_arm") {
        a.planned_customers_per_arm = Some(whole_from(&f, 1)?.unsigned_abs());
    }
    if let Some(f) = t.get("correction") {
        a.correction = choice(
            &f,
            "correction",
            &[
                ("holm", Correction::Holm),
                ("bh", Correction::BenjaminiHochberg),
                ("bonferroni", Correction::Bonferroni),
                ("none", Correction::None),
            ],
        )?;
    }
    if let Some(f) = t.get("segments") {
        a.segments = column_list(&f)?;
    }
    Ok(a)
}

/// `[decision]`.
fn decision(t: &Table<'_>) -> Result<Decision> {
    t.allow(DECISION_KEYS)?;
    let mut d = Decision::default();
    if let Some(f) = t.get("min_customers_per_arm") {
        d.min_customers_per_arm = whole_from(&f, 1)?.unsigned_abs();
    }
    if let Some(f) = t.get("min_probability_positive_npv") {
        d.min_probability_positive_npv = Some(share(&f, true, true)?);
    }
    if let Some(f) = t.get("max_expected_loss") {
        d.max_expected_loss = Some(non_negative(&f)?);
    }
    if let Some(f) = t.get("max_guardrail_risk") {
        d.max_guardrail_risk = share(&f, true, true)?;
    }
    if let Some(f) = t.get("prior_correlation") {
        d.prior_correlation = share(&f, false, true)?;
    }

    if let Some(f) = t.get("deadline") {
        d.deadline = Some(date(&f)?);
    }
    if let Some(f) = t.get("max_weeks") {
        d.max_weeks = positive(&f)?;
    }
    let kind = t
        .get("prior")
        .map(|f| {
            choice(
                &f,
                "prior",
                &[
                    ("default", "default"),
                    ("normal", "normal"),
                    ("none", "none"),
                ],
            )
        })
        .transpose()?;
    let mean_field = t.get("prior_mean");
    let sd_field = t.get("prior_sd");
    let mean = mean_field.as_ref().map(|f| f.number()).transpose()?;
    let sd = sd_field.as_ref().map(positive).transpose()?;
    d.prior = match kind {
        Some("default" | "none") if mean.is_some() || sd.is_some() => {
            let message = |key: &str| {
                format!(
                    "`{key}` only goes with `prior = \"normal\"`; remove it or set \
                     `prior = \"normal\"`"
                )
            };
            return Err(match sd_field.or(mean_field) {
                Some(f) => f.err(message(f.key)),
                None => t.err(message("prior_sd")),
            });
        }
        Some("none") => Prior::Flat,
        Some("normal") => Prior::Normal {
            mean: mean.unwrap_or(0.0),
            sd: sd.unwrap_or(0.1),
        },
        // A mean or standard deviation alone means a normal prior.
        _ if mean.is_some() || sd.is_some() => Prior::Normal {
            mean: mean.unwrap_or(0.0),
            sd: sd.unwrap_or(0.1),
        },
        _ => Prior::Default,
    };
    Ok(d)
}

/// `[roi]` with its benefits; benefits must name declared metrics.
fn roi(t: &Table<'_>, metrics: &[Metric]) -> Result<Roi> {
    t.allow(ROI_KEYS)?;
    let number_or = |key: &'static str, default: f64, check: fn(&Field<'_>) -> Result<f64>| {
        t.get(key).map_or(Ok(default), |f| check(&f))
    };
    let customers = t.get("customers").map(|f| positive(&f)).transpose()?;
    let horizon_months = match t.get("horizon_months") {
        Some(f) => whole_in(&f, 1, 600)? as u32,
        None => 12,
    };
    let discount_rate = match t.get("discount_rate") {
        Some(f) => {
            let v = non_negative(&f)?;
            if v > 1.0 {
                return Err(f
                    .err(format!(
                        "`discount_rate` is a yearly rate written as a fraction and must \
                         be at most 1, found {}",
                        f.text()
                    ))
                    .with_note(percent_note(v)));
            }
            v
        }
        None => 0.08,
    };
    let one_time_cost = number_or("one_time_cost", 0.0, non_negative)?;
    let monthly_cost = number_or("monthly_cost", 0.0, non_negative)?;
    let cost_per_customer_month = number_or("cost_per_customer_month", 0.0, non_negative)?;
    let metric_window_months = number_or("metric_window_months", 3.0, positive)?;
    let effect_half_life_months = number_or("effect_half_life_months", 0.0, non_negative)?;
    let draws = match t.get("draws") {
        Some(f) => whole_in(&f, 1_000, 10_000_000)? as u32,
        None => 100_000,
    };
    let seed = match t.get("seed") {
        Some(f) => whole_from(&f, 0)?.unsigned_abs(),
        None => 7,
    };
    let currency = match t.get("currency") {
        Some(f) => {
            let c = f.nonblank()?;
            if c.chars().any(char::is_control) {
                return Err(f.err("`currency` must not contain tabs or line breaks"));
            }
            c
        }
        None => "$".to_string(),
    };
    let clv = match t.get("clv") {
        Some(f) => Some(clv(&f.table("[roi.clv]")?)?),
        None => None,
    };
    let benefits = match t.get("benefits") {
        Some(f) => benefits(&f, metrics, clv)?,
        None => Vec::new(),
    };
    if benefits.is_empty() {
        let example = metrics
            .iter()
            .find(|m| m.role == Role::Primary)
            .map_or("revenue_90d", |m| m.name.as_str());
        return Err(t
            .err("[roi] needs at least one [[roi.benefits]] saying what a metric is worth")
            .with_note(format!(
                "add a [[roi.benefits]] section with, for example, \
                 metric = \"{example}\" and unit_value = 1.0"
            )));
    }
    Ok(Roi {
        customers,
        horizon_months,
        discount_rate,
        one_time_cost,
        monthly_cost,
        cost_per_customer_month,
        metric_window_months,
        effect_half_life_months,
        draws,
        seed,
        currency,
        benefits,
    })
}

/// `[roi.clv]`: the value of one retained customer,
/// `arpu_month * margin / churn_month`.
fn clv(t: &Table<'_>) -> Result<f64> {
    t.allow(CLV_KEYS)?;
    let arpu = positive(&t.required("arpu_month")?)?;
    let churn = share(&t.required("churn_month")?, true, false)?;
    let margin = match t.get("margin") {
        Some(f) => share(&f, true, false)?,
        None => 1.0,
    };
    Ok(arpu * margin / churn)
}

/// `[[roi.benefits]]`; `unit_value = "clv"` takes the value of `[roi.clv]`
/// (which already includes its margin, so the benefit's margin is 1).
fn benefits(field: &Field<'_>, metrics: &[Metric], clv: Option<f64>) -> Result<Vec<Benefit>> {
    let tables = table_list(field, "[[roi.benefits]]")?;
    let mut out: Vec<Benefit> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for t in &tables {
        t.allow(BENEFIT_KEYS)?;
        let metric_field = t.required("metric")?;
        let metric = metric_field.string()?;
        if !metrics.iter().any(|m| m.name == metric) {
            let names = metrics.iter().map(|m| m.name.as_str());
            let message = match did_you_mean(&metric, names) {
                Some(s) => format!(
                    "benefit names metric `{}`, which is not declared; did you mean `{s}`?",
                    shown(&metric)
                ),
                None if metrics.is_empty() => format!(
                    "benefit names metric `{}`, but the file declares no [[metrics]]",
                    shown(&metric)
                ),
                None => format!(
                    "benefit names metric `{}`, which is not declared; declared metrics: {}",
                    shown(&metric),
                    metrics
                        .iter()
                        .map(|m| m.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(metric_field.err(message));
        }
        if !seen.insert(metric.clone()) {
            return Err(metric_field.err(format!(
                "a second benefit for metric `{metric}`; give each metric one benefit"
            )));
        }
        let value_field = t.required("unit_value")?;
        let (unit_value, from_clv) = match value_field.node.get_ref() {
            DeValue::String(s) if s.as_ref() == "clv" => match clv {
                Some(v) => (v, true),
                None => {
                    return Err(value_field
                        .err("unit_value = \"clv\" needs a [roi.clv] section")
                        .with_note(
                            "add [roi.clv] with arpu_month, churn_month and (optionally) \
                             margin; the customer lifetime value is \
                             arpu_month * margin / churn_month",
                        ));
                }
            },
            DeValue::String(_) => {
                return Err(value_field.err(format!(
                    "`unit_value` must be a number or \"clv\", found {}",
                    value_field.text()
                )));
            }
            DeValue::Integer(_) | DeValue::Float(_) => (value_field.number()?, false),
            _ => return Err(value_field.wrong_type("a number or \"clv\"")),
        };
        let margin = match t.get("margin") {
            Some(f) if from_clv => {
                return Err(f.ctx.err(
                    f.key_span.clone(),
                    "`margin` is already part of [roi.clv]; set it there, not on the benefit",
                ));
            }
            Some(f) => share(&f, true, false)?,
            None => 1.0,
        };
        out.push(Benefit {
            metric,
            unit_value,
            margin,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {

    #[test]
    fn resolved_paths_fold_parent_components() {
        let exp = Path::new("experiments/x.toml");
        assert_eq!(resolve(exp, "../data/c.csv"), PathBuf::from("data/c.csv"));
        assert_eq!(resolve(exp, "./c.csv"), PathBuf::from("experiments/c.csv"));
        assert_eq!(resolve(exp, "../../c.csv"), PathBuf::from("../c.csv"));
        assert_eq!(
            resolve(Path::new("x.toml"), "../c.csv"),
            PathBuf::from("../c.csv")
        );
    }

    use super::*;

    #[test]
    fn resolve_keeps_relative_paths_relative() {
        let exp = Path::new("experiments/x.toml");
        assert_eq!(
            resolve(exp, "customers.csv"),
            PathBuf::from("experiments/customers.csv")
        );
        assert_eq!(
            resolve(Path::new("x.toml"), "c.csv"),
            PathBuf::from("c.csv")
        );
        assert_eq!(resolve(exp, "../data/c.csv"), PathBuf::from("data/c.csv"));
        assert_eq!(resolve(exp, "/abs/c.csv"), PathBuf::from("/abs/c.csv"));
    }

    #[test]
    fn slug_suggests_a_valid_name() {
        assert_eq!(slug("Loyalty SMS"), "loyalty-sms");
        assert_eq!(slug("  Spring  Sale! 2026 "), "spring-sale-2026");
        assert_eq!(slug("***"), "");
    }

    #[test]
    fn thousands_separates_groups() {
        assert_eq!(thousands(10_000_000), "10,000,000");
        assert_eq!(thousands(600), "600");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(-1000), "-1,000");
    }
}
