//! `recover report`: how the recoveries of a period went.

use std::io::Write;

use super::log::moment;
use crate::cli::ReportArgs;
use crate::clock::{self, human_seconds};
use crate::config::Config;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::i18n as ui;
use crate::playbook::Severity;
use crate::render::{csv, safe::one_line, table};
use crate::report::Report;
use crate::store::Store;

/// The report's rows as (section, item, value): in English for CSV, whose words scripts
/// match, or in `lang` for the table people read.
fn rows(r: &Report, lang: Option<&str>, role: &dyn Fn(&str) -> String) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = Vec::new();
    let word =
        |key: &str, english: &str| lang.map_or_else(|| english.to_owned(), |l| ui::t(l, key).to_owned());
    let mut add =
        |section: &str, key: &str, value: String| v.push((section.to_owned(), key.to_owned(), value));
    let incidents = word("report_incidents", "incidents");
    add(&incidents, &word("report_total", "total"), r.incidents.to_string());
    add(&incidents, &word("status_in_progress", "in progress"), r.in_progress.to_string());
    add(&incidents, &word("status_incomplete", "incomplete"), r.incomplete.to_string());
    let by_type = word("report_by_type", "by type");
    for (k, n) in &r.by_type {
        add(&by_type, k, n.to_string());
    }
    let by_severity = word("report_by_severity", "by severity");
    for (k, n) in &r.by_severity {
        let name = match (lang, Severity::ALL.iter().find(|s| s.to_string() == *k)) {
            (Some(l), Some(s)) => ui::severity(l, *s).to_owned(),
            _ => k.clone(),
        };
        add(&by_severity, &name, n.to_string());
    }
    if r.clock_skew > 0 {
        add(
            &incidents,
            &word("report_clock_skew", "clock went back (left out of the times)"),
            r.clock_skew.to_string(),
        );
    }
    let time = |t: Option<i64>| t.map_or("—".to_owned(), human_seconds);
    let (median, p90) = (word("report_median", "median"), word("report_p90", "90th percentile"));
    let apology = word("report_time_to_apology", "time to apology");
    add(&apology, &median, time(r.time_to_apology.median));
    add(&apology, &p90, time(r.time_to_apology.p90));
    let fix = word("report_time_to_fix", "time to fix");
    add(&fix, &median, time(r.time_to_fix.median));
    add(&fix, &p90, time(r.time_to_fix.p90));
    let amends = word("report_amends", "amends");
    add(&amends, &word("report_total", "total"), format!("{} {}", r.currency, r.amends_total));
    let amount = format!("{} {}", r.currency, r.amends_approved);
    let approved = match lang {
        Some(l) => ui::n(l, "report_in_incidents", r.incidents_needing_approval, &[("amount", &amount)]),
        None => format!("{amount} in {} incident(s)", r.incidents_needing_approval),
    };
    add(&amends, &word("report_needing_approver", "needing an approver"), approved);
    let by_type = word("report_amends_by_type", "amends by type");
    for (k, m) in &r.amends_by_type {
        add(&by_type, k, format!("{} {m}", r.currency));
    }
    let by_role = word("report_amends_by_role", "amends by role");
    for (k, m) in &r.amends_by_role {
        add(&by_role, &role(k), format!("{} {m}", r.currency));
    }
    let f = &r.follow_ups;
    let follow_ups = word("report_follow_ups", "follow-ups");
    for (key, english, n) in [
        ("report_on_time", "done on time", f.on_time),
        ("report_late", "done late", f.late),
        ("report_open", "open", f.open),
        ("report_overdue", "overdue", f.overdue),
        ("follow_up_recovered", "recovered", f.recovered),
        ("follow_up_lost", "lost", f.lost),
    ] {
        add(&follow_ups, &word(key, english), n.to_string());
    }
    let points = word("report_failure_points", "failure points");
    for (k, n) in r.failure_points.iter().take(5) {
        add(&points, k, n.to_string());
    }
    let servqual = if lang.is_some() { "SERVQUAL" } else { "servqual" };
    for (k, n) in &r.servqual {
        add(servqual, k, n.to_string());
    }
    v
}

/// Prints the report for the period.
pub fn run(config: &Config, args: &ReportArgs) -> Result<Exit, Error> {
    let since = moment(&args.since, "--since", config)?;
    let report = config.store_to_read()?.report(since, clock::now())?;
    let mut out = std::io::stdout().lock();
    if args.output.json {
        writeln!(out, "{}", serde_json::to_string(&report).unwrap_or_default())?;
    } else if args.output.csv {
        write!(out, "{}", csv::line(&["section", "item", "value"]))?;
        for (s, k, v) in rows(&report, None, &str::to_owned) {
            write!(out, "{}", csv::line(&[s, k, v]))?;
        }
    } else {
        let lang = config.lang.value.code();
        writeln!(out, "{}", ui::f(lang, "report_since", &[("when", &clock::local(since, config.tz()))]))?;
        let header = ["col_section", "col_item", "col_value"].map(|k| ui::t(lang, k));
        let mut t = table::new(config.styled_out, &header);
        let mut last = String::new();
        // Roles by the policy's label for them, when the library can be read.
        let lib = config.library_quiet().ok();
        let role =
            |k: &str| lib.as_ref().map_or_else(|| k.to_owned(), |l| l.policy.role_label(k, lang).to_owned());
        for (s, k, v) in rows(&report, Some(lang), &role) {
            let shown = if s == last { String::new() } else { s.clone() };
            last = s;
            t.add_row(vec![shown, one_line(&k), one_line(&v)]);
        }
        write!(out, "{}", table::to_text(&t))?;
    }
    Ok(Exit::Success)
}
