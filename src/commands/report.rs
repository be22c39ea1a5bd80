//! `recover report`: how the recoveries of a period went.

use std::io::Write;

use super::log::moment;
use crate::cli::{ReportArgs, ReportFormat};
use crate::clock::{self, human_seconds};
use crate::config::Config;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::progress::{self, Progress};
use crate::render::report_html::Page;
use crate::render::{csv, safe::one_line, table};
use crate::report::Report;
use crate::report::detail::Targets;
use crate::store::{Filter, Store};

fn rows(r: &Report) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = Vec::new();
    let mut add =
        |section: &str, key: &str, value: String| v.push((section.to_owned(), key.to_owned(), value));
    add("incidents", "total", r.incidents.to_string());
    add("incidents", "in progress", r.in_progress.to_string());
    add("incidents", "incomplete", r.incomplete.to_string());
    add("incidents", "repeat guests", r.repeat_guests.to_string());
    for (k, n) in &r.by_type {
        add("by type", k, n.to_string());
    }
    for (k, n) in &r.by_severity {
        add("by severity", k, n.to_string());
    }
    if r.clock_skew > 0 {
        add("incidents", "clock went back (left out of the times)", r.clock_skew.to_string());
    }
    let time = |t: Option<i64>| t.map_or("—".to_owned(), human_seconds);
    add("time to apology", "median", time(r.time_to_apology.median));
    add("time to apology", "90th percentile", time(r.time_to_apology.p90));
    add("time to fix", "median", time(r.time_to_fix.median));
    add("time to fix", "90th percentile", time(r.time_to_fix.p90));
    add("amends", "total", format!("{} {}", r.currency, r.amends_total));
    add(
        "amends",
        "needing an approver",
        format!("{} {} in {} incident(s)", r.currency, r.amends_approved, r.incidents_needing_approval),
    );
    for (k, m) in &r.amends_by_type {
        add("amends by type", k, format!("{} {m}", r.currency));
    }
    for (k, m) in &r.amends_by_role {
        add("amends by role", k, format!("{} {m}", r.currency));
    }
    let f = &r.follow_ups;
    for (k, n) in [
        ("done on time", f.on_time),
        ("done late", f.late),
        ("open", f.open),
        ("overdue", f.overdue),
        ("recovered", f.recovered),
        ("lost", f.lost),
    ] {
        add("follow-ups", k, n.to_string());
    }
    for (k, n) in r.failure_points.iter().take(5) {
        add("failure points", k, n.to_string());
    }
    for (k, n) in &r.servqual {
        add("servqual", k, n.to_string());
    }
    v
}

/// Prints the report for the period.
pub fn run(config: &Config, args: &ReportArgs) -> Result<Exit, Error> {
    let since = moment(&args.since, "--since", config)?;
    let now = clock::now();
    let html = args.format == ReportFormat::Html;
    if html || args.detail || args.kind.is_some() {
        return detailed(config, args, since, now);
    }
    let store = config.store_to_read()?;
    let filter = Filter { since: Some(since), ..Filter::default() };
    let progress = reading(&store, &filter)?;
    let mut report = store.report(since, now)?;
    drop(progress);
    report.repeat_guests = store.repeat_guests(&filter)?;
    let mut out: Vec<u8> = Vec::new();
    if args.output.json {
        writeln!(out, "{}", serde_json::to_string(&report).unwrap_or_default())?;
    } else if args.output.csv {
        write!(out, "{}", csv::line(&["section", "item", "value"]))?;
        for (s, k, v) in rows(&report) {
            write!(out, "{}", csv::line(&[s, k, v]))?;
        }
    } else {
        text(&mut out, config, since, &report)?;
    }
    emit(args, &out)
}

fn text(out: &mut Vec<u8>, config: &Config, since: jiff::Timestamp, report: &Report) -> Result<(), Error> {
    writeln!(out, "Report since {}", clock::local(since, config.tz()))?;
    let mut t = table::new(config.styled_out, &["Section", "Item", "Value"]);
    let mut last = String::new();
    for (s, k, v) in rows(report) {
        let shown = if s == last { String::new() } else { s.clone() };
        last = s;
        t.add_row(vec![shown, one_line(&k), one_line(&v)]);
    }
    write!(out, "{}", table::to_text(&t))?;
    Ok(())
}

/// Progress of reading the incidents `filter` matches, when it is shown.
fn reading(store: &dyn Store, filter: &Filter) -> Result<Progress, Error> {
    let total = if progress::shown() { Some(store.count(filter)? as u64) } else { None };
    Ok(Progress::start("reading the log", total))
}

/// Writes `doc` to `--output` or standard output.
fn emit(args: &ReportArgs, doc: &[u8]) -> Result<Exit, Error> {
    match &args.output_file {
        Some(path) => std::fs::write(path, doc).map_err(|source| Error::Io {
            action: "write",
            path: path.display().to_string(),
            source,
        })?,
        None => std::io::stdout().lock().write_all(doc)?,
    }
    Ok(Exit::Success)
}

/// The report read from whole incidents, with what the charts need: for `--format html`,
/// `--detail` and `--type`, which the summary columns cannot answer.
fn detailed(
    config: &Config,
    args: &ReportArgs,
    since: jiff::Timestamp,
    now: jiff::Timestamp,
) -> Result<Exit, Error> {
    let lib = config.library_for(args.kind.as_deref())?;
    // A type is named as `start` takes it (an alias too); one the library lacks may still
    // be in the log, from a playbook since removed.
    let kind =
        args.kind.as_ref().map(|k| lib.find(k).map_or_else(|_| k.trim().to_owned(), |pb| pb.kind.clone()));
    let policy = lib.policy.targets.unwrap_or_default();
    let targets = Targets {
        apology: policy.apology.map(|w| w.minutes() * 60),
        fix: policy.fix.map(|w| w.minutes() * 60),
    };
    let filter = Filter { since: Some(since), kind: kind.clone(), ..Filter::default() };
    let store = config.store_to_read()?;
    let progress = reading(&store, &filter)?;
    let (mut report, detail) = crate::report::detail::detailed(&store, &filter, now, config.tz(), targets)?;
    drop(progress);
    report.repeat_guests = store.repeat_guests(&filter)?;
    let mut out: Vec<u8> = Vec::new();
    if args.format == ReportFormat::Html {
        let page = Page {
            lang: config.lang.value.code(),
            tz: config.tz(),
            kind: kind.as_deref(),
            paper: args.paper,
        };
        out = crate::render::report_html::html(&report, &detail, &page).into_bytes();
    } else if args.output.json {
        let mut value = serde_json::to_value(&report).unwrap_or_default();
        if args.detail {
            value["detail"] = serde_json::to_value(&detail).unwrap_or_default();
        }
        writeln!(out, "{value}")?;
    } else if args.output.csv {
        write!(out, "{}", csv::line(&["section", "item", "value"]))?;
        for (s, k, v) in rows(&report) {
            write!(out, "{}", csv::line(&[s, k, v]))?;
        }
    } else {
        text(&mut out, config, since, &report)?;
    }
    emit(args, &out)
}
