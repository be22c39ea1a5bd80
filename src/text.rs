//! Playbook text in one language or several, and the choice of which one to show.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

/// A piece of text a person reads: a plain string, or the same text in several languages
/// keyed by language code (`en`, `da`, `nb`, `et`, `bn`), so one library serves a chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Text {
    /// Written once, in the library's language.
    Plain(String),
    /// Language code to text, in written order; the first is the fallback.
    Translated(IndexMap<String, String>),
}

impl Text {
    /// The text in `lang`, else English, else the first language given.
    #[must_use]
    pub fn get(&self, lang: &str) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Translated(map) => map
                .get(lang)
                .or_else(|| map.get("en"))
                .or_else(|| map.values().next())
                .map_or("", String::as_str),
        }
    }

    /// The language [`get`](Self::get) shows for `lang`: `lang` itself, else `en`, else the
    /// first language written. `None` for a plain string, whose language the text does not
    /// say (the policy's first language, by convention), and for an empty map. HTML needs
    /// it to label a fallback honestly, so screen readers and hyphenation follow the text.
    #[must_use]
    pub fn lang_of(&self, lang: &str) -> Option<&str> {
        match self {
            Text::Plain(_) => None,
            Text::Translated(map) => map
                .get_key_value(lang)
                .or_else(|| map.get_key_value("en"))
                .or_else(|| map.first())
                .map(|(k, _)| k.as_str()),
        }
    }

    /// The text in exactly `lang`, if written in it (a plain string counts for any).
    #[must_use]
    pub fn exactly(&self, lang: &str) -> Option<&str> {
        match self {
            Text::Plain(s) => Some(s),
            Text::Translated(map) => map.get(lang).map(String::as_str),
        }
    }

    /// True when no language holds any visible text.
    #[must_use]
    pub fn is_blank(&self) -> bool {
        match self {
            Text::Plain(s) => s.trim().is_empty(),
            Text::Translated(map) => map.values().all(|s| s.trim().is_empty()),
        }
    }

    /// Languages written, empty for a plain string.
    #[must_use]
    pub fn languages(&self) -> Vec<&str> {
        match self {
            Text::Plain(_) => Vec::new(),
            Text::Translated(map) => map.keys().map(String::as_str).collect(),
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::Plain(String::new())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::Plain(s.to_owned())
    }
}

/// An option a person picks (a `choose` option, a failure point): a stable value that
/// scripts, answers files and the log use, and a label shown in the chosen language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// Recorded and matched by answers files; never translated.
    pub value: String,
    /// Shown to people.
    pub label: Text,
}

/// The schema of a [`Choice`] as written; decoding is hand-written in [`de`], to the same
/// rules.
#[derive(JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
#[allow(dead_code)]
enum ChoiceRepr {
    Plain(String),
    Labelled { value: String, label: Text },
}

impl JsonSchema for Choice {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Choice".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        ChoiceRepr::json_schema(generator)
    }
}

impl Choice {
    /// True when `answer` names this option by value or by a label in any language.
    #[must_use]
    pub fn matches(&self, answer: &str) -> bool {
        let answer = answer.trim();
        self.value.eq_ignore_ascii_case(answer)
            || match &self.label {
                Text::Plain(s) => s.eq_ignore_ascii_case(answer),
                Text::Translated(map) => map.values().any(|s| s.eq_ignore_ascii_case(answer)),
            }
    }
}

/// The language to show text in, chosen once: `--lang`, `RECOVER_LANG`, then the locale
/// (`LC_ALL`, `LC_MESSAGES`, `LANG`), else English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lang(pub String);

impl Lang {
    /// Picks the language from an explicit choice or the locale variables given.
    #[must_use]
    pub fn resolve(explicit: Option<&str>, locale: &[Option<String>]) -> Self {
        let from_locale = locale.iter().flatten().find(|v| !v.is_empty()).map(String::as_str);
        let raw = explicit.filter(|s| !s.is_empty()).or(from_locale).unwrap_or("en");
        Lang(normalise(raw))
    }

    /// The language code, as `en` or `nb`.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.0
    }
}

impl Default for Lang {
    fn default() -> Self {
        Lang("en".to_owned())
    }
}

/// `da_DK.UTF-8` → `da`; `C` and `POSIX` → `en`; Norwegian `no` → `nb`.
fn normalise(raw: &str) -> String {
    let code: String = raw.split(['_', '.', '@', '-']).next().unwrap_or("").to_ascii_lowercase();
    match code.as_str() {
        "" | "c" | "posix" => "en".to_owned(),
        "no" => "nb".to_owned(),
        _ => code,
    }
}

mod de;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_english_then_first() {
        let mut map = IndexMap::new();
        map.insert("da".to_owned(), "Undskyld".to_owned());
        map.insert("en".to_owned(), "Sorry".to_owned());
        let t = Text::Translated(map);
        assert_eq!(t.get("da"), "Undskyld");
        assert_eq!(t.get("et"), "Sorry");
        let mut only = IndexMap::new();
        only.insert("bn".to_owned(), "দুঃখিত".to_owned());
        let only = Text::Translated(only);
        assert_eq!(only.get("en"), "দুঃখিত");
        assert_eq!(only.lang_of("en"), Some("bn"));
        assert_eq!(t.lang_of("da"), Some("da"));
        assert_eq!(t.lang_of("et"), Some("en"));
        assert_eq!(Text::from("Sorry").lang_of("da"), None);
        assert_eq!(Text::Translated(IndexMap::new()).lang_of("da"), None);
    }

    #[test]
    fn language_from_locale() {
        assert_eq!(Lang::resolve(None, &[None, Some("da_DK.UTF-8".into())]).code(), "da");
        assert_eq!(Lang::resolve(Some("ET"), &[Some("da".into())]).code(), "et");
        assert_eq!(Lang::resolve(None, &[Some("C.UTF-8".into())]).code(), "en");
        assert_eq!(Lang::resolve(None, &[]).code(), "en");
    }

    #[test]
    fn choice_matches_value_or_any_label() {
        let c = Choice { value: "partner".into(), label: Text::Plain("Partner hotel nearby".into()) };
        assert!(c.matches("partner hotel NEARBY"));
        assert!(c.matches("partner"));
        assert!(!c.matches("sister"));
    }
}
