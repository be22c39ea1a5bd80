//! `report --format html`: the manager's page, every figure on it that of `report --json`,
//! and, in a real browser, how it prints on A4 and Letter.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::print::{needed_program, print_to_pdf, run_with_limit};
use crate::support::Test;

/// A period reaching back before any incident, so two runs a moment apart read the same.
const SINCE: &str = "2000-01-01";

/// A log of `n` generated incidents, 30 a day (bench/generate.py, relative to now).
fn sample(t: &Test, n: usize) {
    let generate = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/generate.py");
    let file = t.path("sample.jsonl");
    let made = Command::new("python3")
        .arg(&generate)
        .args(["log", "--incidents", &n.to_string(), "--per-day", "30", "--seed", "16", "--out"])
        .arg(&file)
        .status()
        .expect("python3 runs");
    assert!(made.success());
    t.ok_saying(&["import", file.to_str().unwrap()], "imported");
}

/// `report --json --detail`, without the moment it was made.
fn detailed_json(t: &Test, extra: &[&str]) -> Value {
    let mut args = vec!["report", "--since", SINCE, "--json", "--detail"];
    args.extend(extra);
    let mut v: Value = serde_json::from_str(&t.ok(&args)).unwrap();
    v["detail"].as_object_mut().unwrap().remove("until");
    v
}

/// Runs `make` between two readings of `report --json --detail` until both agree (a
/// follow-up falling due in between would move a count), and returns the reading.
fn steady<T>(t: &Test, extra: &[&str], mut make: impl FnMut() -> T) -> (Value, T) {
    for _ in 0..5 {
        let before = detailed_json(t, extra);
        let result = make();
        if detailed_json(t, extra) == before {
            return (before, result);
        }
    }
    panic!("the report kept changing");
}

/// The texts of an HTML or SVG document in order, one per element, trimmed, entities for
/// `&`, `<` and `>` undone.
pub(crate) fn texts(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let text = rest[..open].trim();
        if !text.is_empty() {
            out.push(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
        }
        rest = rest[open..].find('>').map_or("", |close| &rest[open + close + 1..]);
    }
    out
}

fn human(s: i64) -> String {
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86400, (s % 86400) / 3600),
    }
}

/// Every figure the page shows, as (label, value) pairs a reader sees side by side,
/// worked out from `report --json --detail` alone.
fn expected_pairs(r: &Value) -> Vec<(String, String)> {
    let mut pairs = report_pairs(r);
    pairs.extend(detail_pairs(r));
    pairs
}

/// The pairs of the figures of `report --json` itself (without `--detail`).
pub(crate) fn report_pairs(r: &Value) -> Vec<(String, String)> {
    let money = |v: &Value| format!("{} {}", r["currency"].as_str().unwrap(), v.as_str().unwrap());
    let n = |v: &Value| v.as_u64().unwrap().to_string();
    let f = &r["follow_ups"];
    let mut pairs = vec![
        ("Incidents".to_owned(), n(&r["incidents"])),
        ("in progress".to_owned(), n(&r["in_progress"])),
        ("incomplete".to_owned(), n(&r["incomplete"])),
        ("repeat guests".to_owned(), n(&r["repeat_guests"])),
        ("Amends".to_owned(), money(&r["amends_total"])),
        ("done on time".to_owned(), n(&f["on_time"])),
        ("done late".to_owned(), n(&f["late"])),
        ("open".to_owned(), n(&f["open"])),
        ("overdue".to_owned(), n(&f["overdue"])),
        ("customer won back".to_owned(), n(&f["recovered"])),
        ("customer lost".to_owned(), n(&f["lost"])),
    ];
    let points = r["failure_points"].as_array().unwrap();
    let total: u64 = points.iter().map(|p| p[1].as_u64().unwrap()).sum();
    let mut running = 0;
    for p in points.iter().take(15) {
        running += p[1].as_u64().unwrap();
        pairs.push((
            p[0].as_str().unwrap().to_owned(),
            format!("{} \u{b7} {} %", p[1], running * 100 / total),
        ));
    }
    for p in r["servqual"].as_array().unwrap() {
        pairs.push((p[0].as_str().unwrap().to_owned(), n(&p[1])));
    }
    // Why amends were withheld, as the engine's reasons read in English (words stay as given).
    for p in r["withheld_reasons"].as_array().unwrap() {
        let label = match p[0].as_str().unwrap() {
            "guest-declined" => "The guest declined it",
            "not-available" => "Not available now",
            "already-given" => "Already given another way",
            "not-stated" => "Reason not stated (left out of the answers file)",
            other => other,
        };
        pairs.push((label.to_owned(), n(&p[1])));
    }
    pairs
}

