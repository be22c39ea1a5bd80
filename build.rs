//! Compiles two YAML sources into the binary in forms that cost nothing to read at run
//! time, so a command like `list` starts about as fast as a hello-world:
//!
//! - the built-in playbooks (`playbooks/*.yaml`) become a Rust table: per playbook, what
//!   `list` shows and `--type` matches, and the playbook as JSON, which the library reads
//!   in a fraction of the time YAML parsing takes, and only for the playbooks needed; and
//!   beside it the YAML files themselves (`include_str!`), which `check`, `print` and the
//!   test that the JSON equals the YAML read. This is the one embedding of the defaults
//!   (it replaced the `include_dir` crate, whose maintenance is in question).
//! - the UI catalog (`src/i18n/ui.yaml`) becomes a sorted Rust table, which `i18n::t`
//!   searches directly: no YAML parser runs for the tool's own words. Its strings lie end to
//!   end in one literal, named by offsets (see `Pool`), so loading the program costs no
//!   relocation per string.
//!
//! The YAML files stay the one source; the same YAML crate reads them here as at run time.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=playbooks");
    println!("cargo::rerun-if-changed=src/i18n/ui.yaml");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).to_path_buf();
    std::fs::write(out.join("built_in.rs"), built_in_library(&root.join("playbooks")))
        .expect("write built_in.rs");
    std::fs::write(out.join("ui_catalog.rs"), ui_catalog(&root.join("src/i18n/ui.yaml")))
        .expect("write ui_catalog.rs");
}

/// The languages `show` reads a built-in playbook in without its other translations
/// (`i18n::LANGUAGES`, which a test keeps equal).
const SHOWN: [&str; 5] = ["en", "da", "nb", "et", "bn"];

