//! `recover report`: how the recoveries of a period went.

use std::io::Write;

use super::log::moment;
use super::out::{Format, Out};
use crate::cli::{ReportArgs, ReportFormat};
use crate::clock::{self, human_seconds};
use crate::config::Config;
use crate::context::Context;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::i18n as ui;
use crate::money::Money;
use crate::progress::{self, Progress};
use crate::render::report_html::Page;
use crate::render::{safe::one_line, table};
use crate::store::{Filter, Store};
use crate::tally::Report;
use crate::tally::detail::Targets;

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
    let mut count = |section: &'static str, item: &str, n: usize| v.push(counted(section, item, n));
    count("incidents", "total", r.incidents);
    count("incidents", "in progress", r.in_progress);
    count("incidents", "incomplete", r.incomplete);
    count("incidents", "repeat guests", r.repeat_guests);
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
    let mut count = |section: &'static str, item: &str, n: usize| v.push(counted(section, item, n));
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

/// Why `--by site` found no sites: a log file has none; on a shared log, this login sees
/// no incident of the period (head office without its row in `recover.members` sees none
/// at all).
fn no_sites(config: &Config) -> &'static str {
    if crate::server::log_server(config).is_some() {
        "this login sees no incident of the period, so there are no sites to split by (`recover server check` shows what it may read)"
    } else {
        "this log is one desk's own; it has no sites to split by"
    }
}

/// Prints the report for the period.
pub fn run(ctx: &Context, args: &ReportArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let since = moment(&args.since, "--since", config)?;
    let now = clock::now();
    let html = args.format == ReportFormat::Html;
    if html || args.detail || args.kind.is_some() {
        return detailed(ctx, args, since, now);
    }
    let store = ctx.store_to_read()?;
    let filter = Filter { since: Some(since), ..Filter::default() };
    let progress = reading(&*store, &filter, ctx.config.lang.value.code())?;
    let by_site = args.by == Some(crate::cli::ReportBy::Site);
    let mut parts = store.report_parts(since, now, by_site)?;
    if parts.len() > 1 || parts.iter().any(|p| p.site.is_some()) {
        drop(progress);
        return emit(args, &written_parts(args, ctx, since, &parts)?);
    }
    if by_site {
        eprintln!("recover: warning: --by site: {}", no_sites(config));
    }
    let mut report = parts.remove(0).report;
    if report.currency.is_empty() {
        // No incident in the period to take it from: "amends total EUR 0", not " 0", in the
        // policy's currency (a policy that cannot be read leaves it empty, as before).
        if let Ok(lib) = ctx.library_for(None) {
            report.currency = lib.policy.currency;
        }
    }
    drop(progress);
    report.repeat_guests = store.repeat_guests(&filter)?;
    emit(args, &written(args, ctx, since, &report, None)?)
}

/// The report as JSON (with the charts' figures when `detail` is given), CSV or a table.
fn written(
    args: &ReportArgs,
    ctx: &Context,
    since: jiff::Timestamp,
    report: &Report,
    detail: Option<&crate::tally::detail::Detail>,
) -> Result<Vec<u8>, Error> {
    let mut out = Out::buffer();
    let format = Format::of(&args.output);
    match format {
        Format::Json => {
            let mut value = serde_json::to_value(report).map_err(|e| Error::stdout(e.into()))?;
            if let Some(detail) = detail {
                value["detail"] = serde_json::to_value(detail).map_err(|e| Error::stdout(e.into()))?;
            }
            out.json_line(&value)?;
        }
        Format::Csv { .. } => {
            out.csv_header(format, &CSV_COLUMNS)?;
            for line in rows(report) {
                out.csv_row(&line.csv(&report.currency))?;
            }
        }
        Format::Table => table_of(&mut out, ctx, since, report)?,
    }
    Ok(out.into_bytes())
}

/// A report in parts (sites of a shared log, or currencies): a headed table per part, a JSON
/// line per part with its `site`, or CSV rows with a leading `site` column.
fn written_parts(
    args: &ReportArgs,
    ctx: &Context,
    since: jiff::Timestamp,
    parts: &[crate::store::ReportPart],
) -> Result<Vec<u8>, Error> {
    let mut out = Out::buffer();
    let format = Format::of(&args.output);
    if let Format::Csv { .. } = format {
        let header: Vec<&str> = std::iter::once("site").chain(CSV_COLUMNS).collect();
        out.csv_header(format, &header)?;
    }
    for part in parts {
        let site = part.site.clone().unwrap_or_default();
        let report = &part.report;
        match format {
            Format::Json => {
                let mut value = serde_json::to_value(report).map_err(|e| Error::stdout(e.into()))?;
                value["site"] = part.site.clone().map_or(serde_json::Value::Null, serde_json::Value::String);
                out.json_line(&value)?;
            }
            Format::Csv { .. } => {
                for line in rows(report) {
                    let row: Vec<String> =
                        std::iter::once(site.clone()).chain(line.csv(&report.currency)).collect();
                    out.csv_row(&row)?;
                }
            }
            Format::Table => {
                let head = if site.is_empty() {
                    report.currency.clone()
                } else {
                    format!("{site} · {}", report.currency)
                };
                out.line(one_line(&head))?;
                table_of(&mut out, ctx, since, report)?;
                out.line("")?;
            }
        }
    }
    Ok(out.into_bytes())
}

