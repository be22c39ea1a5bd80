//! Desks recording into a shared log on a real PostgreSQL server through their spools: a
//! server that dies or freezes mid-session, the same follow-up closed on two desks offline,
//! what a desk and a manager login may do. Each `Test` is one desk (its own HOME, so its own
//! spool). Tests that stop a server start one of their own (`.ci/pg-cluster.sh` on a free
//! port), never the shared test cluster.

#![cfg(feature = "postgres")]

use std::process::Command;
use std::time::{Duration, Instant};

use crate::interactive::{ENTER, answer, answer_first_two, exit_code, finish_from_find_rooms_note};
use crate::pg::{Cluster, var};
use crate::support::{Output, Test};

pub(crate) const ANSWERS: &str = r#"type: reservation
severity: minor
staff: anna
ref: "room 214"
steps:
  listen: done
  own-it: done
  reassure: done
  ask-destination: done
  find-room: {choice: partner hotel nearby, note: "Hotel Lux"}
  pay-replacement: done
  arrange-transport: done
  confirm-in-writing: done
  ask-comfort: done
  hand-over: done
  thank: done
  welcome-drink: done
  call-next-morning: done
  written-apology: done
"#;

/// A desk: its world, and how it reaches the server.
pub(crate) struct Desk {
    pub(crate) t: Test,
    pub(crate) env: Vec<(String, String)>,
}

impl Desk {
    pub(crate) fn new(log: &str, password: &str, ca: &str, site: &str) -> Desk {
        let env = [
            ("RECOVER_LOG", log),
            ("PGPASSWORD", password),
            ("PGSSLROOTCERT", ca),
            ("RECOVER_SITE", site),
            ("PGCONNECT_TIMEOUT", "2"),
        ];
        Desk { t: Test::new(), env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect() }
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.t.cmd(args);
        for (k, v) in &self.env {
            cmd = cmd.env(k, v);
        }
        cmd.run()
    }

    pub(crate) fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        out.code(0);
        out
    }

    pub(crate) fn start(&self) -> String {
        let answers = self.t.write("answers.yaml", ANSWERS);
        let out = self.run(&["start", "--answers", answers.to_str().unwrap(), "--json"]);
        out.code(0);
        out.json_lines()[0]["id"].as_str().unwrap().to_owned()
    }

    fn pending(&self) -> u64 {
        self.ok(&["sync", "--status", "--json"]).json_lines()[0]["pending"].as_u64().unwrap()
    }
}

/// A cluster of this test's own, its schema migrated.
fn migrated() -> Cluster {
    let c = Cluster::new();
    c.migrate(&Test::new());
    c
}

/// A desk (or head office) on the test cluster: a login for `site` in `role`, over TLS.
fn desk_on(c: &mut Cluster, name: &str, site: &str, role: &str) -> Desk {
    let login = c.login(name, site, role);
    let mut desk = Desk::new(&c.tcp_log("localhost", &login), &format!("pw-{login}"), &c.ca, site);
    if role == "head_office" {
        desk.env.retain(|(k, _)| k != "RECOVER_SITE");
    }
    desk
}

/// A server of this test's own, to kill, freeze and start again.
struct OwnServer {
    dir: String,
    port: String,
    ca: String,
}

impl OwnServer {
    fn start() -> OwnServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let out = Command::new("bash")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/pg-cluster.sh"))
            .arg("start")
            .env("RECOVER_PG_PORT", port.to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let vars = String::from_utf8(out.stdout).unwrap();
        let get = |name: &str| {
            let line = vars.lines().find(|l| l.starts_with(&format!("export {name}="))).unwrap();
            line.split_once('=').unwrap().1.trim_matches('\'').to_owned()
        };
        OwnServer { dir: get("RECOVER_TEST_PG_DIR"), port: port.to_string(), ca: get("RECOVER_TEST_PG_CA") }
    }

