//! What `check` reports: errors that stop a playbook from loading and recovery lint.

use std::fmt;

use super::{Phase, Playbook};
use crate::duration::Within;
use crate::policy::Policy;
use crate::text::Text;
use crate::yaml::{Document, Pos, YamlError};

/// Longest sensible `within`: a follow-up later than a week is forgotten by the customer.
const LONGEST_FOLLOW_UP_DAYS: i64 = 7;

/// Whether a problem stops the playbook from being used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Recovery advice; the playbook still works.
    Warning,
    /// The playbook cannot be used until fixed.
    Error,
}

/// One problem, placed where an editor can jump to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file as the user named it.
    pub file: String,
    /// Line and column.
    pub pos: Pos,
    /// Error or warning.
    pub level: Level,
    /// What is wrong and, where it helps, what to write instead.
    pub message: String,
}

impl Problem {
    /// A problem at a known position.
    #[must_use]
    pub fn new(file: &str, pos: Pos, level: Level, message: String) -> Self {
        Problem { file: file.to_owned(), pos, level, message }
    }

    /// A problem from the YAML layer.
    #[must_use]
    pub fn at(file: &str, e: &YamlError, level: Level) -> Self {
        Problem::new(file, e.pos, level, e.message.clone())
    }
}

impl fmt::Display for Problem {
    /// `file:line:col: message`, with `warning: ` before the message for lint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.level {
            Level::Error => "",
            Level::Warning => "warning: ",
        };
        write!(f, "{}:{}: {tag}{}", self.file, self.pos, self.message)
    }
}

/// True for lowercase letters, digits and inner dashes: what types, aliases and ids are.
#[must_use]
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

struct Checker<'a> {
    doc: &'a Document,
    file: &'a str,
    out: Vec<Problem>,
}

impl Checker<'_> {
    fn push(&mut self, path: &str, at_key: bool, level: Level, message: String) {
        let pos = self.doc.pos_of(path, at_key);
        self.out.push(Problem::new(self.file, pos, level, message));
    }
    fn error(&mut self, path: &str, message: String) {
        self.push(path, false, Level::Error, message);
    }
    fn error_at_key(&mut self, path: &str, message: String) {
        self.push(path, true, Level::Error, message);
    }
    fn warn(&mut self, path: &str, message: String) {
        self.push(path, true, Level::Warning, message);
    }
}

/// Checks a decoded playbook against the rules no type can express, and the policy.
pub(crate) fn check_playbook(pb: &Playbook, doc: &Document, file: &str, policy: &Policy) -> Vec<Problem> {
    let mut c = Checker { doc, file, out: Vec::new() };
    if !is_slug(&pb.kind) {
        c.error("type", format!("type `{}` must be lowercase letters, digits and dashes", pb.kind));
    }
    for (i, alias) in pb.aliases.iter().enumerate() {
        if !is_slug(alias) {
            c.error(
                &format!("aliases[{i}]"),
                format!("alias `{alias}` must be lowercase letters, digits and dashes"),
            );
        }
    }
    if pb.title.is_blank() {
        c.error("title", "the title is empty".into());
    }
    check_choices(&mut c, "failure_points", &pb.failure_points);
    for phase in [Phase::Apologise, Phase::Fix] {
        if pb.phases.steps(phase).is_empty() && written_empty(doc, phase) {
            c.error_at_key(&format!("phases.{phase}"), format!("phase `{phase}` needs at least one step"));
        }
    }
    check_steps(&mut c, pb, policy);
    check_never_say(&mut c, pb);
    for (path, text) in texts(pb) {
        check_languages(&mut c, &path, text, &policy.languages);
        let langs = text.languages();
        let written =
            if langs.is_empty() { vec![text.get("")] } else { langs.iter().map(|l| text.get(l)).collect() };
        if let Some(word) = written.into_iter().find_map(super::site::unknown_placeholder) {
            c.error(
                &path,
                format!("`{word}` is no placeholder recover fills (the one there is: {{emergency}}, the policy's emergency number)"),
            );
        }
    }
    c.out
}

/// Whether `phase` is written with no steps. A missing phase is reported as missing, and
/// steps that could not be read as what is wrong with them: neither is "no step" as well.
/// A file read in one pass has no value tree, and every phase there is as written.
fn written_empty(doc: &Document, phase: Phase) -> bool {
    let root = doc.root();
    if root.is_null() {
        return true;
    }
    let written = root
        .entries()
        .and_then(|e| e.into_iter().find(|(k, _)| k == "phases"))
        .and_then(|(_, phases)| phases.entries())
        .and_then(|e| e.into_iter().find(|(k, _)| *k == phase.to_string()))
        .map(|(_, steps)| steps);
    written.is_some_and(|steps| steps.is_null() || steps.items().is_some_and(|i| i.is_empty()))
}

