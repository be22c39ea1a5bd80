//! The shared log on a real PostgreSQL server (issue 15): connection settings, TLS, the
//! schema's migrations and its row-level security. The server is the throwaway cluster of
//! `.ci/pg-cluster.sh` (`eval "$(.ci/pg-cluster.sh start)"` sets RECOVER_TEST_PG and friends);
//! these tests are ignored by a plain `cargo test` and fail, never skip, when asked to run
//! without one.

#![cfg(feature = "postgres")]

use std::sync::{Mutex, MutexGuard};

use postgres::{Client, NoTls};

use crate::support::Test;

/// Roles are the cluster's, not one database's: tests that make them run one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The test cluster and one fresh database in it, dropped at the end.
pub(crate) struct Cluster {
    /// The Unix-socket folder (superuser `postgres`, trusted there).
    pub(crate) dir: String,
    /// The TCP port on 127.0.0.1 (TLS and passwords).
    pub(crate) port: String,
    /// The throwaway CA that signed the server's certificate for `localhost`.
    pub(crate) ca: String,
    /// This test's database.
    pub(crate) db: String,
    pub(crate) admin: Client,
    _guard: MutexGuard<'static, ()>,
}

pub(crate) fn var(name: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| {
        panic!(
            "{name} is not set: start the test cluster first, `eval \"$(.ci/pg-cluster.sh start)\"` \
             (CI does; a PostgreSQL test never passes without a server)"
        )
    })
}

impl Cluster {
    pub(crate) fn new() -> Cluster {
        let guard = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let admin_conn = var("RECOVER_TEST_PG");
        let mut root = Client::connect(&admin_conn, NoTls)
            .unwrap_or_else(|e| panic!("cannot reach the test cluster at {admin_conn}: {e}"));
        let db = format!("t_{}", uuid::Uuid::new_v4().simple());
        root.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
        let admin = Client::connect(&format!("{admin_conn} dbname={db}"), NoTls).unwrap();
        Cluster {
            dir: var("RECOVER_TEST_PG_DIR"),
            port: var("RECOVER_TEST_PG_PORT"),
            ca: var("RECOVER_TEST_PG_CA"),
            db,
            admin,
            _guard: guard,
        }
    }

    /// The superuser over the socket, as a `--log` value.
    pub(crate) fn admin_log(&self) -> String {
        format!("host={} port={} user=postgres dbname={}", self.dir, self.port, self.db)
    }

    /// `login` over TCP with TLS, as a desk connects (no password in the URL).
    pub(crate) fn tcp_log(&self, host: &str, login: &str) -> String {
        format!("postgres://{login}@{host}:{}/{}", self.port, self.db)
    }

    /// `login` over the socket (trusted), for SQL-level checks.
    pub(crate) fn as_login(&self, login: &str) -> Client {
        Client::connect(
            &format!("host={} port={} user={login} dbname={}", self.dir, self.port, self.db),
            NoTls,
        )
        .unwrap()
    }

    /// A login for `site` in `role`, with a password, named after this database.
    pub(crate) fn login(&mut self, name: &str, site: &str, role: &str) -> String {
        let login = format!("{name}_{}", &self.db[2..10]);
        self.admin
            .batch_execute(&format!(
                "CREATE ROLE {login} LOGIN PASSWORD 'pw-{login}' IN ROLE recover_{role};
                 INSERT INTO recover.members VALUES ('{login}', '{site}', '{role}');"
            ))
            .unwrap();
        login
    }

