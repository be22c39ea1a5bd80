//! A site's own emergency number and money, chosen by `--site` / `RECOVER_SITE` from the
//! policy's `sites`.

use crate::interactive::exit_code;
use crate::support::Test;

/// The built-in library with `extra` added to its policy, in `lib/`.
fn library_with(t: &Test, extra: &str) -> String {
    let dir = t.copy_playbooks("lib");
    let policy = dir.join("policy.yaml");
    let text = std::fs::read_to_string(&policy).expect("policy");
    std::fs::write(&policy, format!("{text}{extra}")).expect("write policy");
    dir.display().to_string()
}

const DHAKA: &str = "sites:\n  dhaka: {emergency: \"999\"}\n";

#[test]
fn show_and_print_fill_in_the_emergency_number_of_the_site() {
    let t = Test::new();
    let lib = library_with(&t, DHAKA);
    let plain = t.cmd(&["show", "wrong-order"]).env("RECOVER_PLAYBOOKS", &lib).run();
    plain.ok();
    assert!(plain.stdout.contains("emergency number now (112)"), "{}", plain.stdout);
    assert!(!plain.stdout.contains("{emergency}"), "{}", plain.stdout);
    let dhaka = t.cmd(&["--site", "dhaka", "show", "wrong-order"]).env("RECOVER_PLAYBOOKS", &lib).run();
    dhaka.ok();
    assert!(dhaka.stdout.contains("emergency number now (999)"), "{}", dhaka.stdout);
    assert!(!dhaka.stdout.contains("112"), "{}", dhaka.stdout);
    // The same from the environment, in another language, and on paper.
    let da = t
        .cmd(&["show", "foreign-object", "--lang", "da"])
        .env("RECOVER_PLAYBOOKS", &lib)
        .env("RECOVER_SITE", "dhaka")
        .run();
    da.ok();
    assert!(da.stdout.contains("ring 999 med det samme"), "{}", da.stdout);
    let print =
        t.cmd(&["print", "wrong-order"]).env("RECOVER_PLAYBOOKS", &lib).env("RECOVER_SITE", "dhaka").run();
    print.ok();
    assert!(print.stdout.contains("(999)") && !print.stdout.contains("{emergency}"), "{}", print.stdout);
    // A site the policy does not list keeps the policy's number; so does the built-in library.
    let oslo = t.cmd(&["--site", "oslo", "show", "wrong-order"]).env("RECOVER_PLAYBOOKS", &lib).run();
    assert!(oslo.stdout.contains("(112)"), "{}", oslo.stdout);
    assert!(t.ok(&["show", "other"]).contains("(112)"));
}

#[test]
fn the_session_shows_the_sites_number_in_the_safety_step() {
    for (site, number) in [(None, "(112)"), (Some("dhaka"), "(999)")] {
        let t = Test::new();
        let lib = library_with(&t, DHAKA);
        let mut pty =
            t.pty(&["start", "--type", "wrong-order", "--staff", "anna"]).env("RECOVER_PLAYBOOKS", &lib);
        if let Some(site) = site {
            pty = pty.env("RECOVER_SITE", site);
        }
        let mut p = pty.spawn();
        let shown = p.exp_string("(pick one)").expect("the safety step, then its question");
        assert!(shown.contains(number) && !shown.contains("{emergency}"), "{site:?}: {shown}");
        p.send_control('c').expect("ctrl-c");
        p.exp_eof().expect("eof");
        assert_eq!(exit_code(&p), 130);
    }
}