/// The pairs of what `--detail` adds.
fn detail_pairs(r: &Value) -> Vec<(String, String)> {
    let money = |v: &Value| format!("{} {}", r["currency"].as_str().unwrap(), v.as_str().unwrap());
    let n = |v: &Value| v.as_u64().unwrap().to_string();
    let d = &r["detail"];
    let mut pairs = vec![("previous period of the same length".to_owned(), n(&d["previous_incidents"]))];
    for (kind, by) in d["amends_by_type_severity"].as_object().unwrap() {
        for (severity, m) in by.as_object().unwrap() {
            let shown = if severity == "unset" { "severity not set" } else { severity };
            pairs.push((format!("{kind} \u{b7} {shown}"), money(m)));
        }
    }
    for (step, count) in d["amends_withheld"].as_object().unwrap() {
        pairs.push((step.clone(), n(count)));
    }
    for e in d["most_expensive"].as_array().unwrap() {
        pairs.push((
            format!("{} \u{b7} {}", e["id"].as_str().unwrap(), e["type"].as_str().unwrap()),
            money(&e["amends"]),
        ));
    }
    for e in d["slowest"].as_array().unwrap() {
        let label = format!("{} \u{b7} {}", e["id"].as_str().unwrap(), e["type"].as_str().unwrap());
        pairs.push((label, human(e["fix_s"].as_i64().unwrap())));
    }
    pairs
}

/// Texts the page shows alone: the legend's counts per type, the approvals and timings.
pub(crate) fn expected_texts(r: &Value) -> Vec<String> {
    let mut out: Vec<String> =
        r["by_type"].as_object().unwrap().iter().map(|(k, n)| format!("{k} ({n})")).collect();
    out.push(format!(
        "Needing an approver: {} {} in {} incident(s)",
        r["currency"].as_str().unwrap(),
        r["amends_approved"].as_str().unwrap(),
        r["incidents_needing_approval"]
    ));
    for key in ["time_to_apology", "time_to_fix"] {
        let s = &r[key];
        out.push(format!("median {}", human(s["median"].as_i64().unwrap())));
        out.push(format!("90th percentile {}", human(s["p90"].as_i64().unwrap())));
    }
    out
}

/// The part of a page split per site or currency headed `heading`, up to the next part.
pub(crate) fn section<'h>(html: &'h str, heading: &str) -> &'h str {
    let start = html
        .find(&format!("<h2 class=\"part\">{heading}</h2>"))
        .unwrap_or_else(|| panic!("no section {heading:?}"));
    let rest = &html[start + 1..];
    &html[start..=start + rest.find("<h2 class=\"part\">").unwrap_or(rest.len())]
}

/// `part` of a page shows the figures of `r`, a line of `report --json` (`what` says which).
pub(crate) fn shows_report(part: &str, r: &Value, what: &str) {
    let texts = texts(part);
    for (label, value) in report_pairs(r) {
        let at = texts.iter().position(|t| *t == label).unwrap_or_else(|| panic!("{what}: no {label:?}"));
        assert_eq!(texts[at + 1], value, "{what}: beside {label:?}");
    }
    for text in expected_texts(r) {
        assert!(texts.contains(&text), "{what}: no {text:?}");
    }
    assert!(part.contains("<svg"), "{what}: its own charts");
}