fn check_steps(c: &mut Checker, pb: &Playbook, policy: &Policy) {
    let mut ids: Vec<&str> = Vec::new();
    let highest = policy.highest_limit();
    let longest = Within::from_minutes(LONGEST_FOLLOW_UP_DAYS * 24 * 60);
    for phase in Phase::ALL {
        for (i, step) in pb.phases.steps(phase).iter().enumerate() {
            let path = format!("phases.{phase}[{i}]");
            let at = |field: &str| format!("{path}.{field}");
            if !is_slug(&step.id) {
                c.error(
                    &at("id"),
                    format!("step id `{}` must be lowercase letters, digits and dashes", step.id),
                );
            } else if ids.contains(&step.id.as_str()) {
                c.error(&at("id"), format!("step id `{}` is used twice in this playbook", step.id));
            }
            ids.push(&step.id);
            if step.action.is_blank() {
                c.error(&at("do"), format!("step `{}` has an empty `do`", step.id));
            }
            check_choices(c, &at("choose"), &step.choose);
            if phase == Phase::Amend && !step.choose.is_empty() {
                c.error_at_key(
                    &at("choose"),
                    "amend steps are offered as one bundle and cannot `choose`; name the options in `do`"
                        .into(),
                );
            }
            if phase != Phase::Amend && (step.cost.is_some() || step.severity.is_some()) {
                let field = if step.cost.is_some() { "cost" } else { "severity" };
                c.error_at_key(&at(field), format!("`{field}` belongs on amend steps only"));
            }
            if !step.instead_of.is_empty() {
                check_instead_of(c, pb, phase, step, &at("instead_of"));
            }
            if phase != Phase::FollowUp && step.within.is_some() {
                c.error_at_key(&at("within"), "`within` belongs on follow_up steps only".into());
            }
            if let Some(cost) = step.cost {
                if cost.is_negative() {
                    c.error(&at("cost"), format!("cost {cost} is negative"));
                } else if let Some(why) = cost.unfit_for(&policy.currency) {
                    c.error(&at("cost"), format!("cost {why}"));
                } else if crate::engine::lowest_role_for(policy, cost).is_none() {
                    c.error(
                        &at("cost"),
                        format!(
                            "cost {cost} is above the highest role limit ({highest} {})",
                            policy.currency
                        ),
                    );
                }
            }
            if phase == Phase::FollowUp {
                match step.within {
                    None => {
                        c.warn(&path, format!("follow-up `{}` has no `within`: when is it due?", step.id));
                    }
                    Some(w) if w > longest => c.warn(
                        &at("within"),
                        format!("follow-up `{}` is due after {w}; follow up within 7 days", step.id),
                    ),
                    Some(_) => {}
                }
            }
        }
    }
    if pb.possible_harm {
        let first = pb.all_steps().next();
        if !first.is_some_and(|(phase, s)| s.id.starts_with("safety") && s.is_required(phase)) {
            c.error_at_key(
                "possible_harm",
                "a playbook with `possible_harm: true` opens with a required safety step \
                 (an id starting `safety`) before any apology or amend"
                    .into(),
            );
        }
        // The number to call is the site's, from the policy: a number written into the
        // text would send a desk abroad to the wrong one.
        if let Some((i, s)) = pb.phases.apologise.iter().enumerate().find(|(_, s)| {
            s.id.starts_with("safety")
                && !s.action.languages().iter().any(|l| s.action.get(l).contains("{emergency}"))
                && !matches!(&s.action, crate::text::Text::Plain(t) if t.contains("{emergency}"))
        }) {
            c.warn(
                &format!("phases.apologise[{i}].do"),
                format!(
                    "safety step `{}` does not say `{{emergency}}`: the number to call comes from the policy, per site",
                    s.id
                ),
            );
        }
    }
    if !pb.phases.apologise.iter().any(|s| s.say.is_some()) {
        c.warn("phases.apologise", "no step in apologise gives the words to `say`".into());
    }
}

/// A `never_say` phrase must be a real phrase with a reason, said once, and never the
/// playbook's own words: a drill asks which one to say, and that needs one right answer.
fn check_never_say(c: &mut Checker, pb: &Playbook) {
    // Each text normalised once (lowercasing every pair again cost more than reading the
    // whole playbook): then phrases and says compare as `texts_overlap` does.
    let said: Vec<Normalised> = pb.all_steps().filter_map(|(_, s)| s.say.as_ref()).map(normalised).collect();
    let mut listed: Vec<Normalised> = Vec::new();
    for (i, entry) in pb.never_say.iter().enumerate() {
        let path = format!("never_say[{i}]");
        if entry.phrase.is_blank() {
            c.error(&format!("{path}.phrase"), "a `never_say` phrase is empty".into());
            continue;
        }
        if entry.why.is_blank() {
            c.error(&format!("{path}.why"), "a `never_say` phrase needs its reason in `why`".into());
        }
        let phrase = normalised(&entry.phrase);
        if listed.iter().any(|o| overlap(o, &phrase)) {
            c.error(&format!("{path}.phrase"), "this `never_say` phrase is listed twice".into());
        } else if said.iter().any(|s| overlap(s, &phrase)) {
            c.error(
                &format!("{path}.phrase"),
                "this `never_say` phrase is also a step's `say`: it cannot be both".into(),
            );
        }
        listed.push(phrase);
    }
}

