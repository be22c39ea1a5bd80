//! `print`: text and Markdown handbooks as expected files, the HTML handbook checked for
//! safety and, in a real browser, for how it prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Test, assert_expected};

/// Every default playbook's English title and words to say, read from the YAML files
/// themselves (independently of the loader under test).
pub fn default_titles_and_says() -> Vec<(String, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "policy.yaml")
        .collect();
    files.sort();
    let english = |v: &serde_yaml::Value| -> String {
        v.as_str().or_else(|| v.get("en").and_then(serde_yaml::Value::as_str)).unwrap().to_owned()
    };
    files
        .iter()
        .map(|f| {
            let doc: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            let says = ["apologise", "fix", "amend", "follow_up"]
                .iter()
                .flat_map(|p| doc["phases"][p].as_sequence().cloned().unwrap_or_default())
                .filter_map(|step| step.get("say").map(english))
                .collect();
            (english(&doc["title"]), says)
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
fn the_handbook_prints_the_bundle_per_severity_and_who_the_tool_lets_give_it() {
    let t = Test::new();
    let text = t.ok(&["print", "wrong-order", "--format", "text"]);
    let md = t.ok(&["print", "wrong-order", "--format", "markdown"]);
    let html = t.ok(&["print", "wrong-order", "--format", "html"]);
    // The wrong-order story: the dish alone is within a waiter's limit, the major bundle
    // it comes in is not.
    assert!(
        text.contains("major: EUR 88, given by supervisor or above, or anyone with their approval"),
        "{text}"
    );
    assert!(text.contains("minor: EUR 8, given by anyone"), "{text}");
    assert!(md.contains("| major | EUR 88 | supervisor or above, or anyone with their approval |"), "{md}");
    assert!(md.contains("| critical | EUR 358 | manager, or anyone with their approval |"), "{md}");
    assert!(!md.contains("staff or above") && !text.contains("staff may give"), "no amend judged alone");
    assert!(html.contains("<table class=\"bundles\"") && html.contains(">88</td>"), "{html}");
    // And the tool agrees: a staff member alone is refused the major bundle, a supervisor's
    // approval gives it, a supervisor's does not give the critical one.
    let yes = ["start", "--type", "wrong-order", "--yes", "--staff", "ole", "--severity"];
    t.cmd(&[&yes[..], &["major"]].concat()).run().code(2).one_error_line("over the staff limit");
    let approved = ["--approved-by", "kim", "--approver-role", "supervisor"];
    t.cmd(&[&yes[..], &["major"], &approved[..]].concat()).run().code(0);
    t.cmd(&[&yes[..], &["critical"], &approved[..]].concat()).run().code(2).one_error_line("a manager may");
}

#[test]
fn output_writes_the_file_and_nothing_else() {
    let t = Test::new();
    for format in ["text", "markdown", "html"] {
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

/// A library whose reservation playbook holds markup, an escape character, an ampersand
/// and quotes, in its title and in words to say.
fn hostile_library(t: &Test) -> String {
    let yaml = r#"type: reservation
title: "Tom & \"Jerry's\" <script>alert(1)</script> \e[31mred"
phases:
  apologise:
    - id: own-it
      do: Apologise.
      say: "<img src=x onerror=alert(2)> *bold* \e]0;pwned\a I'm very sorry. This is our mistake."
  fix:
    - id: fix
      do: Fix it.
  amend: []
  follow_up: []
"#;
    t.write("hostile/reservation.yaml", yaml);
    t.path("hostile").display().to_string()
}

#[test]
fn playbook_text_is_escaped_in_html_and_markdown() {
    let t = Test::new();
    let lib = hostile_library(&t);
    let html =
        t.ok_saying(&["print", "reservation", "--format", "html", "--playbooks", &lib], "no policy here");
    assert!(
        html.contains(
            "Tom &amp; &quot;Jerry&#39;s&quot; &lt;script&gt;alert(1)&lt;/script&gt; \\u{1b}[31mred"
        ),
        "{html}"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(!html.contains("<script") && !html.contains("<img"), "markup from a playbook must not be live");
    let md =
        t.ok_saying(&["print", "reservation", "--format", "markdown", "--playbooks", &lib], "no policy here");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(md.contains(r"&lt;img src=x onerror=alert(2)&gt; \*bold\*"), "{md}");
    assert!(!md.contains("<script") && !md.contains("<img"), "{md}");
    let text = t.ok_saying(&["print", "reservation", "--playbooks", &lib], "no policy here");
    for (format, out) in [("html", &html), ("markdown", &md), ("text", &text)] {
        assert!(
            !out.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\u{c}')),
            "{format}: a control character reached the output"
        );
        assert!(out.contains("\\u{1b}"), "{format}: the escape is shown, not obeyed");
    }
}

#[test]
fn html_is_self_contained_and_carries_its_languages() {
    let t = Test::new();
    let html = t.ok(&["print", "--format", "html", "--guest-lang", "da", "--lang", "en"]);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"), "{}", &html[..80]);
    assert!(html.contains(
        "<p class=\"guest\" lang=\"da\"><b>da</b> \u{201c}Din hovedret er på huset i dag.\u{201d}</p>"
    ));
    for outside in ["http:", "https:", "src=", "<link", "<script", "@import", "url("] {
        assert!(!html.contains(outside), "the handbook must not reach out: found {outside:?}");
    }
    assert_eq!(html.matches("class=\"playbook page\"").count(), default_titles_and_says().len());
    assert!(html.contains("@page { size: A4; }"));
    let letter = t.ok_saying(
        &["print", "--format", "html", "--paper", "letter", "--lang", "\"><x>"],
        "no text in language",
    );
    assert!(letter.contains("@page { size: letter; }"));
    assert!(letter.contains("<html lang=\"und\">"), "a strange --lang cannot break the attribute");
}

/// A program on PATH (or at an absolute path), if present.
pub fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        let direct = Path::new(name);
        if direct.is_absolute() {
            return direct.is_file().then(|| direct.to_owned());
        }
        std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
    })
}

/// Prints `html` to `pdf` with headless Chromium, started as this machine needs it: no
/// sandbox (root), no GPU, no network of its own, a fresh profile, no header or footer.
pub fn print_to_pdf(chromium: &Path, html: &Path, pdf: &Path) -> std::process::Output {
    let profile = tempfile::tempdir().unwrap();
    run_with_limit(
        Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", html.display()))
            .env("HOME", profile.path()),
        Duration::from_secs(120),
    )
}

/// Runs `cmd` to the end, killing it after `limit`.
pub fn run_with_limit(cmd: &mut Command, limit: Duration) -> std::process::Output {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!("{cmd:?} took longer than {limit:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

/// Text as compared across PDF extraction: ligatures undone, whitespace runs as one
/// space, no space after a hyphen (a line may break there).
pub fn normalise(s: &str) -> String {
    let s =
        s.replace('\u{fb01}', "fi").replace('\u{fb02}', "fl").replace('\u{fb00}', "ff").replace('\u{ad}', "");
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace("- ", "-")
}

/// A program the test cannot run without: where it is ignored by default, running it on
/// purpose (`--include-ignored`, as CI does) fails loudly if the program is missing.
pub fn needed_program(names: &[&str], install: &str) -> PathBuf {
    find_program(names).unwrap_or_else(|| panic!("{} is not installed ({install})", names[0]))
}

#[test]
#[ignore = "needs chromium and poppler-utils; CI runs it with --include-ignored"]
fn html_prints_one_playbook_per_page_in_chromium() {
    let chromium =
        needed_program(&["chromium", "/usr/bin/chromium", "chromium-browser"], "apt-get install chromium");
    let pdftotext = needed_program(&["pdftotext"], "apt-get install poppler-utils");
    let pdfinfo = needed_program(&["pdfinfo"], "apt-get install poppler-utils");
    let t = Test::new();
    let playbooks = default_titles_and_says();
    for (paper, size) in [("a4", "(A4)"), ("letter", "(letter)")] {
        let html = t.path(&format!("handbook-{paper}.html"));
        let pdf = t.path(&format!("handbook-{paper}.pdf"));
        t.ok(&["print", "--all", "--format", "html", "--paper", paper, "--output", html.to_str().unwrap()]);
        let out = print_to_pdf(&chromium, &html, &pdf);
        assert!(pdf.is_file(), "chromium wrote no PDF: {}", String::from_utf8_lossy(&out.stderr));

        let info = Command::new(&pdfinfo).arg(&pdf).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no page count in\n{info}"));
        let expected = 2 + playbooks.len();
        assert_eq!(pages, expected, "{paper}: cover + glance card + one page per playbook");
        assert!(info.lines().any(|l| l.starts_with("Page size:") && l.contains(size)), "{paper}:\n{info}");

        let text = Command::new(&pdftotext).arg("-enc").arg("UTF-8").arg(&pdf).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        let pages: Vec<String> = text.split('\u{c}').map(normalise).collect();
        assert!(
            pages[0].contains("Service recovery handbook") && pages[0].contains("Contents"),
            "{paper} cover"
        );
        assert!(pages[1].contains("Recovery at a glance") && pages[1].contains("supervisor"), "{paper} card");
        for (i, (title, says)) in playbooks.iter().enumerate() {
            let page = &pages[2 + i];
            assert!(page.contains(&normalise(title)), "{paper}: page {} is not {title}:\n{page}", 3 + i);
            for say in says {
                assert!(page.contains(&normalise(say)), "{paper}: {title}: {say:?} not on its page:\n{page}");
            }
        }
    }
}
