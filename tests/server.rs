//! `recover server` and a `--log` naming a PostgreSQL server, where no server is needed:
//! the SQL printed for a DBA, settings refused with one line, passwords never shown.

use crate::support::Test;

#[test]
fn init_sql_prints_schema_roles_and_policies_in_one_transaction() {
    let t = Test::new();
    let sql = t.ok(&["server", "init-sql"]);
    assert!(sql.contains("\nBEGIN;\n") && sql.ends_with("COMMIT;\n"), "{sql}");
    for part in [
        "CREATE TABLE recover.incidents",
        "CREATE ROLE recover_desk",
        "CREATE POLICY site_purge",
        "min_client",
    ] {
        assert!(sql.contains(part), "{part} missing");
    }
}

#[test]
fn server_commands_refuse_a_log_file() {
    let t = Test::new();
    t.cmd(&["server", "migrate"]).run().code(2).one_error_line("is a file, not a server");
}

#[test]
fn a_bad_connection_string_is_one_line_without_the_password() {
    let t = Test::new();
    let out = t.cmd(&["server", "check", "--log", "host=db port=web password=hunter2"]).run();
    out.code(2).one_error_line("port `web` is not a port number");
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
}

#[test]
fn paths_hides_the_password_of_a_server_log() {
    let t = Test::new();
    let out = t.ok(&["paths", "--log", "postgresql://desk:hunter2@db.example:6543/recover"]);
    assert!(
        out.contains("log        postgres://desk@db.example:6543/recover?sslmode=verify-full  (flag --log)"),
        "{out}"
    );
    assert!(!out.contains("hunter2"), "{out}");
    let out = t.cmd(&["paths"]).env("RECOVER_LOG", "host=/run/pg user=desk dbname=r password=hunter2").run();
    out.code(0);
    assert!(
        out.stdout.contains("postgres://desk@%2Frun%2Fpg:5432/r  (environment RECOVER_LOG)"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("hunter2"), "{}", out.stdout);
}

#[test]
fn recording_into_a_server_needs_the_desks_site_and_leaves_no_file_named_after_it() {
    let t = Test::new();
    let log = "postgres://desk:hunter2@db.example/recover";
    let out = t.cmd(&["done", "A-1", "call-back"]).env("RECOVER_LOG", log).run();
    #[cfg(feature = "postgres")]
    out.code(2).one_error_line(
        "recording into the shared log postgres://desk@db.example:5432/recover?sslmode=verify-full needs this desk's site",
    );
    #[cfg(not(feature = "postgres"))]
    out.code(3).one_error_line("this recover was built without PostgreSQL support");
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
    assert!(!t.path("postgres:").exists());
}
