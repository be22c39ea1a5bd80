//! `--answers FILE`: a whole session written down in YAML, checked in full against the
//! playbook and the policy before anything is recorded.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use super::{Driver, drive};
use crate::engine::{AmendsAnswer, Answer, NOT_STATED, Question, Rule, Session, StepAnswer};
use crate::error::Error;
use crate::playbook::{Level, Playbook, Problem, Severity};
use crate::yaml::{Document, Node, Pos};

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    #[serde(rename = "type")]
    kind: Option<String>,
    severity: Option<Severity>,
    staff: Option<String>,
    role: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
    failure_point: Option<String>,
    failure_note: Option<String>,
    guest: Option<crate::engine::GuestSide>,
    #[serde(default)]
    steps: Node,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Detail {
    done: Option<bool>,
    skipped: Option<Skipped>,
    choice: Option<String>,
    note: Option<String>,
    reason: Option<String>,
    approved_by: Option<String>,
    approver_role: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Skipped {
    Flag(bool),
    Reason(String),
}

/// One step's answer as written.
#[derive(Clone, Debug)]
struct Planned {
    id: String,
    answer: StepAnswer,
    approved_by: Option<String>,
    approver_role: Option<String>,
}

/// A parsed answers file.
#[derive(Debug)]
pub struct AnswersFile {
    /// The file as the user named it.
    pub file: String,
    /// `type:`.
    pub kind: Option<String>,
    /// `severity:`.
    pub severity: Option<Severity>,
    /// `staff:`.
    pub staff: Option<String>,
    /// `role:`.
    pub role: Option<String>,
    /// `ref:`.
    pub reference: Option<String>,
    /// `failure_point:`.
    pub failure_point: Option<String>,
    failure_note: Option<String>,
    /// `guest:`, the guest's side, recorded once the session's answers are.
    pub guest: Option<crate::engine::GuestSide>,
    steps: Vec<Planned>,
    doc: Document,
    /// Problems found while reading it.
    pub problems: Vec<Problem>,
}

impl AnswersFile {
    /// Reads and decodes `path`; structural problems are collected, not returned early.
    pub fn load(path: &Path) -> Result<AnswersFile, Error> {
        let text = read(path)?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Decodes answers from `text`, named `file` in messages.
    pub fn parse(file: &str, text: &str) -> Result<AnswersFile, Error> {
        let file = file.to_owned();
        // A file that is not YAML, or not an answers mapping, has one problem worth telling.
        let fatal = |e: &crate::yaml::YamlError| {
            let problem = Problem::at(&file, e, Level::Error);
            eprintln!("{}", crate::render::safe::one_line(&problem.to_string()));
            Error::BadInput { file: file.clone(), count: 1 }
        };
        let doc = Document::parse(text).map_err(|e| fatal(&e))?;
        let mut problems = Vec::new();
        let header = match doc.root().decode::<Header>(&doc, "") {
            Ok(header) => header,
            // Read again key by key, so every bad key is reported, not only the first.
            Err(_) => header_by_key(&doc, &file, &mut problems),
        };
        let mut steps = Vec::new();
        if !header.steps.is_null() {
            match header.steps.entries() {
                None => problems.push(Problem::new(
                    &file,
                    doc.pos_of("steps", false),
                    Level::Error,
                    "`steps` must map step ids to answers".into(),
                )),
                Some(entries) => {
                    for (id, node) in entries {
                        match planned(&id, &node, &doc) {
                            Ok(p) => steps.push(p),
                            Err((pos, message)) => {
                                problems.push(Problem::new(&file, pos, Level::Error, message));
                            }
                        }
                    }
                }
            }
        }
        Ok(AnswersFile {
            file,
            kind: header.kind,
            severity: header.severity,
            staff: header.staff,
            role: header.role,
            reference: header.reference,
            failure_point: header.failure_point,
            failure_note: header.failure_note,
            guest: header.guest,
            steps,
            doc,
            problems,
        })
    }

    fn pos(&self, path: &str, at_key: bool) -> Pos {
        self.doc.pos_of(path, at_key)
    }

    /// A problem placed at `path` in this file.
    #[must_use]
    pub fn problem(&self, path: &str, message: String) -> Problem {
        Problem::new(&self.file, self.pos(path, true), Level::Error, message)
    }

    /// Every problem with the whole file: its own, steps the playbook does not have, and
    /// every rule a step breaks, found by running the session without recording it.
    #[must_use]
    pub fn check(&self, session: &Session) -> Vec<Problem> {
        let mut problems = self.problems.clone();
        let pb = session.playbook();
        for step in &self.steps {
            if pb.step(&step.id).is_none() {
                problems.push(self.problem(
                    &format!("steps.{}", step.id),
                    format!("unknown step `{}`: playbook `{}` has no such step", step.id, pb.kind),
                ));
            }
        }
        if let Some(Err(rule)) = self.guest.clone().map(|g| session.guest(g)) {
            problems.push(if matches!(rule, crate::engine::Rule::ContactWithoutConsent) {
                self.problem(
                    "guest.contact",
                    format!("{rule} (write `consent: true` only if the guest agreed)"),
                )
            } else {
                self.problem("guest", rule.to_string())
            });
        }
        if session.incident().severity.is_none() {
            problems.push(self.problem("", "severity is missing (minor, major or critical)".into()));
            return problems;
        }
        let mut dry = session.clone();
        let mut driver = Answers::new(self);
        driver.collect = true;
        if let Err(e) = drive(&mut dry, &mut driver, None) {
            if !driver.stopped {
                problems.push(self.problem("", e.to_string()));
            }
        }
        problems.extend(driver.found);
        problems.sort_by_key(|p| (p.pos.line, p.pos.col));
        problems
    }
}

/// The keys an answers file may have.
const KEYS: [&str; 9] =
    ["type", "severity", "staff", "role", "ref", "failure_point", "failure_note", "guest", "steps"];

/// The header decoded one key at a time: what decodes is kept, every problem is noted.
fn header_by_key(doc: &Document, file: &str, problems: &mut Vec<Problem>) -> Header {
    let mut header = Header::default();
    for (key, node) in doc.root().entries().unwrap_or_default() {
        let mut take = |result: Result<(), crate::yaml::YamlError>| {
            if let Err(e) = result {
                problems.push(Problem::at(file, &e, Level::Error));
            }
        };
        match key.as_str() {
            "type" => take(node.decode(doc, "type").map(|v| header.kind = v)),
            "severity" => take(node.decode(doc, "severity").map(|v| header.severity = v)),
            "staff" => take(node.decode(doc, "staff").map(|v| header.staff = v)),
            "role" => take(node.decode(doc, "role").map(|v| header.role = v)),
            "ref" => take(node.decode(doc, "ref").map(|v| header.reference = v)),
            "failure_point" => take(node.decode(doc, "failure_point").map(|v| header.failure_point = v)),
            "failure_note" => take(node.decode(doc, "failure_note").map(|v| header.failure_note = v)),
            "guest" => take(node.decode(doc, "guest").map(|v| header.guest = v)),
            "steps" => header.steps = node,
            other => problems.push(Problem::new(
                file,
                doc.pos_of(other, true),
                Level::Error,
                format!("unknown key `{other}` (an answers file has {})", KEYS.join(", ")),
            )),
        }
    }
    header
}

pub(crate) fn read(path: &Path) -> Result<String, Error> {
    let usage = |why: String| {
        Error::usage(
            format!("cannot read the answers file {}: {why}", path.display()),
            "check the path given to --answers",
        )
    };
    // Read through a limit whatever the file is: a device or a pipe has no size to check
    // beforehand, and `/dev/zero` never ends.
    let limit = crate::yaml::MAX_FILE_BYTES as u64;
    let file = std::fs::File::open(path).map_err(|e| usage(e.to_string()))?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, limit + 1), &mut bytes)
        .map_err(|e| usage(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(usage(format!("it is over the {limit} byte limit")));
    }
    String::from_utf8(bytes).map_err(|_| usage("it is not UTF-8 text".into()))
}

fn planned(id: &str, node: &Node, doc: &Document) -> Result<Planned, (Pos, String)> {
    let path = format!("steps.{id}");
    if let Some(word) = node.as_str() {
        let done = match word.trim() {
            "done" | "scheduled" | "yes" => true,
            "skipped" | "skip" | "no" => false,
            other => {
                return Err((
                    doc.pos_of(&path, false),
                    format!("step `{id}`: `{other}` is not an answer (write done, skipped, or a mapping)"),
                ));
            }
        };
        return Ok(Planned {
            id: id.to_owned(),
            answer: if done { StepAnswer::done() } else { StepAnswer::skipped(None) },
            approved_by: None,
            approver_role: None,
        });
    }
    let detail: Detail =
        node.decode(doc, &path).map_err(|e| (e.pos, format!("step `{id}`: {}", e.message)))?;
    let (skipped, reason) = match detail.skipped {
        Some(Skipped::Flag(b)) => (b, detail.reason),
        Some(Skipped::Reason(r)) => (true, Some(r)),
        None => (false, detail.reason),
    };
    let done = detail.done.unwrap_or(!skipped);
    if done && skipped {
        return Err((doc.pos_of(&path, false), format!("step `{id}` is both done and skipped")));
    }
    Ok(Planned {
        id: id.to_owned(),
        answer: StepAnswer { done, choice: detail.choice, note: detail.note, reason },
        approved_by: detail.approved_by,
        approver_role: detail.approver_role,
    })
}

/// Answers from the file; steps it leaves out are skipped.
// Each flag is one independent fact of the check in progress, not a mode.
#[allow(clippy::struct_excessive_bools)]
pub struct Answers<'f> {
    file: &'f AnswersFile,
    /// When checking, a broken rule is noted and the step skipped, to find every problem.
    collect: bool,
    found: Vec<Problem>,
    fallback: HashSet<String>,
    /// Amends reported as withheld without a reason.
    excused: HashSet<String>,
    failure_fallback: bool,
    /// The last question was the failure point.
    asked_failure: bool,
    /// A rejection could not be set aside, so the check stopped (already reported).
    stopped: bool,
    last: Vec<String>,
}

