//! `recover log` and `recover show-incident`: past incidents for people and scripts.

use std::io::Write;

use super::out::{Format, Out};
use crate::cli::{LogArgs, ShowIncidentArgs};
use crate::clock;
use crate::config::Config;
use crate::context::Context;
use crate::duration::parse_moment;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::i18n as ui;
use crate::render::table::Columns;
use crate::render::{safe::one_line, summary};
use crate::store::{Filter, Listed};

/// The columns of `log`'s CSV: the table's, with the amends as a plain number and the
/// currency in a column of its own, so spreadsheets can add them up.
const COLUMNS: [&str; 11] = [
    "id",
    "started",
    "type",
    "severity",
    "staff",
    "ref",
    "status",
    "amends_total",
    "currency",
    "open_follow_ups",
    "failure_point",
];

fn table_row(i: &Listed, config: &Config) -> [String; 8] {
    let lang = config.lang.value.code();
    let severity = i.severity.map(|s| ui::severity(lang, s).to_owned()).unwrap_or_default();
    // By its key, so a status the catalog does not name yet is shown as its key.
    let key = format!("status_{}", i.status.key());
    let status = match ui::t(lang, &key) {
        named if named != key => named.to_owned(),
        _ => i.status.key().to_owned(),
    };
    [
        i.id.clone(),
        clock::local(i.started_at, config.tz()),
        i.kind.clone(),
        severity,
        i.staff.clone(),
        i.reference.clone().unwrap_or_default(),
        status,
        format!("{} {}", i.currency, i.amends_total),
    ]
    .map(|c| one_line(&c))
}

/// The headings of the table people read, in `lang`, so that it fits a terminal (CSV and
/// JSON carry the rest).
fn table_header(lang: &str) -> [&'static str; 8] {
    ["col_id", "col_started", "col_type", "col_severity", "col_staff", "col_ref", "col_status", "col_amends"]
        .map(|k| ui::t(lang, k))
}

fn csv_row(i: &Listed) -> [String; 11] {
    [
        i.id.clone(),
        clock::rfc3339::stamp(&i.started_at),
        i.kind.clone(),
        i.severity.map(|s| s.to_string()).unwrap_or_default(),
        i.staff.clone(),
        i.reference.clone().unwrap_or_default(),
        i.status.key().to_owned(),
        i.amends_total.to_string(),
        i.currency.clone(),
        i.open_follow_ups.to_string(),
        i.failure_point.clone().unwrap_or_default(),
    ]
}

/// Most rows `log` lays out as one table in memory (boxes and colour in a terminal);
/// past that (`--all`, a large `--limit`) the columns are sized by these first rows and
/// the rest streamed in them, so the first line comes at once whatever the size.
const TABLE_ROWS_IN_MEMORY: usize = 2000;

/// How many incidents the table for people shows unless told (`--limit N`, `--all`).
pub const PAGE: usize = 50;

/// Resolves `--since`-style values, reporting bad ones as usage errors.
pub fn moment(value: &str, flag: &str, config: &Config) -> Result<jiff::Timestamp, Error> {
    parse_moment(value, clock::now(), config.tz()).map_err(|why| {
        Error::usage(format!("{flag}: {why}"), "write e.g. 8h, 2d, today, 2026-11-01 or 2026-11-01T08:00:00Z")
    })
}

