//! `recover report`: how the recoveries of a period went.

use std::io::Write;

use super::log::moment;
use crate::cli::ReportArgs;
use crate::clock::{self, human_seconds};
use crate::config::Config;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::money::Money;
use crate::render::{csv, safe::one_line, table};
use crate::report::Report;

/// One line of the report: the text people read, and for CSV the same as plain numbers,
/// each kind in a column of its own so a spreadsheet can add them up.
struct Line {
    section: &'static str,
    item: String,
    /// As the table shows it (`EUR 150`, `2m 06s`).
    value: String,
    /// A number of incidents or follow-ups.
    count: Option<usize>,
    /// An amount, in the report's currency.
    amount: Option<Money>,
    /// A duration.
    seconds: Option<i64>,
}

/// The CSV header: the table's three columns, then the numbers.
const CSV_COLUMNS: [&str; 7] = ["section", "item", "value", "count", "amount", "currency", "seconds"];

impl Line {
    fn csv(&self, currency: &str) -> [String; 7] {
        let show = |v: Option<String>| v.unwrap_or_default();
        [
            self.section.to_owned(),
            self.item.clone(),
            self.value.clone(),
            show(self.count.map(|n| n.to_string())),
            show(self.amount.map(|m| m.to_string())),
            show(self.amount.map(|_| currency.to_owned())),
            show(self.seconds.map(|s| s.to_string())),
        ]
    }
}

/// A line that counts something.
fn counted(section: &'static str, item: &str, n: usize) -> Line {
    Line { section, item: item.to_owned(), value: n.to_string(), count: Some(n), amount: None, seconds: None }
}

fn rows(r: &Report) -> Vec<Line> {
    let mut v: Vec<Line> = Vec::new();
    let cur = &r.currency;
    let mut count = |section: &'static str, item: &str, n: usize| {
        v.push(Line {
            section,
            item: item.to_owned(),
            value: n.to_string(),
            count: Some(n),
            amount: None,
            seconds: None,
        });
    };
    count("incidents", "total", r.incidents);
    count("incidents", "in progress", r.in_progress);
    count("incidents", "incomplete", r.incomplete);
    if r.abandoned > 0 {
        count("incidents", "abandoned", r.abandoned);
    }
    for (k, n) in &r.by_type {
        count("by type", k, *n);
    }
    for (k, n) in &r.by_severity {
        count("by severity", k, *n);
    }
    if r.clock_skew > 0 {
        count("incidents", "clock went back (left out of the times)", r.clock_skew);
    }
    let time = |section: &'static str, item: &str, t: Option<i64>| Line {
        section,
        item: item.to_owned(),
        value: t.map_or("—".to_owned(), human_seconds),
        count: None,
        amount: None,
        seconds: t,
    };
    v.push(time("time to apology", "median", r.time_to_apology.median));
    v.push(time("time to apology", "90th percentile", r.time_to_apology.p90));
    v.push(time("time to fix", "median", r.time_to_fix.median));
    v.push(time("time to fix", "90th percentile", r.time_to_fix.p90));
    let money = |section: &'static str, item: &str, m: Money| Line {
        section,
        item: item.to_owned(),
        value: format!("{cur} {m}"),
        count: None,
        amount: Some(m),
        seconds: None,
    };
    v.push(money("amends", "total", r.amends_total));
    v.push(Line {
        count: Some(r.incidents_needing_approval),
        value: format!("{cur} {} in {} incident(s)", r.amends_approved, r.incidents_needing_approval),
        ..money("amends", "needing an approver", r.amends_approved)
    });
    v.push(counted("amends", "offered", r.amends_offered));
    v.push(counted("amends", "given", r.amends_given));
    v.push(counted("amends", "withheld", r.amends_withheld));
    for (reason, n) in &r.withheld_reasons {
        v.push(counted("amends withheld, why", reason, *n));
    }
    for (k, m) in &r.amends_by_type {
        v.push(money("amends by type", k, *m));
    }
    for (k, m) in &r.amends_by_role {
        v.push(money("amends by role", k, *m));
    }
    let mut count = |section: &'static str, item: &str, n: usize| {
        v.push(Line {
            section,
            item: item.to_owned(),
            value: n.to_string(),
            count: Some(n),
            amount: None,
            seconds: None,
        });
    };
    let f = &r.follow_ups;
    for (k, n) in [
        ("done on time", f.on_time),
        ("done late", f.late),
        ("open", f.open),
        ("overdue", f.overdue),
        ("recovered", f.recovered),
        ("lost", f.lost),
        ("skipped", f.skipped),
    ] {
        count("follow-ups", k, n);
    }
    for (k, n) in r.failure_points.iter().take(5) {
        count("failure points", k, *n);
    }
    for (k, n) in &r.servqual {
        count("servqual", k, *n);
    }
    v
}

/// Prints the report for the period.
pub fn run(config: &Config, args: &ReportArgs) -> Result<Exit, Error> {
    let since = moment(&args.since, "--since", config)?;
    let mut report = config.store_to_read()?.report(since, clock::now())?;
    if report.currency.is_empty() {
        // No incident in the period to take it from: "amends total EUR 0", not " 0", in the
        // policy's currency (a policy that cannot be read leaves it empty, as before).
        if let Ok(lib) = config.library_for(None) {
            report.currency = lib.policy.currency;
        }
    }
    let mut out = std::io::stdout().lock();
    if args.output.json {
        super::write_json_line(&mut out, &report)?;
    } else if args.output.csv {
        write!(out, "{}{}", args.output.csv_start(), csv::line(&CSV_COLUMNS))?;
        for line in rows(&report) {
            write!(out, "{}", csv::line(&line.csv(&report.currency)))?;
        }
    } else {
        writeln!(out, "Report since {}", clock::local(since, config.tz()))?;
        let mut t = table::new(config.styled_out, &["Section", "Item", "Value"]);
        let mut last = String::new();
        for line in rows(&report) {
            let shown = if line.section == last { String::new() } else { line.section.to_owned() };
            line.section.clone_into(&mut last);
            t.add_row(vec![shown, one_line(&line.item), one_line(&line.value)]);
        }
        write!(out, "{}", table::to_text(&t))?;
    }
    Ok(Exit::Success)
}
