//! The built-in library as build.rs compiles it: an index of what `list` shows and
//! `--type` matches, and each playbook as JSON, decoded only when it is needed. `list` then
//! decodes no playbook and `show` one, which keeps them near a hello-world's start-up.

use serde::Serialize;

use super::Playbook;
use super::library::{Library, Origin};
use crate::policy::Policy;

/// One built-in playbook in the index.
struct Entry {
    /// Its type.
    kind: &'static str,
    /// Its aliases, as written.
    aliases: &'static [&'static str],
    /// Its title: (language, text) in written order; a plain title is one pair whose
    /// language is empty.
    title: &'static [(&'static str, &'static str)],
    /// How many steps each phase has, in phase order.
    steps: [usize; 4],
    /// Each follow-up step's id and what it asks, as `title` is kept.
    follow_ups: &'static [(&'static str, &'static [(&'static str, &'static str)])],
    /// The playbook as JSON.
    json: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/built_in.rs"));

/// What `list` shows of one playbook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listed<'a> {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// Its title in the language asked for, as [`crate::text::Text::get`] picks it.
    pub title: &'a str,
    /// Its aliases.
    pub aliases: Vec<&'a str>,
    /// How many steps each phase has, in phase order.
    pub steps: [usize; 4],
}

/// The built-in library as `list` shows it, in `lang`, without decoding a playbook.
#[must_use]
pub fn listing(lang: &str) -> Vec<Listed<'static>> {
    INDEX
        .iter()
        .map(|e| Listed {
            kind: e.kind,
            title: title_in(e.title, lang),
            aliases: e.aliases.to_vec(),
            steps: e.steps,
        })
        .collect()
}

/// What follow-up `step` of the built-in playbook of type `kind` asks, in `lang`, without
/// decoding the playbook: `due` shows one on each of its rows.
#[must_use]
pub fn follow_up_action(kind: &str, step: &str, lang: &str) -> Option<&'static str> {
    let entry = INDEX.iter().find(|e| answers_to(e, kind))?;
    entry.follow_ups.iter().find(|(id, _)| *id == step).map(|(_, action)| title_in(action, lang))
}

/// Whether `name` names the entry's playbook, as [`Library::find`] matches: its type or an
/// alias, in any case, around blanks.
fn answers_to(e: &Entry, name: &str) -> bool {
    let name = name.trim();
    e.kind.eq_ignore_ascii_case(name) || e.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
}

/// As `Text::get`: the text in `lang`, else English, else the first written.
fn title_in<'a>(title: &[(&'a str, &'a str)], lang: &str) -> &'a str {
    let find = |want: &str| title.iter().find(|(l, _)| *l == want).map(|(_, t)| *t);
    find(lang).or_else(|| find("en")).or_else(|| title.first().map(|(_, t)| *t)).unwrap_or("")
}

impl Library {
    /// The library compiled into the binary, every playbook decoded. Should the compiled
    /// copy not decode, the YAML is read and checked as for any folder.
    #[must_use]
    pub fn built_in() -> Library {
        decode(INDEX).unwrap_or_else(Library::built_in_checked)
    }

    /// The built-in library with only what a command needs decoded: with `None`, the policy
    /// and no playbook (`list` reads [`listing`]); with a name, the policy and the playbook
    /// it names by type or alias in any case, or every playbook when it names none, so that
    /// [`Library::find`] fails with its usual hint. Not for commands that look up more than
    /// the one name.
    #[must_use]
    pub fn built_in_for(name: Option<&str>) -> Library {
        let Some(name) = name else {
            return decode(&[]).unwrap_or_else(Library::built_in_checked);
        };
        match INDEX.iter().position(|e| answers_to(e, name)) {
            Some(i) => decode(&INDEX[i..=i]).unwrap_or_else(Library::built_in_checked),
            None => Library::built_in(),
        }
    }
}

/// The built-in policy and `entries`' playbooks, or `None` if any fails to decode.
fn decode(entries: &[Entry]) -> Option<Library> {
    let policy: Policy = serde_json::from_str(POLICY_JSON).ok().filter(|p: &Policy| !p.roles.is_empty())?;
    let playbooks =
        entries.iter().map(|e| serde_json::from_str::<Playbook>(e.json).ok()).collect::<Option<Vec<_>>>()?;
    Some(Library { origin: Origin::BuiltIn, playbooks, policy, problems: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::Phase;

    #[test]
    fn the_index_is_what_decoding_the_library_gives() {
        for lib in [Library::built_in(), Library::built_in_checked()] {
            for lang in ["en", "da", "nb", "et", "bn", "fr", ""] {
                assert_eq!(listing(lang), lib.listing(lang), "{lang}");
            }
        }
        let plain: &[(&str, &str)] = &[("", "Plain")];
        assert_eq!(title_in(plain, "da"), "Plain");
        assert_eq!(title_in(&[("da", "Dansk"), ("en", "English")], "fr"), "English");
        assert_eq!(title_in(&[("da", "Dansk"), ("nb", "Norsk")], "fr"), "Dansk");
    }

    #[test]
    fn the_follow_up_index_is_what_the_playbooks_say() {
        let mut seen = 0;
        for pb in &Library::built_in().playbooks {
            for step in &pb.phases.follow_up {
                for lang in ["en", "da", "nb", "et", "bn", "fr"] {
                    assert_eq!(follow_up_action(&pb.kind, &step.id, lang), Some(step.action.get(lang)));
                    seen += 1;
                }
            }
            assert_eq!(follow_up_action(&pb.kind, "no-such-step", "en"), None);
        }
        assert!(seen > 50, "{seen}");
        assert_eq!(follow_up_action("no-such-type", "x", "en"), None);
    }

    #[test]
    fn a_partial_library_finds_as_the_whole_does() {
        let whole = Library::built_in();
        let mut names: Vec<String> =
            vec!["resevation".into(), " BOOKING ".into(), "nothing-like-it".into(), String::new()];
        for pb in &whole.playbooks {
            names.push(pb.kind.to_ascii_uppercase());
            names.extend(pb.aliases.iter().cloned());
        }
        let json = |pb: &Playbook| serde_json::to_string(pb).expect("serialize");
        for name in &names {
            let part = Library::built_in_for(Some(name));
            match (part.find(name), whole.find(name)) {
                (Ok(a), Ok(b)) => assert_eq!(json(a), json(b), "{name}"),
                (Err(a), Err(b)) => assert_eq!(a, b, "{name}"),
                (a, b) => panic!("{name}: {:?} against {:?}", a.map(|p| &p.kind), b.map(|p| &p.kind)),
            }
            assert_eq!(
                serde_json::to_string(&part.policy).unwrap(),
                serde_json::to_string(&whole.policy).unwrap()
            );
        }
        let policy_only = Library::built_in_for(None);
        assert!(policy_only.playbooks.is_empty());
        assert_eq!(
            serde_json::to_string(&policy_only.policy).unwrap(),
            serde_json::to_string(&whole.policy).unwrap()
        );
        assert_eq!(Phase::ALL.len(), INDEX[0].steps.len());
    }
}