    fn script(&self, what: &str) {
        let out = Command::new("bash")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/pg-cluster.sh"))
            .args([what, &self.dir])
            .output()
            .unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// The superuser over the socket.
    fn admin(&self) -> postgres::Client {
        let conn = format!("host={} port={} user=postgres dbname=postgres", self.dir, self.port);
        postgres::Client::connect(&conn, postgres::NoTls).unwrap()
    }

    /// The schema, and a desk login for `site`: its `--log` value and password.
    fn setup(&self, t: &Test, site: &str) -> (String, String) {
        let admin_log = format!("host={} port={} user=postgres dbname=postgres", self.dir, self.port);
        t.ok(&["server", "migrate", "--log", &admin_log]);
        self.admin()
            .batch_execute(&format!(
                "CREATE ROLE desk_a LOGIN PASSWORD 'pw-a' IN ROLE recover_desk;
                 INSERT INTO recover.members VALUES ('desk_a', '{site}', 'desk');"
            ))
            .unwrap();
        (format!("postgres://desk_a@localhost:{}/postgres", self.port), "pw-a".to_owned())
    }

    /// Every process of the server: the postmaster (first line of its pid file) and its children.
    fn pids(&self) -> Vec<String> {
        let pidfile = std::fs::read_to_string(format!("{}/data/postmaster.pid", self.dir)).unwrap();
        let main = pidfile.lines().next().unwrap().trim().to_owned();
        let children = Command::new("pgrep").args(["-P", &main]).output().unwrap();
        let mut all = vec![main];
        all.extend(String::from_utf8_lossy(&children.stdout).split_whitespace().map(str::to_owned));
        all
    }

    fn signal(&self, sig: &str) {
        for pid in self.pids() {
            let _ = Command::new("kill").args([sig, &pid]).status();
        }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.signal("-CONT");
        let _ = Command::new("bash")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/pg-cluster.sh"))
            .args(["stop", &self.dir])
            .output();
    }
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_session_with_the_server_killed_exits_0_and_sync_sends_it_after_a_restart() {
    let _ = var("RECOVER_TEST_PG"); // fail, never skip, without the test cluster's tools
    let server = OwnServer::start();
    let (log, password) = server.setup(&Test::new(), "oslo");
    let here = Desk::new(&log, &password, &server.ca, "oslo");
    let other = Desk::new(&log, &password, &server.ca, "oslo");

    let first = here.start();
    assert_eq!(here.pending(), 0, "a live server gets each answer at once");
    server.script("kill");
    let answers = here.t.write("answers.yaml", ANSWERS);
    let out = here.run(&["start", "--answers", answers.to_str().unwrap(), "--json"]);
    out.code(0);
    assert!(
        out.stderr.contains("1 incident(s) are kept on this desk until the shared log can be reached"),
        "{}",
        out.stderr
    );
    let second = out.json_lines()[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(here.pending(), 1);
    let status = here.ok(&["sync", "--status"]).stdout;
    assert!(status.contains("pending       1") && status.contains("last failure  2"), "{status}");
    // Offline, reads are this desk's own, said in one line.
    let out = here.ok(&["log", "--json"]);
    assert_eq!(out.json_lines().len(), 2);
    assert!(out.stderr.contains("(showing only what this desk recorded)"), "{}", out.stderr);
    let out = here.run(&["sync"]);
    out.code(3).one_error_line("1 incident(s) wait on this desk");

    server.script("restart");
    let out = here.ok(&["sync"]);
    assert!(out.stderr.contains("sent 1 incident(s)"), "{}", out.stderr);
    assert_eq!(here.pending(), 0);
    let mine = here.ok(&["show-incident", &second, "--json"]).json_lines().remove(0);
    let theirs = other.ok(&["log", "--json"]).json_lines();
    assert_eq!(theirs.len(), 2, "the other desk reads both from the server");
    let theirs = theirs.into_iter().find(|i| i["id"] == second.as_str()).unwrap();
    assert_eq!(theirs, mine, "the other desk's log is this desk's account");
    assert!(theirs["id"] != first.as_str());
    // Again: nothing to send, nothing changed.
    let before = other.ok(&["export"]).stdout;
    let out = here.ok(&["sync"]);
    assert!(out.stderr.contains("sent 0 incident(s)"), "{}", out.stderr);
    assert_eq!(other.ok(&["export"]).stdout, before);
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_frozen_server_delays_the_next_prompt_at_most_two_seconds_and_the_answer_is_kept() {
    let _ = var("RECOVER_TEST_PG");
    let server = OwnServer::start();
    let setup = Test::new();
    let (log, password) = server.setup(&setup, "oslo");
    let desk = Desk::new(&log, &password, &server.ca, "oslo");
    let mut pty = desk.t.pty(&["start", "--type", "reservation", "--staff", "anna"]);
    for (k, v) in &desk.env {
        pty = pty.env(k, v);
    }
    let mut p = pty.spawn();
    answer_first_two(&mut p);
    server.signal("-STOP");
    // The answer to `reassure` is saved, then a push is tried; the next question comes at
    // most two seconds later (plus the terminal's own time: the bound is generous).
    p.send(ENTER).unwrap();
    p.flush().unwrap();
    let asked = Instant::now();
    p.exp_string("ask-destination").expect("the next question");
    let waited = asked.elapsed();
    assert!(waited < Duration::from_millis(3500), "the next question waited {waited:?}");
    // Later answers do not wait at all while the push is still out.
    answer(&mut p, "ask-destination", &[ENTER]);
    let asked = Instant::now();
    p.exp_string("find-room (pick one)").expect("the next question");
    assert!(asked.elapsed() < Duration::from_millis(1500), "{:?}", asked.elapsed());
    p.send(ENTER).unwrap();
    p.flush().unwrap();
    finish_from_find_rooms_note(&mut p);
    assert_eq!(exit_code(&p), 0);
    assert_eq!(desk.pending(), 1, "kept on the desk");
    server.signal("-CONT");
    desk.ok(&["sync"]);
    let incident = desk.ok(&["log", "--json"]).json_lines().remove(0);
    assert_eq!(incident["status"], "complete");
    assert_eq!(
        incident["steps"].as_array().unwrap().len(),
        14,
        "every answer reached the server: {incident}"
    );
}

/// A desk whose site is not its login's (RECOVER_SITE=bergen for an Oslo login) is refused
/// by the server, not cut off from it: what it records is kept, and it is told what to
/// fix rather than to wait for the network.
#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_desk_recording_for_another_site_is_told_to_fix_its_site_not_to_wait() {
    let mut c = migrated();
    let login = c.login("desk", "oslo", "desk");
    let desk = Desk::new(&c.tcp_log("localhost", &login), &format!("pw-{login}"), &c.ca, "bergen");
    let out = desk.run(&["start", "--type", "noise", "--yes", "--staff", "anna"]);
    assert_eq!(out.code, 0, "kept on the desk: {}", out.stderr);
    assert!(out.stderr.contains("refused") && out.stderr.contains("RECOVER_SITE"), "{}", out.stderr);
    assert!(!out.stderr.contains("can be reached"), "{}", out.stderr);
    let out = desk.run(&["sync"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(out.stderr.contains("RECOVER_SITE") && !out.stderr.contains("can be reached"), "{}", out.stderr);
    assert_eq!(desk.pending(), 1, "nothing lost");
}

/// Head office's login without its row in `recover.members` sees nothing: `report --by
/// site` says that of this login, not that the shared log is "one desk's own".
#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn head_office_without_its_membership_is_told_it_sees_nothing() {
    let mut c = migrated();
    desk_on(&mut c, "desk", "oslo", "desk").start();
    let office = c.login("office", "head-office", "head_office");
    c.admin.batch_execute(&format!("DELETE FROM recover.members WHERE login = '{office}'")).unwrap();
    let ho = Desk::new(&c.tcp_log("localhost", &office), &format!("pw-{office}"), &c.ca, "head-office");
    for args in [
        &["report", "--since", "30d", "--by", "site"][..],
        &["report", "--since", "30d", "--by", "site", "--json"],
    ] {
        let out = ho.run(args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stderr.contains("this login sees no incident of the period"), "{}", out.stderr);
        assert!(!out.stderr.contains("one desk's own"), "{}", out.stderr);
    }
}

/// A server that refuses this desk's login is not a folder to check: the desk still
/// records (spooled), and a read says what the server said with the server's settings to
/// check, in one line.
#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_refused_login_is_said_with_the_server_settings_to_check() {
    let mut c = migrated();
    let login = c.login("desk", "oslo", "desk");
    let desk = Desk::new(&c.tcp_log("localhost", &login), "not-the-password", &c.ca, "oslo");
    desk.start();
    let out = desk.run(&["log"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("password")
            && out.stderr.contains("`recover server check` shows what this login finds"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("folder"), "{}", out.stderr);
}

/// Two desks online, each deciding on what it holds: Ole's desk has the incident from an
/// earlier close and does not know Anna has closed the other follow-up. The server keeps
/// Anna's close; Ole is told, his desk does not say "closed", and `done` fails as the
/// loser of two terminals on one log file does.
#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_close_that_loses_to_another_desks_is_not_reported_as_done() {
    let mut c = migrated();
    let login = c.login("desk", "oslo", "desk");
    let (log, password) = (c.tcp_log("localhost", &login), format!("pw-{login}"));
    let anna = Desk::new(&log, &password, &c.ca, "oslo");
    let ole = Desk::new(&log, &password, &c.ca, "oslo");
    let id = anna.start();
    ole.ok(&["done", &id, "written-apology", "--staff", "ole"]);
    let won = anna.ok(&["done", &id, "call-next-morning", "--staff", "anna", "--outcome", "recovered"]);
    assert!(won.stderr.contains(&format!("of incident {id} closed (")), "{}", won.stderr);
    let lost = ole.run(&["done", &id, "call-next-morning", "--staff", "ole", "--outcome", "lost", "--json"]);
    assert_eq!(lost.code, 2, "{}", lost.stderr);
    assert!(lost.stderr.contains("was closed first by anna"), "{}", lost.stderr);
    assert!(
        !lost.stderr.contains(&format!("of incident {id} closed (")),
        "not reported as done: {}",
        lost.stderr
    );
    let shown: serde_json::Value = serde_json::from_str(lost.stdout.trim()).unwrap();
    let close =
        shown["follow_ups"].as_array().unwrap().iter().find(|f| f["step"] == "call-next-morning").cloned();
    assert_eq!(close.unwrap()["done_by"], "anna", "--json shows what the log holds");
    let row = c
        .admin
        .query_one("SELECT done_by FROM recover.follow_ups WHERE step = 'call-next-morning'", &[])
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "anna");
    assert_eq!(c.admin.query("SELECT 1 FROM recover.close_conflicts", &[]).unwrap().len(), 1);
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn one_follow_up_closed_offline_on_two_desks_keeps_the_first_close_and_records_the_other() {
    let mut c = Cluster::new();
    let setup = Test::new();
    c.migrate(&setup);
    let login = c.login("desk", "oslo", "desk");
    let (log, password) = (c.tcp_log("localhost", &login), format!("pw-{login}"));
    let anna = Desk::new(&log, &password, &c.ca, "oslo");
    let ole = Desk::new(&log, &password, &c.ca, "oslo");
    let id = anna.start();
    // Ole's desk takes the incident into its spool by closing one follow-up online.
    ole.ok(&["done", &id, "written-apology", "--staff", "ole"]);
    // Both desks offline (a port nothing listens on), both close the other follow-up.
    let nowhere = log.replace(&format!(":{}/", c.port), ":9/");
    let offline = |desk: &Desk, staff: &str, note: &str| {
        let out = desk
            .t
            .cmd(&[
                "done",
                &id,
                "call-next-morning",
                "--staff",
                staff,
                "--outcome",
                "recovered",
                "--note",
                note,
            ])
            .env("RECOVER_LOG", &nowhere)
            .env("PGPASSWORD", &password)
            .env("PGSSLROOTCERT", &c.ca)
            .env("RECOVER_SITE", "oslo")
            .run();
        out.code(0);
        assert!(out.stderr.contains("kept on this desk"), "{}", out.stderr);
    };
    offline(&anna, "anna", "called, happy");
    offline(&ole, "ole", "called too");
    anna.ok(&["sync"]);
    let out = ole.ok(&["sync"]);
    assert!(
        out.stderr.contains("follow-up `call-next-morning` of")
            && out.stderr.contains("was closed first by anna"),
        "{}",
        out.stderr
    );
    // Exactly one close on the server: Anna's; Ole's kept as a conflict record.
    let row = c
        .admin
        .query_one("SELECT done_by, note FROM recover.follow_ups WHERE step = 'call-next-morning'", &[])
        .unwrap();
    assert_eq!((row.get::<_, String>(0), row.get::<_, String>(1)), ("anna".into(), "called, happy".into()));
    let conflicts = c.admin.query("SELECT done_by, note FROM recover.close_conflicts", &[]).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].get::<_, String>(0), "ole");
    // Both desks now show Anna's close, and the conflict beside it.
    for desk in [&anna, &ole] {
        let shown = desk.ok(&["show-incident", &id]).stdout;
        assert!(shown.contains("Also closed at another desk"), "{shown}");
        assert!(
            shown.contains("call-next-morning: recovered by ole") && shown.contains("called too"),
            "{shown}"
        );
        let json = desk.ok(&["show-incident", &id, "--json"]).json_lines().remove(0);
        let close =
            json["follow_ups"].as_array().unwrap().iter().find(|f| f["step"] == "call-next-morning").cloned();
        assert_eq!(close.unwrap()["done_by"], "anna");
        assert_eq!(json["close_conflicts"][0]["done_by"], "ole");
    }
    assert_eq!(ole.pending(), 0);
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_desks_purge_is_refused_and_a_managers_removes_only_its_own_site() {
    let mut c = Cluster::new();
    let setup = Test::new();
    c.migrate(&setup);
    let oslo_desk = desk_on(&mut c, "desk", "oslo", "desk");
    let desk = format!("desk_{}", &c.db[2..10]);
    let bergen_desk = desk_on(&mut c, "bdesk", "bergen", "desk");
    let oslo_manager = desk_on(&mut c, "mgr", "oslo", "manager");
    oslo_desk.start();
    bergen_desk.start();
    let out = oslo_desk.run(&["purge", "--before", "2099-01-01", "--yes"]);
    out.code(3).one_error_line("only a site's manager login may purge the shared log");
    assert_eq!(oslo_manager.ok(&["log", "--json"]).json_lines().len(), 1, "nothing deleted");
    oslo_manager.ok(&["purge", "--before", "2099-01-01", "--yes"]);
    assert_eq!(oslo_manager.ok(&["log", "--json"]).json_lines().len(), 0);
    assert_eq!(bergen_desk.ok(&["log", "--json"]).json_lines().len(), 1, "bergen's incident stays");
    // A desk never reads another site's incidents, through recover or SQL.
    assert_eq!(oslo_desk.ok(&["log", "--json"]).json_lines().len(), 0);
    let mut sql = c.as_login(&desk);
    let seen: i64 = sql.query_one("SELECT count(*) FROM recover.incidents", &[]).unwrap().get(0);
    assert_eq!(seen, 0);
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn head_office_reports_the_chain_summed_on_the_server_by_site_and_apart_per_currency() {
    let mut c = Cluster::new();
    let setup = Test::new();
    c.migrate(&setup);
    let oslo = desk_on(&mut c, "osl", "oslo", "desk");
    let bergen = desk_on(&mut c, "brg", "bergen", "desk");
    let head = desk_on(&mut c, "ho", "chain", "head_office");
    oslo.start();
    oslo.start();
    // Bergen's policy is in kroner.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let policy =
        std::fs::read_to_string(root.join("policy.yaml")).unwrap().replace("currency: EUR", "currency: NOK");
    bergen.t.write("lib/policy.yaml", &policy);
    bergen.t.write("lib/reservation.yaml", std::fs::read_to_string(root.join("reservation.yaml")).unwrap());
    let answers = bergen.t.write("answers.yaml", ANSWERS);
    let lib = bergen.t.path("lib");
    let out =
        bergen.run(&["start", "--answers", answers.to_str().unwrap(), "--playbooks", lib.to_str().unwrap()]);
    out.code(0);

    let parts = head.ok(&["report", "--since", "30d", "--json"]).json_lines();
    let by_currency: Vec<(String, u64, String)> = parts
        .iter()
        .map(|p| {
            (
                p["currency"].as_str().unwrap().to_owned(),
                p["incidents"].as_u64().unwrap(),
                p["amends_total"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        by_currency,
        [("EUR".to_owned(), 2, "\"20\"".to_owned()), ("NOK".to_owned(), 1, "\"10\"".to_owned())],
        "never EUR and NOK added together"
    );
    let sites = head.ok(&["report", "--since", "30d", "--by", "site", "--json"]).json_lines();
    let sites: Vec<(&str, &str, u64)> = sites
        .iter()
        .map(|p| {
            (p["site"].as_str().unwrap(), p["currency"].as_str().unwrap(), p["incidents"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(sites, [("bergen", "NOK", 1), ("oslo", "EUR", 2)]);
    let text = head.ok(&["report", "--since", "30d", "--by", "site"]).stdout;
    assert!(text.contains("bergen · NOK") && text.contains("oslo · EUR"), "{text}");
    let csv = head.ok(&["report", "--since", "30d", "--by", "site", "--csv"]).stdout;
    assert!(csv.starts_with("site,section,item,value") && csv.contains("\noslo,incidents,"), "{csv}");
    // A desk's report is its own site's.
    let own = oslo.ok(&["report", "--since", "30d", "--json"]).json_lines();
    assert_eq!((own.len(), own[0]["incidents"].as_u64()), (1, Some(2)));
    assert_eq!(own[0]["time_to_apology"]["count"], 2);
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_desks_old_log_file_is_imported_into_the_server_by_uid_once() {
    let mut c = Cluster::new();
    let setup = Test::new();
    c.migrate(&setup);
    let login = c.login("desk", "oslo", "desk");
    let (log, password) = (c.tcp_log("localhost", &login), format!("pw-{login}"));
    let desk = Desk::new(&log, &password, &c.ca, "oslo");
    let other = Desk::new(&log, &password, &c.ca, "oslo");
    let old = desk.t.path("old/log.db");
    for kind in ["wrong-order", "noise", "reservation"] {
        desk.t.ok(&["start", "--type", kind, "--yes", "--staff", "anna", "--log", old.to_str().unwrap()]);
    }
    let out = desk.ok(&["import", old.to_str().unwrap()]);
    assert!(out.stderr.contains("3 added, 0 updated, 0 already here"), "{}", out.stderr);
    assert_eq!(desk.pending(), 0, "sent with the import");
    let theirs = other.ok(&["export"]).stdout;
    let file = desk.t.cmd(&["export", "--log", old.to_str().unwrap()]).run().stdout;
    assert_eq!(theirs, file, "the server holds the old log's account");
    let out = desk.ok(&["import", old.to_str().unwrap()]);
    assert!(out.stderr.contains("0 added, 0 updated, 3 already here"), "{}", out.stderr);
    let count: i64 = c.admin.query_one("SELECT count(*) FROM recover.incidents", &[]).unwrap().get(0);
    assert_eq!(count, 3);
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn the_readmes_shared_log_examples_run_against_a_server() {
    let mut c = Cluster::new();
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("## Many desks and sites").nth(1).unwrap().split("\n## ").next().unwrap();
    let admin = Test::new();
    c.migrate(&admin); // the README's own migrate runs again below, and changes nothing
    let desk_login = c.login("desk", "oslo", "desk");
    let head_login = c.login("ho", "chain", "head_office");
    let desk = Desk::new(&c.tcp_log("localhost", &desk_login), &format!("pw-{desk_login}"), &c.ca, "oslo");
    let mut head = Desk::new(&c.tcp_log("localhost", &head_login), &format!("pw-{head_login}"), &c.ca, "");
    head.env.retain(|(k, _)| k != "RECOVER_SITE");
    let mut id = String::new();
    let mut ran = 0;
    let mut as_head = false;
    for block in section.split("```text\n").skip(1).filter_map(|b| b.split("\n```").next()) {
        for line in block.lines().map(str::trim) {
            if line.starts_with("# head office") {
                as_head = true;
            }
            // What runs is the part before a comment, a pipe or a redirection.
            let command = line.split("  #").next().unwrap();
            let command = command.split([' ']).collect::<Vec<_>>();
            let end = command.iter().position(|w| *w == "|" || *w == ">").unwrap_or(command.len());
            let command = command[..end].join(" ");
            let command = command.trim();
            let Some(args) = command.strip_prefix("recover ") else { continue };
            let mut args: Vec<String> = args.split_whitespace().map(str::to_owned).collect();
            if let Some(at) = args.iter().position(|a| a == "--log") {
                // The administrator's example names the server; here it is the test cluster's.
                args[at + 1] = c.admin_log();
                let out = admin.cmd(&args).run();
                assert_eq!(out.code, 0, "{command}: {}", out.stderr);
                ran += 1;
                continue;
            }
            if args == ["server", "init-sql"] {
                admin.ok(&["server", "init-sql"]);
                ran += 1;
                continue;
            }
            if args[0] == "start" && !args.contains(&"--yes".to_owned()) {
                args.extend(["--yes", "--staff", "anna", "--json"].map(str::to_owned));
            }
            for a in &mut args {
                if a == "K7Q-4MX" {
                    a.clone_from(&id);
                }
            }
            let who = if as_head { &head } else { &desk };
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = who.run(&args);
            assert_eq!(out.code, 0, "{command}: {}", out.stderr);
            if args[0] == "start" {
                id = out.json_lines()[0]["id"].as_str().unwrap().to_owned();
            }
            ran += 1;
        }
    }
    assert!(ran >= 8, "the section's examples were found ({ran})");
    let closed = head.ok(&["show-incident", &id, "--json"]).json_lines().remove(0);
    assert_eq!(closed["follow_ups"][0]["outcome"], "recovered", "head office sees the desk's close");
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn an_older_desk_keeps_spooling_and_a_wrong_ca_is_one_clear_line() {
    let mut c = Cluster::new();
    let setup = Test::new();
    c.migrate(&setup);
    let login = c.login("desk", "oslo", "desk");
    let (log, password) = (c.tcp_log("localhost", &login), format!("pw-{login}"));
    let desk = Desk::new(&log, &password, &c.ca, "oslo");
    c.admin.batch_execute("UPDATE recover.meta SET min_client = '99.0.0'").unwrap();
    let out = desk.run(&["start", "--type", "reservation", "--yes", "--staff", "anna"]);
    out.code(0);
    assert!(
        out.stderr.contains("kept on this desk") && out.stderr.contains("upgrade recover"),
        "{}",
        out.stderr
    );
    assert_eq!(desk.pending(), 1);
    desk.run(&["log"]).code(3).one_error_line("needs recover 99.0.0 or newer");
    c.admin.batch_execute("UPDATE recover.meta SET min_client = '0.1.0'").unwrap();
    desk.ok(&["sync"]);
    // The system's CAs did not sign the server's certificate: refused in one line, never
    // read offline as if the server were down.
    let out = desk.t.cmd(&["log"]).env("RECOVER_LOG", &log).env("PGPASSWORD", &password).run();
    out.code(3).one_error_line("certificate");
    assert!(!out.stderr.contains(&password), "{}", out.stderr);
    // By address the name on the certificate (localhost) does not match: refused too.
    let by_address = log.replace("@localhost:", "@127.0.0.1:");
    let out = desk
        .t
        .cmd(&["due"])
        .env("RECOVER_LOG", &by_address)
        .env("PGPASSWORD", &password)
        .env("PGSSLROOTCERT", &c.ca)
        .env("RECOVER_SITE", "oslo")
        .run();
    out.code(3).one_error_line("cannot connect to postgres://");
    assert!(out.stderr.contains("NotValidForName") || out.stderr.contains("not valid for"), "{}", out.stderr);
}
