//! `recover due` and `recover done`: follow-ups that must not be forgotten.

use std::collections::HashMap;

use serde::Serialize;

use super::out::{Format, Out};
use crate::cli::{DoneArgs, DueArgs};
use crate::clock;
use crate::context::Context;
use crate::duration::{Within, end_of_today};
use crate::engine::{Event, Incident, Outcome};
use crate::error::Error;
use crate::exit_code::Exit;
use crate::fx::FxBuild;
use crate::i18n as ui;
use crate::render::ics;
use crate::render::safe::one_line;
use crate::store::{Closing, DueRef};

/// One follow-up as `due` shows it, borrowed from what the log gave.
#[derive(Serialize)]
struct DueLine<'a> {
    incident: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(rename = "ref")]
    reference: Option<&'a str>,
    step: &'a str,
    #[serde(rename = "do")]
    action: &'a str,
    #[serde(with = "crate::clock::rfc3339")]
    due: jiff::Timestamp,
    overdue: bool,
    staff: &'a str,
    /// On a shared log only: a log file has no sites.
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<&'a str>,
    /// For the calendar only.
    #[serde(skip)]
    uid: &'a str,
}

/// Overdue follow-ups first, then those due within `--within` (default: rest of today);
/// on a shared log, `--site` keeps one site's (head office sees every site's).
pub fn due(ctx: &Context, args: &DueArgs) -> Result<Exit, Error> {
    // The log is opened as this desk (its own site), whatever site it reads.
    let (only_site, desk) = ctx.config.site_to_read(&crate::config::process_env)?;
    let ctx = &Context::new(desk);
    let config = &ctx.config;
    let now = clock::now();
    let until = match &args.within {
        Some(w) => w
            .parse::<Within>()
            .map_err(|_| {
                Error::usage(
                    format!("--within: `{}` is not a duration", one_line(w)),
                    "write e.g. --within 30m, 8h or 2d",
                )
            })?
            .after(now),
        // The calendar's default window is the table's (README: the rest of today), so
        // `due` and `due --ics` never disagree on what is due.
        None => end_of_today(now, config.tz()),
    };
    let store = if args.check { ctx.store_to_check()? } else { ctx.store_to_read()? };
    let lib = ctx.library_for_follow_ups();
    let only_site = only_site.as_deref();
    // Shown once: a store hands them over once (with none, an empty list); should one not
    // call at all, "nothing due" is still said.
    let mut shown = None;
    store.due_with(until, &mut |due| {
        let due: Vec<&DueRef> = due.iter().filter(|d| only_site.is_none() || d.site == only_site).collect();
        shown.get_or_insert_with(|| show(ctx, args, lib.as_ref(), now, &due));
    })?;
    shown.unwrap_or_else(|| show(ctx, args, lib.as_ref(), now, &[]))
}

