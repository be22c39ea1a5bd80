//! The interactive driver: dialoguer prompts on standard error, for a person with an upset
//! customer in front of them. Enter accepts the sensible default almost everywhere.

use console::{Style, Term};
use dialoguer::Input;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use jiff::tz::TimeZone;

use super::Driver;

mod amends;
mod guest_side;
mod interrupt;
mod pick;
use crate::clock::local;
use crate::engine::{Answer, MAX_TEXT_CHARS, NoteOn, Question, Rule, Session, StepAnswer};
use crate::error::Error;
use crate::i18n as ui;
use crate::playbook::{Phase, Severity, Step};
use crate::policy::Policy;
use crate::render::playbook::{Layout, step_lines};
use crate::render::safe::one_line;
pub use interrupt::{
    ending, first_to_say_interrupted, install_interrupt_handler, install_work_interrupt_handler,
    interrupted_line, resume_hint, set_interrupt_hint, set_resumable, set_ui_lang, warn_if_narrow,
};
pub use pick::pick_playbook;

/// Columns kept free after a text prompt's question for the answer typed there.
const ANSWER_ROOM: usize = 24;

/// Prompts a person at a terminal.
pub struct Terminal<'a> {
    term: Term,
    theme: Box<dyn Theme>,
    styled: bool,
    policy: &'a Policy,
    lang: String,
    guest: Option<String>,
    tz: TimeZone,
    /// The step whose note is asked once its answer is saved.
    note_for: Option<NoteOn>,
    /// The severity the cursor starts on (the next one up for a repeat guest).
    suggested: Option<Severity>,
}

impl<'a> Terminal<'a> {
    /// A driver on standard error.
    #[must_use]
    pub fn new(policy: &'a Policy, lang: &str, guest: Option<String>, styled: bool, tz: TimeZone) -> Self {
        let theme: Box<dyn Theme> =
            if styled { Box::new(ColorfulTheme::default()) } else { Box::new(SimpleTheme) };
        Terminal {
            term: Term::stderr(),
            theme,
            styled,
            policy,
            lang: lang.to_owned(),
            guest,
            tz,
            note_for: None,
            suggested: None,
        }
    }

    /// Starts the severity question on `severity` (a repeat guest's suggestion).
    pub fn suggest(&mut self, severity: Option<Severity>) {
        self.suggested = severity;
    }