#[test]
fn detail_adds_up_to_the_report_of_the_summary_columns() {
    let t = Test::new();
    sample(&t, 240);
    let (full, plain) = steady(&t, &[], || t.ok(&["report", "--since", SINCE, "--json"]));
    let plain: Value = serde_json::from_str(&plain).unwrap();
    let mut without = full.clone();
    without.as_object_mut().unwrap().remove("detail");
    assert_eq!(without, plain, "read from whole incidents, the report is the quick one");

    let d = &full["detail"];
    let periods = d["periods"].as_array().unwrap();
    assert_eq!(d["unit"], "day");
    let total: u64 = periods.iter().map(|p| p["total"].as_u64().unwrap()).sum();
    assert_eq!(total, full["incidents"].as_u64().unwrap());
    for (kind, n) in full["by_type"].as_object().unwrap() {
        let sum: u64 = periods.iter().filter_map(|p| p["by_type"][kind].as_u64()).sum();
        assert_eq!(sum, n.as_u64().unwrap(), "{kind}");
    }
    let binned: u64 = d["apology"]["bins"].as_array().unwrap().iter().map(|b| b.as_u64().unwrap()).sum();
    assert_eq!(binned, full["time_to_apology"]["count"].as_u64().unwrap());

    // The five most expensive are the five highest amends of `log --json`.
    let log: Vec<Value> = t.cmd(&["log", "--json", "--all"]).run().json_lines();
    let mut amounts: Vec<(f64, String)> = log
        .iter()
        .map(|i| (i["amends_total"].as_str().unwrap().parse().unwrap(), i["id"].as_str().unwrap().to_owned()))
        .collect();
    amounts.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let top: Vec<&str> =
        d["most_expensive"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    let want: Vec<&str> = amounts.iter().take(5).map(|a| a.1.as_str()).collect();
    assert_eq!(top, want);

    // --type keeps to one type.
    let one = detailed_json(&t, &["--type", "wrong-order"]);
    assert_eq!(one["by_type"].as_object().unwrap().len(), 1);
    assert_eq!(one["incidents"], full["by_type"]["wrong-order"]);
}

#[test]
fn html_page_shows_the_figures_of_report_json_and_loads_nothing() {
    let t = Test::new();
    sample(&t, 240);
    let page = t.path("report.html");
    let (r, ()) = steady(&t, &[], || {
        t.ok(&["report", "--since", SINCE, "--format", "html", "--output", page.to_str().unwrap()]);
    });
    let html = std::fs::read_to_string(&page).unwrap();
    for banned in ["<script", "<link", "<img", "<iframe", "src=", "href=\"http", "url(", "@import"] {
        assert!(!html.contains(banned), "{banned} in the page");
    }
    assert!(html.contains("default-src 'none'"));
    assert!(!r["withheld_reasons"].as_array().unwrap().is_empty(), "the sample withholds amends");
    let texts = texts(&html);
    for (label, value) in expected_pairs(&r) {
        let at = texts.iter().position(|t| *t == label).unwrap_or_else(|| panic!("no {label:?} on the page"));
        assert_eq!(texts[at + 1], value, "beside {label:?}");
    }
    for text in expected_texts(&r) {
        assert!(texts.contains(&text), "no {text:?} on the page");
    }
    // Every column of the per-day chart carries its total.
    for p in r["detail"]["periods"].as_array().unwrap() {
        assert!(html.contains(&format!("font-weight=\"bold\">{}</text>", p["total"])));
    }
}

#[test]
fn html_page_is_in_the_chosen_language_and_says_none_when_empty() {
    let t = Test::new();
    let out = t.ok_saying(&["report", "--format", "html", "--lang", "da"], "no log at");
    assert!(out.contains("<html lang=\"da\">") && out.contains("Rapport over service recovery"));
    assert!(out.contains("Hændelser pr. dag, efter type") && out.contains(">ingen<"));
    let bad = t.cmd(&["report", "--format", "html", "--json"]).run();
    bad.code(2);
    let bad = t.cmd(&["report", "--detail"]).run();
    bad.code(2);
}

#[test]
#[ignore = "needs chromium and poppler-utils; CI runs it with --include-ignored"]
fn html_report_prints_its_figures_on_a4_and_letter_in_chromium() {
    let chromium =
        needed_program(&["chromium", "/usr/bin/chromium", "chromium-browser"], "apt-get install chromium");
    let pdftotext = needed_program(&["pdftotext"], "apt-get install poppler-utils");
    let pdfinfo = needed_program(&["pdfinfo"], "apt-get install poppler-utils");
    let t = Test::new();
    sample(&t, 600);
    for (paper, size) in [("a4", "(A4)"), ("letter", "(letter)")] {
        let html = t.path(&format!("report-{paper}.html"));
        let pdf = t.path(&format!("report-{paper}.pdf"));
        let (r, ()) = steady(&t, &[], || {
            t.ok(&[
                "report",
                "--since",
                SINCE,
                "--format",
                "html",
                "--paper",
                paper,
                "-o",
                html.to_str().unwrap(),
            ]);
        });
        let out = print_to_pdf(&chromium, &html, &pdf);
        assert!(pdf.is_file(), "chromium wrote no PDF: {}", String::from_utf8_lossy(&out.stderr));
        let info = Command::new(&pdfinfo).arg(&pdf).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.lines().any(|l| l.starts_with("Page size:") && l.contains(size)), "{paper}:\n{info}");
        let bytes = std::fs::metadata(&pdf).unwrap().len();
        assert!(bytes < 2_000_000, "{paper}: a PDF of {bytes} bytes (charts printed as pictures?)");

        // Laid out as printed: each bar's label and its number on one line of text.
        let text =
            Command::new(&pdftotext).args(["-layout", "-enc", "UTF-8"]).arg(&pdf).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        let lines: Vec<String> =
            text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        for (label, value) in expected_pairs(&r) {
            let row = format!("{label} {value}");
            assert!(
                lines.iter().any(|l| l == &row
                    || l.ends_with(&format!(" {row}"))
                    || l.starts_with(&format!("{row} "))),
                "{paper}: no line {row:?} in\n{text}"
            );
        }
        let flat = lines.join(" ");
        for want in expected_texts(&r) {
            assert!(flat.contains(&want), "{paper}: no {want:?} in\n{text}");
        }
    }

    // And as a picture: a screenshot of the page is a PNG with something drawn on it.
    let png = t.path("report.png");
    let profile = tempfile::tempdir().unwrap();
    let out = run_with_limit(
        Command::new(&chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=900,2400"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", t.path("report-a4.html").display()))
            .env("HOME", profile.path()),
        std::time::Duration::from_secs(120),
    );
    let bytes =
        std::fs::read(&png).unwrap_or_else(|_| panic!("no PNG: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000, "{} bytes", bytes.len());
}

#[test]
fn policy_targets_are_counted_against() {
    let t = Test::new();
    sample(&t, 120);
    let dir = t.copy_playbooks("pb");
    let policy = dir.join("policy.yaml");
    let mut text = std::fs::read_to_string(&policy).unwrap();
    text.push_str("targets: {apology: 1m, fix: 15m}\n");
    std::fs::write(&policy, text).unwrap();
    let pb = dir.to_str().unwrap();
    let (r, ()) = steady(&t, &["--playbooks", pb], || ());
    let d = &r["detail"];
    assert_eq!((d["apology"]["target"].as_i64(), d["fix"]["target"].as_i64()), (Some(60), Some(900)));
    // 1m and 15m are bounds of bins: those up to them are the ones within the target.
    let bins = |k: &str, n: usize| -> u64 {
        d[k]["bins"].as_array().unwrap()[..n].iter().map(|b| b.as_u64().unwrap()).sum()
    };
    assert_eq!(d["apology"]["within_target"].as_u64(), Some(bins("apology", 2)));
    assert_eq!(d["fix"]["within_target"].as_u64(), Some(bins("fix", 5)));
    let html = t.ok(&["--playbooks", pb, "report", "--since", SINCE, "--format", "html"]);
    let within =
        format!("{} of {} within the target of 1m 00s", bins("apology", 2), r["time_to_apology"]["count"]);
    assert!(html.contains(&within), "{within}");
    assert!(html.contains(">target 15m 00s</text>"));
}

#[test]
fn amends_offered_and_not_given_are_counted_per_step() {
    let t = Test::new();
    let answers = t.write(
        "a.yaml",
        "type: reservation\nseverity: major\nrole: manager\nsteps:\n  own-it: done\n  pay-replacement: done\n",
    );
    t.cmd(&["start", "--answers", answers.to_str().unwrap()]).run();
    let r = detailed_json(&t, &[]);
    let withheld = &r["detail"]["amends_withheld"];
    assert_eq!(withheld["reservation: welcome-drink"], 1, "{withheld}");
    assert_eq!(withheld["reservation: buy-dinner"], 1, "{withheld}");
    assert!(withheld.get("reservation: pay-replacement").is_none(), "given, so not withheld");
}

#[test]
fn a_log_file_has_no_sites_for_the_html_page_to_split_by() {
    let t = Test::new();
    t.ok(&["start", "--yes", "--type", "reservation", "--staff", "anna"]);
    let (r, ()) = steady(&t, &[], || ());
    let out = t.cmd(&["report", "--since", SINCE, "--format", "html", "--by", "site"]).run();
    out.code(0).one_error_line("warning: --by site: this log is one desk's own; it has no sites to split by");
    assert!(!out.stdout.contains("class=\"part\""), "one report, as report --json --by site gives");
    shows_report(&out.stdout, &r, "the log file's page");
}
