//! `recover start` and `recover resume`: pick the driver, run the engine, show the summary.

use std::io::{IsTerminal, Write};

use crate::cli::{ResumeArgs, StartArgs};
use crate::clock;
use crate::config::Config;
use crate::drivers::answers::{Answers, AnswersFile};
use crate::drivers::drive;
use crate::drivers::terminal::{Terminal, install_interrupt_handler, resume_hint, set_resumable};
use crate::drivers::yes::Yes;
use crate::engine::{Incident, Session, Start, Status};
use crate::error::Error;
use crate::exit_code::Exit;
use crate::playbook::{Library, Severity};
use crate::render::safe::one_line;
use crate::store::{SqliteStore, Store};

fn no_terminal() -> Error {
    Error::usage(
        "a prompt is needed but standard input is not a terminal",
        "pass --answers FILE or --yes to run without prompts",
    )
}

fn interactive_ok() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Runs a new session with the driver the flags ask for.
pub fn start(config: &Config, args: StartArgs) -> Result<Exit, Error> {
    let lib = config.library()?;
    let answers = args.answers.as_deref().map(AnswersFile::load).transpose()?;
    let file_kind = answers.as_ref().and_then(|a| a.kind.clone());
    let kind = args
        .kind
        .clone()
        .or(file_kind.clone())
        .ok_or_else(|| Error::usage("no type given", "pass --type TYPE"))?;
    let playbook = lib.find(&kind)?;
    let pick = |flag: &Option<String>, file: Option<&String>, env: &Option<String>| {
        flag.clone().or_else(|| file.cloned()).or_else(|| env.clone())
    };
    let staff = pick(&args.staff, answers.as_ref().and_then(|a| a.staff.as_ref()), &config.staff)
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned());
    let role_given = pick(&args.role, answers.as_ref().and_then(|a| a.role.as_ref()), &config.role);
    let (role, limit) = resolve_role(&lib, role_given.as_deref())?;
    let now = clock::now();
    let guest = args.guest_key.as_deref().map(|key| repeat_guest(config, &lib, key, now)).transpose()?;
    let suggested = guest.as_ref().and_then(|g| g.suggested);
    let start = Start {
        staff,
        role,
        limit,
        currency: lib.policy.currency.clone(),
        reference: args.reference.clone().or_else(|| answers.as_ref().and_then(|a| a.reference.clone())),
        severity: args
            .severity
            .or_else(|| answers.as_ref().and_then(|a| a.severity))
            .or(args.yes.then_some(suggested.unwrap_or(Severity::Minor))),
        failure_point: args.failure_point.clone(),
    };
    start.check()?;
    crate::engine::check_name("the approver's name", args.approved_by.as_deref())?;
    if let Some(point) = &args.failure_point {
        let known =
            point.eq_ignore_ascii_case("other") || playbook.failure_points.iter().any(|c| c.matches(point));
        if !known {
            let listed: Vec<&str> = playbook.failure_points.iter().map(|c| c.value.as_str()).collect();
            return Err(Error::usage(
                format!("--failure-point `{}` is not one of this playbook's", one_line(point)),
                format!("use one of: {}, other", listed.join(", ")),
            ));
        }
    }
    let mut session = Session::begin(playbook, start, now);

    if let Some(file) = &answers {
        let mut problems = file.check(&session);
        if let (Some(fk), Some(ak)) = (&file_kind, &args.kind) {
            if lib.find(fk).map(|p| &p.kind) != Ok(&playbook.kind) {
                problems.insert(
                    0,
                    file.problem("type", format!("the answers are for type `{fk}`, but --type is `{ak}`")),
                );
            }
        }
        if !problems.is_empty() {
            for p in &problems {
                eprintln!("{}", one_line(&p.to_string()));
            }
            return Err(Error::BadInput { file: file.file.clone(), count: problems.len() });
        }
        let mut store = config.store()?;
        create(&mut store, &mut session, guest.as_ref())?;
        drive(&mut session, &mut Answers::new(file), &mut store)?;
        return finish(config, &lib, &session, args.json);
    }
    if args.yes {
        let mut driver =
            Yes { severity: suggested.unwrap_or(Severity::Minor), approved_by: args.approved_by.clone() };
        // Check the rules before recording anything, as for an answers file.
        match drive(&mut session.clone(), &mut driver, &mut crate::drivers::DryRun) {
            Err(Error::Rule(over @ crate::engine::Rule::OverLimit { .. })) => {
                return Err(Error::usage(
                    over.to_string(),
                    "pass --approved-by NAME once they agree, or use --answers to give fewer amends",
                ));
            }
            other => other?,
        }
        let mut store = config.store()?;
        create(&mut store, &mut session, guest.as_ref())?;
        drive(&mut session, &mut driver, &mut store)?;
        return finish(config, &lib, &session, args.json);
    }
    if !interactive_ok() {
        return Err(no_terminal());
    }
    let mut store = config.store()?;
    create(&mut store, &mut session, guest.as_ref())?;
    interactive(config, &lib, &mut session, &mut store, args.guest_lang.clone(), suggested, args.json)
}

/// A guest named with `--guest`: the keyed hash of their key, how many incidents they had
/// lately, and the severity suggested when they had any.
struct Guest {
    hash: String,
    earlier: usize,
    suggested: Option<Severity>,
}

