//! `recover man`: one complete page, every command and option in it, the sections a man
//! page needs, a real date, nothing `mandoc -Tlint` warns about, and no page named that
//! is not there.

use std::process::Command;

use crate::support::Test;

/// The commands `recover --help` lists (but `help`).
fn commands(t: &Test) -> Vec<String> {
    let help = t.ok(&["--help"]);
    let list = help.split("Commands:\n").nth(1).unwrap().split("\n\n").next().unwrap();
    list.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_page_has_every_command_and_option_and_the_sections_a_man_page_needs() {
    let t = Test::new();
    let page = t.ok(&["man"]);
    let th: Vec<&str> = page.lines().next().unwrap().split(' ').collect();
    assert_eq!(&th[..3], [".TH", "RECOVER", "1"], "{page}");
    let date: Vec<u32> = th[3].split('-').map(|n| n.parse().unwrap()).collect();
    assert!(date.len() == 3 && date[0] >= 2026 && (1..=12).contains(&date[1]) && (1..=31).contains(&date[2]));
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "COMMANDS",
        "\"EXIT STATUS\"",
        "ENVIRONMENT",
        "FILES",
        "EXAMPLES",
    ] {
        assert!(page.lines().any(|l| l == format!(".SH {section}")), "no {section} section");
    }
    for code in ["0", "1", "2", "3", "130"] {
        assert!(page.contains(&format!(".TP\n.B {code}\n")), "exit status {code}");
    }
    for var in
        ["RECOVER_LOG", "RECOVER_PLAYBOOKS", "RECOVER_LANG", "RECOVER_STAFF", "RECOVER_ROLE", "NO_COLOR"]
    {
        assert!(page.contains(&format!(".B {var}\n")), "environment {var}");
    }
    let roff = |s: &str| s.replace('-', "\\-");
    for command in commands(&t) {
        assert!(page.contains(&format!(".SS \"recover {}", roff(&command))), "command {command}");
        let help = t.ok(&[command.as_str(), "--help"]);
        for long in help.split_whitespace().filter(|w| w.starts_with("--")) {
            let long = long.trim_end_matches([',', '.', ')']);
            if long.len() > 2 && long.chars().skip(2).all(|c| c.is_ascii_lowercase() || c == '-') {
                assert!(page.contains(&format!("\\fB{}\\fR", roff(long))), "{command} {long}");
            }
        }
    }
    // Only this page is generated: it names no other recover page (recover-start(1)).
    let named: Vec<&str> = page
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '\\' || c == '(' || c == ')'))
        .filter(|w| {
            w.ends_with(')') && w.contains('(') && w.len() > 3 && w.as_bytes()[w.len() - 2].is_ascii_digit()
        })
        .collect();
    assert!(named.is_empty(), "pages named: {named:?}");
    assert!(
        !page.contains("recover\\-start") && !page.contains("SEE ALSO"),
        "no pages that are not generated"
    );
}

#[test]
#[ignore = "needs mandoc; CI runs it with --include-ignored"]
fn mandoc_finds_nothing_to_say_about_the_page() {
    assert!(
        Command::new("mandoc").arg("-V").output().is_ok(),
        "mandoc is not installed (apt-get install mandoc)"
    );
    let t = Test::new();
    let page = t.write("recover.1", t.ok(&["man"]));
    let out = Command::new("mandoc").args(["-Tlint", "-W", "all"]).arg(&page).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && said.is_empty(), "mandoc -Tlint -W all:\n{said}");
    let shown = Command::new("mandoc").args(["-Tutf8"]).arg(&page).output().unwrap();
    // Bold and underline are overstruck (`X\bX`, `_\bX`): keep the last of each pair.
    let raw: Vec<char> = String::from_utf8_lossy(&shown.stdout).chars().collect();
    let shown: String = raw
        .iter()
        .enumerate()
        .filter(|&(k, c)| *c != '\u{8}' && raw.get(k + 1) != Some(&'\u{8}'))
        .map(|(_, c)| c)
        .collect();
    assert!(shown.contains("EXIT STATUS") && shown.contains("recover done [OPTIONS] ID STEP"), "{shown}");
}
