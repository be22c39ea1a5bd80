//! The quick reader against `serde_yaml`: whatever it accepts must decode exactly alike.

use super::*;
use crate::playbook::Playbook;

fn built_in() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// `None`, or the same value `serde_yaml` reads.
fn agrees(text: &str) -> Option<serde_yaml::Value> {
    let fast = from_str::<serde_yaml::Value>(text)?;
    let slow = serde_yaml::from_str::<serde_yaml::Value>(text);
    assert_eq!(slow.as_ref().ok(), Some(&fast), "quick reader differs on:\n{text}\nserde_yaml: {slow:?}");
    Some(fast)
}

fn playbook_agrees(text: &str) -> bool {
    let Some(fast) = from_str::<Playbook>(text) else {
        return false;
    };
    let slow = serde_yaml::from_str::<Playbook>(text).unwrap_or_else(|e| panic!("{e} on:\n{text}"));
    assert_eq!(serde_json::to_string(&fast).unwrap(), serde_json::to_string(&slow).unwrap(), "{text}");
    true
}

#[test]
fn reads_every_built_in_playbook_as_serde_yaml_does() {
    for (name, text) in built_in() {
        // The policy nests flow maps, which are left to serde_yaml (it is one small file).
        if name.ends_with("policy.yaml") {
            assert!(agrees(&text).is_none(), "{name}");
        } else {
            assert!(agrees(&text).is_some(), "{name} is outside the quick subset");
            assert!(playbook_agrees(&text), "{name}");
        }
    }
}

#[test]
fn common_forms_are_read_and_the_rest_left_to_serde_yaml() {
    let read = [
        "a: b",
        "a: 12\nb: 0\nc: 12.50\nd: true\ne: ~\nf:\ng: null",
        "a: 'it''s'\nb: \"say \\\"hi\\\"\\n\"\nc: x # note\nd: a#b",
        "a: [x, 'y', \"z\"]\nb: []\nc: {en: Sorry, da: Undskyld}\nd: {}",
        "a:\n- 1\n- two\nb: c",
        "a:\n  - id: x\n    do: y\n  - id: z\n    say: {en: w}\n# end",
        "a: http://x.y/z\nb: Wait, what? [really]\n",
        "a: b\n\n   # indented comment\nc: d",
        "a: yes\nb: no\nc: nan\nd: infinity\ne: 24h\nf: 2d\ng: 10:30",
    ];
    for text in read {
        assert!(agrees(text).is_some(), "not read: {text}");
    }
    let refused = [
        "a: |\n  block\n",
        "a: >\n  folded\n",
        "a: &x 1\nb: *x",
        "a: !tag x",
        "a: 0x1F",
        "a: 007",
        "a: 1e3",
        "a: +1",
        "a: -1",
        "a: .5",
        "a: plain\n  continued",
        "a: \"two\n  lines\"",
        "---\na: b",
        "a: b\n---\nc: d",
        "a:\tb",
        "a: b\r\n",
        "\"a\": b",
        "? a\n: b",
        "a: [b, [c]]",
        "a: {b: {c: d}}",
        "a: [b: c]",
        "a: b: c",
        "<<: {a: b}",
        "- a\n- b",
        "  a: b",
        "a:\n    b: c\n  d: e",
        "a: 'b' c",
        "a: [b,]",
        "a: \"\\x41\"",
        "a: b #c\n d: e",
        "a: -",
        "a: b: c",
        "a: 0b1",
        "a: 1.5.6",
    ];
    for text in refused {
        assert!(from_str::<serde_yaml::Value>(text).is_none(), "read, should be refused: {text:?}");
    }
}

/// Thousands of small edits of the built-in playbooks: whatever the quick reader still
/// accepts must be read exactly as `serde_yaml` reads it, as a value and as a playbook.
#[test]
fn mutated_playbooks_are_read_alike_or_refused() {
    const PIECES: &[&str] = &[
        ":", ": ", " #", "#", "'", "\"", " ", "-", "- ", "\n", "\n  ", "[", "]", "{", "}", ",", "&", "*",
        "!", "|", ">", "\\", "0", "1.5", "~", "null", "true", "?", "%", "@", "x: y", "\n- ", "''", "\\n",
        "é",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n as u64).unwrap()
    };
    let (mut tried, mut read) = (0, 0);
    for (_, text) in built_in() {
        for _ in 0..std::env::var("FAST_YAML_MUTATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(80) {
            let mut at = next(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let piece = PIECES[next(PIECES.len())];
            let cut = match next(3) {
                0 => 0,
                _ => text[at..].chars().take(next(3)).map(char::len_utf8).sum(),
            };
            let mutated = format!("{}{piece}{}", &text[..at], &text[at + cut..]);
            tried += 1;
            if agrees(&mutated).is_some() {
                read += 1;
            }
            playbook_agrees(&mutated);
        }
    }
    assert!(read * 4 > tried, "the quick reader read only {read} of {tried} mutations");
}
