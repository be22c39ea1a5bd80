//! `recover report`: how the recoveries of a period went.

use std::io::Write;

use super::log::moment;
use crate::cli::ReportArgs;
use crate::clock::{self, human_seconds};
use crate::config::Config;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::{csv, safe::one_line, table};
use crate::report::Report;

fn rows(r: &Report) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = Vec::new();
    let mut add =
        |section: &str, key: &str, value: String| v.push((section.to_owned(), key.to_owned(), value));
    add("incidents", "total", r.incidents.to_string());
    add("incidents", "in progress", r.in_progress.to_string());
    add("incidents", "incomplete", r.incomplete.to_string());
    if r.abandoned > 0 {
        add("incidents", "abandoned", r.abandoned.to_string());
    }
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
    let report = config.store_to_read()?.report(since, clock::now())?;
    let mut out = std::io::stdout().lock();
    if args.output.json {
        super::write_json_line(&mut out, &report)?;
    } else if args.output.csv {
        write!(out, "{}", csv::line(&["section", "item", "value"]))?;
        for (s, k, v) in rows(&report) {
            write!(out, "{}", csv::line(&[s, k, v]))?;
        }
    } else {
        writeln!(out, "Report since {}", clock::local(since, config.tz()))?;
        let mut t = table::new(config.styled_out, &["Section", "Item", "Value"]);
        let mut last = String::new();
        for (s, k, v) in rows(&report) {
            let shown = if s == last { String::new() } else { s.clone() };
            last = s;
            t.add_row(vec![shown, one_line(&k), one_line(&v)]);
        }
        write!(out, "{}", table::to_text(&t))?;
    }
    Ok(Exit::Success)
}
