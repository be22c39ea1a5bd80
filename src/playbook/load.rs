//! Decoding one playbook file, collecting every problem rather than stopping at the first.

use super::check::{Level, Problem};
use super::{Phase, Phases, Playbook, PlaybookDoc, Step};
use crate::yaml::{Document, Node};

/// A playbook file read as far as it could be.
pub(crate) struct Decoded {
    /// The playbook, when it decoded without errors.
    pub playbook: Option<Playbook>,
    /// Where each part stands, for later checks; `None` when the YAML did not parse.
    pub doc: Option<Document>,
    /// What is wrong with it so far.
    pub problems: Vec<Problem>,
}

/// Decodes `text` (the file `file`). Top-level fields and each step are decoded apart,
/// so one unknown key does not hide a bad duration three steps down.
pub(crate) fn decode_playbook(file: &str, text: &str) -> Decoded {
    let mut problems = Vec::new();
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            problems.push(Problem::at(file, &e, Level::Error));
            return Decoded {
                playbook: None,
                doc: None,
                problems,
            };
        }
    };
    let header = doc.root().decode::<PlaybookDoc<Node>>(&doc, "");
    let phases_node = match &header {
        Ok(h) => Some(h.phases.clone()),
        Err(e) => {
            problems.push(Problem::at(file, e, Level::Error));
            doc.root()
                .entries()
                .and_then(|es| es.into_iter().find(|(k, _)| k == "phases").map(|(_, v)| v))
        }
    };
    let phases = phases_node.map(|node| decode_phases(&node, &doc, file, &mut problems));
    let playbook = match (header, phases) {
        (Ok(h), Some(phases)) if problems.is_empty() => Some(PlaybookDoc {
            kind: h.kind,
            title: h.title,
            aliases: h.aliases,
            summary: h.summary,
            servqual: h.servqual,
            failure_points: h.failure_points,
            phases,
        }),
        _ => None,
    };
    Decoded {
        playbook,
        doc: Some(doc),
        problems,
    }
}

fn decode_phases(node: &Node, doc: &Document, file: &str, problems: &mut Vec<Problem>) -> Phases {
    let mut phases = Phases::default();
    let err = |problems: &mut Vec<Problem>, path: &str, at_key: bool, message: String| {
        problems.push(Problem::new(file, doc.pos_of(path, at_key), Level::Error, message));
    };
    let Some(entries) = node.entries() else {
        err(
            problems,
            "phases",
            false,
            "`phases` must map apologise, fix, amend and follow_up to lists of steps".into(),
        );
        return phases;
    };
    let mut seen: Vec<Phase> = Vec::new();
    for (key, value) in entries {
        let path = format!("phases.{key}");
        let Some(phase) = Phase::from_key(&key) else {
            let message =
                format!("unknown phase `{key}` (the phases are apologise, fix, amend, follow_up)");
            err(problems, &path, true, message);
            continue;
        };
        if let Some(later) = seen.iter().find(|p| **p > phase) {
            let message = format!(
                "phase `{phase}` must come before `{later}` (order: apologise, fix, amend, follow_up)"
            );
            err(problems, &path, true, message);
        }
        seen.push(phase);
        if value.is_null() {
            continue;
        }
        let Some(items) = value.items() else {
            err(problems, &path, false, format!("phase `{phase}` must be a list of steps"));
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            match item.decode::<Step>(doc, &format!("{path}[{i}]")) {
                Ok(step) => phases.steps_mut(phase).push(step),
                Err(e) => problems.push(Problem::at(file, &e, Level::Error)),
            }
        }
    }
    for phase in Phase::ALL {
        if !seen.contains(&phase) {
            let message = format!(
                "phase `{phase}` is missing (all four are needed: apologise, fix, amend, follow_up)"
            );
            err(problems, "phases", true, message);
        }
    }
    phases
}
