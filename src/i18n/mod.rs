//! The words recover itself shows (prompts, headings, table columns) in the chosen
//! language. Playbook text carries its own translations; these are the tool's.
//! The catalog is `ui.yaml` beside this file, which build.rs compiles into a sorted table
//! (its strings in one literal, see [`crate::pool`]): every command shows some of these
//! words, and decoding the YAML at run time cost more than the rest of `list` together.

use crate::pool::Span;

include!(concat!(env!("OUT_DIR"), "/ui_catalog.rs"));

/// One catalog entry's texts: (language, text) in written order.
#[derive(Clone, Copy)]
struct Texts(&'static [(Span, Span)]);

impl Texts {
    fn iter(self) -> impl Iterator<Item = (&'static str, &'static str)> {
        self.0.iter().map(|(lang, text)| (lang.of(UI_POOL), text.of(UI_POOL)))
    }

    fn first(self) -> Option<(&'static str, &'static str)> {
        self.iter().next()
    }
}

/// The texts of the `i`th key in sorted order.
fn texts_at(i: usize) -> Texts {
    let (_, first, n) = UI_KEYS[i];
    Texts(UI_TEXTS.get(usize::from(first)..usize::from(first) + usize::from(n)).unwrap_or(&[]))
}

/// The languages of `key` in written order, if the catalog has it.
fn entry(key: &str) -> Option<Texts> {
    UI_KEYS.binary_search_by(|(k, _, _)| k.of(UI_POOL).cmp(key)).ok().map(texts_at)
}

/// The text of `key` in `lang` (English if it has no translation; the key itself if the
/// catalog lacks it, which a unit test rules out).
#[must_use]
pub fn t<'k>(lang: &str, key: &'k str) -> &'k str
where
    'static: 'k,
{
    let Some(texts) = entry(key) else {
        return key;
    };
    // As `Text::get`: the language asked for, else English, else the first written.
    let find = |want: &str| texts.iter().find(|(l, _)| *l == want).map(|(_, text)| text);
    find(lang).or_else(|| find("en")).or_else(|| texts.first().map(|(_, text)| text)).unwrap_or("")
}

/// [`t`] with `{name}` placeholders filled in.
#[must_use]
pub fn f(lang: &str, key: &str, args: &[(&str, &str)]) -> String {
    fill(t(lang, key), args)
}

/// `template` with each `{name}` that `args` names replaced by its value, in one pass
/// over the template: a value is never looked into, so a file name, a ref or a note that
/// holds `{n}` is shown as it is, not filled in by the placeholder after it.
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let named = after.find('}').and_then(|close| {
            let value = args.iter().find(|(name, _)| *name == &after[..close])?.1;
            Some((value, close))
        });
        if let Some((value, close)) = named {
            out.push_str(value);
            rest = &after[close + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Why an amend was withheld, as shown: one of the engine's reasons in `lang`, or the
/// reason in the words it was given.
#[must_use]
pub fn withheld_reason<'r>(lang: &str, reason: &'r str) -> &'r str {
    match reason {
        "guest-declined" => t(lang, "withheld_guest_declined"),
        "not-available" => t(lang, "withheld_not_available"),
        "already-given" => t(lang, "withheld_already_given"),
        "not-stated" => t(lang, "withheld_not_stated"),
        other => other,
    }
}

/// [`f`] for a count: `KEY_one` or `KEY_other` as the language says a number `n` of
/// things (English, Danish, Norwegian and Estonian: one thing, other counts; Bengali one
/// form for every count, its `_other`), with `{n}` filled in as well as `args`.
#[must_use]
pub fn n(lang: &str, key: &str, n: usize, args: &[(&str, &str)]) -> String {
    let form = if n == 1 && shown_lang(lang) != "bn" { "one" } else { "other" };
    let count = n.to_string();
    let mut all = vec![("n", count.as_str())];
    all.extend_from_slice(args);
    f(lang, &format!("{key}_{form}"), &all)
}

/// Seconds as people read them in `lang`: `45s`, `3m 20s`, `2h 05m`, `3d 4h` in English
/// ([`crate::clock::human_seconds`]), the units in the language's own words elsewhere.
#[must_use]
pub fn duration(lang: &str, s: i64) -> String {
    let sign = if s < 0 { "-" } else { "" };
    let s = s.abs();
    let text = match s {
        0..60 => f(lang, "duration_s", &[("s", &s.to_string())]),
        60..3600 => {
            f(lang, "duration_m_s", &[("m", &(s / 60).to_string()), ("s", &format!("{:02}", s % 60))])
        }
        3600..86400 => f(
            lang,
            "duration_h_m",
            &[("h", &(s / 3600).to_string()), ("m", &format!("{:02}", (s % 3600) / 60))],
        ),
        _ => f(
            lang,
            "duration_d_h",
            &[("d", &(s / 86400).to_string()), ("h", &((s % 86400) / 3600).to_string())],
        ),
    };
    format!("{sign}{text}")
}