/// The built-in library as Rust source: `POLICY_JSON`, and `INDEX`, one `Entry` per
/// playbook sorted by type, with what `list` shows and type lookup needs (type, aliases,
/// title in every language written, steps per phase) and the playbook itself as JSON, whole
/// and cut to each of the `SHOWN` languages, so `list` decodes no playbook and `show` only
/// the one asked for, in the one language. Every string lies in `POOL` (see `Pool`). The
/// built-in library is part of the program: a file that cannot be read, or that lacks what
/// the index needs, fails the build (the `built_in_library_is_clean` test runs every other
/// check).
fn built_in_library(dir: &Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("read playbooks/")
        .map(|e| e.expect("read playbooks/").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let mut policy = None;
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut yaml_files = String::new();
    let mut pool = Pool::default();
    for path in files {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let name =
            path.file_name().and_then(|n| n.to_str()).unwrap_or_else(|| panic!("{file}: name not UTF-8"));
        writeln!(yaml_files, "    ({name:?}, include_str!({file:?})),").expect("write to a String");
        let value = serde_yaml::from_str::<serde_yaml::Value>(&text)
            .unwrap_or_else(|e| panic!("{file}: not a YAML document: {e}"));
        // Straight to text, keeping the written order of keys (translations list their
        // fallback language first).
        let json = serde_json::to_string(&value).unwrap_or_else(|e| panic!("{file}: {e}"));
        if path.file_name().is_some_and(|n| n == "policy.yaml") {
            policy = Some(json);
            continue;
        }
        let (kind, entry) = index_entry(&file, &value, &json, &mut pool);
        for name in std::iter::once(&kind).chain(&aliases(&file, &value)) {
            let lower = name.to_ascii_lowercase();
            assert!(!names.contains(&lower), "{file}: `{name}` names two built-in playbooks");
            names.push(lower);
        }
        entries.push((kind, entry));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let policy = policy.expect("playbooks/policy.yaml: the built-in library needs its policy");
    let mut src =
        String::from("/// The built-in policy as JSON, made by build.rs from playbooks/policy.yaml.\n");
    writeln!(src, "static POLICY_JSON: &str = {policy:?};").expect("write to a String");
    writeln!(src, "/// The languages each playbook is also kept cut to, in `Entry::shown`.").expect("write");
    writeln!(src, "static SHOWN: [&str; {}] = {SHOWN:?};", SHOWN.len()).expect("write to a String");
    src.push_str("/// The built-in playbooks, made by build.rs from playbooks/: sorted by type.\n");
    src.push_str("static INDEX: &[Entry] = &[\n");
    for (_, entry) in entries {
        src.push_str(&entry);
    }
    src.push_str("];\n");
    src.push_str("/// Every string `INDEX` names, end to end (see build.rs `Pool`).\n");
    writeln!(src, "static POOL: &str = {:?};", pool.text).expect("write to a String");
    src.push_str("/// The same files as written (name, YAML), for `check` and everything that needs\n");
    src.push_str("/// lines and columns; sorted by name.\n");
    writeln!(src, "pub(super) static YAML_FILES: &[(&str, &str)] = &[\n{yaml_files}];")
        .expect("write to a String");
    src
}

/// A playbook's `aliases`, which must be a list of text.
fn aliases(file: &str, value: &serde_yaml::Value) -> Vec<String> {
    match value.get("aliases") {
        None => Vec::new(),
        Some(serde_yaml::Value::Sequence(items)) => items
            .iter()
            .map(|a| a.as_str().unwrap_or_else(|| panic!("{file}: an alias is not text")).to_owned())
            .collect(),
        Some(_) => panic!("{file}: `aliases` must be a list"),
    }
}

/// One playbook's `Entry { .. },` line, and its type.
fn index_entry(file: &str, value: &serde_yaml::Value, json: &str, pool: &mut Pool) -> (String, String) {
    let kind = value.get("type").and_then(|v| v.as_str()).unwrap_or_else(|| panic!("{file}: no `type`"));
    // A plain title is one text for every language: stored under no language, it is what
    // the lookup's "else the first" finds.
    let title = text_pairs(file, "title", value.get("title"));
    let phases =
        value.get("phases").and_then(|p| p.as_mapping()).unwrap_or_else(|| panic!("{file}: no `phases`"));
    let keys: Vec<&str> = phases.keys().filter_map(|k| k.as_str()).collect();
    assert_eq!(keys, ["apologise", "fix", "amend", "follow_up"], "{file}: the four phases, in order");
    let steps: Vec<usize> = phases.values().map(|v| v.as_sequence().map_or(0, Vec::len)).collect();
    let mut entry = format!("    Entry {{ kind: {}, aliases: &[", pool.span(kind));
    for alias in aliases(file, value) {
        write!(entry, "{}, ", pool.span(&alias)).expect("write to a String");
    }
    write!(entry, "], title: &[").expect("write to a String");
    for (lang, text) in &title {
        write!(entry, "({}, {}), ", pool.span(lang), pool.span(text)).expect("write to a String");
    }
    write!(entry, "], steps: {steps:?}, follow_ups: &[").expect("write to a String");
    for step in phases.get("follow_up").and_then(|p| p.as_sequence()).into_iter().flatten() {
        let id =
            step.get("id").and_then(|v| v.as_str()).unwrap_or_else(|| panic!("{file}: a step without `id`"));
        write!(entry, "({}, &[", pool.span(id)).expect("write to a String");
        for (lang, text) in text_pairs(file, "do", step.get("do")) {
            write!(entry, "({}, {}), ", pool.span(&lang), pool.span(&text)).expect("write to a String");
        }
        write!(entry, "]), ").expect("write to a String");
    }
    write!(entry, "], json: {}, shown: [", pool.span(json)).expect("write to a String");
    for lang in SHOWN {
        let cut = serde_json::to_string(&cut_to(value, lang)).unwrap_or_else(|e| panic!("{file}: {e}"));
        write!(entry, "{}, ", pool.span(&cut)).expect("write to a String");
    }
    writeln!(entry, "] }},").expect("write to a String");
    (kind.to_owned(), entry)
}

/// `value` with every translated text cut to the languages `Text::get` and `Text::lang_of`
/// can pick for `lang`: `lang`, English, and the first written. A translated text is a
/// mapping of `SHOWN` languages to strings (no other mapping of a playbook is keyed by
/// language codes; a text in any other language is kept whole); the test
/// `a_playbook_cut_to_one_language_shows_as_the_whole_does` proves the cut exact for the
/// library it is made from.
fn cut_to(value: &serde_yaml::Value, lang: &str) -> serde_yaml::Value {
    use serde_yaml::Value;
    let is_code = |k: &Value| k.as_str().is_some_and(|k| SHOWN.contains(&k));
    match value {
        Value::Mapping(map) if !map.is_empty() && map.iter().all(|(k, v)| is_code(k) && v.is_string()) => {
            Value::Mapping(
                map.iter()
                    .enumerate()
                    .filter(|(i, (k, _))| *i == 0 || k.as_str().is_some_and(|k| k == "en" || k == lang))
                    .map(|(_, (k, v))| (k.clone(), v.clone()))
                    .collect(),
            )
        }
        Value::Mapping(map) => {
            Value::Mapping(map.iter().map(|(k, v)| (k.clone(), cut_to(v, lang))).collect())
        }
        Value::Sequence(items) => Value::Sequence(items.iter().map(|v| cut_to(v, lang)).collect()),
        other => other.clone(),
    }
}

/// A text as (language, text) pairs in written order; a plain text is one pair whose
/// language is empty, which the lookup's "else the first" finds for every language.
fn text_pairs(file: &str, what: &str, value: Option<&serde_yaml::Value>) -> Vec<(String, String)> {
    match value {
        Some(serde_yaml::Value::String(s)) => vec![(String::new(), s.clone())],
        Some(serde_yaml::Value::Mapping(map)) => map
            .iter()
            .map(|(lang, text)| match (lang.as_str(), text.as_str()) {
                (Some(lang), Some(text)) => (lang.to_owned(), text.to_owned()),
                _ => panic!("{file}: a `{what}` maps a language to something other than text"),
            })
            .collect(),
        _ => panic!("{file}: no `{what}` text"),
    }
}

/// The UI catalog as Rust source: `UI_KEYS` sorted by key, each naming its run of
/// `(language, text)` in `UI_TEXTS` in written order, all text in `UI_POOL`. The catalog
/// is part of the program, so a malformed one fails the build with the key to fix rather
/// than showing keys at run time.
fn ui_catalog(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read src/i18n/ui.yaml");
    let doc: serde_yaml::Mapping = serde_yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("src/i18n/ui.yaml is not a mapping of keys: {e}"));
    let mut entries: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (key, value) in doc {
        let key =
            key.as_str().unwrap_or_else(|| panic!("src/i18n/ui.yaml: key {key:?} is not text")).to_owned();
        let map = value.as_mapping().unwrap_or_else(|| {
            panic!("src/i18n/ui.yaml: `{key}` must map languages to text (en: ..., da: ...)")
        });
        let texts = map
            .iter()
            .map(|(lang, text)| match (lang.as_str(), text.as_str()) {
                (Some(lang), Some(text)) => (lang.to_owned(), text.to_owned()),
                _ => panic!("src/i18n/ui.yaml: `{key}` has a language or text that is not a string"),
            })
            .collect();
        entries.push((key, texts));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(pair) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
        panic!("src/i18n/ui.yaml: `{}` is written twice", pair[0].0);
    }
    let mut pool = Pool::default();
    let mut keys = String::new();
    let mut texts = String::new();
    let mut count = 0usize;
    for (key, langs) in &entries {
        let first = u16::try_from(count).expect("fewer than 65,536 catalog texts");
        let n = u16::try_from(langs.len()).expect("fewer than 65,536 languages");
        writeln!(keys, "    ({}, {first}, {n}),", pool.span(key)).expect("write to a String");
        for (lang, text) in langs {
            writeln!(texts, "    ({}, {}),", pool.span(lang), pool.span(text)).expect("write to a String");
            count += 1;
        }
    }
    let mut src = String::from("/// Every text of the UI catalog, laid end to end (see build.rs `Pool`).\n");
    writeln!(src, "static UI_POOL: &str = {:?};", pool.text).expect("write to a String");
    src.push_str("/// The UI catalog's keys, sorted: (key, its first text in `UI_TEXTS`, how many).\n");
    writeln!(src, "static UI_KEYS: [(Span, u16, u16); {}] = [\n{keys}];", entries.len())
        .expect("write to a String");
    src.push_str("/// The catalog's texts, each key's in written order: (language, text).\n");
    writeln!(src, "static UI_TEXTS: [(Span, Span); {count}] = [\n{texts}];").expect("write to a String");
    src
}

/// Strings laid end to end in one literal, which the tables build.rs writes name by
/// offsets. A table of `&str` would cost every start of the program one relocation per
/// string: the loader fixes up each pointer of a position-independent executable, and
/// copies each page of them it writes. Offsets are plain numbers, read where they lie.
#[derive(Default)]
struct Pool {
    text: String,
    seen: std::collections::HashMap<String, (usize, usize)>,
}

impl Pool {
    /// `s` in the pool (once, however often it is asked for), as Rust source: `Span(start, end)`.
    fn span(&mut self, s: &str) -> String {
        let (start, end) = if let Some(&span) = self.seen.get(s) {
            span
        } else {
            let start = self.text.len();
            self.text.push_str(s);
            let span = (start, self.text.len());
            self.seen.insert(s.to_owned(), span);
            span
        };
        u32::try_from(end).expect("a pool of less than 4 GiB");
        format!("Span({}, {})", grouped(start), grouped(end))
    }
}

/// `n` as a Rust literal with its thousands grouped (`106_417`), as clippy asks of source.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}