    fn layout(&self) -> Layout<'_> {
        let width = crate::render::wrap::columns(&self.term).unwrap_or(80).clamp(40, 120);
        Layout { lang: &self.lang, guest: self.guest.as_deref(), width, styled: self.styled }
    }

    /// Writes a line, wrapped between words at the terminal's width (continued two columns
    /// further in), so the terminal never breaks a word of it.
    fn say(&self, line: &str) {
        let max = self.layout().width;
        if line.contains('\x1b') || crate::render::wrap::width(line) <= max {
            let _ = self.term.write_line(line);
            return;
        }
        let body = line.trim_start();
        let lead = &line[..line.len() - body.len()];
        let room = max.saturating_sub(crate::render::wrap::width(lead));
        for piece in crate::render::wrap::wrap(body, room, "  ") {
            let _ = self.term.write_line(&format!("{lead}{piece}"));
        }
    }

    fn heading(&self, text: &str) {
        let style = if self.styled { Style::new().bold().yellow().force_styling(true) } else { Style::new() };
        self.say("");
        self.say(&style.apply_to(text).to_string());
    }

    /// Prints who and what this session is about, before the first question.
    pub fn header(&self, session: &Session) {
        let i = session.incident();
        let pb = session.playbook();
        self.heading(&format!("{} ({})", one_line(pb.title.get(&self.lang)), one_line(&pb.kind)));
        let reference = i
            .reference
            .as_deref()
            .map(|r| ui::f(&self.lang, "summary_ref", &[("reference", &one_line(r))]))
            .unwrap_or_default();
        let header = ui::f(
            &self.lang,
            "incident_header",
            &[
                ("id", &one_line(&i.id)),
                ("staff", &one_line(&i.staff)),
                ("role", &one_line(self.policy.role_label(&i.role, &self.lang))),
                ("currency", &one_line(&i.currency)),
                ("limit", &i.limit.to_string()),
            ],
        );
        self.say(&format!("{header}{reference}"));
        if let Some(summary) = &pb.summary {
            for line in crate::render::wrap::wrap(&one_line(summary.get(&self.lang)), self.layout().width, "")
            {
                self.say(&line);
            }
        }
    }

    /// Items of a list prompt wrapped between words to fit after the `prefix` columns the
    /// prompt puts before each (the arrow, the tick box), continued under their first word.
    fn fit_items(&self, items: &[String], prefix: usize) -> Vec<String> {
        let room = self.layout().width.saturating_sub(prefix);
        let under = format!("\n{}", " ".repeat(prefix));
        items
            .iter()
            .map(|item| {
                if crate::render::wrap::width(item) <= room {
                    item.clone()
                } else {
                    crate::render::wrap::wrap(item, room, "").join(&under)
                }
            })
            .collect()
    }

    /// The answer under its prompt, as the theme draws it when that fits the terminal, else
    /// plain and wrapped between words.
    /// A skip is marked as skipped, never with the tick of a done step.
    fn report(&self, prompt: &str, answer: &str, skipped: bool) {
        use crate::render::summary::SKIPPED;
        let answer = answer.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut line = String::new();
        if skipped && self.styled {
            let mark = Style::new().yellow().force_styling(true).apply_to(SKIPPED);
            let prompt = Style::new().bold().force_styling(true).apply_to(prompt);
            line = format!("{mark} {prompt} · {answer}");
        } else if skipped {
            line = format!("{SKIPPED} {prompt}: {answer}");
        } else {
            let _ = self.theme.format_select_prompt_selection(&mut line, prompt, &answer);
        }
        if console::measure_text_width(&line) <= self.layout().width {
            let _ = self.term.write_line(&line);
        } else if self.styled {
            self.say(&format!("{} {prompt} · {answer}", if skipped { SKIPPED } else { '✔' }));
        } else {
            self.say(&format!("{prompt}: {answer}"));
        }
    }

    /// A list prompt's question wrapped to fit between the marks the theme puts around it.
    fn fit_prompt(&self, prompt: &str) -> String {
        crate::render::wrap::wrap(prompt, self.layout().width.saturating_sub(4), "  ").join("\n")
    }

    /// A text prompt's question wrapped so its last line leaves room for a short answer
    /// typed after it (a longer one the terminal carries on below).
    fn fit_input_prompt(&self, prompt: &str) -> String {
        let room = self.layout().width.saturating_sub(4 + ANSWER_ROOM).max(16);
        crate::render::wrap::wrap(prompt, room, "  ").join("\n")
    }

    fn select(&self, prompt: &str, items: &[String], default: usize) -> Result<usize, Error> {
        self.select_or_skip(prompt, items, default, None)
    }

    /// A list prompt whose item `skip` (if any) skips the step.
    fn select_or_skip(
        &self,
        prompt: &str,
        items: &[String],
        default: usize,
        skip: Option<usize>,
    ) -> Result<usize, Error> {
        let shown = self.fit_items(items, 2);
        let picked = super::select::pick(
            &self.term,
            self.theme.as_ref(),
            &self.fit_prompt(prompt),
            &shown,
            default,
            false,
        )
        .map_err(|e| interrupted(dialoguer::Error::IO(e)))?;
        self.report(prompt, items.get(picked).map_or("", String::as_str), skip == Some(picked));
        Ok(picked)
    }

    /// A line of text; a blank answer is shown as given unless `blank_refused` (it is then
    /// said why, and asked again, by the caller: never a tick for an answer not taken).
    /// Text over the limit is not thrown away: it is asked again cut to the limit, to edit
    /// or take with Enter (a prompt's own check would empty it, and the next Enter would
    /// then record nothing).
    fn input(&self, prompt: &str, blank_refused: bool) -> Result<Option<String>, Error> {
        let mut kept = String::new();
        let text = loop {
            let mut input = Input::<String>::with_theme(self.theme.as_ref())
                .with_prompt(self.fit_input_prompt(prompt))
                .allow_empty(true)
                .report(false);
            if !kept.is_empty() {
                input = input.with_initial_text(kept.clone());
            }
            let text = input.interact_text_on(&self.term).map_err(interrupted)?;
            if text.chars().count() <= MAX_TEXT_CHARS {
                break text;
            }
            let max = MAX_TEXT_CHARS.to_string();
            let mut said = String::new();
            let _ = self.theme.format_error(&mut said, &ui::f(&self.lang, "too_long_kept", &[("max", &max)]));
            let _ = self.term.write_line(&said);
            kept = text.chars().take(MAX_TEXT_CHARS).collect();
        };
        let text = text.trim().to_owned();
        if !(blank_refused && text.is_empty()) {
            self.report(prompt, &text, false);
        }
        Ok((!text.is_empty()).then_some(text))
    }

    fn step(
        &mut self,
        phase: Phase,
        step: &Step,
        counter: &str,
        extra: Option<String>,
    ) -> Result<StepAnswer, Error> {
        self.heading(format!("{} {counter}", ui::phase(&self.lang, phase).to_uppercase()).trim_end());
        for line in step_lines(phase, step, "  ", self.policy, &self.layout()) {
            self.say(&line);
        }
        if let Some(extra) = extra {
            self.say(&extra);
        }
        let required = step.is_required(phase);
        let mut answer = if step.choose.is_empty() {
            let (verb, with_note) =
                if phase == Phase::FollowUp { ("schedule", "schedule_note") } else { ("done", "done_note") };
            let items: Vec<String> =
                [verb, with_note, "skip"].iter().map(|k| ui::t(&self.lang, k).to_owned()).collect();
            match self.select_or_skip(&one_line(&step.id), &items, 0, Some(2))? {
                0 => StepAnswer::done(),
                1 => {
                    self.note_for = Some(NoteOn::Step(step.id.clone()));
                    StepAnswer::done()
                }
                _ => StepAnswer::skipped(None),
            }
        } else {
            let mut items: Vec<String> =
                step.choose.iter().map(|c| one_line(c.label.get(&self.lang))).collect();
            items.push(ui::t(&self.lang, "skip_step").to_owned());
            let prompt = ui::f(&self.lang, "pick_one", &[("step", &one_line(&step.id))]);
            let picked = self.select_or_skip(&prompt, &items, 0, Some(step.choose.len()))?;
            match step.choose.get(picked) {
                Some(choice) => {
                    self.note_for = Some(NoteOn::Step(step.id.clone()));
                    StepAnswer { choice: Some(choice.value.clone()), ..StepAnswer::done() }
                }
                None => StepAnswer::skipped(None),
            }
        };
        if !answer.done && required {
            answer.reason = Some(self.required_text(ui::t(&self.lang, "why_skipped"), "reason_needed")?);
        }
        Ok(answer)
    }

    /// A text that may not be left blank: asked again, saying why, until it is given.
    fn required_text(&self, prompt: &str, why: &str) -> Result<String, Error> {
        loop {
            if let Some(text) = self.input(prompt, true)? {
                return Ok(text);
            }
            self.say(&format!("  ✗ {}", ui::t(&self.lang, why)));
        }
    }

    fn severity_item(&self, s: Severity) -> String {
        let name = ui::severity(&self.lang, s);
        let pad = 10usize.saturating_sub(crate::render::wrap::width(name));
        format!("{name}{} {}", " ".repeat(pad), ui::severity_meaning(&self.lang, s))
    }

    fn failure_point(&mut self, session: &Session) -> Result<Answer, Error> {
        let options = &session.playbook().failure_points;
        self.heading(ui::t(&self.lang, "failure_heading"));
        let mut items: Vec<String> = options.iter().map(|c| one_line(c.label.get(&self.lang))).collect();
        items.push(ui::t(&self.lang, "other").to_owned());
        let picked = self.select(ui::t(&self.lang, "failure_prompt"), &items, 0)?;
        let point = if let Some(c) = options.get(picked) {
            c.value.clone()
        } else {
            // What "other" was is asked once "other" is saved.
            self.note_for = Some(NoteOn::FailurePoint);
            "other".to_owned()
        };
        Ok(Answer::FailurePoint { point: Some(point), note: None })
    }
}

