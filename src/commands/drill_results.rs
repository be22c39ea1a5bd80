//! Drill results: recorded after each drill, and shown per person and playbook with
//! `drill --results`, so a trainer sees who needs which playbook again.

use std::io::Write;

use serde_json::json;

use crate::cli::DrillArgs;
use crate::clock;
use crate::context::Context;
use crate::engine::drill::{Drill, Score};
use crate::error::Error;
use crate::exit_code::Exit;
use crate::i18n as ui;
use crate::playbook::Phase;
use crate::render::{csv, safe::one_line, table};
use crate::store::DrillResult;

/// Records a finished drill in the log's drill table (never among incidents).
pub fn record(ctx: &Context, drill: &Drill, staff: &str, role: &str, score: &Score) -> Result<(), Error> {
    let mut phases = [(0, 0); 4];
    for (phase, right, asked) in &score.phases {
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        phases[*phase as usize] = (n(*right), n(*asked));
    }
    let result = DrillResult {
        at: clock::now(),
        staff: staff.to_owned(),
        role: role.to_owned(),
        kind: drill.playbook.kind.clone(),
        seed: drill.seed,
        severity: drill.severity.key().to_owned(),
        phases,
        reread: score.reread.iter().map(|(_, s)| s.id.clone()).collect(),
    };
    ctx.store()?.record_drill(&result)?;
    Ok(())
}

/// Results added up per person and playbook.
struct Row {
    staff: String,
    kind: String,
    drills: usize,
    last: jiff::Timestamp,
    phases: [(u32, u32); 4],
    reread: Vec<String>,
}

impl Row {
    fn total(&self) -> (u32, u32) {
        self.phases.iter().fold((0, 0), |(r, a), (pr, pa)| (r + pr, a + pa))
    }
}

fn rows(results: Vec<DrillResult>) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for r in results {
        let i = if let Some(i) = rows.iter().position(|x| x.staff == r.staff && x.kind == r.kind) {
            i
        } else {
            rows.push(Row {
                staff: r.staff.clone(),
                kind: r.kind.clone(),
                drills: 0,
                last: r.at,
                phases: [(0, 0); 4],
                reread: Vec::new(),
            });
            rows.len() - 1
        };
        let row = &mut rows[i];
        row.drills += 1;
        row.last = row.last.max(r.at);
        for (sum, (right, asked)) in row.phases.iter_mut().zip(r.phases) {
            *sum = (sum.0 + right, sum.1 + asked);
        }
        // What the latest drill left to reread is what still needs reading.
        row.reread = r.reread;
    }
    rows.sort_by(|a, b| a.staff.cmp(&b.staff).then(a.kind.cmp(&b.kind)));
    rows
}

fn ratio((right, asked): (u32, u32)) -> String {
    if asked == 0 { "-".to_owned() } else { format!("{right}/{asked}") }
}

/// `drill --results [--since WHEN]`: a table, `--json` lines or `--csv`.
pub fn run(ctx: &Context, args: &DrillArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let since = args.since.as_deref().map(|s| super::log::moment(s, "--since", config)).transpose()?;
    let store = ctx.store_to_read()?;
    let mut results = store.drill_results(since)?;
    if let Some(staff) = &args.staff {
        results.retain(|r| r.staff.eq_ignore_ascii_case(staff));
    }
    let rows = rows(results);
    let mut out = std::io::stdout().lock();
    let lang = config.lang.value.code();
    if args.output.json {
        for r in &rows {
            let phases: serde_json::Map<String, serde_json::Value> = Phase::ALL
                .iter()
                .map(|p| {
                    let (right, asked) = r.phases[*p as usize];
                    (p.key().to_owned(), json!({"right": right, "asked": asked}))
                })
                .collect();
            let (right, asked) = r.total();
            let line = json!({
                "staff": r.staff, "type": r.kind, "drills": r.drills,
                "last": clock::rfc3339::stamp(&r.last), "right": right, "asked": asked,
                "phases": phases, "reread": r.reread,
            });
            writeln!(out, "{line}").map_err(Error::stdout)?;
        }
        return Ok(Exit::Success);
    }
    if args.output.csv {
        let mut header = vec!["staff", "type", "drills", "last", "right", "asked"];
        for p in Phase::ALL {
            header.push(p.key());
        }
        header.push("reread");
        write!(out, "{}", csv::line(&header)).map_err(Error::stdout)?;
        for r in &rows {
            let (right, asked) = r.total();
            let mut cells = vec![
                r.staff.clone(),
                r.kind.clone(),
                r.drills.to_string(),
                clock::rfc3339::stamp(&r.last),
                right.to_string(),
                asked.to_string(),
            ];
            cells.extend(r.phases.iter().map(|p| ratio(*p)));
            cells.push(r.reread.join(" "));
            write!(out, "{}", csv::line(&cells)).map_err(Error::stdout)?;
        }
        return Ok(Exit::Success);
    }
    if rows.is_empty() {
        eprintln!("recover: {}", ui::t(lang, "drill_no_results"));
        return Ok(Exit::Success);
    }
    let mut header: Vec<String> = ["col_staff", "col_type", "col_drills", "col_last", "col_score"]
        .iter()
        .map(|k| ui::t(lang, k).to_owned())
        .collect();
    header.extend(Phase::ALL.iter().map(|p| ui::phase(lang, *p).to_uppercase()));
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut c = vec![
                one_line(&r.staff),
                one_line(&r.kind),
                r.drills.to_string(),
                clock::local(r.last, config.tz()),
                ratio(r.total()),
            ];
            c.extend(r.phases.iter().map(|p| ratio(*p)));
            c
        })
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    write!(out, "{}", table::render(config.styled_out, &header, &cells)).map_err(Error::stdout)?;
    Ok(Exit::Success)
}
