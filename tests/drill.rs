//! Training drills: the `never_say` format, `recover drill`, its results and pocket cards.

use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{Options, PtySession, spawn_with_options};

use crate::support::{BIN, Test, base_env};

#[test]
fn check_validates_never_say_and_places_each_problem() {
    let t = Test::new();
    let dir = t.copy_playbooks("lib");
    let path = dir.join("wrong-order.yaml");
    let good = std::fs::read_to_string(&path).unwrap();
    let at = good.find("never_say:\n").expect("wrong-order has never_say");
    // Keep the playbook, replace its list with one holding four planted problems.
    let bad = format!(
        "{}never_say:\n  - phrase: \"  \"\n    why: {{en: x, da: x, nb: x, et: x, bn: x}}\n  - phrase: {{en: Not my table., da: a, nb: a, et: a, bn: a}}\n    why: {{en: Passes the guest on., da: b, nb: b, et: b, bn: b}}\n  - phrase: {{en: not my table., da: c, nb: c, et: c, bn: c}}\n    why: {{en: Twice., da: d, nb: d, et: d, bn: d}}\n  - phrase: {{en: \"Your main course is on us today.\", da: e, nb: e, et: e, bn: e}}\n    why: {{en: Clash., da: f, nb: f, et: f, bn: f}}\n  - phrase: {{en: Calm down.}}\n    why: {{en: Tells the guest how to feel.}}\n    tone: rude\n",
        &good[..at]
    );
    std::fs::write(&path, bad).unwrap();
    let out = t.cmd(&["check", dir.to_str().unwrap()]).run();
    out.code(1);
    let line = |n: usize| good[..at].lines().count() + n;
    for expected in [
        format!("wrong-order.yaml:{}:13: a `never_say` phrase is empty", line(2)),
        format!("wrong-order.yaml:{}:13: this `never_say` phrase is listed twice", line(6)),
        format!("wrong-order.yaml:{}:13: this `never_say` phrase is also a step's `say`", line(8)),
        format!("wrong-order.yaml:{}:5: unknown field `tone`", line(12)),
    ] {
        assert!(out.stdout.lines().any(|l| l.contains(&expected)), "missing {expected:?} in\n{}", out.stdout);
    }
    // The list without the unknown field: the language check still sees each text.
    let bad = std::fs::read_to_string(&path).unwrap().replace("    tone: rude\n", "");
    std::fs::write(&path, bad).unwrap();
    let out = t.cmd(&["check", dir.to_str().unwrap()]).run();
    out.code(1);
    let expected = format!("wrong-order.yaml:{}:13: text lacks the language(s) da, nb, et, bn", line(10));
    assert!(out.stdout.lines().any(|l| l.contains(&expected)), "missing {expected:?} in\n{}", out.stdout);
}

#[test]
fn every_default_playbook_lists_never_say_in_every_language_and_the_schema_knows_it() {
    let t = Test::new();
    t.ok_saying(&["check"], "0 errors");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "policy.yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let top: Vec<&str> =
            text.lines().filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase())).collect();
        assert_eq!(top.last(), Some(&"never_say:"), "{}: never_say must be the last key", path.display());
        let list = &text[text.find("never_say:\n").unwrap()..];
        assert!(list.matches("  - phrase:").count() >= 3, "{}", path.display());
        for lang in ["en", "da", "nb", "et", "bn"] {
            assert!(list.matches(&format!("      {lang}: ")).count() >= 6, "{} {lang}", path.display());
        }
    }
    let schema: serde_json::Value = serde_json::from_str(&t.ok(&["schema"])).unwrap();
    let never = &schema["properties"]["never_say"];
    assert_eq!(never["type"], "array", "{never}");
}

/// The default drill of `wrong-order` with seed 42: first, phase order, fix order (six
/// steps), say, amends, follow-up due. Answers shaped for it, all wrong or not.
const SHAPED: &str =
    "type: wrong-order\nseed: 42\nstaff: anna\nanswers: [1, [1, 2, 3, 4], [1, 2, 3, 4, 5, 6], 1, [1], 1]\n";

