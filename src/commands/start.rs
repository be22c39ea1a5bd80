//! `recover start` and `recover resume`: pick the driver, run the engine, show the summary.

use std::io::IsTerminal;

use crate::cli::{ResumeArgs, StartArgs};
use crate::clock;
use crate::config::Config;
use crate::context::Context;
use crate::drivers::answers::{Answers, AnswersFile};
use crate::drivers::drive;
use crate::drivers::terminal::{
    Terminal, install_interrupt_handler, pick_playbook, resume_hint, set_resumable,
};
use crate::drivers::yes::Yes;
use crate::engine::{Incident, Session, Start, Status};
use crate::error::Error;
use crate::exit_code::Exit;
use crate::playbook::{Library, Severity};
use crate::render::safe::one_line;
use crate::store::Store;

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
pub fn start(ctx: &Context, args: StartArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let lib = ctx.library()?;
    Context::warn_guest_lang(&lib, args.guest_lang.as_deref());
    let answers = args.answers.as_deref().map(AnswersFile::load).transpose()?;
    let file_kind = answers.as_ref().and_then(|a| a.kind.clone());
    let kind = match args.kind.clone().or(file_kind.clone()) {
        Some(kind) => kind,
        // A person at a terminal picks one; a script is told what to pass.
        None if answers.is_none() && !args.yes && interactive_ok() => {
            crate::drivers::terminal::warn_if_narrow(config.lang.value.code());
            // The picker reads Ctrl-C as SIGINT: the handler says so, shows the cursor again
            // and exits 130, as at every later prompt.
            install_interrupt_handler();
            let picked = pick_playbook(&lib, config.lang.value.code(), config.styled_err);
            match picked {
                Err(Error::Interrupted { .. }) => {
                    let _ = console::Term::stderr().show_cursor();
                    return Err(Error::Interrupted { resume: None });
                }
                other => other?,
            }
        }
        None => return Err(Error::usage("no type given", "pass --type TYPE; `recover list` shows them")),
    };
    let playbook = lib.find(&kind)?;
    let pick = |flag: &Option<String>, file: Option<&String>, env: &Option<String>| {
        flag.clone().or_else(|| file.cloned()).or_else(|| env.clone())
    };
    let staff = pick(&args.staff, answers.as_ref().and_then(|a| a.staff.as_ref()), &config.staff)
        .unwrap_or_else(|| "unknown".to_owned());
    let role_given = pick(&args.role, answers.as_ref().and_then(|a| a.role.as_ref()), &config.role);
    let (role, limit) = resolve_role(&lib, role_given.as_deref())?;
    let now = clock::now();
    let guest = args.guest_key.as_deref().map(|key| repeat_guest(ctx, &lib, key, now)).transpose()?;
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
            .or(args.yes.then_some(suggested.unwrap_or_default())),
        failure_point: args.failure_point.clone(),
    };
    start.check()?;
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
    let mut session = Session::begin(playbook, start, now).with_policy(&lib.policy);

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
            // In the file's order, as an editor walks it.
            problems.sort_by_key(|p| (p.pos.line, p.pos.col));
            for p in &problems {
                eprintln!("{}", one_line(&p.to_string()));
            }
            return Err(Error::BadInput { file: file.file.clone(), count: problems.len() });
        }
        record_answers(ctx, file, &mut session, guest.as_ref())?;
        return finish(config, &lib, &session, args.json);
    }
    if args.yes {
        let approval = (args.approved_by.clone(), args.approver_role.clone());
        let severity = suggested.unwrap_or_default();
        return yes(ctx, &lib, &mut session, approval, (severity, Recording::New(guest.as_ref())), args.json);
    }
    if !interactive_ok() {
        return Err(no_terminal());
    }
    let mut store = ctx.store()?;
    create(&mut *store, &mut session, guest.as_ref())?;
    interactive(config, &lib, &mut session, &mut *store, args.guest_lang.clone(), suggested, args.json)
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
fn repeat_guest(ctx: &Context, lib: &Library, key: &str, now: jiff::Timestamp) -> Result<Guest, Error> {
    let config = &ctx.config;
    if crate::guest::normalise(key).is_empty() {
        return Err(Error::usage("--guest is empty", "give a booking number, loyalty id or e-mail"));
    }
    let secret = crate::guest::secret(config.local_path()?)?;
    let hash = crate::guest::hash(&secret, key);
    let days = lib.policy.repeat_guest_days.unwrap_or(180);
    let since = now.checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(now);
    // No log yet: nobody was here before (and no warning that there is no log).
    let history =
        if config.local_path()?.exists() { Some(ctx.store()?.guest_history(&hash, since)?) } else { None };
    let Some((history, (id, when))) = history.as_ref().and_then(|h| h.latest.as_ref().map(|l| (h, l))) else {
        return Ok(Guest { hash, earlier: 0, suggested: None });
    };
    let suggested = history.worst.unwrap_or_default().next_up();
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

/// Records a checked answers file as one session; offered amends the file leaves out are
/// withheld for a reason not stated, and a warning says which.
fn record_answers(
    ctx: &Context,
    file: &crate::drivers::answers::AnswersFile,
    session: &mut Session,
    guest: Option<&Guest>,
) -> Result<(), Error> {
    let mut store = ctx.store()?;
    create(&mut *store, session, guest)?;
    drive(session, &mut Answers::new(file), Some(&mut *store))?;
    if let Some(side) = &file.guest {
        let events = session.guest(side.clone())?;
        if !events.is_empty() {
            store.append(&session.incident().uid, &events)?;
            session.apply(&events);
        }
    }
    let unstated: Vec<&str> = session
        .incident()
        .steps
        .iter()
        .filter(|s| s.reason.as_deref() == Some(crate::engine::NOT_STATED))
        .map(|s| s.id.as_str())
        .collect();
    if !unstated.is_empty() {
        eprintln!(
            "recover: warning: {}: offered amends left out of the file are recorded as withheld, reason not stated: {} (write `STEP: {{skipped: REASON}}`)",
            one_line(&file.file),
            one_line(&unstated.join(", "))
        );
    }
    Ok(())
}

/// Whether `--yes` records a new incident (for a guest, or none) or goes on with one.
enum Recording<'g> {
    New(Option<&'g Guest>),
    Resumed,
}

/// `--yes`: the defaults, checked in full before anything is recorded.
fn yes(
    ctx: &Context,
    lib: &Library,
    session: &mut Session,
    (approved_by, approver_role): (Option<String>, Option<String>),
    // The severity the defaults take, and for a new incident its guest (if any).
    (severity, incident): (Severity, Recording),
    json: bool,
) -> Result<Exit, Error> {
    let config = &ctx.config;
    crate::engine::check_name("the approver's name", approved_by.as_deref())?;
    crate::engine::check_name("the approver's role", approver_role.as_deref())?;
    let mut driver = Yes { severity, approved_by, approver_role };
    // Check the rules before recording anything, as for an answers file.
    let checked = drive(&mut session.clone(), &mut driver, None);
    if let Err(Error::Rule(rule)) = checked {
        use crate::engine::Rule;
        let advice = match rule {
            Rule::OverLimit { .. } => {
                "pass --approved-by NAME --approver-role ROLE once they agree, or use --answers to give fewer amends"
            }
            Rule::SelfApproval { .. } => {
                "the approver must be someone else: a colleague whose role may give it"
            }
            Rule::ApproverRoleMissing { .. } | Rule::UnknownApproverRole { .. } => {
                "pass --approver-role ROLE: a role of the policy that may give the whole bundle"
            }
            Rule::ApproverLimit { .. } => {
                "ask someone whose role may give it, or use --answers to give fewer amends"
            }
            _ => "see `recover show TYPE` for the playbook",
        };
        return Err(Error::usage(rule.to_string(), advice));
    }
    checked?;
    let mut store = ctx.store()?;
    if let Recording::New(guest) = incident {
        create(&mut *store, session, guest)?;
    }
    drive(session, &mut driver, Some(&mut *store))?;
    finish(config, lib, session, json)
}

/// Continues an interrupted incident at its first unanswered question.
pub fn resume(ctx: &Context, args: &ResumeArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let lib = ctx.library()?;
    Context::warn_guest_lang(&lib, args.guest_lang.as_deref());
    let mut store = ctx.store()?;
    let incident: Incident = match &args.id {
        Some(id) => store.get(id)?,
        None => store.latest_unfinished()?.ok_or_else(|| {
            Error::usage(
                "no unfinished incident to resume",
                "`recover log --status in_progress` lists unfinished incidents",
            )
        })?,
    };
    let playbook = lib.find(&incident.kind)?;
    let mut session = Session::resume(playbook, incident).with_policy(&lib.policy);
    if session.incident().status == Status::Abandoned {
        return Err(Error::Rule(crate::engine::Rule::Abandoned { incident: session.incident().id.clone() }));
    }
    if session.is_finished() {
        let id = one_line(&session.incident().id);
        eprintln!(
            "recover: {}",
            crate::i18n::f(config.lang.value.code(), "already_finished", &[("id", &id)])
        );
        return finish(config, &lib, &session, args.json);
    }
    if session.next_question().is_none() {
        drive(
            &mut session,
            &mut crate::drivers::yes::Yes {
                severity: Severity::Minor,
                approved_by: None,
                approver_role: None,
            },
            Some(&mut *store),
        )?;
        return finish(config, &lib, &session, args.json);
    }
    if args.yes {
        drop(store);
        let approval = (args.approved_by.clone(), args.approver_role.clone());
        return yes(ctx, &lib, &mut session, approval, (Severity::Minor, Recording::Resumed), args.json);
    }
    if !interactive_ok() {
        return Err(Error::usage(
            "a prompt is needed but standard input is not a terminal",
            "pass --yes to finish it with the defaults, or run `recover resume` in a terminal",
        ));
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
            Some(store.guest_history(&hash, since)?.worst.unwrap_or_default().next_up())
        }
        _ => None,
    };
    interactive(config, &lib, &mut session, &mut *store, args.guest_lang.clone(), suggested, args.json)
}