/// Incidents newest first, filtered.
pub fn log(ctx: &Context, args: &LogArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let kind = args.kind.as_ref().map(|k| {
        ctx.library_quiet()
            .ok()
            .and_then(|lib| lib.find(k).ok().map(|p| p.kind.clone()))
            .unwrap_or_else(|| k.clone())
    });
    let filter = Filter {
        since: args.since.as_deref().map(|s| moment(s, "--since", config)).transpose()?,
        before: None,
        kind,
        staff: args.staff.clone(),
        open: args.open,
        status: args.status,
    };
    let store = ctx.store_to_read()?;
    let mut out = Out::stdout();
    let format = Format::of(&args.output);
    // A write that fails stops the scan; the failure is returned once it has stopped.
    let mut failed: Option<Error> = None;
    let mut keep = |r: Result<(), Error>| match r {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e);
            false
        }
    };
    // Scripts get every match unless they ask for fewer; people get a page.
    let machine = format != Format::Table;
    let limit = match (args.all, args.limit) {
        (true, _) => usize::MAX,
        (false, Some(n)) => usize::try_from(n).unwrap_or(usize::MAX),
        (false, None) if machine => usize::MAX,
        (false, None) => PAGE,
    };
    let mut shown = 0usize;
    if format == Format::Json {
        store.scan_json(&filter, false, false, &mut |line| {
            shown += 1;
            shown <= limit && keep(out.bytes(line))
        })?;
    } else if let Format::Csv { .. } = format {
        out.csv_header(format, &COLUMNS)?;
        store.scan_listed(&filter, &mut |i| {
            shown += 1;
            shown <= limit && keep(out.csv_row(&csv_row(&i)))
        })?;
    } else {
        // A table needs its rows to size its columns: up to TABLE_ROWS_IN_MEMORY are laid
        // out as one; past that, those size the columns and the rest stream in them.
        let header = table_header(config.lang.value.code());
        let mut rows: Vec<[String; 8]> = Vec::new();
        let mut columns: Option<Columns> = None;
        let mut more = false;
        store.scan_listed(&filter, &mut |i| {
            if shown == limit {
                more = true;
                return false;
            }
            shown += 1;
            let cells = table_row(&i, config);
            if let Some(columns) = &columns {
                return keep(out.text(&columns.line(&cells)));
            }
            rows.push(cells);
            if rows.len() < TABLE_ROWS_IN_MEMORY {
                return true;
            }
            let mut sized = Columns::new(&header);
            for r in &rows {
                sized.fit(r);
            }
            let mut text = sized.header(&header);
            for r in rows.drain(..) {
                text.push_str(&sized.line(&r));
            }
            columns = Some(sized);
            keep(out.text(&text))
        })?;
        if columns.is_none() {
            keep(out.table(config.styled_out, &header, &rows));
        }
        if shown == 0 && !more && keep(out.flush()) {
            eprintln!("recover: {}", ui::t(config.lang.value.code(), "no_incidents_match"));
        }
        if more && keep(out.flush()) {
            // Counted only so far: past that the exact number costs the whole log's index.
            let cap = shown + COUNT_MORE_UP_TO;
            let total = store.count_up_to(&filter, cap)?;
            let lang = config.lang.value.code();
            let line = if total >= cap {
                ui::n(lang, "log_newest_capped", shown, &[("more", &COUNT_MORE_UP_TO.to_string())])
            } else {
                let more = (total - shown).to_string();
                ui::n(lang, "log_newest_of", total, &[("shown", &shown.to_string()), ("more", &more)])
            };
            eprintln!("recover: {line}");
        }
    }
    keep(out.flush());
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(Exit::Success)
}

/// How far past the page the note under the `log` table counts.
const COUNT_MORE_UP_TO: usize = 10_000;

/// One incident's summary again.
pub fn show_incident(ctx: &Context, args: &ShowIncidentArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let store = ctx.store_to_read()?;
    let incident = store.get(&args.id)?;
    let conflicts = store.close_conflicts(&incident.uid)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut line = Vec::new();
        crate::render::json::incident(&mut line, &incident, false);
        if !conflicts.is_empty() {
            crate::render::json::with_close_conflicts(&mut line, &conflicts);
        }
        out.write_all(&line).map_err(Error::stdout)?;
    } else {
        write!(
            out,
            "{}",
            summary::render(
                &incident,
                ctx.library_quiet().ok().as_ref(),
                config.lang.value.code(),
                config.tz(),
                config.styled_out
            )
        )
        .map_err(Error::stdout)?;
        close_conflicts(&mut out, config, &conflicts)?;
    }
    Ok(Exit::Success)
}

/// Closes of a follow-up that reached the shared log after another desk's: kept, shown
/// under the summary so nobody's word is lost.
fn close_conflicts(
    out: &mut impl Write,
    config: &Config,
    conflicts: &[crate::store::CloseConflict],
) -> Result<(), Error> {
    use crate::render::safe::one_line;
    if conflicts.is_empty() {
        return Ok(());
    }
    let lang = config.lang.value.code();
    writeln!(out, "{}", crate::i18n::t(lang, "close_conflicts")).map_err(Error::stdout)?;
    for c in conflicts {
        let by = c.done_by.as_deref().map_or_else(|| "-".to_owned(), one_line);
        let outcome = c.outcome.map_or("-", crate::engine::FollowUpOutcome::key);
        let when = crate::clock::local(c.done_at, config.tz());
        let line = crate::i18n::f(
            lang,
            "close_conflict_line",
            &[("step", &one_line(&c.step)), ("outcome", outcome), ("by", &by), ("when", &when)],
        );
        match &c.note {
            Some(note) => writeln!(out, "  {line}: {}", one_line(note)).map_err(Error::stdout)?,
            None => writeln!(out, "  {line}").map_err(Error::stdout)?,
        }
    }
    Ok(())
}
