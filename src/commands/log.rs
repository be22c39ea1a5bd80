//! `recover log` and `recover show-incident`: past incidents for people and scripts.

use std::io::Write;

use crate::cli::{LogArgs, ShowIncidentArgs};
use crate::clock;
use crate::config::Config;
use crate::duration::parse_moment;
use crate::engine::Incident;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::table::Columns;
use crate::render::{csv, safe::one_line, summary, table};
use crate::store::{Filter, Store};

/// The columns of `log`, for the table and CSV alike.
const COLUMNS: [&str; 10] = [
    "id",
    "started",
    "type",
    "severity",
    "staff",
    "ref",
    "status",
    "amends",
    "open_follow_ups",
    "failure_point",
];

/// The columns of the table people read: the first eight of [`COLUMNS`], so that it fits
/// a terminal; CSV and JSON carry the rest.
const TABLE_COLUMNS: [&str; 8] = ["id", "started", "type", "severity", "staff", "ref", "status", "amends"];

fn table_row(i: &Incident, config: &Config) -> [String; 8] {
    let [id, started, kind, severity, staff, reference, status, amends, ..] = row(i, config, false);
    [id, started, kind, severity, staff, reference, status, amends].map(|c| one_line(&c))
}

fn row(i: &Incident, config: &Config, exact_time: bool) -> [String; 10] {
    let open = i.follow_ups.iter().filter(|f| f.done_at.is_none()).count();
    [
        i.id.clone(),
        if exact_time {
            clock::rfc3339::text(&i.started_at)
        } else {
            clock::local(i.started_at, config.tz())
        },
        i.kind.clone(),
        i.severity.map(|s| s.to_string()).unwrap_or_default(),
        i.staff.clone(),
        i.reference.clone().unwrap_or_default(),
        i.status.key().to_owned(),
        format!("{} {}", i.currency, i.amends_total),
        open.to_string(),
        i.failure_point.clone().unwrap_or_default(),
    ]
}

/// Most rows `log` lays out as one table in memory (boxes and colour in a terminal);
/// longer results are streamed as plain columns.
const TABLE_ROWS_IN_MEMORY: usize = 2000;

/// Resolves `--since`-style values, reporting bad ones as usage errors.
pub fn moment(value: &str, flag: &str, config: &Config) -> Result<jiff::Timestamp, Error> {
    parse_moment(value, clock::now(), config.tz())
        .map_err(|why| Error::usage(format!("{flag}: {why}"), "see `recover help`"))
}

/// Incidents newest first, filtered.
pub fn log(config: &Config, args: &LogArgs) -> Result<Exit, Error> {
    let kind = args.kind.as_ref().map(|k| {
        config
            .library_quiet()
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
    };
    let store = config.store_to_read()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed: Option<std::io::Error> = None;
    let mut keep = |r: std::io::Result<()>| match r {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e);
            false
        }
    };
    if args.output.json || args.output.csv {
        if args.output.csv {
            write!(out, "{}", csv::line(&COLUMNS))?;
        }
        store.scan(&filter, false, &mut |i| {
            keep(if args.output.json {
                serde_json::to_writer(&mut out, &i)
                    .map_err(std::io::Error::other)
                    .and_then(|()| writeln!(out))
            } else {
                write!(out, "{}", csv::line(&row(&i, config, true)))
            })
        })?;
    } else {
        // A table needs every row to size its columns. People ask for a shift or a day,
        // which is built in memory as before; past that, a first reading sizes the columns
        // and a second prints them a row at a time, so a year's log never sits in memory.
        let mut rows: Vec<[String; 8]> = Vec::new();
        let mut columns = Columns::new(&TABLE_COLUMNS);
        let mut count = 0usize;
        store.scan(&filter, false, &mut |i| {
            let cells = table_row(&i, config);
            columns.fit(&cells);
            count += 1;
            if count <= TABLE_ROWS_IN_MEMORY {
                rows.push(cells);
            } else if !rows.is_empty() {
                // Too long for one table: the second reading prints it.
                rows = Vec::new();
            }
            true
        })?;
        if count <= TABLE_ROWS_IN_MEMORY {
            keep(write!(out, "{}", table::text(config.styled_out, &TABLE_COLUMNS, &rows)));
        } else if keep(write!(out, "{}", columns.header(&TABLE_COLUMNS))) {
            store.scan(&filter, false, &mut |i| {
                keep(write!(out, "{}", columns.line(&table_row(&i, config))))
            })?;
        }
        if count == 0 && keep(out.flush()) {
            eprintln!("recover: no incidents match");
        }
    }
    keep(out.flush());
    if let Some(e) = failed {
        return Err(e.into());
    }
    Ok(Exit::Success)
}

/// One incident's summary again.
pub fn show_incident(config: &Config, args: &ShowIncidentArgs) -> Result<Exit, Error> {
    let incident = config.store_to_read()?.get(&args.id)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&incident).unwrap_or_default())?;
    } else {
        write!(
            out,
            "{}",
            summary::text(
                &incident,
                config.library_quiet().ok().as_ref(),
                config.lang.value.code(),
                config.tz(),
                config.styled_out
            )
        )?;
    }
    Ok(Exit::Success)
}