/// The report as a table for people, in the session's language.
fn table_of(
    out: &mut Out<Vec<u8>>,
    ctx: &Context,
    since: jiff::Timestamp,
    report: &Report,
) -> Result<(), Error> {
    let config = &ctx.config;
    let lang = config.lang.value.code();
    out.line(ui::f(lang, "report_since", &[("when", &clock::local(since, config.tz()))]))?;
    let header = ["col_section", "col_item", "col_value"].map(|k| ui::t(lang, k));
    let mut t = table::new(config.styled_out, &header);
    let mut last = "";
    // Roles by the names the policy gives them, failure points by their playbooks' labels,
    // in this language.
    let lib = ctx.library_for(None).ok();
    let policy = lib.as_ref().map(|lib| &lib.policy);
    let builtin = built_in_points(config, &report.failure_points);
    for line in rows(report) {
        let shown = if line.section == last { String::new() } else { section_in(lang, line.section) };
        last = line.section;
        let value = match (line.section, line.item.as_str(), line.amount, line.count) {
            ("amends", "needing an approver", Some(amount), Some(n)) => {
                ui::n(lang, "report_in_incidents", n, &[("amount", &format!("{} {amount}", report.currency))])
            }
            _ => line.value.clone(),
        };
        let item = match (policy, line.section) {
            (Some(p), "amends by role") => p.role_label(&line.item, lang).to_owned(),
            (_, "failure points") => point_in(lib.iter().chain(&builtin), lang, &line.item),
            _ => item_in(lang, line.section, &line.item),
        };
        let value = match line.seconds {
            Some(s) => ui::duration(lang, s),
            None => value,
        };
        t.add_row(vec![shown, one_line(&item), one_line(&value)]);
    }
    out.text(&table::to_text(&t))
}

/// A section of the report table in `lang` (CSV keeps the English words scripts match).
fn section_in(lang: &str, section: &str) -> String {
    let key = match section {
        "incidents" => "report_t_incidents",
        "by type" => "report_by_type",
        "by severity" => "report_by_severity",
        "time to apology" => "report_time_to_apology",
        "time to fix" => "report_time_to_fix",
        "amends" => "report_t_amends",
        "amends withheld, why" => "report_t_withheld_why",
        "amends by type" => "report_amends_by_type",
        "amends by role" => "report_amends_by_role",
        "follow-ups" => "report_t_follow_ups",
        "failure points" => "report_t_failure_points",
        "servqual" => return "SERVQUAL".to_owned(),
        other => return other.to_owned(),
    };
    ui::t(lang, key).to_owned()
}

/// The built-in library without a name decodes no playbook: the playbooks of the failure
/// points shown are decoded on their own (none for a library of one's own, read whole).
fn built_in_points(config: &Config, points: &[(String, usize)]) -> Vec<crate::playbook::Library> {
    if config.playbooks.value.is_some() {
        return Vec::new();
    }
    let mut kinds: Vec<&str> =
        points.iter().filter_map(|(k, _)| k.split_once(": ")).map(|(k, _)| k).collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds.iter().map(|k| crate::playbook::Library::built_in_for(Some(k))).collect()
}

/// A failure point as the report counts it (`TYPE: POINT`) with the point in its playbook's
/// words in `lang`; a type or point the library no longer has stays as recorded.
fn point_in<'l>(
    mut libs: impl Iterator<Item = &'l crate::playbook::Library>,
    lang: &str,
    item: &str,
) -> String {
    let Some((kind, point)) = item.split_once(": ") else { return item.to_owned() };
    let label = libs
        .find_map(|lib| lib.find(kind).ok())
        .and_then(|pb| pb.failure_points.iter().find(|c| c.value == point))
        .map(|c| c.label.get(lang));
    match label {
        Some(label) => format!("{kind}: {label}"),
        None => item.to_owned(),
    }
}