pub(super) fn resolve_role(
    lib: &Library,
    given: Option<&str>,
) -> Result<(String, crate::money::Money), Error> {
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

fn create(store: &mut dyn Store, session: &mut Session, guest: Option<&Guest>) -> Result<(), Error> {
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
    store: &mut dyn Store,
    guest: Option<String>,
    suggested: Option<Severity>,
    json: bool,
) -> Result<Exit, Error> {
    crate::drivers::terminal::warn_if_narrow(config.lang.value.code());
    let mut driver =
        Terminal::new(&lib.policy, config.lang.value.code(), guest, config.styled_err, config.tz().clone());
    driver.suggest(suggested);
    driver.header(session);
    let id = session.incident().id.clone();
    set_resumable(&id);
    install_interrupt_handler();
    match drive(session, &mut driver, Some(store)).and_then(|()| guest_side(session, &driver, store)) {
        Ok(()) => finish(config, lib, session, json),
        // Every answer is saved; only the guest's side was still being told.
        Err(Error::Interrupted { .. }) if session.is_finished() => {
            let _ = console::Term::stderr().show_cursor();
            Err(Error::Interrupted { resume: None })
        }
        Err(Error::Interrupted { .. }) => {
            let _ = console::Term::stderr().show_cursor();
            Err(Error::Interrupted { resume: Some(resume_hint(config.lang.value.code(), &id)) })
        }
        Err(e) => Err(e),
    }
}

/// Asks the guest's side once the session's answers are saved (not again if it was told),
/// and records what was said.
fn guest_side(session: &mut Session, driver: &Terminal, store: &mut dyn Store) -> Result<(), Error> {
    if session.incident().guest.is_some() {
        return Ok(());
    }
    let events = session.guest(driver.guest_side()?)?;
    if !events.is_empty() {
        store.append(&session.incident().uid, &events)?;
        session.apply(&events);
    }
    Ok(())
}

fn finish(config: &Config, lib: &Library, session: &Session, json: bool) -> Result<Exit, Error> {
    let incident = session.incident();
    let mut out = super::out::Out::stdout();
    if json {
        out.json_line(incident)?;
    } else {
        let lang = config.lang.value.code();
        out.text(&crate::render::summary::render(incident, Some(lib), lang, config.tz(), config.styled_out))?;
    }
    out.flush()?;
    Ok(if incident.status == Status::Incomplete {
        let id = one_line(&incident.id);
        eprintln!(
            "recover: {}",
            crate::i18n::f(config.lang.value.code(), "incident_incomplete", &[("id", &id)])
        );
        Exit::NotInOrder
    } else {
        Exit::Success
    })
}
