//! The read side on the test cluster (`.ci/pg-cluster.sh`): the same incidents written to
//! the server (as its owner would) and to a SQLite log read back the same through `dyn Store`,
//! a desk login seeing only its own site.

use postgres::{Client, NoTls};

use super::*;
use crate::engine::{FollowUpOutcome, Outcome, Status, apply_event};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};
use crate::store::SqliteStore;
use crate::store::conformance::{at, step};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/// A finished incident with a few steps and `follow_ups` open follow-ups.
fn incident(n: u32, kind: &str, staff: &str, start: i64, follow_ups: usize) -> Incident {
    let mut i = Incident {
        id: format!("A-{n}"),
        uid: format!("00000000-0000-4000-8000-{n:012}"),
        kind: kind.into(),
        severity: Some(Severity::Major),
        staff: staff.into(),
        role: "staff".into(),
        reference: Some(format!("room {n}")),
        started_at: at(start),
        finished_at: Some(at(start + 10 * MINUTE)),
        status: Status::Complete,
        steps: Vec::new(),
        amends_total: Money::ZERO,
        currency: "EUR".into(),
        limit: Money::whole(50),
        failure_point: Some("check-in".into()),
        failure_note: None,
        failure_answered: true,
        abandoned_by: None,
        abandon_reason: None,
        guest: None,
        approver_role: None,
        servqual: vec![Servqual::Reliability, Servqual::Empathy],
        follow_ups: Vec::new(),
    };
    let mut apology = step(Phase::Apologise, "say-sorry", Outcome::Done, start + MINUTE);
    apology.note = Some("a \"quoted\" note, with ünïcode".into());
    let mut amend = step(Phase::Amend, "free-drink", Outcome::Done, start + 3 * MINUTE);
    amend.cost = Some("12.50".parse().unwrap());
    amend.approved_by = Some("mia".into());
    let skipped = step(Phase::Amend, "voucher", Outcome::Skipped, start + 3 * MINUTE);
    for s in [apology, step(Phase::Fix, "fix-it", Outcome::Done, start + 2 * MINUTE), amend, skipped] {
        apply_event(&mut i, &Event::Step(s));
    }
    for k in 0..follow_ups {
        let due = start + 2 * HOUR + HOUR * i64::try_from(k).unwrap();
        i.follow_ups.push(FollowUp {
            step: format!("call-{k}"),
            due: at(due),
            done_at: None,
            outcome: None,
            done_by: None,
            note: None,
        });
    }
    i
}

/// Six incidents: one unfinished, one abandoned, one with a closed follow-up, two started
/// the same instant (the scan's order among them is the exact reverse either way).
fn sample() -> Vec<Incident> {
    let mut all = vec![
        incident(1, "noise", "anna", T0, 2),
        incident(2, "billing", "Ole", T0 + HOUR, 0),
        incident(3, "noise", "ole", T0 + 2 * HOUR, 1),
        incident(4, "billing", "anna", T0 + 3 * HOUR, 1),
        incident(5, "noise", "anna", T0 + 4 * HOUR, 0),
        incident(6, "noise", "bo", T0 + 4 * HOUR, 1),
    ];
    all[3].status = Status::InProgress;
    all[3].finished_at = None;
    all[4].status = Status::Abandoned;
    all[4].abandoned_by = Some("mia".into());
    all[4].abandon_reason = Some("guest left".into());
    all[1].approver_role = Some("supervisor".into());
    let f = &mut all[0].follow_ups[0];
    f.done_at = Some(at(T0 + HOUR));
    f.outcome = Some(FollowUpOutcome::Recovered);
    f.done_by = Some("anna".into());
    f.note = Some("happy".into());
    all
}

/// Writes `i` to the server at `site` as the schema owner (row-level security does not bind
/// it), through the merge a push makes.
fn seed(db: &Db, i: &Incident, site: &str) {
    let owner = Client::connect(&format!("{} dbname={}", db.base, db.name), NoTls).unwrap();
    let store = PostgresStore::new(owner, "postgres://test".into());
    let merged = store.in_tx(|s| s.merge(i, Some(site))).unwrap();
    assert!(merged.added && merged.id == i.id, "{merged:?}");
}

