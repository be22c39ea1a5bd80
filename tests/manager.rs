//! Head office's view of a chain on one shared log (issue 16): every site's follow-ups, or
//! one site's with `--site`, in `due` and in its calendar; and the HTML report with a section
//! per site. Against the real PostgreSQL test cluster, as tests/shared.rs.

#![cfg(feature = "postgres")]

use serde_json::Value;

use crate::calendar::read_back;
use crate::pg::Cluster;
use crate::report_html::{section, shows_report};
use crate::shared::Desk;
use crate::support::Test;

/// Far enough ahead that `due` lists every open follow-up.
const ALL: &str = "3650d";

/// Desks at oslo and bergen and a head-office login (no site), on one new database.
fn chain(c: &mut Cluster) -> (Desk, Desk, Desk) {
    c.migrate(&Test::new());
    let mut as_login = |name: &str, site: &str, role: &str| {
        let login = c.login(name, site, role);
        Desk::new(&c.tcp_log("localhost", &login), &format!("pw-{login}"), &c.ca, site)
    };
    let oslo = as_login("osl", "oslo", "desk");
    let bergen = as_login("brg", "bergen", "desk");
    let mut head = as_login("ho", "chain", "head_office");
    head.env.retain(|(k, _)| k != "RECOVER_SITE");
    (oslo, bergen, head)
}

/// `(incident, step)` of each line of `due --json`.
fn keys(lines: &[Value]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = lines
        .iter()
        .map(|d| (d["incident"].as_str().unwrap().to_owned(), d["step"].as_str().unwrap().to_owned()))
        .collect();
    v.sort();
    v
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh) and python3 with icalendar; CI runs it with --include-ignored"]
fn head_office_sees_every_sites_follow_ups_and_site_keeps_one_sites() {
    let mut c = Cluster::new();
    let (oslo, bergen, head) = chain(&mut c);
    oslo.start();
    oslo.start();
    bergen.start();
    let theirs = |d: &Desk| d.ok(&["due", "--json", "--within", ALL]).json_lines();
    let (at_oslo, at_bergen) = (theirs(&oslo), theirs(&bergen));
    assert!(!at_oslo.is_empty() && !at_bergen.is_empty());
    assert!(at_oslo.iter().all(|d| d["site"] == "oslo"), "{at_oslo:?}");

    let all = head.ok(&["due", "--json", "--within", ALL]).json_lines();
    assert_eq!(all.len(), at_oslo.len() + at_bergen.len(), "every site's");
    let mut sites: Vec<&str> = all.iter().map(|d| d["site"].as_str().unwrap()).collect();
    sites.sort_unstable();
    sites.dedup();
    assert_eq!(sites, ["bergen", "oslo"]);
    // Every field written on a shared log is documented, the site under its own heading.
    let mut doc = crate::docs::documented("Due follow-up");
    doc.extend(crate::docs::documented("Due follow-up on a shared log"));
    for d in &all {
        let written: std::collections::BTreeSet<String> = d.as_object().unwrap().keys().cloned().collect();
        assert_eq!(written, doc);
    }

    let only = head.ok(&["due", "--json", "--within", ALL, "--site", "oslo"]).json_lines();
    assert_eq!(keys(&only), keys(&at_oslo), "oslo's, and only oslo's");
    assert!(only.iter().all(|d| d["site"] == "oslo"));
    let table = head.ok(&["due", "--within", ALL, "--site", "bergen"]).stdout;
    for (id, _) in keys(&at_bergen) {
        assert!(table.contains(&id), "{id} in\n{table}");
    }
    for (id, _) in keys(&at_oslo) {
        assert!(!table.contains(&id), "{id} is oslo's:\n{table}");
    }
    assert!(head.ok(&["due", "--json", "--within", ALL, "--site", "trondheim"]).stdout.is_empty());

    // The calendar likewise, each event where its site is, read by an independent parser.
    let events = read_back(&head.ok(&["due", "--ics", "--within", ALL, "--site", "oslo"]).stdout);
    assert_eq!(events.len(), at_oslo.len());
    for d in &at_oslo {
        let done =
            format!("recover done {} {}", d["incident"].as_str().unwrap(), d["step"].as_str().unwrap());
        let e = events
            .iter()
            .find(|e| e["description"].as_str().unwrap().ends_with(&done))
            .unwrap_or_else(|| panic!("no event for {done}"));
        assert_eq!(e["location"], "oslo");
    }
    let everywhere = read_back(&head.ok(&["due", "--ics", "--within", ALL]).stdout);
    let mut places: Vec<&str> = everywhere.iter().map(|e| e["location"].as_str().unwrap()).collect();
    places.sort_unstable();
    places.dedup();
    assert_eq!((everywhere.len(), places), (all.len(), vec!["bergen", "oslo"]));
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn head_offices_html_report_by_site_has_a_section_per_site_with_its_json_figures() {
    let mut c = Cluster::new();
    let (oslo, bergen, head) = chain(&mut c);
    oslo.start();
    oslo.start();
    // Bergen's policy is in kroner.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let policy =
        std::fs::read_to_string(root.join("policy.yaml")).unwrap().replace("currency: EUR", "currency: NOK");
    bergen.t.write("lib/policy.yaml", &policy);
    bergen.t.write("lib/reservation.yaml", std::fs::read_to_string(root.join("reservation.yaml")).unwrap());
    let answers = bergen.t.write("answers.yaml", crate::shared::ANSWERS);
    let lib = bergen.t.path("lib");
    bergen.ok(&["start", "--answers", answers.to_str().unwrap(), "--playbooks", lib.to_str().unwrap()]);

    let page = head.t.path("chain.html");
    head.ok(&["report", "--since", "30d", "--format", "html", "--by", "site", "-o", page.to_str().unwrap()]);
    let parts = head.ok(&["report", "--since", "30d", "--by", "site", "--json"]).json_lines();
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("<!DOCTYPE html>").count(), 1, "one page");
    assert!(!html.contains("<script") && !html.contains("src="), "self-contained");
    assert_eq!(html.matches("<h2 class=\"part\">").count(), 2, "a section per site");
    let headings: Vec<String> = parts
        .iter()
        .map(|p| format!("{} \u{b7} {}", p["site"].as_str().unwrap(), p["currency"].as_str().unwrap()))
        .collect();
    assert_eq!(headings, ["bergen \u{b7} NOK", "oslo \u{b7} EUR"]);
    for (heading, r) in headings.iter().zip(&parts) {
        shows_report(section(&html, heading), r, heading);
    }
    assert!(section(&html, &headings[1]).contains("EUR 20") && !section(&html, &headings[1]).contains("NOK"));

    // Without --by site the chain's page is still kept apart per currency.
    let whole = head.ok(&["report", "--since", "30d", "--format", "html"]).stdout;
    assert!(whole.contains("<h2 class=\"part\">EUR</h2>") && whole.contains("<h2 class=\"part\">NOK</h2>"));
}