impl<'f> Answers<'f> {
    /// A driver answering from `file`.
    #[must_use]
    pub fn new(file: &'f AnswersFile) -> Self {
        Answers {
            file,
            collect: false,
            found: Vec::new(),
            fallback: HashSet::new(),
            excused: HashSet::new(),
            failure_fallback: false,
            asked_failure: false,
            stopped: false,
            last: Vec::new(),
        }
    }

    fn planned(&self, id: &str) -> Option<&'f Planned> {
        if self.fallback.contains(id) {
            return None;
        }
        self.file.steps.iter().find(|p| p.id == id)
    }
}

impl Driver for Answers<'_> {
    fn ask(&mut self, session: &Session, question: &Question) -> Result<Answer, Error> {
        self.last.clear();
        self.asked_failure = false;
        Ok(match question {
            Question::Severity => {
                Answer::Severity(session.incident().severity.or(self.file.severity).unwrap_or_default())
            }
            Question::Step { step, .. } => {
                self.last.push(step.id.clone());
                Answer::Step(
                    self.planned(&step.id).map_or_else(|| StepAnswer::skipped(None), |p| p.answer.clone()),
                )
            }
            Question::FollowUp { step, .. } => {
                self.last.push(step.id.clone());
                Answer::FollowUp(
                    self.planned(&step.id).map_or_else(|| StepAnswer::skipped(None), |p| p.answer.clone()),
                )
            }
            Question::Amends { .. } => {
                let pb: &Playbook = session.playbook();
                let mut amends = AmendsAnswer::default();
                for p in &self.file.steps {
                    let is_amend = pb.phases.amend.iter().any(|s| s.id == p.id);
                    if !is_amend || self.fallback.contains(&p.id) {
                        continue;
                    }
                    self.last.push(p.id.clone());
                    if p.answer.done {
                        amends.chosen.push(p.id.clone());
                    } else if let Some(reason) = &p.answer.reason {
                        amends.withheld.push((p.id.clone(), reason.clone()));
                    }
                    if let Some(note) = &p.answer.note {
                        amends.notes.push((p.id.clone(), note.clone()));
                    }
                    if amends.approved_by.is_none() {
                        amends.approved_by.clone_from(&p.approved_by);
                    }
                    if amends.approver_role.is_none() {
                        amends.approver_role.clone_from(&p.approver_role);
                    }
                }
                if let Question::Amends { offered, .. } = question {
                    for s in offered {
                        let said = amends.chosen.contains(&s.id)
                            || amends.withheld.iter().any(|(id, _)| id == &s.id);
                        if said {
                            continue;
                        }
                        // Left out of the file (which SPEC.md reads as skipped): recorded as
                        // withheld for a reason not stated, which `report` shows as such.
                        // While checking, an amend already reported (or set aside) gets a
                        // stand-in, so it is not reported twice.
                        let excused = self.excused.contains(&s.id) || self.fallback.contains(&s.id);
                        if excused {
                            amends.withheld.push((s.id.clone(), "(checking)".to_owned()));
                        } else if !self.file.steps.iter().any(|p| p.id == s.id) {
                            amends.withheld.push((s.id.clone(), NOT_STATED.to_owned()));
                        }
                    }
                }
                Answer::Amends(amends)
            }
            Question::FailurePoint { .. } => {
                self.asked_failure = true;
                Answer::FailurePoint {
                    point: self.file.failure_point.clone().filter(|_| !self.failure_fallback),
                    note: self.file.failure_note.clone().filter(|_| !self.failure_fallback),
                }
            }
        })
    }

    fn rejected(&mut self, rule: Rule) -> Result<(), Error> {
        if !self.collect {
            return Err(Error::Rule(rule));
        }
        let failure = std::mem::take(&mut self.asked_failure);
        let path = match (&rule, self.last.first()) {
            (Rule::UnknownFailurePoint { .. }, _) => "failure_point".to_owned(),
            (_, None) if failure => "failure_note".to_owned(),
            (Rule::AmendNotOffered { step, .. } | Rule::WithheldWithoutReason { step, .. }, _) => {
                format!("steps.{step}")
            }
            (_, Some(id)) => format!("steps.{id}"),
            (_, None) => String::new(),
        };
        let advice = match rule {
            Rule::OverLimit { .. } => {
                " (add `approved_by: NAME` and `approver_role: ROLE` to an amend, or leave some out)"
            }
            Rule::ApproverRoleMissing { .. } => " (add `approver_role: ROLE` beside `approved_by`)",
            Rule::WithheldWithoutReason { .. } => " (write `STEP: done`, or `STEP: {skipped: REASON}`)",
            _ => "",
        };
        self.found.push(self.file.problem(&path, format!("{rule}{advice}")));
        // Each rejection must take an answer out of the file, or the same answer would be
        // given and refused again forever: when nothing is left to take, the check ends.
        let changed = match &rule {
            Rule::AmendNotOffered { step, .. } => self.fallback.insert(step.clone()),
            Rule::WithheldWithoutReason { step, .. } => self.excused.insert(step.clone()),
            _ if failure => !std::mem::replace(&mut self.failure_fallback, true),
            _ => {
                let before = self.fallback.len();
                self.fallback.extend(self.last.iter().cloned());
                self.fallback.len() > before
            }
        };
        if changed {
            Ok(())
        } else {
            self.stopped = true;
            Err(Error::Rule(rule))
        }
    }
}
