//! The built-in library as build.rs compiles it: an index of what `list` shows and
//! `--type` matches, and each playbook as JSON, decoded only when it is needed. `list` then
//! decodes no playbook and `show` one, in one language, which keeps them near a
//! hello-world's start-up. Strings are named by [`Span`]s into one literal, `POOL`.

use serde::Serialize;

use super::Playbook;
use super::library::{Library, Origin};
use crate::policy::Policy;
use crate::pool::Span;

/// One built-in playbook in the index.
struct Entry {
    /// Its type.
    kind: Span,
    /// Its aliases, as written.
    aliases: &'static [Span],
    /// Its title: (language, text) in written order; a plain title is one pair whose
    /// language is empty.
    title: &'static [(Span, Span)],
    /// How many steps each phase has, in phase order.
    steps: [usize; 4],
    /// Each follow-up step's id and what it asks, as `title` is kept.
    follow_ups: &'static [(Span, &'static [(Span, Span)])],
    /// The playbook as JSON.
    json: Span,
    /// The playbook as JSON with every text cut to what [`crate::text::Text::get`] shows
    /// in each language of `SHOWN`: `show` reads a fifth of the text.
    shown: [Span; 5],
}

impl Entry {
    fn kind(&self) -> &'static str {
        self.kind.of(POOL)
    }

    fn aliases(&self) -> impl Iterator<Item = &'static str> {
        self.aliases.iter().map(|a| a.of(POOL))
    }
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
            kind: e.kind(),
            title: title_in(e.title, lang),
            aliases: e.aliases().collect(),
            steps: e.steps,
        })
        .collect()
}

/// What follow-up `step` of the built-in playbook of type `kind` asks, in `lang`, without
/// decoding the playbook: `due` shows one on each of its rows.
#[must_use]
pub fn follow_up_action(kind: &str, step: &str, lang: &str) -> Option<&'static str> {
    let entry = INDEX.iter().find(|e| answers_to(e, kind))?;
    entry.follow_ups.iter().find(|(id, _)| id.of(POOL) == step).map(|(_, action)| title_in(action, lang))
}

/// Whether `name` names the entry's playbook, as [`Library::find`] matches: its type or an
/// alias, in any case, around blanks.
fn answers_to(e: &Entry, name: &str) -> bool {
    let name = name.trim();
    e.kind().eq_ignore_ascii_case(name) || e.aliases().any(|a| a.eq_ignore_ascii_case(name))
}

/// As `Text::get`: the text in `lang`, else English, else the first written.
fn title_in(title: &[(Span, Span)], lang: &str) -> &'static str {
    pick(title.iter().map(|(l, t)| (l.of(POOL), t.of(POOL))), lang)
}

/// Of (language, text) pairs, as `Text::get` picks: `lang`, else English, else the first.
fn pick<'a>(mut pairs: impl Iterator<Item = (&'a str, &'a str)> + Clone, lang: &str) -> &'a str {
    let find = |want: &str| pairs.clone().find(|(l, _)| *l == want).map(|(_, t)| t);
    find(lang).or_else(|| find("en")).or_else(|| pairs.next().map(|(_, t)| t)).unwrap_or("")
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

    /// [`Library::built_in_for`] the playbook `name` names, its texts cut to what
    /// [`crate::text::Text::get`] shows in `lang` (a language no built-in text is written in
    /// shows as English does): for a command that shows one language and matches no answer
    /// against the others.
    #[must_use]
    pub fn built_in_shown(name: &str, lang: &str) -> Library {
        let Some(e) = INDEX.iter().find(|e| answers_to(e, name)) else {
            return Library::built_in();
        };
        // SHOWN is `i18n::LANGUAGES`, English first (a test holds them equal).
        let cut = e.shown[SHOWN.iter().position(|l| *l == lang).unwrap_or(0)];
        decode_json(&[cut.of(POOL)]).unwrap_or_else(Library::built_in_checked)
    }
}

/// The built-in policy and `entries`' playbooks, or `None` if any fails to decode.
fn decode(entries: &[Entry]) -> Option<Library> {
    let json: Vec<&str> = entries.iter().map(|e| e.json.of(POOL)).collect();
    decode_json(&json)
}

/// The built-in policy and the playbooks `json` holds, or `None` if any fails to decode.
fn decode_json(json: &[&str]) -> Option<Library> {
    let policy: Policy = serde_json::from_str(POLICY_JSON).ok().filter(|p: &Policy| !p.roles.is_empty())?;
    let playbooks =
        json.iter().map(|j| serde_json::from_str::<Playbook>(j).ok()).collect::<Option<Vec<_>>>()?;
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
        let pairs = |p: &'static [(&'static str, &'static str)]| p.iter().copied();
        assert_eq!(pick(pairs(&[("", "Plain")]), "da"), "Plain");
        assert_eq!(pick(pairs(&[("da", "Dansk"), ("en", "English")]), "fr"), "English");
        assert_eq!(pick(pairs(&[("da", "Dansk"), ("nb", "Norsk")]), "fr"), "Dansk");
        assert_eq!(pick(pairs(&[]), "da"), "");
        assert_eq!(SHOWN, crate::i18n::LANGUAGES);
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
    fn a_playbook_cut_to_one_language_shows_as_the_whole_does() {
        use crate::render::playbook::{Layout, render};
        let whole = Library::built_in();
        for pb in &whole.playbooks {
            for lang in ["en", "da", "nb", "et", "bn", "fr", ""] {
                let part = Library::built_in_shown(&pb.kind, lang);
                let shown = part.find(&pb.kind).expect("found");
                for (width, styled) in [(60, false), (100, true)] {
                    let layout = Layout { lang, guest: None, width, styled };
                    assert_eq!(
                        render(shown, &part.policy, &layout),
                        render(pb, &whole.policy, &layout),
                        "{} in {lang:?}",
                        pb.kind
                    );
                }
                // Cut to what `lang` shows: the language itself, English, the first written.
                let kept = shown.title.languages();
                assert!(kept.len() <= 3 && kept.len() < pb.title.languages().len(), "{kept:?}");
            }
        }
        // Not found: the whole library, so `find` gives its usual hint.
        assert_eq!(Library::built_in_shown("nothing-like-it", "en").playbooks.len(), whole.playbooks.len());
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
