//! `print`: text and Markdown handbooks as expected files.

use std::path::{Path, PathBuf};

use crate::support::{Test, assert_expected};

/// Every default playbook's title and words to say, read from the YAML files themselves
/// (all default text is plain English).
fn default_titles_and_says() -> Vec<(String, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "policy.yaml")
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let yaml = std::fs::read_to_string(f).unwrap();
            let field = |line: &str, key: &str| {
                let value = line.trim().strip_prefix(key)?.trim();
                Some(value.trim_matches('"').to_owned())
            };
            let title = yaml.lines().find_map(|l| field(l, "title:")).unwrap();
            let says = yaml.lines().filter_map(|l| field(l, "say:")).collect();
            (title, says)
        })
        .collect()
}

#[test]
fn text_of_two_playbooks_fits_80_columns_when_piped() {
    let t = Test::new();
    let out = t.ok(&["print", "reservation", "wrong-order"]);
    assert_expected("print-two.txt", &out);
    assert_eq!(out.matches('\u{c}').count(), 1, "a form feed between the two playbooks");
    let all = t.ok(&["print"]);
    for line in all.lines() {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line:?}");
    }
    assert!(!all.contains('\u{1b}'), "no colour when piped");
    let again = t.ok(&["print", "reservation", "booking"]);
    assert_eq!(
        again.matches("Reservation lost or wrong  (reservation)").count(),
        1,
        "named twice, printed once"
    );
}

#[test]
fn markdown_of_two_playbooks_is_a_handbook() {
    let t = Test::new();
    let out = t.ok(&["print", "reservation", "wrong-order", "--format", "markdown"]);
    assert_expected("print-two.md", &out);
    for expected in [
        "# Service recovery handbook\n",
        "## Contents\n",
        "- [How we recover](#how-we-recover)\n",
        "- [Reservation lost or wrong](#reservation-lost-or-wrong)",
        "- [Wrong dish or order served](#wrong-dish-or-order-served)",
        "never has to push for the next step",
        "| staff | 50 |\n",
        "## Reservation lost or wrong\n",
        "### 3. Amend\n",
        "| 3 | Insist on paying for the replacement room.",
        "> \u{201c}I'm very sorry. This is our mistake, not yours",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
}

#[test]
fn markdown_quotes_every_say_line_of_every_playbook() {
    let t = Test::new();
    let out = t.ok(&["print", "--all", "--format", "markdown"]);
    for (title, says) in default_titles_and_says() {
        assert!(out.contains(&format!("\n## {title}\n")), "no section for {title}");
        for say in says {
            assert!(out.contains(&format!("\u{201c}{say}\u{201d}")), "{title}: {say:?} not quoted");
        }
    }
}

#[test]
fn output_writes_the_file_and_nothing_else() {
    let t = Test::new();
    for format in ["text", "markdown"] {
        let file = format!("handbook.{format}");
        let out = t.cmd(&["print", "--format", format, "--output", &file, "--color", "always"]).run();
        out.code(0);
        assert_eq!(out.stdout, "", "{format}: nothing on stdout");
        assert_eq!(out.stderr, "", "{format}: nothing on stderr");
        let written = std::fs::read_to_string(t.path(&file)).unwrap();
        assert!(written.contains("Reservation lost or wrong"), "{format}");
        assert!(!written.contains('\u{1b}'), "{format}: no colour in a file");
    }
    t.cmd(&["print", "--output", "no/such/dir/h.txt"]).run().code(3).one_error_line("cannot write");
}

#[test]
fn unknown_type_exits_2_with_one_line() {
    let t = Test::new();
    t.cmd(&["print", "reservation", "resrvation"])
        .run()
        .code(2)
        .one_error_line("unknown type `resrvation`; did you mean `reservation`?");
}

/// A copy of the library whose reservation playbook holds markup, an escape character,
/// an ampersand and quotes, in its title and in words to say.
fn hostile_library(t: &Test) -> String {
    let dir = t.copy_playbooks("lib");
    let file = dir.join("reservation.yaml");
    let yaml = std::fs::read_to_string(&file).unwrap();
    let yaml = yaml
        .replace(
            "title: Reservation lost or wrong",
            r#"title: "Tom & \"Jerry's\" <script>alert(1)</script> \e[31mred""#,
        )
        .replace(
            r#"say: "I'm very sorry. This is our mistake"#,
            r#"say: "<img src=x onerror=alert(2)> *bold* \e]0;pwned\a I'm very sorry. This is our mistake"#,
        );
    std::fs::write(&file, yaml).unwrap();
    dir.display().to_string()
}

#[test]
fn playbook_text_is_escaped_in_markdown() {
    let t = Test::new();
    let lib = hostile_library(&t);
    let md = t.ok(&["print", "reservation", "--format", "markdown", "--playbooks", &lib]);
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(md.contains(r"&lt;img src=x onerror=alert(2)&gt; \*bold\*"), "{md}");
    assert!(!md.contains("<script") && !md.contains("<img"), "{md}");
    let text = t.ok(&["print", "reservation", "--playbooks", &lib]);
    for (format, out) in [("markdown", &md), ("text", &text)] {
        assert!(
            !out.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\u{c}')),
            "{format}: a control character reached the output"
        );
        assert!(out.contains("\\u{1b}"), "{format}: the escape is shown, not obeyed");
    }
}
