//! Tests of `library`, kept apart so the module stays readable in one sitting.

use super::*;

#[test]
fn built_in_library_is_clean() {
    let lib = Library::built_in_checked();
    assert!(lib.problems.is_empty(), "{:?}", lib.problems);
    assert!(lib.playbooks.len() >= 10);
}

#[test]
fn built_in_json_copy_is_the_yaml() {
    let fast = Library::built_in();
    let checked = Library::built_in_checked();
    let json = |lib: &Library| serde_json::to_string(&(&lib.playbooks, &lib.policy)).expect("serialize");
    assert_eq!(json(&fast), json(&checked));
    assert!(fast.problems.is_empty());
}

#[test]
fn finds_by_alias_any_case_and_suggests() {
    let lib = Library::built_in();
    assert_eq!(lib.find("BOOKING").unwrap().kind, "reservation");
    let err = lib.find("resevation").unwrap_err();
    assert!(err.hint.contains("reservation"), "{err}");
    assert!(lib.find("../../etc/passwd").is_err());
}

#[test]
fn threads_read_a_large_library_as_one_does() {
    let books = || -> Vec<Source> {
        let mut books = Vec::new();
        for i in 0..40 {
            for (name, text) in YAML_FILES.iter().filter(|(name, _)| *name != POLICY_FILE) {
                // Every fifth copy keeps its type and all keep their aliases, so names
                // clash; one file is broken.
                let text = if i % 5 == 0 {
                    (*text).to_owned()
                } else {
                    text.replace("type: ", &format!("type: x{i}-"))
                };
                let text = if i == 7 { text.replace("phases:", "phases: [") } else { text };
                books.push(Source { name: format!("{i}/{name}"), text: Text::Read(Ok(text)) });
            }
        }
        books
    };
    let policy = Library::built_in().policy;
    let summary = |read: Vec<(String, Read)>| -> Vec<String> {
        read.into_iter()
            .map(|(name, r)| match r {
                Ok((pb, _, found)) => format!("{name} {} {:?}", pb.kind, found),
                Err(found) => format!("{name} {found:?}"),
            })
            .collect()
    };
    let one = summary(read_on(books(), &policy, 1));
    assert_eq!(one.len(), 40 * YAML_FILES.len().saturating_sub(1));
    assert_eq!(summary(read_on(books(), &policy, 3)), one);
    let lib = Library::from_sources(Origin::BuiltIn, books());
    assert!(lib.problems.iter().any(|p| p.message.contains("is already the type")));
    assert!(lib.playbooks.len() >= 10, "the first copy of each still loads");
}

#[test]
fn distance() {
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("", "ab"), 2);
}