    pub(crate) fn migrate(&self, t: &Test) -> String {
        t.ok(&["server", "migrate", "--log", &self.admin_log()])
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Ok(mut root) = Client::connect(&var("RECOVER_TEST_PG"), NoTls) {
            let _ = root.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db));
        }
    }
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn migrate_creates_the_schema_and_a_second_run_changes_nothing() {
    let mut c = Cluster::new();
    let t = Test::new();
    let out = c.migrate(&t);
    assert!(out.contains("schema version 0 -> 1"), "{out}");
    let before: i64 = c.admin.query_one("SELECT count(*) FROM pg_catalog.pg_policies", &[]).unwrap().get(0);
    let out = c.migrate(&t);
    assert!(out.contains("the schema is up to date (version 1)"), "{out}");
    let after: i64 = c.admin.query_one("SELECT count(*) FROM pg_catalog.pg_policies", &[]).unwrap().get(0);
    assert_eq!(before, after);
    let row = c.admin.query_one("SELECT schema_version, min_client FROM recover.meta", &[]).unwrap();
    assert_eq!(row.get::<_, i32>(0), 1);
    assert_eq!(row.get::<_, String>(1), "0.1.0");
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn init_sql_applies_cleanly_to_an_empty_database_and_matches_migrate() {
    let mut c = Cluster::new();
    let t = Test::new();
    let sql = t.ok(&["server", "init-sql"]);
    assert!(sql.starts_with("-- recover's shared log") && sql.contains("ENABLE ROW LEVEL SECURITY"), "{sql}");
    c.admin.batch_execute(&sql).unwrap();
    let out = c.migrate(&t);
    assert!(out.contains("the schema is up to date (version 1)"), "{out}");
    let policies: i64 = c
        .admin
        .query_one("SELECT count(*) FROM pg_catalog.pg_policies WHERE schemaname = 'recover'", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        policies, 16,
        "four per table of incidents, steps and follow-ups, three for close conflicts, one for members"
    );
}

/// Two incidents, one per site, each with a step and an open follow-up (written as the
/// owner, whom row-level security does not bind).
fn two_sites(c: &mut Cluster) {
    c.admin
        .batch_execute(
            "INSERT INTO recover.incidents (uid, site, id, type, staff, role, started_at, status, currency, role_limit)
             VALUES ('00000000-0000-4000-8000-00000000000a', 'oslo', 'A-1', 'noise', 'anna', 'desk', now(), 'in_progress', 'NOK', 500),
                    ('00000000-0000-4000-8000-00000000000b', 'bergen', 'B-1', 'noise', 'bo', 'desk', now(), 'in_progress', 'NOK', 500);
             INSERT INTO recover.steps (incident, site, step, seq, phase, outcome, at)
             VALUES ('00000000-0000-4000-8000-00000000000a', 'oslo', 'own-it', 1, 'apologise', 'done', now()),
                    ('00000000-0000-4000-8000-00000000000b', 'bergen', 'own-it', 1, 'apologise', 'done', now());
             INSERT INTO recover.follow_ups (incident, site, step, due)
             VALUES ('00000000-0000-4000-8000-00000000000a', 'oslo', 'call-back', now()),
                    ('00000000-0000-4000-8000-00000000000b', 'bergen', 'call-back', now());",
        )
        .unwrap();
}

fn count(client: &mut Client, table: &str) -> i64 {
    client.query_one(&format!("SELECT count(*) FROM recover.{table}"), &[]).unwrap().get(0)
}

/// The error's SQLSTATE, or "ok".
fn sqlstate(r: Result<u64, postgres::Error>) -> String {
    match r {
        Ok(n) => format!("ok {n}"),
        Err(e) => e.code().map_or_else(|| e.to_string(), |c| c.code().to_owned()),
    }
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_desk_login_reads_and_changes_only_its_own_site_and_a_manager_purges_only_its_own() {
    let mut c = Cluster::new();
    let t = Test::new();
    c.migrate(&t);
    let desk = c.login("desk", "oslo", "desk");
    let manager = c.login("mgr", "oslo", "manager");
    let head = c.login("ho", "oslo", "head_office");
    two_sites(&mut c);

    let mut desk_db = c.as_login(&desk);
    for table in ["incidents", "steps", "follow_ups"] {
        assert_eq!(count(&mut desk_db, table), 1, "{table}: a desk sees its own site only");
    }
    let site_b = "'00000000-0000-4000-8000-00000000000b'";
    let site_a = "'00000000-0000-4000-8000-00000000000a'";
    // Insert for another site: refused by the policy (42501).
    let other = "INSERT INTO recover.incidents (uid, site, id, type, staff, role, started_at, status, currency, role_limit)
                 VALUES (gen_random_uuid(), 'bergen', 'X-1', 'noise', 'x', 'desk', now(), 'in_progress', 'NOK', 1)";
    assert_eq!(sqlstate(desk_db.execute(other, &[])), "42501");
    let own = other.replace("'bergen'", "'oslo'");
    assert_eq!(sqlstate(desk_db.execute(&own, &[])), "ok 1");
    // Close another site's follow-up: no row is visible to change.
    let close =
        format!("UPDATE recover.follow_ups SET done_at = now(), outcome = 'done' WHERE incident = {site_b}");
    assert_eq!(sqlstate(desk_db.execute(&close, &[])), "ok 0");
    assert_eq!(
        sqlstate(desk_db.execute(&close.replace(site_b, site_a), &[])),
        "ok 1",
        "its own site's closes"
    );
    // Move its own row to another site, or change a column that is not a closing one: refused.
    assert_eq!(
        sqlstate(
            desk_db
                .execute(&format!("UPDATE recover.incidents SET site = 'bergen' WHERE uid = {site_a}"), &[])
        ),
        "42501"
    );
    assert_eq!(
        sqlstate(
            desk_db.execute(&format!("UPDATE recover.incidents SET type = 'x' WHERE uid = {site_a}"), &[])
        ),
        "42501"
    );
    // Delete: not a desk's right at all, at either site.
    assert_eq!(
        sqlstate(desk_db.execute(&format!("DELETE FROM recover.incidents WHERE uid = {site_b}"), &[])),
        "42501"
    );
    assert_eq!(
        sqlstate(desk_db.execute(&format!("DELETE FROM recover.incidents WHERE uid = {site_a}"), &[])),
        "42501"
    );
    // Memberships: its own only.
    assert_eq!(count(&mut desk_db, "members"), 1);

    let mut manager_db = c.as_login(&manager);
    assert_eq!(
        sqlstate(manager_db.execute(&format!("DELETE FROM recover.incidents WHERE uid = {site_b}"), &[])),
        "ok 0"
    );
    assert_eq!(
        sqlstate(manager_db.execute("DELETE FROM recover.incidents WHERE site = 'oslo'", &[])),
        "ok 2"
    );
    assert_eq!(count(&mut c.admin, "incidents"), 1, "bergen's incident is still there");
    assert_eq!(count(&mut c.admin, "steps"), 1, "oslo's steps went with its incidents");
    assert_eq!(count(&mut c.admin, "follow_ups"), 1);

    let mut head_db = c.as_login(&head);
    two_sites_again(&mut c.admin);
    for table in ["incidents", "steps", "follow_ups"] {
        assert_eq!(count(&mut head_db, table), 2, "{table}: head office reads every site");
    }
    assert_eq!(sqlstate(head_db.execute(&own, &[])), "42501", "head office only reads");
    assert_eq!(sqlstate(head_db.execute(&close, &[])), "42501");
}

/// Oslo's incident back, after the manager's purge.
fn two_sites_again(admin: &mut Client) {
    admin
        .batch_execute(
            "INSERT INTO recover.incidents (uid, site, id, type, staff, role, started_at, status, currency, role_limit)
             VALUES ('00000000-0000-4000-8000-00000000000a', 'oslo', 'A-1', 'noise', 'anna', 'desk', now(), 'in_progress', 'NOK', 500);
             INSERT INTO recover.steps (incident, site, step, seq, phase, outcome, at)
             VALUES ('00000000-0000-4000-8000-00000000000a', 'oslo', 'own-it', 1, 'apologise', 'done', now());
             INSERT INTO recover.follow_ups (incident, site, step, due)
             VALUES ('00000000-0000-4000-8000-00000000000a', 'oslo', 'call-back', now());",
        )
        .unwrap();
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_desk_connects_over_tls_with_its_password_from_the_environment_or_pgpass() {
    let mut c = Cluster::new();
    let t = Test::new();
    c.migrate(&t);
    let desk = c.login("desk", "oslo", "desk");
    let password = format!("pw-{desk}");
    let log = c.tcp_log("localhost", &desk);
    let out = t
        .cmd(&["server", "check"])
        .env("RECOVER_LOG", &log)
        .env("PGPASSWORD", &password)
        .env("PGSSLROOTCERT", &c.ca)
        .run();
    out.code(0);
    assert!(out.stdout.contains(&format!("login      {desk}")), "{}", out.stdout);
    assert!(out.stdout.contains("site       oslo  (desk)"), "{}", out.stdout);
    assert!(out.stdout.contains("?sslmode=verify-full"), "TLS checked by default: {}", out.stdout);
    assert!(!out.stdout.contains(&password) && out.stderr.is_empty(), "{out:?}");

    // The password from ~/.pgpass (HOME is the test's folder), only if private to the user.
    let pgpass = t.write(".pgpass", format!("localhost:{}:{}:{desk}:{password}\n", c.port, c.db));
    set_mode(&pgpass, 0o600);
    let out = t.cmd(&["server", "check", "--log", &log]).env("PGSSLROOTCERT", &c.ca).run();
    out.code(0);
    set_mode(&pgpass, 0o644);
    let out = t.cmd(&["server", "check", "--log", &log]).env("PGSSLROOTCERT", &c.ca).run();
    out.code(3);
    assert!(out.stderr.contains("has group or world access; it is not used"), "{}", out.stderr);
    assert!(!out.stderr.contains(&password), "{}", out.stderr);

    // A password in the URL is used, and shown nowhere.
    let with_password = format!("postgres://{desk}:{password}@localhost:{}/{}", c.port, c.db);
    let out = t.cmd(&["paths", "--log", &with_password]).run();
    out.code(0);
    assert!(
        out.stdout.contains(&format!("postgres://{desk}@localhost:{}/{}?sslmode=verify-full", c.port, c.db)),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(&password), "{}", out.stdout);
    let out = t.cmd(&["server", "check", "--log", &with_password]).env("PGSSLROOTCERT", &c.ca).run();
    out.code(0);
    assert!(!out.stdout.contains(&password), "{}", out.stdout);
    // A wrong password: one line, without it.
    let wrong = with_password.replace(&password, "not-it");
    let out = t.cmd(&["server", "check", "--log", &wrong]).env("PGSSLROOTCERT", &c.ca).run();
    out.code(3).one_error_line("password authentication failed");
    assert!(!out.stderr.contains("not-it"), "{}", out.stderr);
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_wrong_ca_or_host_name_fails_with_one_clear_line() {
    let mut c = Cluster::new();
    let t = Test::new();
    c.migrate(&t);
    let desk = c.login("desk", "oslo", "desk");
    let password = format!("pw-{desk}");
    // The system's CAs do not know the throwaway CA.
    let out = t
        .cmd(&["server", "check", "--log", &c.tcp_log("localhost", &desk)])
        .env("PGPASSWORD", &password)
        .run();
    out.code(3).one_error_line("cannot connect to postgres://");
    assert!(out.stderr.to_lowercase().contains("certificate"), "{}", out.stderr);
    // The right CA, but the certificate is for `localhost`, not 127.0.0.1.
    let out = t
        .cmd(&["server", "check", "--log", &c.tcp_log("127.0.0.1", &desk)])
        .env("PGPASSWORD", &password)
        .env("PGSSLROOTCERT", &c.ca)
        .run();
    out.code(3).one_error_line("cannot connect to postgres://");
    assert!(out.stderr.contains("NotValidForName") || out.stderr.contains("not valid for"), "{}", out.stderr);
    // verify-ca checks the chain only: the same address passes.
    let out = t
        .cmd(&["server", "check", "--log", &format!("{}?sslmode=verify-ca", c.tcp_log("127.0.0.1", &desk))])
        .env("PGPASSWORD", &password)
        .env("PGSSLROOTCERT", &c.ca)
        .run();
    out.code(0);
    // sslmode=require: encrypted but unchecked, as libpq (the user's choice, not the default).
    let out = t
        .cmd(&["server", "check", "--log", &format!("{}?sslmode=require", c.tcp_log("127.0.0.1", &desk))])
        .env("PGPASSWORD", &password)
        .run();
    out.code(0);
    // A root certificate file that is not there.
    let out = t
        .cmd(&["server", "check", "--log", &c.tcp_log("localhost", &desk)])
        .env("PGPASSWORD", &password)
        .env("PGSSLROOTCERT", "/nonexistent/ca.crt")
        .run();
    out.code(3).one_error_line("cannot read the root certificate /nonexistent/ca.crt");
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_client_older_than_the_server_accepts_is_told_to_upgrade() {
    let mut c = Cluster::new();
    let t = Test::new();
    c.migrate(&t);
    c.admin.batch_execute("UPDATE recover.meta SET min_client = '99.0.0'").unwrap();
    let out = t.cmd(&["server", "check", "--log", &c.admin_log()]).run();
    out.code(3).one_error_line("needs recover 99.0.0 or newer");
    assert!(out.stderr.contains("upgrade recover"), "{}", out.stderr);
    // A schema newer than this recover knows: migrate refuses rather than guess.
    c.admin.batch_execute("UPDATE recover.meta SET schema_version = 99").unwrap();
    let out = t.cmd(&["server", "migrate", "--log", &c.admin_log()]).run();
    out.code(3).one_error_line("has schema version 99, newer than this recover knows");
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_server_without_the_schema_says_to_migrate() {
    let c = Cluster::new();
    let t = Test::new();
    let out = t.cmd(&["server", "check", "--log", &c.admin_log()]).run();
    out.code(3).one_error_line("it has no recover schema yet (run `recover server migrate` as its owner)");
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn migrates_at_once_make_the_schema_once() {
    let c = Cluster::new();
    let log = c.admin_log();
    let runs: Vec<_> = (0..6)
        .map(|_| {
            let log = log.clone();
            std::thread::spawn(move || {
                let t = Test::new();
                let out = t.cmd(&["server", "migrate", "--log", &log]).run();
                (out.code, out.stdout, out.stderr)
            })
        })
        .collect();
    let outs: Vec<_> = runs.into_iter().map(|r| r.join().unwrap()).collect();
    for (code, _, stderr) in &outs {
        assert_eq!(*code, 0, "{stderr}");
    }
    let made = outs.iter().filter(|(_, out, _)| out.contains("schema version 0 -> 1")).count();
    assert_eq!(made, 1, "{outs:?}");
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn a_desk_reads_its_own_sites_incidents_from_the_server() {
    let mut c = Cluster::new();
    let t = Test::new();
    c.migrate(&t);
    let desk = c.login("desk", "oslo", "desk");
    two_sites(&mut c);
    let log = c.tcp_log("localhost", &desk);
    let password = format!("pw-{desk}");
    let run = |args: &[&str]| {
        t.cmd(args).env("RECOVER_LOG", &log).env("PGPASSWORD", &password).env("PGSSLROOTCERT", &c.ca).run()
    };
    let out = run(&["log", "--json"]);
    out.code(0);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 1, "{}", out.stdout);
    assert_eq!(lines[0]["id"], "A-1");
    assert_eq!(lines[0]["uid"], "00000000-0000-4000-8000-00000000000a");
    let out = run(&["show-incident", "a-1", "--json"]);
    out.code(0);
    assert_eq!(out.json_lines()[0]["id"], "A-1");
    run(&["show-incident", "B-1"]).code(2).one_error_line("no incident `B-1`");
    let out = run(&["due", "--json"]);
    out.code(0);
    assert!(
        out.stdout.contains("call-back") && out.stdout.contains("A-1") && !out.stdout.contains("B-1"),
        "{}",
        out.stdout
    );
}

#[test]
#[ignore = "needs PostgreSQL (.ci/pg-cluster.sh); CI runs it with --include-ignored"]
fn with_no_log_named_server_commands_use_the_pg_variables_alone() {
    let c = Cluster::new();
    let t = Test::new();
    let out = t
        .cmd(&["server", "migrate"])
        .env("RECOVER_LOG", "")
        .env("PGHOST", &c.dir)
        .env("PGPORT", &c.port)
        .env("PGUSER", "postgres")
        .env("PGDATABASE", &c.db)
        .run();
    out.code(0);
    assert!(
        out.stdout.contains(&format!(
            "postgres://postgres@{}:{}/{}: schema version 0 -> 1",
            c.dir.replace('/', "%2F"),
            c.port,
            c.db
        )),
        "{}",
        out.stdout
    );
}