/// A fresh database on the test cluster, migrated, with a desk login for `oslo`; dropped
/// when the guard goes.
struct Db {
    name: String,
    admin: Client,
    base: String,
}

impl Db {
    fn new() -> Db {
        let base = std::env::var("RECOVER_TEST_PG").ok().filter(|v| !v.is_empty()).expect(
            "RECOVER_TEST_PG is not set: start the test cluster first, `eval \"$(.ci/pg-cluster.sh start)\"`",
        );
        let name = format!("u_{}", uuid::Uuid::new_v4().simple());
        Client::connect(&base, NoTls).unwrap().batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let mut admin = Client::connect(&format!("{base} dbname={name}"), NoTls).unwrap();
        super::super::migrate::migrate(&mut admin, "test").unwrap();
        Db { name, admin, base }
    }

    /// A login for `site` as `role` (roles are the cluster's: named after this database).
    fn store_as(&mut self, site: &str, role: &str) -> PostgresStore {
        let login = format!("{role}_{}", &self.name[2..12]);
        self.admin
            .batch_execute(&format!(
                "CREATE ROLE {login} LOGIN IN ROLE recover_{role};
                 INSERT INTO recover.members VALUES ('{login}', '{site}', '{role}');"
            ))
            .unwrap();
        let store = connect_as(&self.conninfo(&login), site);
        // Head office reads every site, as `push::connect_store` scopes it.
        if role == "head_office" { store.scoped_to(None) } else { store }
    }

    fn conninfo(&self, login: &str) -> String {
        format!("{} user={login} dbname={}", self.base, self.name)
    }
}

/// A store on the server for `site`, connected with `conninfo`.
fn connect_as(conninfo: &str, site: &str) -> PostgresStore {
    let client = Client::connect(conninfo, NoTls).unwrap();
    PostgresStore::new(client, "postgres://test".into())
        .for_site(Some(site.into()))
        .scoped_to(Some(vec![site.into()]))
}

/// The store conformance suite on the server, as a login of one site (so row-level security
/// is in force for every case); a second handle is a second desk of the site.
mod conformance {
    use super::*;
    use crate::store::conformance::{Fixture, conformance_suite};

    fn on_the_server() -> Fixture {
        let mut db = Db::new();
        // A manager: a desk's rights and purge (what a desk may not do is tests/pg.rs's).
        let store = db.store_as("oslo", "manager");
        let conninfo = db.conninfo(&format!("manager_{}", &db.name[2..12]));
        let reopen = move || -> Box<dyn Store> { Box::new(connect_as(&conninfo, "oslo")) };
        Fixture { store: Box::new(store), reopen: Some(Box::new(reopen)), _guard: Box::new(db) }
    }