/// Shows the follow-ups `due` found, as `args` asks.
fn show<'a>(
    ctx: &Context,
    args: &DueArgs,
    lib: Option<&crate::playbook::Library>,
    now: jiff::Timestamp,
    due: &[&DueRef<'a>],
) -> Result<Exit, Error> {
    let config = &ctx.config;
    let lang = config.lang.value.code();
    let actions = actions(ctx, lib, lang, due);
    // Each line made as it is written (a table of hundreds holds its cells, not these too).
    let line = |d: &DueRef<'a>| DueLine {
        action: actions.get(&(d.kind, d.step)).map_or("", String::as_str),
        overdue: d.due < now,
        incident: d.incident,
        kind: d.kind,
        reference: if args.redact { None } else { d.reference },
        step: d.step,
        due: d.due,
        staff: d.staff,
        site: d.site,
        uid: d.uid,
    };
    if args.ics {
        let rows: Vec<DueLine> = due.iter().map(|d| line(d)).collect();
        let entries: Vec<ics::Entry> = rows.iter().map(|r| entry(r, lang)).collect();
        let name = ui::t(lang, "report_follow_ups");
        let mut out = Out::stdout();
        out.text(&ics::calendar(&entries, name, now))?;
        out.flush()?;
        return Ok(Exit::Success);
    }
    let overdue = due.iter().filter(|d| d.due < now).count();
    let mut out = Out::stdout();
    let format = Format::of(&args.output);
    match format {
        Format::Json => due.iter().try_for_each(|d| out.json_line(&line(d)))?,
        Format::Csv { .. } => {
            out.csv_header(format, &["incident", "type", "ref", "step", "do", "due", "overdue", "staff"])?;
            for r in due.iter().map(|d| line(d)) {
                out.csv_row(&[
                    r.incident,
                    r.kind,
                    r.reference.unwrap_or(""),
                    r.step,
                    r.action,
                    &clock::rfc3339::stamp(&r.due),
                    &r.overdue.to_string(),
                    r.staff,
                ])?;
            }
        }
        Format::Table if due.is_empty() => eprintln!("recover: {}", ui::t(lang, "nothing_due")),
        Format::Table => {
            // The step says what kind of follow-up it is; the type is in --json and --csv.
            let overdue_word = ui::t(lang, "due_overdue");
            // The times in one string, the cells borrowing them: no allocation a row.
            let mut times = String::with_capacity(16 * due.len());
            let spans: Vec<std::ops::Range<usize>> = due
                .iter()
                .map(|d| {
                    let start = times.len();
                    clock::push_local(&mut times, d.due, config.tz());
                    start..times.len()
                })
                .collect();
            let cells: Vec<[&str; 7]> = due
                .iter()
                .zip(spans)
                .map(|(d, time)| {
                    let r = line(d);
                    [
                        if r.overdue { overdue_word } else { "" },
                        times.get(time).unwrap_or(""),
                        // Made safe and put on one line by the table.
                        r.incident,
                        r.reference.unwrap_or(""),
                        r.step,
                        r.action,
                        r.staff,
                    ]
                })
                .collect();
            let header = ["", "col_due", "col_incident", "col_ref", "col_step", "col_do", "col_staff"]
                .map(|k| ui::t(lang, k));
            out.table(config.styled_out, &header, &cells)?;
            out.flush()?;
            let (n, overdue) = (due.len().to_string(), overdue.to_string());
            eprintln!("recover: {}", ui::f(lang, "due_summary", &[("n", &n), ("overdue", &overdue)]));
        }
    }
    out.flush()?;
    Ok(if args.check && overdue > 0 { Exit::NotInOrder } else { Exit::Success })
}

/// What each follow-up asks, by type and step, looked up once for each: a long list asks
/// the same few steps of the same few types.
fn actions<'d>(
    ctx: &Context,
    lib: Option<&crate::playbook::Library>,
    lang: &str,
    due: &[&DueRef<'d>],
) -> HashMap<(&'d str, &'d str), String, FxBuild> {
    let mut actions = HashMap::default();
    for d in due {
        actions.entry((d.kind, d.step)).or_insert_with(|| ctx.follow_up_action(lib, d.kind, d.step, lang));
    }
    actions
}

/// A follow-up as a calendar entry: what to do as its title; the incident, its type and
/// ref, who handled it and how to close it in its body; its site (on a shared log) as
/// where it is.
fn entry<'a>(r: &DueLine<'a>, lang: &str) -> ics::Entry<'a> {
    let step = ui::f(lang, "follow_up_row", &[("step", r.step)]);
    let summary = if r.action.is_empty() {
        format!("{step} ({})", r.incident)
    } else {
        format!("{step}: {} ({})", r.action, r.incident)
    };
    let mut description = format!("{}: {} \u{b7} {}", ui::t(lang, "incident_id"), r.incident, r.kind);
    if let Some(reference) = r.reference {
        description.push_str(&ui::f(lang, "summary_ref", &[("reference", reference)]));
    }
    description.push_str(&format!(" \u{b7} {}\nrecover done {} {}", r.staff, r.incident, r.step));
    ics::Entry {
        uid: r.uid,
        incident: r.incident,
        step: r.step,
        summary,
        description,
        due: r.due,
        location: r.site,
    }
}

