//! Decoding one playbook file, collecting every problem rather than stopping at the first.

use serde::de::DeserializeOwned;

use super::check::{Level, Problem};
use super::{NeverSay, PLAYBOOK_KEYS, Phase, Phases, Playbook, Step};
use crate::yaml::{self, Document, Node, Pos};

/// A playbook file read as far as it could be.
pub(crate) struct Decoded {
    /// What could be read; missing or broken parts are left at their defaults. `None`
    /// when the YAML did not parse.
    pub playbook: Option<(Playbook, Document)>,
    /// What is wrong with it so far.
    pub problems: Vec<Problem>,
}

/// Decodes `text` (the file `file`): in one pass when it is a well-formed playbook (most
/// files, most of the time), else key by key and step by step, so an unknown key does not
/// hide a bad duration three steps down, and later checks still see every step that could
/// be read.
pub(crate) fn decode_playbook(file: &str, text: &str) -> Decoded {
    if let Some(clean) = yaml::decode_clean::<Playbook>(text) {
        return Decoded { playbook: Some(clean), problems: Vec::new() };
    }
    decode_in_parts(file, text)
}

/// Decodes `text` key by key and step by step, collecting every problem.
fn decode_in_parts(file: &str, text: &str) -> Decoded {
    let mut problems = Vec::new();
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            problems.push(Problem::at(file, &e, Level::Error));
            return Decoded { playbook: None, problems };
        }
    };
    let entries = doc.root().entries().unwrap_or_default();
    for (key, _) in &entries {
        if !PLAYBOOK_KEYS.contains(&key.as_str()) {
            let message = format!("unknown key `{key}` (a playbook has {})", PLAYBOOK_KEYS.join(", "));
            problems.push(Problem::new(file, doc.pos_of(key, true), Level::Error, message));
        }
    }
    let mut field = |key: &str, required: bool| -> Option<Node> {
        let found = entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        if found.is_none() && required {
            let message = format!("`{key}` is missing");
            problems.push(Problem::new(file, Pos { line: 1, col: 1 }, Level::Error, message));
        }
        found
    };
    let nodes: Vec<Option<Node>> =
        PLAYBOOK_KEYS.iter().map(|k| field(k, matches!(*k, "type" | "title" | "phases"))).collect();
    let p = &mut problems;
    let mut pb = Playbook {
        kind: get(&nodes, 0, &doc, file, p).unwrap_or_default(),
        title: get(&nodes, 1, &doc, file, p).unwrap_or_default(),
        aliases: get(&nodes, 2, &doc, file, p).unwrap_or_default(),
        summary: get(&nodes, 3, &doc, file, p),
        servqual: get(&nodes, 4, &doc, file, p).unwrap_or_default(),
        failure_points: get(&nodes, 5, &doc, file, p).unwrap_or_default(),
        phases: Phases::default(),
        never_say: Vec::new(),
    };
    if let Some(node) = &nodes[7] {
        pb.never_say = decode_never_say(node, &doc, file, &mut problems);
    }
    if let Some(node) = &nodes[6] {
        pb.phases = decode_phases(node, &doc, file, &mut problems);
    }
    Decoded { playbook: Some((pb, doc)), problems }
}

/// The top-level field `PLAYBOOK_KEYS[i]`, decoded, if present and well-formed.
fn get<T: DeserializeOwned>(
    nodes: &[Option<Node>],
    i: usize,
    doc: &Document,
    file: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    nodes[i].as_ref().and_then(|n| value(n, doc, PLAYBOOK_KEYS[i], file, problems))
}

fn value<T: DeserializeOwned>(
    node: &Node,
    doc: &Document,
    path: &str,
    file: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    node.decode(doc, path).map_err(|e| problems.push(Problem::at(file, &e, Level::Error))).ok()
}

/// The `never_say` entries that decode, each on its own, so one bad entry does not hide
/// the problems of the others.
fn decode_never_say(node: &Node, doc: &Document, file: &str, problems: &mut Vec<Problem>) -> Vec<NeverSay> {
    if node.is_null() {
        return Vec::new();
    }
    let Some(items) = node.items() else {
        let message = "`never_say` must be a list of {phrase, why} entries".to_owned();
        problems.push(Problem::new(file, doc.pos_of("never_say", false), Level::Error, message));
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| value::<NeverSay>(item, doc, &format!("never_say[{i}]"), file, problems))
        .collect()
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
            let message = format!("unknown phase `{key}` (the phases are apologise, fix, amend, follow_up)");
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
            if let Some(step) = self::value::<Step>(item, doc, &format!("{path}[{i}]"), file, problems) {
                phases.steps_mut(phase).push(step);
            }
        }
    }
    for phase in Phase::ALL {
        if !seen.contains(&phase) {
            let message =
                format!("phase `{phase}` is missing (all four are needed: apologise, fix, amend, follow_up)");
            err(problems, "phases", true, message);
        }
    }
    phases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_and_part_by_part_read_a_good_playbook_alike() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
        let mut read = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "policy.yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let json = |d: Decoded| serde_json::to_string(&d.playbook.unwrap().0).unwrap();
            let (pb, _) = yaml::decode_clean::<Playbook>(&text).expect("a clean playbook");
            assert_eq!(serde_json::to_string(&pb).unwrap(), json(decode_in_parts("f", &text)));
            // An empty phase reads as no steps either way.
            let (amend, follow_up) = (text.find("  amend:").unwrap(), text.find("  follow_up:").unwrap());
            let empty = format!("{}  amend:\n{}", &text[..amend], &text[follow_up..]);
            assert!(yaml::decode_clean::<Playbook>(&empty).is_some());
            assert_eq!(json(decode_playbook("f", &empty)), json(decode_in_parts("f", &empty)));
            read += 1;
        }
        assert!(read >= 10);
    }

    #[test]
    fn what_one_pass_cannot_vouch_for_is_read_part_by_part() {
        let good = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/noise.yaml"),
        )
        .unwrap();
        let apologise = good.find("  apologise:").unwrap();
        let fix = good.find("  fix:").unwrap();
        let amend = good.find("  amend:").unwrap();
        // fix before apologise: fine for a struct, not for a playbook.
        let swapped =
            format!("{}{}{}{}", &good[..apologise], &good[fix..amend], &good[apologise..fix], &good[amend..]);
        let alias = good.replacen("title:", "title: &t", 1).replacen("summary:", "summary: *t #", 1);
        for bad in [swapped, alias, format!("{good}---\na: 1\n")] {
            assert!(yaml::decode_clean::<Playbook>(&bad).is_none());
            assert!(!decode_playbook("f", &bad).problems.is_empty());
        }
    }
}