/// A follow-up's time to be done in (`15m`, `1d`) as shown in `lang`.
#[must_use]
pub fn within(lang: &str, w: crate::duration::Within) -> String {
    let m = w.minutes();
    let (key, n) = if m != 0 && m % (60 * 24) == 0 {
        ("within_d", m / (60 * 24))
    } else if m != 0 && m % 60 == 0 {
        ("within_h", m / 60)
    } else {
        ("within_m", m)
    };
    f(lang, key, &[("n", &n.to_string())])
}

/// A SERVQUAL dimension (by its key) as shown; a key the catalog lacks as it is.
#[must_use]
pub fn servqual(lang: &str, key: &str) -> String {
    let entry_key = format!("servqual_{key}");
    if entry(&entry_key).is_some() { t(lang, &entry_key).to_owned() } else { key.to_owned() }
}

/// A phase's name as shown.
#[must_use]
pub fn phase(lang: &str, phase: crate::playbook::Phase) -> &'static str {
    t(lang, PHASE_KEYS[phase as usize])
}

const PHASE_KEYS: [&str; 4] = ["phase_apologise", "phase_fix", "phase_amend", "phase_follow_up"];

/// How a closed follow-up ended, as shown (a close that says nothing is "done").
#[must_use]
pub fn follow_up_outcome(lang: &str, outcome: Option<crate::engine::FollowUpOutcome>) -> &'static str {
    use crate::engine::FollowUpOutcome;
    match outcome {
        Some(FollowUpOutcome::Recovered) => t(lang, "follow_up_recovered"),
        Some(FollowUpOutcome::Lost) => t(lang, "follow_up_lost"),
        Some(FollowUpOutcome::Done) | None => t(lang, "outcome_done"),
    }
}

/// A severity's name in `lang`.
#[must_use]
pub fn severity(lang: &str, severity: crate::playbook::Severity) -> &'static str {
    t(lang, ["severity_name_minor", "severity_name_major", "severity_name_critical"][severity as usize])
}

/// A severity's one-line meaning.
#[must_use]
pub fn severity_meaning(lang: &str, severity: crate::playbook::Severity) -> &'static str {
    t(lang, ["severity_minor", "severity_major", "severity_critical"][severity as usize])
}

/// The languages every catalog entry is written in, checked by the tests.
pub const LANGUAGES: [&str; 5] = ["en", "da", "nb", "et", "bn"];

