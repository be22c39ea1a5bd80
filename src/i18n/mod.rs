//! The words recover itself shows (prompts, headings, table columns) in the chosen
//! language. Playbook text carries its own translations; these are the tool's.
//! The catalog is `ui.yaml` beside this file, compiled in.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::text::Text;

static CATALOG_TEXT: &str = include_str!("ui.yaml");

fn catalog() -> &'static HashMap<String, Text> {
    static CATALOG: OnceLock<HashMap<String, Text>> = OnceLock::new();
    CATALOG.get_or_init(|| crate::yaml::decode(CATALOG_TEXT).unwrap_or_default())
}

/// The text of `key` in `lang` (English if it has no translation; the key itself if the
/// catalog lacks it, which a unit test rules out).
#[must_use]
pub fn t<'k>(lang: &str, key: &'k str) -> &'k str
where
    'static: 'k,
{
    catalog().get(key).map_or(key, |text| text.get(lang))
}

/// [`t`] with `{name}` placeholders filled in.
#[must_use]
pub fn f(lang: &str, key: &str, args: &[(&str, &str)]) -> String {
    let mut out = t(lang, key).to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A phase's name as shown.
#[must_use]
pub fn phase(lang: &str, phase: crate::playbook::Phase) -> &'static str {
    t(lang, PHASE_KEYS[phase as usize])
}

const PHASE_KEYS: [&str; 4] = ["phase_apologise", "phase_fix", "phase_amend", "phase_follow_up"];

/// A severity's name as shown.
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

    fn placeholders(s: &str) -> Vec<&str> {
        let mut v: Vec<&str> =
            s.match_indices('{').filter_map(|(i, _)| s[i..].find('}').map(|j| &s[i..=i + j])).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn catalog_parses_and_translations_keep_placeholders() {
        assert!(catalog().len() > 100);
        for (key, text) in catalog() {
            let english = text.exactly("en").unwrap_or_else(|| panic!("{key} has no English"));
            for lang in LANGUAGES {
                if let Some(tr) = text.exactly(lang) {
                    assert_eq!(placeholders(tr), placeholders(english), "{key} in {lang}");
                }
            }
        }
    }

    #[test]
    fn every_key_is_written_in_every_language() {
        let mut missing = Vec::new();
        for (key, text) in catalog() {
            assert!(matches!(text, Text::Translated(_)), "{key} is a plain string, not a language map");
            for lang in LANGUAGES {
                if text.exactly(lang).is_none_or(|s| s.trim().is_empty()) {
                    missing.push(format!("{key}: {lang}"));
                }
            }
            let extra: Vec<&str> = text.languages().into_iter().filter(|l| !LANGUAGES.contains(l)).collect();
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
                    for marker in ["ui::t(", "ui::f("] {
                        for (i, _) in src.match_indices(marker) {
                            let rest = &src[i..];
                            if let Some(q) = rest.find('"').filter(|q| *q < 60) {
                                let key: String = rest[q + 1..].chars().take_while(|c| *c != '"').collect();
                                used.push((path.display().to_string(), key));
                            }
                        }
                    }
                }
            }
        }
        assert!(used.len() > 20, "{used:?}");
        for (file, key) in used {
            assert!(catalog().contains_key(&key), "{file} uses `{key}`, missing from ui.yaml");
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
            assert!(catalog().contains_key(*key), "{key}");
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
