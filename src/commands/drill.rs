//! `recover drill`: practise a playbook before the real guest is standing there; and
//! `recover drill --results`, the trainer's view of who needs which playbook again.

use std::io::{IsTerminal, Write};

use crate::cli::DrillArgs;
use crate::config::Config;
use crate::context::Context;
use crate::drivers::drill::{DrillAnswers, Prompter};
use crate::engine::drill::{self, DEFAULT_QUESTIONS, Given, MAX_QUESTIONS, Marked};
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::drill::{self as show, Ctx};
use crate::render::safe::one_line;

/// Runs a drill, or shows results with `--results`.
pub fn run(context: &Context, args: &DrillArgs) -> Result<Exit, Error> {
    let config = &context.config;
    if args.results {
        return super::drill_results::run(context, args);
    }
    if args.output.csv {
        return Err(Error::usage("--csv is for --results", "use --json for a drill's outcome"));
    }
    let lib = context.library()?;
    let file = args.answers.as_deref().map(DrillAnswers::load).transpose()?;
    let from_file = |f: fn(&DrillAnswers) -> Option<String>| file.as_ref().and_then(f);
    let kind = args.kind.clone().or_else(|| from_file(|f| f.kind.clone()));
    let seed = args
        .seed
        .or_else(|| file.as_ref().and_then(|f| f.seed))
        .unwrap_or_else(|| uuid::Uuid::new_v4().as_u64_pair().0 % 1_000_000);
    let wanted =
        args.questions.or_else(|| file.as_ref().and_then(|f| f.questions)).unwrap_or(DEFAULT_QUESTIONS);
    if wanted == 0 || wanted > MAX_QUESTIONS {
        return Err(Error::usage(
            format!("--questions {wanted} is out of range"),
            format!("ask 1 to {MAX_QUESTIONS} questions"),
        ));
    }
    let staff = args
        .staff
        .clone()
        .or_else(|| from_file(|f| f.staff.clone()))
        .or_else(|| config.staff.clone())
        .unwrap_or_else(|| "unknown".to_owned());
    crate::engine::check_name("the staff name", Some(&staff))?;
    let role_given =
        args.role.clone().or_else(|| from_file(|f| f.role.clone())).or_else(|| config.role.clone());
    let (role, limit) = super::start::resolve_role(&lib, role_given.as_deref())?;
    let playbook = match &kind {
        Some(k) => lib.find(k)?,
        None if lib.playbooks.is_empty() => {
            return Err(Error::usage("the library has no usable playbook", "run `recover check`"));
        }
        None => &lib.playbooks[drill::pick_playbook(seed, lib.playbooks.len())],
    };
    let drill = drill::generate(playbook, seed, wanted, limit);
    if drill.questions.is_empty() {
        return Err(Error::usage(
            format!("playbook `{}` has too few steps to drill", one_line(&playbook.kind)),
            "add steps, `say` words and `never_say` phrases to it",
        ));
    }
    let ctx = Ctx { lang: config.lang.value.code(), policy: &lib.policy, role: &role };
    let mut out = std::io::stdout().lock();
    let answers: Vec<(Given, Marked)> = if let Some(file) = &file {
        let given = file.answers_for(&drill)?;
        let marked: Vec<(Given, Marked)> = given
            .into_iter()
            .zip(&drill.questions)
            .map(|(g, q)| q.mark(&g).map(|m| (g, m)))
            .collect::<Result<_, _>>()
            .map_err(|e| Error::usage(e.to_string(), "check the answers file"))?;
        if !args.output.json {
            transcript(&mut out, &drill, &marked, &ctx)?;
        }
        marked
    } else {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Error::usage(
                "a prompt is needed but standard input is not a terminal",
                "pass --answers FILE to drill without prompts",
            ));
        }
        interactive(config, &drill, &ctx)?
    };
    let marks: Vec<Marked> = answers.iter().map(|(_, m)| m.clone()).collect();
    let score = drill.score(&marks);
    super::drill_results::record(context, &drill, &staff, &role, &score)?;
    if args.output.json {
        writeln!(out, "{}", show::to_json(&drill, &staff, &answers, &score, &ctx)).map_err(Error::stdout)?;
    } else {
        for line in show::score(&drill, &score, &ctx) {
            writeln!(out, "{line}").map_err(Error::stdout)?;
        }
    }
    Ok(Exit::Success)
}

/// The drill at the terminal: each question, then at once whether it was right and why.
fn interactive<'p>(
    config: &Config,
    drill: &drill::Drill<'p>,
    ctx: &Ctx,
) -> Result<Vec<(Given, Marked<'p>)>, Error> {
    // Ctrl-C, SIGTERM and SIGHUP end the drill as an interruption (terminal restored,
    // exit 130); nothing is recorded until the last answer.
    crate::drivers::terminal::install_interrupt_handler();
    let prompter = Prompter::new(config.styled_err);
    prompter.say(&show::scenario(drill, ctx));
    let mut answers = Vec::new();
    for (i, q) in drill.questions.iter().enumerate() {
        let given = prompter.ask(drill, i + 1, q, ctx).inspect_err(|_| {
            let _ = console::Term::stderr().show_cursor();
        })?;
        let marked = q.mark(&given).map_err(|e| Error::usage(e.to_string(), "answer again"))?;
        prompter.say(&show::feedback(drill, q, &marked, ctx));
        answers.push((given, marked));
    }
    prompter.say(&[String::new()]);
    Ok(answers)
}

/// An answers file's drill, written out as a person would have seen it.
fn transcript(
    out: &mut impl Write,
    drill: &drill::Drill,
    marked: &[(Given, Marked)],
    ctx: &Ctx,
) -> Result<(), Error> {
    for line in show::scenario(drill, ctx) {
        writeln!(out, "{line}").map_err(Error::stdout)?;
    }
    for (i, (q, (given, m))) in drill.questions.iter().zip(marked).enumerate() {
        writeln!(out).map_err(Error::stdout)?;
        let count = drill.questions.len().to_string();
        writeln!(
            out,
            "{}",
            crate::i18n::f(ctx.lang, "drill_question", &[("n", &(i + 1).to_string()), ("count", &count)])
        )
        .map_err(Error::stdout)?;
        writeln!(out, "{}", show::prompt(q, ctx)).map_err(Error::stdout)?;
        for line in show::options(q, ctx) {
            writeln!(out, "  {line}").map_err(Error::stdout)?;
        }
        let given = match given {
            Given::One(n) => (n + 1).to_string(),
            Given::Order(v) | Given::Set(v) => {
                let v: Vec<String> = v.iter().map(|n| (n + 1).to_string()).collect();
                format!("[{}]", v.join(" "))
            }
        };
        writeln!(out, "{}: {given}", crate::i18n::t(ctx.lang, "drill_your_answer")).map_err(Error::stdout)?;
        for line in show::feedback(drill, q, m, ctx) {
            writeln!(out, "{line}").map_err(Error::stdout)?;
        }
    }
    writeln!(out).map_err(Error::stdout)?;
    Ok(())
}