/// The language the catalog's words are shown in for `lang`: `lang` itself when the catalog
/// is written in it, else English (what [`t`] falls back to). HTML labels its own words
/// with it, so `--lang fr` does not claim English headings are French.
#[must_use]
pub fn shown_lang(lang: &str) -> &str {
    if LANGUAGES.contains(&lang) { lang } else { "en" }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exactly `lang`'s text of an entry.
    fn exactly(texts: Texts, lang: &str) -> Option<&'static str> {
        texts.iter().find(|(l, _)| *l == lang).map(|(_, text)| text)
    }

    /// The whole catalog, in key order.
    fn catalog() -> impl Iterator<Item = (&'static str, Texts)> {
        UI_KEYS.iter().enumerate().map(|(i, (key, _, _))| (key.of(UI_POOL), texts_at(i)))
    }

    #[test]
    fn compiled_catalog_is_the_yaml() {
        let yaml: indexmap::IndexMap<String, crate::text::Text> =
            crate::yaml::decode(include_str!("ui.yaml")).expect("ui.yaml decodes");
        assert_eq!(yaml.len(), UI_KEYS.len());
        for (key, text) in &yaml {
            let texts = entry(key).unwrap_or_else(|| panic!("{key} missing from the compiled catalog"));
            let langs: Vec<&str> = texts.iter().map(|(l, _)| l).collect();
            assert_eq!(langs, text.languages(), "{key}: languages in written order");
            for (lang, compiled) in texts.iter() {
                assert_eq!(Some(compiled), text.exactly(lang), "{key} in {lang}");
                assert_eq!(t(lang, key), text.get(lang), "{key} in {lang}");
            }
            assert_eq!(t("fr", key), text.get("fr"), "{key}: the fallback");
        }
    }

    #[test]
    fn placeholders_are_filled_in_one_pass_and_values_kept_as_they_are() {
        let args = [("file", "{added}.jsonl"), ("added", "3")];
        assert_eq!(fill("{file}: {added} added, {added}", &args), "{added}.jsonl: 3 added, 3");
        assert_eq!(fill("{unknown} {file", &args), "{unknown} {file");
        assert_eq!(fill("no placeholders", &[]), "no placeholders");
        assert_eq!(fill("ঘটনা {file}", &args), "ঘটনা {added}.jsonl");
    }

    #[test]
    fn catalog_is_sorted_for_binary_search() {
        let keys: Vec<&str> = catalog().map(|(key, _)| key).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        for key in keys {
            assert!(entry(key).is_some(), "{key}");
        }
        assert!(entry("no_such_key").is_none());
        assert_eq!(t("en", "no_such_key"), "no_such_key");
    }

    fn placeholders(s: &str) -> Vec<&str> {
        let mut v: Vec<&str> =
            s.match_indices('{').filter_map(|(i, _)| s[i..].find('}').map(|j| &s[i..=i + j])).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn catalog_parses_and_translations_keep_placeholders() {
        assert!(UI_KEYS.len() > 100);
        for (key, texts) in catalog() {
            let english = exactly(texts, "en").unwrap_or_else(|| panic!("{key} has no English"));
            for lang in LANGUAGES {
                if let Some(tr) = exactly(texts, lang) {
                    assert_eq!(placeholders(tr), placeholders(english), "{key} in {lang}");
                }
            }
        }
    }

    #[test]
    fn every_key_is_written_in_every_language() {
        let mut missing = Vec::new();
        // A plain string instead of a language map fails the build (build.rs).
        for (key, texts) in catalog() {
            for lang in LANGUAGES {
                if exactly(texts, lang).is_none_or(|s| s.trim().is_empty()) {
                    missing.push(format!("{key}: {lang}"));
                }
            }
            let extra: Vec<&str> = texts.iter().map(|(l, _)| l).filter(|l| !LANGUAGES.contains(l)).collect();
            assert!(extra.is_empty(), "{key} has languages outside LANGUAGES: {extra:?}");
        }
        missing.sort();
        assert!(missing.is_empty(), "untranslated:\n{}", missing.join("\n"));
        for lang in LANGUAGES {
            assert_eq!(shown_lang(lang), lang);
        }
        assert_eq!(shown_lang("fr"), "en", "a language the catalog lacks shows English");
    }

    #[test]
    fn every_key_the_code_uses_exists() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(root)];
        let mut used = Vec::new();
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("i18n/mod.rs") {
                    let src = std::fs::read_to_string(&path).unwrap();
                    for marker in ["ui::t(", "ui::f(", "ui::n("] {
                        for (i, _) in src.match_indices(marker) {
                            let rest = &src[i..];
                            // The key is a literal argument of this call, not a later string.
                            if let Some(q) = rest.find('"').filter(|q| *q < 60 && !rest[..*q].contains(')')) {
                                let key: String = rest[q + 1..].chars().take_while(|c| *c != '"').collect();
                                if marker == "ui::n(" {
                                    used.push((path.display().to_string(), format!("{key}_one")));
                                    used.push((path.display().to_string(), format!("{key}_other")));
                                } else {
                                    used.push((path.display().to_string(), key));
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(used.len() > 20, "{used:?}");
        for (file, key) in used {
            assert!(entry(&key).is_some(), "{file} uses `{key}`, missing from ui.yaml");
        }
    }

    #[test]
    fn dynamic_keys_exist() {
        for key in PHASE_KEYS
            .iter()
            .chain(&["severity_name_minor", "severity_name_major", "severity_name_critical"])
            .chain(&["severity_minor", "severity_major", "severity_critical"])
            .chain(&crate::render::print::MEANING_KEYS)
        {
            assert!(entry(key).is_some(), "{key}");
        }
    }

    #[test]
    fn fills_placeholders_and_falls_back_to_english() {
        assert_eq!(f("en", "pick_one", &[("step", "find-room")]), "find-room (pick one)");
        assert_eq!(t("xx", "done"), "Done");
        assert_eq!(f("da", "pick_one", &[("step", "find-room")]), "find-room (vælg én)");
        assert_eq!(phase("bn", crate::playbook::Phase::FollowUp), "ফলো-আপ");
    }
}
