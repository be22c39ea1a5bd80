//! Compiles two YAML sources into the binary in forms that cost nothing to read at run
//! time, so a command like `list` starts about as fast as a hello-world:
//!
//! - the built-in playbooks (`playbooks/*.yaml`) become one JSON document, which
//!   `Library::built_in` reads in a fraction of the time YAML parsing takes (it falls back
//!   to the YAML, with every check and warning, if this copy ever fails to decode);
//! - the UI catalog (`src/i18n/ui.yaml`) becomes a sorted Rust table of string literals,
//!   which `i18n::t` searches directly: no YAML parser runs for the tool's own words.
//!
//! The YAML files stay the one source; the same YAML crate reads them here as at run time.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=playbooks");
    println!("cargo::rerun-if-changed=src/i18n/ui.yaml");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).to_path_buf();
    std::fs::write(out.join("built_in.json"), built_in_library(&root.join("playbooks")))
        .expect("write built_in.json");
    std::fs::write(out.join("ui_catalog.rs"), ui_catalog(&root.join("src/i18n/ui.yaml")))
        .expect("write ui_catalog.rs");
}

/// The built-in playbooks and policy as one JSON document.
fn built_in_library(dir: &Path) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("read playbooks/")
        .map(|e| e.expect("read playbooks/").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let mut policy = String::from("null");
    let mut playbooks = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read a playbook");
        // A file YAML cannot read is left to the run-time loader, which reports it.
        let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(&text) else {
            continue;
        };
        // Straight to text, keeping the written order of keys (translations list their
        // fallback language first).
        let Ok(json) = serde_json::to_string(&value) else {
            continue;
        };
        if path.file_name().is_some_and(|n| n == "policy.yaml") {
            policy = json;
        } else {
            playbooks.push(json);
        }
    }
    format!("{{\"policy\":{policy},\"playbooks\":[{}]}}", playbooks.join(","))
}

/// The UI catalog as Rust source: `CATALOG`, a slice of `(key, [(language, text)])` sorted
/// by key, each entry's languages in written order. The catalog is part of the program, so
/// a malformed one fails the build with the key to fix rather than showing keys at run time.
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
    let mut src = String::from("/// The UI catalog, made by build.rs from ui.yaml: sorted by key.\n");
    src.push_str("static CATALOG: &[(&str, &[(&str, &str)])] = &[\n");
    for (key, texts) in &entries {
        // `{:?}` of a str is a valid Rust string literal.
        write!(src, "    ({key:?}, &[").expect("write to a String");
        for (lang, text) in texts {
            write!(src, "({lang:?}, {text:?}), ").expect("write to a String");
        }
        src.push_str("]),\n");
    }
    src.push_str("];\n");
    src
}
