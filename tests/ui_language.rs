//! Under `--lang`, the tool's own words on standard output (and its report lines on
//! standard error) are in that language, counted as the language counts.

use crate::support::Test;

/// English words of the UI that must not be left in another language's output.
const ENGLISH: &[&str] = &[
    "Started",
    "Severity",
    "Staff",
    "Status",
    "Amends",
    "Due",
    "Incident",
    "Ref",
    "Step",
    "Do",
    "Section",
    "Item",
    "Value",
    "Report since",
    "OVERDUE",
    "total",
    "median",
    "percentile",
    "by type",
    "by severity",
    "follow-ups",
    "needing an approver",
    "incident",
    "incidents",
    "playbook",
    "playbooks",
    "done on time",
    "complete",
    "minor",
    "error",
    "errors",
    "warning",
    "warnings",
    "deleted",
    "due",
    "overdue",
];

/// Words Danish writes as English does.
const SAME_IN_DANISH: &[&str] = &["Status", "median", "Ref"];

/// `word` standing alone in `text` (not inside a longer word), ignoring case.
fn has_word(text: &str, word: &str) -> bool {
    let (text, word) = (text.to_lowercase(), word.to_lowercase());
    text.match_indices(&word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// What the user reads: stdout, and stderr without the command names it quotes.
fn shown(t: &Test, lang: &str, args: &[&str]) -> String {
    let mut all = vec!["--lang", lang];
    all.extend_from_slice(args);
    let out = t.cmd(&all).run();
    let stderr = out.stderr.replace("`recover done ID STEP`", "");
    format!("{}\n{stderr}", out.stdout)
}

#[test]
fn log_report_due_check_purge_and_paths_speak_the_language_asked() {
    let t = Test::new();
    for kind in ["reservation", "wrong-order"] {
        t.ok(&["start", "--type", kind, "--yes", "--staff", "anna", "--ref", "room 214"]);
    }
    let commands: [&[&str]; 7] = [
        &["paths"],
        &["log"],
        &["report"],
        &["due", "--within", "30d"],
        &["check"],
        &["purge", "--before", "2000-01-01", "--yes"],
        &["list"],
    ];
    for lang in ["bn", "da"] {
        for args in commands {
            let mut text = shown(&t, lang, args);
            if args == ["paths"] {
                // Each line starts with the setting's name, spelt as its flag: not translated.
                text = text
                    .lines()
                    .map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            if args == ["list"] {
                // The rows are the playbooks' own names and aliases: only the headings are ours.
                text = text.lines().next().unwrap_or_default().to_owned();
            }
            for word in ENGLISH.iter().filter(|w| lang != "da" || !SAME_IN_DANISH.contains(w)) {
                // Playbook types and step ids are names, not words of the UI.
                let names = text.replace("wrong-order", "").replace("reservation", "");
                assert!(!has_word(&names, word), "{lang} {args:?} still says {word:?}:\n{text}");
            }
        }
    }
}

#[test]
fn counts_take_the_languages_plural_forms() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes", "--staff", "anna"]);
    let one = t.write(
        "one/noise.yaml",
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/noise.yaml"),
        )
        .unwrap_or_default(),
    );
    let dir = one.parent().unwrap_or(&one).to_str().unwrap_or_default().to_owned();
    let check = |lang: &str| t.cmd(&["--lang", lang, "check", &dir]).run().stderr;
    assert!(check("en").contains("1 playbook usable"), "{}", check("en"));
    assert!(check("da").contains("1 drejebog kan bruges"), "{}", check("da"));
    assert!(check("en").contains("0 errors"), "{}", check("en"));
    assert!(t.cmd(&["--lang", "en", "check"]).run().stderr.contains("playbooks usable"));
    assert!(t.cmd(&["--lang", "da", "check"]).run().stderr.contains("drejebøger"));
    // Bengali counts with one form.
    assert!(check("bn").contains("1টি প্লেবুক"), "{}", check("bn"));
    t.ok(&["start", "--type", "noise", "--yes", "--staff", "anna"]);
    let page = t.cmd(&["--lang", "da", "log", "--limit", "1"]).run();
    assert!(page.stderr.contains("viser de 1 nyeste af 2 hændelser (1 mere"), "{}", page.stderr);
    let page = t.cmd(&["--lang", "en", "log", "--limit", "1"]).run();
    assert!(page.stderr.contains("showing the newest 1 of 2 incidents (1 more"), "{}", page.stderr);
    let purge = t.cmd(&["--lang", "da", "purge", "--before", "2999-01-01", "--yes"]).run();
    assert!(purge.code(0).stderr.contains("slettede 2 hændelser og"), "{}", purge.stderr);
}

/// The incident id of the only incident in the log.
fn only_id(t: &Test) -> String {
    let rows = t.cmd(&["log", "--json"]).run().json_lines();
    rows[0]["id"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn durations_servqual_and_failure_points_are_said_in_bengali() {
    let t = Test::new();
    t.ok(&["start", "--type", "reservation", "--yes", "--staff", "anna", "--failure-point", "arrival"]);
    let report = shown(&t, "bn", &["report"]);
    // The failure point by its playbook's label, the SERVQUAL dimensions and the timings'
    // units in Bengali; the type is a name and stays as it is.
    assert!(report.contains("reservation: আগমন"), "{report}");
    assert!(report.contains("নির্ভরযোগ্যতা") && report.contains("সহমর্মিতা"), "{report}");
    assert!(report.contains(" সে") && !has_word(&report, "arrival"), "{report}");
    for word in ["reliability", "empathy", "assurance", "0s"] {
        assert!(!has_word(&report, word), "report still says {word:?}:\n{report}");
    }
    let html = t.ok(&["--lang", "bn", "report", "--format", "html"]);
    assert!(html.contains("reservation: আগমন") && html.contains("নির্ভরযোগ্যতা"), "{html}");
    let summary = shown(&t, "bn", &["show-incident", &only_id(&t)]);
    assert!(summary.contains(" সে") && !summary.contains("0s"), "{summary}");
    for format in ["text", "markdown", "html"] {
        let print = t.ok(&["--lang", "bn", "print", "reservation", "--format", format]);
        assert!(print.contains("নির্ভরযোগ্যতা, আস্থা, সহমর্মিতা"), "{format}:\n{print}");
        assert!(print.contains("1 দিন") && !has_word(&print, "1d"), "{format}:\n{print}");
        assert!(!has_word(&print, "reliability"), "{format}:\n{print}");
    }
    // A drill's question on when a follow-up is due (seed 42's last question).
    t.write("drill.yaml", "type: wrong-order\nseed: 42\nstaff: anna\nanswers: [1, [1, 2, 3, 4], [1, 2, 3, 4, 5, 6], 1, [1], 1]\n");
    let drill = t.ok(&["--lang", "bn", "drill", "--answers", "drill.yaml"]);
    assert!(drill.contains("15 মিনিট") && !has_word(&drill, "15m"), "{drill}");
    // English keeps its short units.
    assert!(t.ok(&["print", "reservation"]).contains("due within 1d"));
    assert!(t.ok(&["report"]).contains("reliability"));
}
