//! Answering a drill: a person at the terminal, or a file of answers (`--answers`), which
//! is checked whole against the drill before anything is marked or recorded.

use std::path::Path;

use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Input, MultiSelect};
use serde::Deserialize;

use crate::engine::drill::{Drill, Given, Question, Shape};
use crate::error::Error;
use crate::i18n as ui;
use crate::playbook::{Level, Problem};
use crate::render::drill::{self as show, Ctx};
use crate::render::safe::one_line;
use crate::yaml::{Document, Node};

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    #[serde(rename = "type")]
    kind: Option<String>,
    seed: Option<u64>,
    questions: Option<usize>,
    staff: Option<String>,
    role: Option<String>,
    #[serde(default)]
    answers: Node,
}

/// One answer as written: an option number, or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum Written {
    One(u64),
    Many(Vec<u64>),
}

/// A drill's answers written down: the drill's settings and one answer per question.
pub struct DrillAnswers {
    /// The file as the user named it.
    pub file: String,
    /// `type:`.
    pub kind: Option<String>,
    /// `seed:`.
    pub seed: Option<u64>,
    /// `questions:`.
    pub questions: Option<usize>,
    /// `staff:`.
    pub staff: Option<String>,
    /// `role:`.
    pub role: Option<String>,
    answers: Vec<Written>,
    doc: Document,
}

impl DrillAnswers {
    /// Reads `path`; a file that is not an answers mapping is one problem, printed.
    pub fn load(path: &Path) -> Result<DrillAnswers, Error> {
        let file = path.display().to_string();
        let text = super::answers::read(path)?;
        let fail = |pos, message: String| {
            let problem = Problem::new(&file, pos, Level::Error, message);
            eprintln!("{}", one_line(&problem.to_string()));
            Error::BadInput { file: file.clone(), count: 1 }
        };
        let doc = Document::parse(&text).map_err(|e| fail(e.pos, e.message))?;
        let header: Header = doc.root().decode(&doc, "").map_err(|e| fail(e.pos, e.message))?;
        let mut answers = Vec::new();
        if !header.answers.is_null() {
            let items = header.answers.items().ok_or_else(|| {
                fail(doc.pos_of("answers", false), "`answers` must be a list, one answer per question".into())
            })?;
            let mut problems = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.decode::<Written>(&doc, &format!("answers[{i}]")) {
                    Ok(w) => answers.push(w),
                    Err(e) => problems.push(Problem::new(
                        &file,
                        e.pos,
                        Level::Error,
                        format!("answer {}: write an option number, or a list of them", i + 1),
                    )),
                }
            }
            if !problems.is_empty() {
                for p in &problems {
                    eprintln!("{}", one_line(&p.to_string()));
                }
                return Err(Error::BadInput { file, count: problems.len() });
            }
        }
        Ok(DrillAnswers {
            file,
            kind: header.kind,
            seed: header.seed,
            questions: header.questions,
            staff: header.staff,
            role: header.role,
            answers,
            doc,
        })
    }

    /// The answers for `drill`, each checked against its question; every problem is
    /// printed and nothing is marked if there is any.
    pub fn answers_for(&self, drill: &Drill) -> Result<Vec<Given>, Error> {
        let mut problems = Vec::new();
        let mut out = Vec::new();
        let asked = drill.questions.len();
        if self.answers.len() != asked {
            problems.push(Problem::new(
                &self.file,
                self.doc.pos_of("answers", true),
                Level::Error,
                format!(
                    "the drill asks {asked} question(s) but {} answer(s) are written",
                    self.answers.len()
                ),
            ));
        }
        for (i, (q, w)) in drill.questions.iter().zip(&self.answers).enumerate() {
            let index = |n: u64| usize::try_from(n).ok().and_then(|n| n.checked_sub(1)).unwrap_or(usize::MAX);
            let given = match (q.ask.shape(), w) {
                (Shape::Pick, Written::One(n)) => Given::One(index(*n)),
                (Shape::Order, Written::Many(v)) => Given::Order(v.iter().map(|n| index(*n)).collect()),
                (Shape::Set, Written::Many(v)) => Given::Set(v.iter().map(|n| index(*n)).collect()),
                // A number where a list was wanted, or the other way round: never marked.
                (Shape::Pick, Written::Many(_)) => Given::Order(Vec::new()),
                (_, Written::One(_)) => Given::One(usize::MAX),
            };
            match q.mark(&given) {
                Ok(_) => out.push(given),
                Err(unfit) => problems.push(Problem::new(
                    &self.file,
                    self.doc.pos_of(&format!("answers[{i}]"), false),
                    Level::Error,
                    format!("answer {} ({}): {unfit}", i + 1, q.ask.key()),
                )),
            }
        }
        if problems.is_empty() {
            return Ok(out);
        }
        for p in &problems {
            eprintln!("{}", one_line(&p.to_string()));
        }
        Err(Error::BadInput { file: self.file.clone(), count: problems.len() })
    }
}