/// An item of the report table in `lang`: the report's own words, severities and the
/// engine's reasons for withholding; types, roles, failure points and words given by
/// people stay as written.
fn item_in(lang: &str, section: &str, item: &str) -> String {
    if section == "by severity" {
        if let Some(s) = crate::playbook::Severity::from_key(item) {
            return ui::severity(lang, s).to_owned();
        }
    }
    if section == "amends withheld, why" {
        return ui::withheld_reason(lang, item).to_owned();
    }
    if section == "servqual" {
        return ui::servqual(lang, item);
    }
    let key = match (section, item) {
        (_, "total") => "report_total",
        (_, "in progress") => "status_in_progress",
        (_, "incomplete") => "status_incomplete",
        (_, "abandoned") => "status_abandoned",
        (_, "repeat guests") => "report_repeat_guests",
        (_, "clock went back (left out of the times)") => "report_clock_skew",
        (_, "median") => "report_median",
        (_, "90th percentile") => "report_p90",
        ("amends", "needing an approver") => "report_t_needing_approver",
        ("amends", "offered") => "report_t_offered",
        ("amends", "given") => "report_t_given",
        ("amends", "withheld") => "report_t_withheld",
        ("follow-ups", "done on time") => "report_on_time",
        ("follow-ups", "done late") => "report_late",
        ("follow-ups", "open") => "report_open",
        ("follow-ups", "overdue") => "report_overdue",
        ("follow-ups", "recovered") => "follow_up_recovered",
        ("follow-ups", "lost") => "follow_up_lost",
        ("follow-ups", "skipped") => "report_t_skipped",
        _ => return item.to_owned(),
    };
    ui::t(lang, key).to_owned()
}

/// Progress of reading the incidents `filter` matches, when it is shown.
fn reading(store: &dyn Store, filter: &Filter, lang: &str) -> Result<Progress, Error> {
    let total = if progress::shown() { Some(store.count(filter)? as u64) } else { None };
    Ok(Progress::start(ui::t(lang, "progress_reading"), total, lang))
}

/// Writes `doc` to `--output` or standard output.
fn emit(args: &ReportArgs, doc: &[u8]) -> Result<Exit, Error> {
    match &args.output_file {
        Some(path) => std::fs::write(path, doc).map_err(|source| Error::Io {
            action: "write",
            path: path.display().to_string(),
            source,
        })?,
        None => std::io::stdout().lock().write_all(doc).map_err(Error::stdout)?,
    }
    Ok(Exit::Success)
}

/// The report read from whole incidents, with what the charts need: for `--format html`,
/// `--detail` and `--type`, which the summary columns cannot answer.
fn detailed(
    ctx: &Context,
    args: &ReportArgs,
    since: jiff::Timestamp,
    now: jiff::Timestamp,
) -> Result<Exit, Error> {
    let config = &ctx.config;
    let lib = ctx.library_for(args.kind.as_deref())?;
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
    let store = ctx.store_to_read()?;
    let progress = reading(&*store, &filter, ctx.config.lang.value.code())?;
    if args.format != ReportFormat::Html {
        let (mut report, detail) =
            crate::tally::detail::detailed(&*store, &filter, now, config.tz(), targets)?;
        drop(progress);
        report.repeat_guests = store.repeat_guests(&filter)?;
        return emit(args, &written(args, ctx, since, &report, args.detail.then_some(&detail))?);
    }
    // The page is split as `report --json` is: per site when asked, and on a shared log per
    // currency, so that no chart adds amounts in different currencies together.
    let by_site = args.by == Some(crate::cli::ReportBy::Site);
    let split = (by_site, crate::server::log_server(config).is_some());
    let mut parts = crate::tally::detail::detailed_parts(&*store, &filter, now, config.tz(), targets, split)?;
    drop(progress);
    if by_site && parts.iter().all(|p| p.site.is_none()) {
        eprintln!("recover: warning: --by site: {}", no_sites(config));
    }
    for part in &mut parts {
        let builtin = built_in_points(config, &part.report.failure_points);
        for (item, _) in &mut part.report.failure_points {
            *item = point_in(std::iter::once(&lib).chain(&builtin), config.lang.value.code(), item);
        }
    }
    let page =
        Page { lang: config.lang.value.code(), tz: config.tz(), kind: kind.as_deref(), paper: args.paper };
    if let [part] = &mut parts[..] {
        if part.site.is_none() {
            part.report.repeat_guests = store.repeat_guests(&filter)?;
            let html = crate::render::report_html::html(&part.report, &part.detail, &page);
            return emit(args, html.as_bytes());
        }
    }
    emit(args, crate::render::report_html::html_parts(&parts, &page).as_bytes())
}