/// Looks the guest up and, when they had incidents in the policy's window, says so on
/// standard error before any question (so before the amends).
fn repeat_guest(config: &Config, lib: &Library, key: &str, now: jiff::Timestamp) -> Result<Guest, Error> {
    if crate::guest::normalise(key).is_empty() {
        return Err(Error::usage("--guest is empty", "give a booking number, loyalty id or e-mail"));
    }
    let secret = crate::guest::secret(config.log_path()?)?;
    let hash = crate::guest::hash(&secret, key);
    let days = lib.policy.repeat_guest_days.unwrap_or(180);
    let since = now.checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(now);
    // No log yet: nobody was here before (and no warning that there is no log).
    let history =
        if config.log_path()?.exists() { Some(config.store()?.guest_history(&hash, since)?) } else { None };
    let Some((history, (id, when))) = history.as_ref().and_then(|h| h.latest.as_ref().map(|l| (h, l))) else {
        return Ok(Guest { hash, earlier: 0, suggested: None });
    };
    let suggested = history.worst.unwrap_or(Severity::Minor).next_up();
    let lang = config.lang.value.code();
    eprintln!(
        "recover: {}",
        crate::i18n::f(
            lang,
            "repeat_guest",
            &[
                ("count", &history.count.to_string()),
                ("days", &days.to_string()),
                ("id", &one_line(id)),
                ("when", &clock::local(*when, config.tz())),
                ("severity", crate::i18n::severity(lang, suggested)),
            ],
        )
    );
    Ok(Guest { hash, earlier: history.count, suggested: Some(suggested) })
}

/// Continues an interrupted incident at its first unanswered question.
pub fn resume(config: &Config, args: &ResumeArgs) -> Result<Exit, Error> {
    let lib = config.library()?;
    let mut store = config.store()?;
    let incident: Incident = match &args.id {
        Some(id) => store.get(id)?,
        None => store.latest_unfinished()?.ok_or_else(|| {
            Error::usage("no unfinished incident to resume", "run `recover log --open` to see incidents")
        })?,
    };
    let playbook = lib.find(&incident.kind)?;
    let mut session = Session::resume(playbook, incident);
    if session.is_finished() {
        eprintln!("recover: incident {} is already finished", one_line(&session.incident().id));
        return finish(config, &lib, &session, args.json);
    }
    if session.next_question().is_none() {
        drive(
            &mut session,
            &mut crate::drivers::yes::Yes { severity: Severity::Minor, approved_by: None },
            &mut store,
        )?;
        return finish(config, &lib, &session, args.json);
    }
    if !interactive_ok() {
        return Err(no_terminal());
    }
    // A repeat guest's session, resumed, still suggests the next severity up.
    let suggested = match store.guest_of(&session.incident().id)? {
        Some((hash, earlier)) if earlier > 0 => {
            let days = lib.policy.repeat_guest_days.unwrap_or(180);
            let since = session
                .incident()
                .started_at
                .checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days)))
                .unwrap_or(session.incident().started_at);
            Some(store.guest_history(&hash, since)?.worst.unwrap_or(Severity::Minor).next_up())
        }
        _ => None,
    };
    interactive(config, &lib, &mut session, &mut store, args.guest_lang.clone(), suggested, args.json)
}

fn resolve_role(lib: &Library, given: Option<&str>) -> Result<(String, crate::money::Money), Error> {
    let policy = &lib.policy;
    let name = match given {
        Some(r) => r.to_owned(),
        None => policy.default_role().unwrap_or("staff").to_owned(),
    };
    if let Some((n, r)) = policy.role(&name) {
        Ok((n.to_owned(), r.limit()))
    } else {
        let known: Vec<&str> = policy.roles.keys().map(String::as_str).collect();
        Err(Error::usage(
            format!("unknown role `{}`", one_line(&name)),
            format!("the policy's roles are {}", known.join(", ")),
        ))
    }
}

fn create(store: &mut SqliteStore, session: &mut Session, guest: Option<&Guest>) -> Result<(), Error> {
    let id = store.create(session.incident())?;
    if let Some(g) = guest {
        store.record_guest(&id, &g.hash, g.earlier)?;
    }
    session.set_id(id);
    Ok(())
}

fn interactive(
    config: &Config,
    lib: &Library,
    session: &mut Session,
    store: &mut SqliteStore,
    guest: Option<String>,
    suggested: Option<Severity>,
    json: bool,
) -> Result<Exit, Error> {
    let mut driver =
        Terminal::new(&lib.policy, config.lang.value.code(), guest, config.styled_err, config.tz().clone());
    driver.suggest(suggested);
    driver.header(session);
    let id = session.incident().id.clone();
    set_resumable(&id);
    install_interrupt_handler();
    match drive(session, &mut driver, store) {
        Ok(()) => finish(config, lib, session, json),
        Err(Error::Interrupted { .. }) => {
            let _ = console::Term::stderr().show_cursor();
            Err(Error::Interrupted { resume: Some(resume_hint(&id)) })
        }
        Err(e) => Err(e),
    }
}

fn finish(config: &Config, lib: &Library, session: &Session, json: bool) -> Result<Exit, Error> {
    let incident = session.incident();
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(incident).unwrap_or_default())?;
    } else {
        write!(
            out,
            "{}",
            crate::render::summary::text(
                incident,
                Some(lib),
                config.lang.value.code(),
                config.tz(),
                config.styled_out
            )
        )?;
    }
    Ok(if incident.status == Status::Incomplete {
        eprintln!("recover: incident {} is incomplete: a required step was skipped", one_line(&incident.id));
        Exit::NotInOrder
    } else {
        Exit::Success
    })
}
