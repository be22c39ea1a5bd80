//! `recover start` and `recover resume`: pick the driver, run the engine, show the summary.

use std::io::{IsTerminal, Write};

use crate::cli::{ResumeArgs, StartArgs};
use crate::clock;
use crate::config::Config;
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
pub fn start(config: &Config, args: StartArgs) -> Result<Exit, Error> {
    let lib = config.library()?;
    config.warn_guest_lang(&lib, args.guest_lang.as_deref());
    let answers = args.answers.as_deref().map(AnswersFile::load).transpose()?;
    let file_kind = answers.as_ref().and_then(|a| a.kind.clone());
    let kind = match args.kind.clone().or(file_kind.clone()) {
        Some(kind) => kind,
        // A person at a terminal picks one; a script is told what to pass.
        None if answers.is_none() && !args.yes && interactive_ok() => {
            let picked = pick_playbook(&lib, config.lang.value.code(), config.styled_err);
            match picked {
                Err(Error::Interrupted { .. }) => {
                    let _ = console::Term::stderr().show_cursor();
                    return Err(Error::Interrupted { resume: None });
                }
                other => other?,
            }
        }
        None => return Err(Error::usage("no type given", "pass --type TYPE (`recover list` shows them)")),
    };
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
    let mut session = Session::begin(playbook, start, clock::now()).with_policy(&lib.policy);

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
        return finish(config, &lib, &session, args.json);
    }
    if args.yes {
        let approval = (args.approved_by.clone(), args.approver_role.clone());
        return yes(config, &lib, &mut session, approval, true, args.json);
    }
    if !interactive_ok() {
        return Err(no_terminal());
    }
    let mut store = config.store()?;
    create(&mut *store, &mut session)?;
    interactive(config, &lib, &mut session, &mut *store, args.guest_lang.clone(), args.json)
}

/// `--yes`: the defaults, checked in full before anything is recorded.
fn yes(
    config: &Config,
    lib: &Library,
    session: &mut Session,
    (approved_by, approver_role): (Option<String>, Option<String>),
    new: bool,
    json: bool,
) -> Result<Exit, Error> {
    crate::engine::check_name("the approver's name", approved_by.as_deref())?;
    crate::engine::check_name("the approver's role", approver_role.as_deref())?;
    let mut driver = Yes { severity: Severity::Minor, approved_by, approver_role };
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
    let mut store = config.store()?;
    if new {
        create(&mut *store, session)?;
    }
    drive(session, &mut driver, Some(&mut *store))?;
    finish(config, lib, session, json)
}

/// Continues an interrupted incident at its first unanswered question.
pub fn resume(config: &Config, args: &ResumeArgs) -> Result<Exit, Error> {
    let lib = config.library()?;
    config.warn_guest_lang(&lib, args.guest_lang.as_deref());
    let mut store = config.store()?;
    let incident: Incident = match &args.id {
        Some(id) => store.get(id)?,
        None => store.latest_unfinished()?.ok_or_else(|| {
            Error::usage("no unfinished incident to resume", "run `recover log --open` to see incidents")
        })?,
    };
    let playbook = lib.find(&incident.kind)?;
    let mut session = Session::resume(playbook, incident).with_policy(&lib.policy);
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
        return yes(config, &lib, &mut session, approval, false, args.json);
    }
    if !interactive_ok() {
        return Err(Error::usage(
            "a prompt is needed but standard input is not a terminal",
            "pass --yes to finish it with the defaults, or run `recover resume` in a terminal",
        ));
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