    conformance_suite!(
        incidents,
        [#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]]
        on_the_server()
    );
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Ok(mut root) = Client::connect(&self.base, NoTls) {
            let _ = root.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

fn collect(store: &dyn Store, filter: &Filter, oldest_first: bool) -> Vec<Incident> {
    let mut all = Vec::new();
    store
        .scan(filter, oldest_first, &mut |i| {
            all.push(i);
            true
        })
        .unwrap();
    all
}

fn listed(store: &dyn Store, filter: &Filter) -> Vec<Listed> {
    let mut all = Vec::new();
    store
        .scan_listed(filter, &mut |l| {
            all.push(l);
            true
        })
        .unwrap();
    all
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn reads_on_the_server_are_the_reads_of_a_sqlite_log_with_the_same_incidents() {
    let mut db = Db::new();
    let incidents = sample();
    let mut sqlite = SqliteStore::in_memory().unwrap();
    let mut items = incidents.clone().into_iter().map(Ok);
    sqlite.import(&mut items).unwrap();
    for i in &incidents {
        seed(&db, i, "oslo");
    }
    let mut elsewhere = incident(7, "noise", "kari", T0 + HOUR, 1);
    elsewhere.id = "A-1".into(); // the same short id at another site
    seed(&db, &elsewhere, "bergen");
    let mut server = db.store_as("oslo", "desk");
    server.page = 2; // several pages, and a page boundary between the two incidents of one instant

    let filters = [
        Filter::default(),
        Filter { kind: Some("noise".into()), ..Filter::default() },
        Filter { staff: Some("OLE".into()), ..Filter::default() },
        Filter { open: true, ..Filter::default() },
        Filter { since: Some(at(T0 + HOUR)), before: Some(at(T0 + 4 * HOUR)), ..Filter::default() },
        Filter { status: Some(Status::Abandoned), ..Filter::default() },
    ];
    for f in &filters {
        for oldest_first in [false, true] {
            let (a, b) = (collect(&server, f, oldest_first), collect(&sqlite, f, oldest_first));
            assert_eq!(a, b, "{f:?} oldest_first={oldest_first}");
        }
        assert_eq!(listed(&server, f), listed(&sqlite, f), "{f:?}");
        assert_eq!(server.count(f).unwrap(), sqlite.count(f).unwrap(), "{f:?}");
    }
    assert_eq!(
        collect(&server, &Filter::default(), false).len(),
        6,
        "bergen's incident is not a desk's at oslo"
    );
    assert_eq!(server.get("a-3").unwrap(), sqlite.get("A-3").unwrap());
    assert_eq!(server.get(&incidents[1].uid).unwrap(), incidents[1]);
    assert!(matches!(server.get(&elsewhere.uid), Err(StoreError::NotFound(_))));
    assert!(matches!(server.get("------------------------------------"), Err(StoreError::NotFound(_))));
    assert_eq!(server.latest_unfinished().unwrap(), sqlite.latest_unfinished().unwrap());
    let until = at(T0 + 10 * HOUR);
    // The same follow-ups; the server's with their site, which a log file has not.
    let on_server = server.due(until).unwrap();
    assert!(!on_server.is_empty() && on_server.iter().all(|d| d.site.as_deref() == Some("oslo")));
    let unsited: Vec<_> = on_server.into_iter().map(|d| crate::store::Due { site: None, ..d }).collect();
    assert_eq!(unsited, sqlite.due(until).unwrap());
    let now = at(T0 + 20 * HOUR);
    let report = |s: &dyn Store| format!("{:?}", s.report(at(T0), now).unwrap());
    assert_eq!(report(&server), report(&sqlite));

    // Head office reads both sites; recording is refused with one line, nothing half-done.
    let mut head = db.store_as("oslo", "head_office");
    assert_eq!(collect(&head, &Filter::default(), false).len(), 7);
    let mut sites = Vec::new();
    head.scan_sited(&Filter::default(), true, &mut |i, site| {
        sites.push((i.uid, site));
        true
    })
    .unwrap();
    assert_eq!(sites.len(), 7);
    assert!(sites.contains(&(elsewhere.uid.clone(), Some("bergen".to_owned()))), "each with its site");
    assert_eq!(sites.iter().filter(|(_, s)| s.as_deref() == Some("oslo")).count(), 6);
    let refused = head.purge(now).unwrap_err().to_string();
    assert!(refused.contains("only a site's manager login may purge"), "{refused}");
    assert_eq!(collect(&head, &Filter::default(), false).len(), 7, "nothing was deleted");
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_short_id_taken_at_the_site_is_extended_from_the_uid_and_free_at_another_site() {
    let mut db = Db::new();
    seed(&db, &incident(1, "noise", "anna", T0, 0), "oslo");
    let desk = db.store_as("oslo", "desk");
    let mut same_id = incident(2, "noise", "ole", T0 + HOUR, 0);
    same_id.id = "a-1".into(); // ids compare without case
    let merged = desk.in_tx(|s| s.merge(&same_id, Some("oslo"))).unwrap();
    assert_eq!(merged.id, "a-1-0000", "extended from the start of its uid: {merged:?}");
    assert_eq!(desk.get("A-1-0000").unwrap().uid, same_id.uid);
    let again = desk.in_tx(|s| s.merge(&same_id, Some("oslo"))).unwrap();
    assert!(!again.changed && again.id == "a-1-0000", "the same push again changes nothing: {again:?}");
    let mut elsewhere = incident(3, "noise", "kari", T0, 0);
    elsewhere.id = "A-1".into();
    seed(&db, &elsewhere, "bergen");
}
