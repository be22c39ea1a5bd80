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
        .unwrap_or_else(|| "unknown".to_owned());
    let role_given = pick(&args.role, answers.as_ref().and_then(|a| a.role.as_ref()), &config.role);
    let (role, limit) = resolve_role(&lib, role_given.as_deref())?;
    let start = Start {
        staff,
        role,
        limit,
        currency: lib.policy.currency.clone(),
        reference: args.reference.clone().or_else(|| answers.as_ref().and_then(|a| a.reference.clone())),
        severity: args
            .severity
            .or_else(|| answers.as_ref().and_then(|a| a.severity))
            .or(args.yes.then_some(Severity::Minor)),
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
    let mut session = Session::begin(playbook, start, clock::now());

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
        create(&mut *store, &mut session)?;
        drive(&mut session, &mut Answers::new(file), Some(&mut *store))?;
        return finish(config, &lib, &session, args.json);
    }
    if args.yes {
        let mut driver = Yes { severity: Severity::Minor, approved_by: args.approved_by.clone() };
        // Check the rules before recording anything, as for an answers file.
        match drive(&mut session.clone(), &mut driver, None) {
            Err(Error::Rule(over @ crate::engine::Rule::OverLimit { .. })) => {
                return Err(Error::usage(
                    over.to_string(),
                    "pass --approved-by NAME once they agree, or use --answers to give fewer amends",
                ));
            }
            other => other?,
        }
        let mut store = config.store()?;
        create(&mut *store, &mut session)?;
        drive(&mut session, &mut driver, Some(&mut *store))?;
        return finish(config, &lib, &session, args.json);
    }
    if !interactive_ok() {
        return Err(no_terminal());
    }
    let mut store = config.store()?;
    create(&mut *store, &mut session)?;
    interactive(config, &lib, &mut session, &mut *store, args.guest_lang.clone(), args.json)
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
    if session.incident().status == Status::Abandoned {
        return Err(Error::Rule(crate::engine::Rule::Abandoned { incident: session.incident().id.clone() }));
    }
    if session.is_finished() {
        eprintln!("recover: incident {} is already finished", one_line(&session.incident().id));
        return finish(config, &lib, &session, args.json);
    }
    if session.next_question().is_none() {
        drive(
            &mut session,
            &mut crate::drivers::yes::Yes { severity: Severity::Minor, approved_by: None },
            Some(&mut *store),
        )?;
        return finish(config, &lib, &session, args.json);
    }
    if !interactive_ok() {
        return Err(no_terminal());
    }
    interactive(config, &lib, &mut session, &mut *store, args.guest_lang.clone(), args.json)
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

fn create(store: &mut dyn Store, session: &mut Session) -> Result<(), Error> {
    let id = store.create(session.incident())?;
    session.set_id(id);
    Ok(())
}

fn interactive(
    config: &Config,
    lib: &Library,
    session: &mut Session,
    store: &mut dyn Store,
    guest: Option<String>,
    json: bool,
) -> Result<Exit, Error> {
    let mut driver =
        Terminal::new(&lib.policy, config.lang.value.code(), guest, config.styled_err, config.tz().clone());
    driver.header(session);
    let id = session.incident().id.clone();
    set_resumable(&id);
    install_interrupt_handler();
    match drive(session, &mut driver, Some(store)) {
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
        super::write_json_line(&mut out, incident)?;
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