/// A prompt that could not finish: Ctrl-C, or the terminal gone (its window closed: reads
/// fail with EIO or ENXIO) is an interruption, which keeps every answer and exits 130 as a
/// SIGHUP does; anything else is the terminal's error.
pub(crate) fn interrupted(e: dialoguer::Error) -> Error {
    let dialoguer::Error::IO(io) = e;
    let gone = matches!(io.raw_os_error(), Some(5 | 6))
        || matches!(io.kind(), std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::BrokenPipe);
    if io.kind() == std::io::ErrorKind::Interrupted || gone {
        Error::Interrupted { resume: None }
    } else {
        Error::Io { action: "use", path: "the terminal".into(), source: io }
    }
}

impl Driver for Terminal<'_> {
    fn waits_for_busy_log(&self) -> bool {
        true
    }

    fn ask(&mut self, session: &Session, question: &Question) -> Result<Answer, Error> {
        Ok(match question {
            Question::Severity => {
                let items: Vec<String> = Severity::ALL.iter().map(|s| self.severity_item(*s)).collect();
                Answer::Severity(
                    Severity::ALL[self.select(
                        ui::t(&self.lang, "severity_question"),
                        &items,
                        self.suggested.map_or(0, |s| s as usize),
                    )?],
                )
            }
            Question::Step { phase, step, index } => {
                Answer::Step(self.step(*phase, step, &format!("{}/{}", index.0, index.1), None)?)
            }
            Question::Amends { offered, limit } => Answer::Amends(self.amends(session, offered, *limit)?),
            Question::FollowUp { step, due } => {
                let when = due.map(|due| {
                    let in_time = crate::engine::seconds_between(crate::clock::now(), due);
                    let line = ui::f(
                        &self.lang,
                        "due_in",
                        &[("when", &local(due, &self.tz)), ("wait", &ui::duration(&self.lang, in_time))],
                    );
                    format!("  {line}")
                });
                Answer::FollowUp(self.step(Phase::FollowUp, step, "", when)?)
            }
            Question::FailurePoint { .. } => self.failure_point(session)?,
        })
    }

    fn note_after_saving(&mut self, session: &Session) -> Result<Option<(NoteOn, String)>, Error> {
        let Some(on) = self.note_for.take() else { return Ok(None) };
        let prompt = match &on {
            // A choice may go without a note; "done, add a note" was picked to write one.
            NoteOn::Step(step) if session.incident().step(step).is_some_and(|r| r.choice.is_none()) => {
                ui::t(&self.lang, "note")
            }
            NoteOn::Step(_) => ui::t(&self.lang, "note_optional"),
            NoteOn::FailurePoint => ui::t(&self.lang, "what_was_it"),
        };
        Ok(self.input(prompt, false)?.map(|note| (on, note)))
    }

    fn rejected(&mut self, rule: Rule) -> Result<(), Error> {
        self.say(&format!("  ✗ {}", one_line(&rule.to_string())));
        Ok(())
    }
}