#[test]
fn check_refuses_an_emergency_number_that_is_none_and_an_unknown_placeholder() {
    let t = Test::new();
    let lib = library_with(&t, "sites:\n  dhaka: {emergency: \"call 999\"}\n");
    let out = t.cmd(&["check", &lib]).run();
    out.code(1);
    assert!(
        out.stdout.contains("site `dhaka`: the emergency number: `call 999` is not a phone number")
            || out.stderr.contains("site `dhaka`: the emergency number: `call 999` is not a phone number"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    // No session runs on a policy with a broken number.
    t.cmd(&["start", "--type", "noise", "--yes"]).env("RECOVER_PLAYBOOKS", &lib).run().code(2);

    let t = Test::new();
    let dir = t.copy_playbooks("lib");
    let policy = dir.join("policy.yaml");
    let text =
        std::fs::read_to_string(&policy).expect("policy").replace("emergency: \"112\"", "emergency: \"\"");
    std::fs::write(&policy, text).expect("write");
    let out = t.cmd(&["check", &dir.display().to_string()]).run();
    out.code(1);
    assert!(
        format!("{}{}", out.stdout, out.stderr).contains("the emergency number: `` is not a phone number")
    );

    let t = Test::new();
    let dir = t.copy_playbooks("lib");
    let file = dir.join("other.yaml");
    let text = std::fs::read_to_string(&file).expect("other").replacen("({emergency})", "({emergancy})", 1);
    std::fs::write(&file, text).expect("write");
    let out = t.cmd(&["check", &dir.display().to_string()]).run();
    out.code(1);
    assert!(
        format!("{}{}", out.stdout, out.stderr).contains("`{emergancy}` is no placeholder recover fills"),
        "{}{}",
        out.stdout,
        out.stderr
    );
}

const OSLO: &str =
    "sites:\n  oslo: {currency: NOK, scale: 10, costs: {wrong-order/treat: 95}, limits: {staff: 3500}}\n";

#[test]
fn a_desk_at_a_nok_site_records_nok_amounts_and_limits() {
    let t = Test::new();
    let lib = library_with(&t, OSLO);
    let run = |site: Option<&str>| {
        let mut cmd = t
            .cmd(&["start", "--type", "wrong-order", "--severity", "major", "--yes", "--json"])
            .env("RECOVER_PLAYBOOKS", &lib);
        if let Some(site) = site {
            cmd = cmd.env("RECOVER_SITE", site);
        }
        let out = cmd.run();
        out.ok();
        out.json_lines().pop().expect("the incident")
    };
    let eur = run(None);
    let nok = run(Some("oslo"));
    assert_eq!(eur["currency"], "EUR");
    assert_eq!(nok["currency"], "NOK");
    assert_eq!(eur["limit"], "300");
    assert_eq!(nok["limit"], "3500", "the site's own limit for staff");
    let cost = |i: &serde_json::Value, id: &str| {
        i["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .map(|s| s["cost"].clone())
            .unwrap_or_default()
    };
    // The site's own cost where it names one, ten times the policy's elsewhere.
    assert_eq!(cost(&eur, "treat"), "8");
    assert_eq!(cost(&nok, "treat"), "95");
    let eur_total: f64 = eur["amends_total"].as_str().unwrap().parse().unwrap();
    let nok_total: f64 = nok["amends_total"].as_str().unwrap().parse().unwrap();
    assert!((nok_total - (eur_total - 8.0) * 10.0 - 95.0).abs() < 1e-9, "{eur_total} {nok_total}");

    // The log keeps each incident's own currency; show and print say the site's.
    let log = t.ok(&["log", "--json"]);
    assert!(log.contains("\"currency\":\"NOK\"") && log.contains("\"currency\":\"EUR\""), "{log}");
    let show = t.cmd(&["--site", "oslo", "show", "wrong-order"]).env("RECOVER_PLAYBOOKS", &lib).run();
    show.ok();
    assert!(show.stdout.contains("NOK 95") && !show.stdout.contains("EUR"), "{}", show.stdout);
    let print = t.cmd(&["--site", "oslo", "print", "wrong-order"]).env("RECOVER_PLAYBOOKS", &lib).run();
    print.ok();
    assert!(print.stdout.contains("NOK") && !print.stdout.contains("EUR"), "{}", print.stdout);
    let plain = t.cmd(&["show", "wrong-order"]).env("RECOVER_PLAYBOOKS", &lib).run();
    assert!(plain.stdout.contains("EUR 8") && !plain.stdout.contains("NOK"), "{}", plain.stdout);
}

#[test]
fn check_proves_a_sites_amounts_exact_in_its_currency() {
    for (extra, says) in [
        ("sites:\n  tokyo: {currency: JPY, scale: 0.5}\n", "has more decimal places than JPY has (0)"),
        ("sites:\n  oslo: {currency: NOK, scale: 0.333}\n", "× 0.333 ="),
        ("sites:\n  oslo: {currency: nok}\n", "`nok` is not a currency code"),
        ("sites:\n  oslo: {scale: 0}\n", "the scale must be above zero"),
        (
            "sites:\n  oslo: {costs: {wrong-order/no-such: 5}}\n",
            "`wrong-order/no-such` names no amend with a cost",
        ),
        ("sites:\n  oslo: {limits: {chef: 5}}\n", "the policy has no role `chef`"),
        (
            "sites:\n  oslo: {currency: NOK, costs: {wrong-order/treat: 9.999}}\n",
            "9.999 has more decimal places than NOK",
        ),
    ] {
        let t = Test::new();
        let lib = library_with(&t, extra);
        let out = t.cmd(&["check", &lib]).run();
        out.code(1);
        assert!(out.stdout.contains(says), "{extra}: {}", out.stdout);
        // No desk runs on amounts nobody can give exactly.
        let start = t.cmd(&["start", "--type", "noise", "--yes"]).env("RECOVER_PLAYBOOKS", &lib).run();
        assert_ne!(start.code, 0, "{extra}");
    }
    let t = Test::new();
    let lib = library_with(&t, OSLO);
    t.cmd(&["check", &lib]).run().code(0);
}

#[test]
fn check_warns_of_a_safety_step_with_a_number_written_in() {
    let t = Test::new();
    let dir = t.copy_playbooks("lib");
    let file = dir.join("foreign-object.yaml");
    let text = std::fs::read_to_string(&file).expect("foreign-object").replace("{emergency}", "112");
    std::fs::write(&file, text).expect("write");
    let out = t.cmd(&["check", &dir.display().to_string()]).run();
    out.code(0);
    assert!(
        out.stdout.contains("warning: safety step `safety-check` does not say `{emergency}`"),
        "{}{}",
        out.stdout,
        out.stderr
    );
}