/// Asks drill questions at the terminal (on standard error).
pub struct Prompter {
    term: console::Term,
    theme: Box<dyn Theme>,
}

impl Prompter {
    /// On standard error, styled or not.
    #[must_use]
    pub fn new(styled: bool) -> Self {
        let theme: Box<dyn Theme> =
            if styled { Box::new(ColorfulTheme::default()) } else { Box::new(SimpleTheme) };
        Prompter { term: console::Term::stderr(), theme }
    }

    /// Prints lines, each wrapped to the terminal's width (a wrapped line keeps its indent,
    /// and two more spaces).
    pub fn say(&self, lines: &[String]) {
        let width = crate::render::wrap::columns(&self.term).unwrap_or(80);
        for line in lines {
            let indent: String = line.chars().take_while(|c| *c == ' ').collect();
            for part in crate::render::wrap::wrap(line, width, &format!("{indent}  ")) {
                let _ = self.term.write_line(&part);
            }
        }
    }

    /// Asks question `n` (from 1) of the drill and returns the answer given.
    pub fn ask(&self, drill: &Drill, n: usize, q: &Question, ctx: &Ctx) -> Result<Given, Error> {
        let count = drill.questions.len().to_string();
        self.say(&[
            String::new(),
            ui::f(ctx.lang, "drill_question", &[("n", &n.to_string()), ("count", &count)]),
        ]);
        let prompt = show::prompt(q, ctx);
        // Long options are written out in full, wrapped, above a list that shows each on
        // one line, cut to the terminal's width, so the list never runs off the screen.
        let width = crate::render::wrap::columns(&self.term).unwrap_or(80);
        let full: Vec<String> = q.options.iter().map(|o| show::option(q, o, ctx)).collect();
        let long = full.iter().any(|o| crate::render::wrap::width(o) + 4 > width);
        let items: Vec<String> = full
            .iter()
            .enumerate()
            .map(|(i, o)| {
                if !long {
                    return o.clone();
                }
                let line = format!("{}. {o}", i + 1);
                let mut parts = crate::render::wrap::wrap(&line, width.saturating_sub(6), "");
                let first = parts.swap_remove(0);
                if parts.is_empty() { first } else { format!("{first} …") }
            })
            .collect();
        if long && q.ask.shape() != Shape::Order {
            self.say(&show::options(q, ctx));
        }
        match q.ask.shape() {
            Shape::Pick => {
                let picked = super::select::pick(&self.term, self.theme.as_ref(), &prompt, &items, 0, false)
                    .map_err(|e| interrupted(dialoguer::Error::IO(e)))?;
                // The whole answer, wrapped to the terminal, not the list's one-line cut.
                let _ = super::select::report_answer(&self.term, self.theme.as_ref(), &prompt, &full[picked]);
                Ok(Given::One(picked))
            }
            Shape::Set => {
                self.say(&[format!("  {}", ui::t(ctx.lang, "drill_hint_set"))]);
                MultiSelect::with_theme(self.theme.as_ref())
                    .with_prompt(prompt)
                    .items(&items)
                    .interact_on(&self.term)
                    .map(Given::Set)
                    .map_err(interrupted)
            }
            Shape::Order => {
                self.say(&[prompt]);
                self.say(&show::options(q, ctx));
                let example: Vec<String> = (1..=items.len()).rev().map(|i| i.to_string()).collect();
                let hint = ui::f(ctx.lang, "drill_hint_order", &[("example", &example.join(" "))]);
                // Wrapped here, after the theme's mark: dialoguer clears the lines it wrote,
                // and a line the terminal wraps would be left behind at every retry.
                let hint = crate::render::wrap::wrap(&hint, width.saturating_sub(2), "  ").join("\n");
                let q2 = q.clone();
                let text: String = Input::with_theme(self.theme.as_ref())
                    .with_prompt(ui::t(ctx.lang, "drill_your_answer"))
                    // Enter on nothing is told how to answer too, not silently asked again.
                    .allow_empty(true)
                    .validate_with(move |s: &String| -> Result<(), String> {
                        q2.mark(&parse_order(s)).map(|_| ()).map_err(|_| hint.clone())
                    })
                    .interact_text_on(&self.term)
                    .map_err(interrupted)?;
                Ok(parse_order(&text))
            }
        }
    }
}

/// `3 1 2` or `3,1,2` as an order of option indices from 0; anything else an empty order.
fn parse_order(s: &str) -> Given {
    let parsed: Option<Vec<usize>> = s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<usize>().ok().and_then(|n| n.checked_sub(1)))
        .collect();
    Given::Order(parsed.unwrap_or_default())
}

use super::terminal::interrupted;