/// The right answers of a drill, read back from its JSON, as an answers file.
fn right_answers(drill: &serde_json::Value, staff: &str) -> String {
    let answers: Vec<String> =
        drill["questions"].as_array().unwrap().iter().map(|q| q["right_answer"].to_string()).collect();
    format!(
        "type: {}\nseed: {}\nstaff: {staff}\nanswers:\n{}",
        drill["type"].as_str().unwrap(),
        drill["seed"],
        answers.iter().map(|a| format!("  - {a}")).collect::<Vec<_>>().join("\n") + "\n"
    )
}

#[test]
fn a_drill_from_an_answers_file_gives_reasons_a_score_and_records_the_result_apart_from_incidents() {
    let t = Test::new();
    t.write("shaped.yaml", SHAPED);
    let out = t.cmd(&["drill", "--answers", "shaped.yaml", "--json"]).run();
    let drill = out.code(0).json_lines().remove(0);
    let asks: Vec<&str> =
        drill["questions"].as_array().unwrap().iter().map(|q| q["ask"].as_str().unwrap()).collect();
    assert_eq!(asks, ["first", "phase_order", "step_order", "say", "amends", "due"]);
    assert_eq!(drill["seed"], 42);
    assert_eq!(drill["staff"], "anna");
    for q in drill["questions"].as_array().unwrap() {
        assert!(!q["why"].as_array().unwrap().is_empty(), "every answer has its reason: {q}");
    }
    // The same seed gives the same drill, questions and options alike.
    let again = t.cmd(&["drill", "--answers", "shaped.yaml", "--json"]).run().json_lines().remove(0);
    assert_eq!(drill["questions"], again["questions"]);
    assert_eq!(drill["severity"], again["severity"]);

    // All right: a full score and nothing to reread.
    t.write("right.yaml", right_answers(&drill, "bo"));
    let text = t.ok(&["drill", "--answers", "right.yaml"]);
    assert!(text.contains("Score: 6 of 6 right"), "{text}");
    assert!(text.contains("Nothing to read again"), "{text}");
    assert!(text.contains("Drill 42: Wrong dish or order served"), "{text}");
    assert_eq!(text.matches("✓ Right.").count(), 6, "{text}");

    // The say question answered with a never-say phrase is told why that is wrong, and its
    // step is to be read again (the first two questions, which show that step too, are
    // answered right, so only the say question points to it).
    let say = &drill["questions"][3];
    let right = say["right_answer"].as_u64().unwrap();
    let wrong = if right == 1 { 2 } else { 1 };
    let (first, phases) = (&drill["questions"][0]["right_answer"], &drill["questions"][1]["right_answer"]);
    t.write(
        "say.yaml",
        SHAPED.replace(
            "[1, [1, 2, 3, 4], [1, 2, 3, 4, 5, 6], 1, [1]",
            &format!("[{first}, {phases}, [1, 2, 3, 4, 5, 6], {wrong}, [1]"),
        ),
    );
    let text = t.ok(&["drill", "--answers", "say.yaml"]);
    assert!(text.contains("  Never “"), "{text}");
    assert!(text.contains("Read these steps again:\n  Apologise · safety-check:"), "{text}");

    let results = t.cmd(&["drill", "--results", "--json"]).run().json_lines();
    assert_eq!(results.len(), 2, "{results:?}");
    let anna = results.iter().find(|r| r["staff"] == "anna").unwrap();
    assert_eq!((anna["drills"].as_u64(), anna["type"].as_str()), (Some(3), Some("wrong-order")));
    let bo = results.iter().find(|r| r["staff"] == "bo").unwrap();
    assert_eq!((bo["right"].as_u64(), bo["asked"].as_u64()), (Some(6), Some(6)));
    assert_eq!(bo["phases"]["amend"], serde_json::json!({"right": 1, "asked": 1}));
    // Drills are not incidents.
    let report = t.cmd(&["report", "--json", "--since", "1d"]).run().json_lines().remove(0);
    assert_eq!(report["incidents"], 0);
    assert!(t.ok(&["log", "--json"]).is_empty());
    let csv = t.ok(&["drill", "--results", "--csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0].trim_end(),
        "staff,type,drills,last,right,asked,apologise,fix,amend,follow_up,reread"
    );
    assert!(lines.iter().any(|l| l.starts_with("bo,wrong-order,1,")), "{csv}");
    let only_bo = t.cmd(&["drill", "--results", "--json", "--staff", "BO"]).run().json_lines();
    assert_eq!(only_bo.len(), 1);
    assert_eq!(only_bo[0]["staff"], "bo");
    let table = t.ok(&["drill", "--results", "--since", "1h"]);
    assert!(table.starts_with("STAFF") && table.contains("anna") && table.contains("6/6"), "{table}");
    let none = t.cmd(&["drill", "--results", "--since", "2999-01-01"]).run();
    none.code(0).one_error_line("No drills recorded");
    // In Danish, playbook text and the tool's words alike.
    let da = t.ok(&["drill", "--answers", "right.yaml", "--lang", "da"]);
    assert!(da.contains("Øvelse 42: Gæsten har fået den forkerte ret"), "{da}");
    assert!(da.contains("Resultat: 6 af 6 rigtige"), "{da}");
}

#[test]
fn a_bad_answers_file_names_every_problem_and_records_nothing() {
    let t = Test::new();
    t.write(
        "bad.yaml",
        "type: wrong-order\nseed: 42\nanswers:\n  - 9\n  - 1\n  - [1, 1, 2, 3, 4, 5]\n  - 1\n  - [7]\n",
    );
    let out = t.cmd(&["drill", "--answers", "bad.yaml"]).run();
    out.code(2);
    for expected in [
        "bad.yaml:3:1: the drill asks 6 question(s) but 5 answer(s) are written",
        "bad.yaml:4:5: answer 1 (first): pick one option number from 1 to 4",
        "bad.yaml:5:5: answer 2 (phase_order): give all 4 option numbers",
        "bad.yaml:6:5: answer 3 (step_order): give all 6 option numbers",
        "bad.yaml:8:5: answer 5 (amends): give the numbers of every option that applies",
        "recover: bad.yaml: 5 problem(s); nothing was recorded",
    ] {
        assert!(
            out.stderr.lines().any(|l| l.starts_with(expected)),
            "missing {expected:?} in\n{}",
            out.stderr
        );
    }
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    t.write("odd.yaml", "seed: 1\nanswers: {a: 1}\nstaff: anna\n");
    t.cmd(&["drill", "--answers", "odd.yaml"]).run().code(2);
    t.write("key.yaml", "seed: 1\ncolour: red\n");
    t.cmd(&["drill", "--answers", "key.yaml"]).run().code(2);
    let results = t.cmd(&["drill", "--results", "--json"]).run();
    assert!(results.code(0).stdout.is_empty(), "{}", results.stdout);
}

#[test]
fn drill_flags_are_checked_before_anything_is_asked() {
    let t = Test::new();
    t.cmd(&["drill", "--type", "wrong-order"]).run().code(2).one_error_line("not a terminal");
    t.cmd(&["drill", "--questions", "0", "--answers", "x.yaml"]).run().code(2);
    t.write("a.yaml", SHAPED);
    t.cmd(&["drill", "--questions", "0", "--answers", "a.yaml"])
        .run()
        .code(2)
        .one_error_line("--questions 0");
    t.cmd(&["drill", "--type", "nope", "--answers", "a.yaml"]).run().code(2);
    t.cmd(&["drill", "--role", "chef", "--answers", "a.yaml"]).run().code(2).one_error_line("unknown role");
    t.cmd(&["drill", "--answers", "a.yaml", "--csv"]).run().code(2).one_error_line("--csv is for --results");
    t.cmd(&["drill", "--results", "--since", "soon"]).run().code(2).one_error_line("--since");
    t.cmd(&["drill", "--results", "--seed", "4"]).run().code(2);
}

#[test]
fn a_custom_library_drills_from_its_own_playbooks_and_policy() {
    let t = Test::new();
    t.write("lib/policy.yaml", "currency: DKK\nroles: {staff: 100, manager: 1000}\n");
    t.write(
        "lib/cold-soup.yaml",
        "type: cold-soup\ntitle: Cold soup\nsummary: The soup came cold.\nphases:\n  apologise:\n    - id: sorry\n      do: Say sorry.\n      say: \"I'm sorry, let me heat it now.\"\n  fix:\n    - id: heat\n      do: Heat it.\n    - id: serve\n      do: Serve it hot.\n  amend:\n    - id: bread\n      do: Bread on us.\n      cost: 20\n    - id: meal\n      do: The meal on us.\n      cost: 300\n  follow_up:\n    - id: ask\n      do: Ask if it was good.\n      within: 15m\nnever_say:\n  - phrase: Soup is meant to cool down.\n    why: Argues with the guest.\n",
    );
    let answers = "seed: 3\nanswers: [1, [1, 2, 3, 4], [1, 2], 1, [], 1]\n";
    t.write("a.yaml", answers);
    let out =
        t.cmd(&["drill", "--playbooks", "lib", "--answers", "a.yaml", "--json", "--questions", "6"]).run();
    let drill = out.code(0).json_lines().remove(0);
    assert_eq!(drill["type"], "cold-soup");
    assert_eq!(drill["currency"], "DKK");
    let amends = drill["questions"].as_array().unwrap().iter().find(|q| q["ask"] == "amends").unwrap();
    // Staff (100 DKK) may give the bread (20) but not the meal (300), at any severity.
    let options = amends["options"].as_array().unwrap();
    let bread = options.iter().position(|o| o.as_str().unwrap().starts_with("Bread")).unwrap() + 1;
    assert_eq!(amends["right_answer"], serde_json::json!([bread]));
}

fn spawn(t: &Test, args: &[&str]) -> PtySession {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_clear().current_dir(t.dir());
    for (k, v) in base_env(t.dir(), &t.log()) {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    spawn_with_options(cmd, Options::new().timeout_ms(Some(20_000)).strip_ansi_escape_codes(true))
        .expect("spawn in a pty")
}

/// What the pty reader returns, one char per byte, read back as the UTF-8 it was.
fn utf8(latin1: &str) -> String {
    let bytes: Vec<u8> = latin1.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn a_drill_runs_end_to_end_in_a_terminal_with_feedback_after_each_answer() {
    const DOWN: &str = "\x1b[B";
    let t = Test::new();
    // The right answers, from the same drill answered by a file.
    t.write("shaped.yaml", SHAPED);
    let drill = t.cmd(&["drill", "--answers", "shaped.yaml", "--json"]).run().json_lines().remove(0);
    let q = |i: usize| drill["questions"][i].clone();
    let mut p = spawn(&t, &["drill", "--type", "wrong-order", "--seed", "42", "--staff", "cleo"]);
    let pick = |p: &mut PtySession, prompt: &str, n: u64| {
        p.exp_string(prompt).unwrap_or_else(|e| panic!("waiting for {prompt:?}: {e}"));
        for _ in 1..n {
            p.send(DOWN).unwrap();
        }
        p.send("\r").unwrap();
        p.flush().unwrap();
    };
    pick(&mut p, "What do you do first?", q(0)["right_answer"].as_u64().unwrap());
    p.exp_string("Right.").expect("feedback at once");
    // Orders are typed: first a wrong one, which is marked wrong with the right order.
    p.exp_string("Your answer").unwrap();
    p.send_line("1 2 3 4").unwrap();
    let order = q(1)["right_answer"].as_array().unwrap().iter().map(ToString::to_string).collect::<Vec<_>>();
    let why = p.exp_string("apologise, fix, amend, follow up").unwrap();
    assert!(utf8(&why).contains(&format!("The order is {}", order.join(" "))), "{}", utf8(&why));
    // An order that is not one (a number twice) is refused by the prompt, then put right.
    p.exp_string("Your answer").unwrap();
    let order = q(2)["right_answer"].as_array().unwrap().iter().map(ToString::to_string).collect::<Vec<_>>();
    // Enter on nothing is told how to answer, as a wrong shape is.
    p.send_line("").unwrap();
    p.exp_string("Type the numbers in the order").unwrap();
    // As many numbers as there are steps, but the first one twice.
    let twice =
        std::iter::once(1).chain(1..order.len()).map(|n| format!("{n}")).collect::<Vec<_>>().join(" ");
    p.send_line(&twice).unwrap();
    p.exp_string("Type the numbers in the order").unwrap();
    for _ in 0..twice.len() {
        p.send("\x7f").unwrap();
    }
    p.send_line(&order.join(" ")).unwrap();
    p.exp_string("Right.").unwrap();
    // A never-say phrase picked: told why at once.
    let right = q(3)["right_answer"].as_u64().unwrap();
    pick(&mut p, "Which of these would you say?", if right == 1 { 2 } else { 1 });
    let told = utf8(&p.exp_string("These are the playbook's words").unwrap());
    assert!(told.contains("Not quite.") && told.contains("Never"), "{told}");
    // Amends: tick the right ones with space.
    p.exp_string("Which of these amends").unwrap();
    let ticks: Vec<u64> =
        q(4)["right_answer"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    for i in 1..=q(4)["options"].as_array().unwrap().len() as u64 {
        if ticks.contains(&i) {
            p.send(" ").unwrap();
        }
        p.send(DOWN).unwrap();
    }
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("is yours to give").unwrap();
    pick(&mut p, "When is this follow-up due?", q(5)["right_answer"].as_u64().unwrap());
    let end = utf8(&p.exp_eof().expect("eof"));
    assert!(end.contains("Score: 4 of 6 right"), "{end}");
    assert!(end.contains("Read these steps again:"), "{end}");
    assert!(matches!(p.process().wait(), Ok(WaitStatus::Exited(_, 0))));
    let results = t.cmd(&["drill", "--results", "--json"]).run().json_lines();
    let cleo = results.iter().find(|r| r["staff"] == "cleo").expect("recorded");
    assert_eq!((cleo["right"].as_u64(), cleo["asked"].as_u64()), (Some(4), Some(6)));
}

/// Every default playbook's English title and its apology's words to say, read from the
/// YAML files themselves.
fn titles_and_apologies() -> Vec<(String, Vec<String>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
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
            let says = doc["phases"]["apologise"]
                .as_sequence()
                .unwrap()
                .iter()
                .filter_map(|step| step.get("say").map(english))
                .collect();
            (english(&doc["title"]), says)
        })
        .collect()
}

#[test]
fn print_card_lays_out_four_pocket_cards_a_sheet() {
    let t = Test::new();
    let html = t.ok(&["print", "--card"]);
    let playbooks = titles_and_apologies();
    assert_eq!(html.matches("<article class=\"pcard\"").count(), playbooks.len());
    assert_eq!(html.matches("<section class=\"sheet\">").count(), playbooks.len().div_ceil(4));
    assert!(
        html.contains("Content-Security-Policy") && !html.contains("<script"),
        "self-contained, no scripts"
    );
    for (title, says) in &playbooks {
        assert!(html.contains(&format!("<h2>{title}</h2>")), "no card for {title}");
        for say in says {
            let escaped = say.replace('&', "&amp;").replace('\'', "&#39;").replace('"', "&quot;");
            assert!(html.contains(&escaped) || html.contains(say), "{title}: {say:?} not on its card");
        }
    }
    assert!(html.contains("supervisor or above"), "who may give each amend");
    assert!(html.contains("due within 15m"), "the follow-up");
    t.cmd(&["print", "--card", "--format", "markdown"]).run().code(2).one_error_line("cannot be used with");
    let two = t.ok(&["print", "--card", "noise", "reservation", "--lang", "et"]);
    assert_eq!(two.matches("<article class=\"pcard\"").count(), 2);
    assert!(two.contains("<html lang=\"et\">") && two.contains("Öelge"), "Estonian words");
}

#[test]
#[ignore = "needs chromium and poppler-utils; CI runs it with --include-ignored"]
fn pocket_cards_print_four_to_a_sheet_in_chromium_and_never_run_over_their_edge() {
    use crate::print::{needed_program, normalise, print_to_pdf, run_with_limit};
    let chromium =
        needed_program(&["chromium", "/usr/bin/chromium", "chromium-browser"], "apt-get install chromium");
    let pdftotext = needed_program(&["pdftotext"], "apt-get install poppler-utils");
    let pdfinfo = needed_program(&["pdfinfo"], "apt-get install poppler-utils");
    let t = Test::new();
    let playbooks = titles_and_apologies();
    for (paper, size) in [("a4", "(A4)"), ("letter", "(letter)")] {
        let html = t.path(&format!("cards-{paper}.html"));
        let pdf = t.path(&format!("cards-{paper}.pdf"));
        t.ok(&["print", "--card", "--paper", paper, "--output", html.to_str().unwrap()]);
        let out = print_to_pdf(&chromium, &html, &pdf);
        assert!(pdf.is_file(), "chromium wrote no PDF: {}", String::from_utf8_lossy(&out.stderr));
        let info = Command::new(&pdfinfo).arg(&pdf).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.lines().any(|l| l.starts_with("Page size:") && l.contains(size)), "{paper}:\n{info}");
        let pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).map(|n| n.trim().to_owned());
        assert_eq!(pages, Some(playbooks.len().div_ceil(4).to_string()), "{paper}: four cards a sheet");
        let text = Command::new(&pdftotext).arg("-enc").arg("UTF-8").arg(&pdf).arg("-").output().unwrap();
        let sheets: Vec<String> =
            String::from_utf8_lossy(&text.stdout).split('\u{c}').map(normalise).collect();
        for (i, (title, says)) in playbooks.iter().enumerate() {
            let sheet = &sheets[i / 4];
            // pdftotext may join a hyphen broken at a line end ("e-mail" read as "email").
            let plain = |t: &str| t.replace('-', "");
            assert!(
                plain(sheet).contains(&plain(&normalise(title))),
                "{paper}: {title} is not on sheet {}",
                i / 4 + 1
            );
            for say in says {
                assert!(
                    sheet.contains(&normalise(say)),
                    "{paper}: {title}: {say:?} not on its card:\n{sheet}"
                );
            }
        }
    }
    // Every card of every language fits inside its cut lines: a copy of the page with a
    // probe script (the real page allows no scripts) lists any card whose content is taller.
    for lang in ["en", "da", "nb", "et", "bn"] {
        let page = t.ok(&["print", "--card", "--lang", lang]);
        let csp = page.find("<meta http-equiv=\"Content-Security-Policy\"").unwrap();
        let csp_end = csp + page[csp..].find('>').unwrap() + 1;
        let probe = format!(
            "{}{}",
            &page[..csp],
            page[csp_end..].replace(
                "</body>",
                "<script>document.body.dataset.over = [...document.querySelectorAll('.pcard')]\
                 .filter(c => c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1)\
                 .map(c => c.querySelector('.kind').textContent).join(' ') || 'none';</script></body>"
            )
        );
        let path = t.write(&format!("probe-{lang}.html"), probe);
        let profile = tempfile::tempdir().unwrap();
        let out = run_with_limit(
            Command::new(&chromium)
                .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--dump-dom"])
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg(format!("file://{}", path.display()))
                .env("HOME", profile.path()),
            std::time::Duration::from_secs(120),
        );
        let dom = String::from_utf8_lossy(&out.stdout);
        assert!(dom.contains("data-over=\"none\""), "{lang}: cards run over their edge: {}", {
            dom.split("data-over=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("(no probe result)")
        });
    }
}

#[test]
fn ctrl_c_ends_a_drill_with_130_and_records_nothing() {
    let t = Test::new();
    let mut p = spawn(&t, &["drill", "--type", "noise", "--seed", "7", "--staff", "dan"]);
    p.exp_string("What do you do first?").expect("first question");
    p.send("\u{3}").unwrap();
    p.flush().unwrap();
    let rest = utf8(&p.exp_eof().expect("eof"));
    assert!(rest.contains("recover: interrupted"), "{rest}");
    assert!(matches!(p.process().wait(), Ok(WaitStatus::Exited(_, 130))));
    let results = t.cmd(&["drill", "--results", "--json"]).run();
    assert!(results.code(0).stdout.is_empty(), "{}", results.stdout);
}

#[test]
fn purge_deletes_drill_results_from_before_the_date_too() {
    let t = Test::new();
    t.write("a.yaml", SHAPED);
    t.ok(&["drill", "--answers", "a.yaml"]);
    // Nothing before a date in the past: the result stays.
    t.cmd(&["purge", "--before", "2000-01-01", "--yes"]).run().code(0);
    assert_eq!(t.cmd(&["drill", "--results", "--json"]).run().json_lines().len(), 1);
    let out = t.cmd(&["purge", "--before", "2999-01-01", "--yes"]).run();
    out.code(0);
    assert!(out.stderr.contains("deleted 1 drill result from before that date"), "{}", out.stderr);
    assert!(t.cmd(&["drill", "--results", "--json"]).run().code(0).stdout.is_empty());
}

#[test]
fn a_drill_in_a_narrow_terminal_stays_inside_it() {
    let t = Test::new();
    let mut p = t.pty(&["drill", "--type", "wrong-order", "--seed", "42"]).env("COLUMNS", "60").spawn();
    let shown = p.exp_string("What do you do first?").expect("the first question");
    let rest = p.exp_string("Take the dish off the bill.").expect("the options");
    p.send_control('c').expect("ctrl-c");
    let _ = p.exp_eof();
    let text = format!("{shown}{rest}");
    let text = String::from_utf8_lossy(
        &text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect::<Vec<u8>>(),
    )
    .into_owned();
    for line in text.lines() {
        assert!(recover::display_width(line.trim_end()) <= 60, "wider than 60: {line:?}\n{text}");
    }
}

/// Every line of what a pseudo-terminal showed (its bytes read back as UTF-8, redraws
/// split at carriage returns) fits `columns`.
fn assert_fits(latin1: &str, columns: usize) {
    let text = utf8(latin1);
    for line in text.split(['\n', '\r']) {
        assert!(recover::display_width(line.trim_end()) <= columns, "wider than {columns}: {line:?}\n{text}");
    }
}

#[test]
fn the_answer_left_under_a_question_and_the_order_hint_fit_a_narrow_terminal() {
    let t = Test::new();
    let mut p = t
        .pty(&["drill", "--type", "reservation", "--seed", "1", "--questions", "4"])
        .env("COLUMNS", "60")
        .spawn();
    let asked = p.exp_string("What do you do first?").expect("the first question");
    // Enter takes the first option, whose whole text is left under the question, wrapped;
    // then Enter through the questions until the one that asks for an order says how.
    let mut shown = asked;
    for _ in 0..8 {
        p.send("\r").expect("send");
        p.flush().expect("flush");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    shown.push_str(&p.exp_string("e.g.").expect("the order question's hint"));
    shown.push_str(&p.exp_string("\n").expect("the rest of its line"));
    p.send_control('c').expect("ctrl-c");
    let _ = p.exp_eof();
    let answered = utf8(&shown);
    assert!(answered.contains("✔ What do you do first?"), "{answered}");
    assert_fits(&shown, 60);
}