/// A text's non-empty versions, trimmed and lowercased, by language (`None`: a plain text,
/// the same in every language).
type Normalised = Vec<(Option<String>, String)>;

fn normalised(t: &Text) -> Normalised {
    let norm = |s: &str| s.trim().to_lowercase();
    match t {
        Text::Plain(s) => vec![(None, norm(s))],
        Text::Translated(map) => map.iter().map(|(l, s)| (Some(l.clone()), norm(s))).collect(),
    }
    .into_iter()
    .filter(|(_, s)| !s.is_empty())
    .collect()
}

/// [`texts_overlap`] on normalised texts: the same words in one language, a plain text
/// standing for every language.
fn overlap(a: &Normalised, b: &Normalised) -> bool {
    a.iter().any(|(la, xa)| b.iter().any(|(lb, xb)| xa == xb && (la.is_none() || lb.is_none() || la == lb)))
}

/// `instead_of` names other amends of the same playbook: what this one replaces.
fn check_instead_of(c: &mut Checker, pb: &Playbook, phase: Phase, step: &super::Step, path: &str) {
    if phase != Phase::Amend {
        c.error_at_key(path, "`instead_of` belongs on amend steps only".into());
        return;
    }
    for (i, id) in step.instead_of.iter().enumerate() {
        if *id == step.id {
            c.error(&format!("{path}[{i}]"), format!("amend `{id}` cannot replace itself"));
        } else if !pb.phases.amend.iter().any(|s| s.id == *id) {
            c.error(
                &format!("{path}[{i}]"),
                format!("`instead_of` names `{id}`, which is not an amend here"),
            );
        }
    }
}

/// True when two texts read the same in some language (ignoring case and outer spaces).
#[must_use]
pub fn texts_overlap(a: &Text, b: &Text) -> bool {
    let norm = |s: &str| s.trim().to_lowercase();
    let langs: Vec<&str> = a.languages().into_iter().chain(b.languages()).chain(["en"]).collect();
    langs.iter().any(|l| match (a.exactly(l), b.exactly(l)) {
        (Some(x), Some(y)) => !x.trim().is_empty() && norm(x) == norm(y),
        _ => false,
    })
}

fn check_choices(c: &mut Checker, path: &str, choices: &[crate::text::Choice]) {
    for (i, choice) in choices.iter().enumerate() {
        if choice.value.trim().is_empty() || choice.label.is_blank() {
            c.error(&format!("{path}[{i}]"), "an option is empty".into());
        } else if choices[..i].iter().any(|o| o.value.eq_ignore_ascii_case(&choice.value)) {
            c.error(&format!("{path}[{i}]"), format!("option `{}` is listed twice", choice.value));
        }
    }
}

fn check_languages(c: &mut Checker, path: &str, text: &Text, languages: &[String]) {
    let Some((first, rest)) = languages.split_first() else {
        return;
    };
    let missing: Vec<&str> = match text {
        // A plain string is taken to be in the library's first language.
        Text::Plain(_) => rest.iter().map(String::as_str).collect(),
        Text::Translated(_) => std::iter::once(first)
            .chain(rest)
            .map(String::as_str)
            .filter(|l| text.exactly(l).is_none_or(|s| s.trim().is_empty()))
            .collect(),
    };
    if !missing.is_empty() {
        c.error(path, format!("text lacks the language(s) {} declared in the policy", missing.join(", ")));
    }
}

/// Every text of a playbook with its path, for the language check.
fn texts(pb: &Playbook) -> Vec<(String, &Text)> {
    let mut out = vec![("title".to_owned(), &pb.title)];
    if let Some(s) = &pb.summary {
        out.push(("summary".to_owned(), s));
    }
    for (i, fp) in pb.failure_points.iter().enumerate() {
        out.push((format!("failure_points[{i}]"), &fp.label));
    }
    for phase in Phase::ALL {
        for (i, step) in pb.phases.steps(phase).iter().enumerate() {
            let path = format!("phases.{phase}[{i}]");
            out.push((format!("{path}.do"), &step.action));
            if let Some(say) = &step.say {
                out.push((format!("{path}.say"), say));
            }
            for (j, o) in step.choose.iter().enumerate() {
                out.push((format!("{path}.choose[{j}]"), &o.label));
            }
        }
    }
    for (i, entry) in pb.never_say.iter().enumerate() {
        out.push((format!("never_say[{i}].phrase"), &entry.phrase));
        out.push((format!("never_say[{i}].why"), &entry.why));
    }
    out
}