/// Closes a follow-up, recording when, by whom and whether the customer was won back; or
/// records a step skipped at the time as done afterwards. The engine decides which, and
/// whether it may, on the incident as the log holds it when the change is written.
pub fn done(ctx: &Context, args: DoneArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    // Who did it is part of the record: never a follow-up closed by no one.
    let given = args.staff.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let Some(by) = given.or_else(|| config.staff.clone()) else {
        return Err(Error::usage(
            "no name to record who did it: no --staff, RECOVER_STAFF or USER",
            "pass --staff NAME or set RECOVER_STAFF",
        ));
    };
    let closing = Closing {
        at: clock::now(),
        by: Some(by),
        outcome: args.outcome,
        note: args.note.clone().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
    };
    let mut store = ctx.store()?;
    // Whether a step is required is the playbook's to say: read it only for a step that
    // was skipped, not for closing a follow-up.
    let library = match store.get(&args.id) {
        Ok(i)
            if i.steps
                .iter()
                .any(|s| s.outcome == Outcome::Skipped && s.id.eq_ignore_ascii_case(args.step.trim())) =>
        {
            Some((ctx.library_quiet()?, i.kind))
        }
        _ => None,
    };
    let playbook = match &library {
        Some((lib, kind)) => Some(lib.find(kind)?),
        None => None,
    };
    let mut decided = Vec::new();
    let incident = store.update(&args.id, &mut |i| {
        decided = crate::engine::done(i, playbook, &args.step, &closing)?;
        Ok(decided.clone())
    })?;
    // On a shared log another desk may have closed the same follow-up first, each desk
    // deciding on what it held: the server keeps one close, and this desk's push is told
    // (and says so). Read back what the log holds now: a close that did not stick is not
    // reported as done, and the command fails as the loser of two terminals on one log does.
    let closed_here = |step: &str, now: &Incident| {
        now.follow_ups.iter().find(|f| f.step == step).is_none_or(|f| {
            f.done_by == closing.by
                && f.done_at.map(jiff::Timestamp::as_millisecond) == Some(closing.at.as_millisecond())
        })
    };
    let mut incident = incident;
    let mut lost = false;
    if decided.iter().any(|e| matches!(e, Event::FollowUpClosed { .. })) {
        let now = store.get(&incident.id)?;
        lost = decided
            .iter()
            .any(|e| matches!(e, Event::FollowUpClosed { step, .. } if !closed_here(step, &now)));
        incident = now;
    }
    if args.json {
        let mut out = Out::stdout();
        out.json_line(&incident)?;
        out.flush()?;
    }
    if lost {
        return Ok(Exit::Usage);
    }
    let lang = config.lang.value.code();
    for event in &decided {
        match event {
            Event::FollowUpClosed { step, .. } => eprintln!(
                "recover: {}",
                ui::f(
                    lang,
                    "done_closed",
                    &[
                        ("step", &one_line(step)),
                        ("id", &one_line(&incident.id)),
                        ("outcome", ui::follow_up_outcome(lang, Some(closing.closes_as())))
                    ]
                )
            ),
            Event::StepCompleted { step, .. } => {
                let status_key = format!("status_{}", incident.status.key());
                eprintln!(
                    "recover: {}",
                    ui::f(
                        lang,
                        "done_afterwards_line",
                        &[
                            ("step", &one_line(step)),
                            ("id", &one_line(&incident.id)),
                            ("status", ui::t(lang, &status_key)),
                        ]
                    )
                );
            }
            _ => {}
        }
    }
    Ok(Exit::Success)
}
