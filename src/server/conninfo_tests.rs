use super::*;

fn env_of(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |n| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| (*v).to_owned())
}

fn resolve(s: &str, vars: &'static [(&'static str, &'static str)]) -> ConnInfo {
    ConnInfo::resolve(parse(s).unwrap(), &env_of(vars)).unwrap()
}

#[test]
fn which_log_values_name_a_server() {
    assert!(is_server("postgres://db/recover"));
    assert!(is_server("postgresql://"));
    assert!(is_server("host=/tmp dbname=recover"));
    assert!(is_server(" dbname = recover"));
    assert!(!is_server("/home/anna/log.db"));
    assert!(!is_server("a=b.db"));
    assert!(!is_server("postgres.db"));
}

#[test]
fn a_url_with_everything() {
    let g =
        parse("postgresql://desk%40x:p%3Ass@db.example:6543/recover?sslmode=verify-ca&sslrootcert=/ca.pem")
            .unwrap();
    assert_eq!(g.user.as_deref(), Some("desk@x"));
    assert_eq!(g.password.as_deref(), Some("p:ss"));
    assert_eq!(g.host.as_deref(), Some("db.example"));
    assert_eq!(g.port.as_deref(), Some("6543"));
    assert_eq!(g.dbname.as_deref(), Some("recover"));
    assert_eq!(g.sslmode.as_deref(), Some("verify-ca"));
    assert_eq!(g.sslrootcert.as_deref(), Some("/ca.pem"));
}

#[test]
fn url_hosts_sockets_ipv6_and_lists() {
    let c = resolve("postgres://%2Fvar%2Frun%2Fpostgresql/recover", &[("USER", "anna")]);
    assert_eq!(c.hosts, vec![Host::Socket("/var/run/postgresql".into())]);
    assert_eq!(c.sslmode, SslMode::Disable, "no TLS on a Unix socket by default");
    let c = resolve("postgres://[::1]:7000,db2/x", &[("USER", "anna")]);
    assert_eq!(c.hosts, vec![Host::Tcp("::1".into()), Host::Tcp("db2".into())]);
    assert_eq!(c.ports, vec![7000, 5432]);
    let c = resolve("postgres:///recover?host=/tmp", &[("USER", "anna")]);
    assert_eq!(c.hosts, vec![Host::Socket("/tmp".into())]);
}

#[test]
fn keyword_strings_with_quotes_and_escapes() {
    let g = parse(r"host=db port = 6000 password='it''s' user=a\ b dbname='my db'").unwrap_err();
    assert!(g.0.contains("no `=`") || g.0.contains("unknown"), "{}", g.0);
    let g = parse(r"host=db port = 6000 password='it\'s x' user=a\ b dbname='my db'").unwrap();
    assert_eq!(g.host.as_deref(), Some("db"));
    assert_eq!(g.port.as_deref(), Some("6000"));
    assert_eq!(g.password.as_deref(), Some("it's x"));
    assert_eq!(g.user.as_deref(), Some("a b"));
    assert_eq!(g.dbname.as_deref(), Some("my db"));
    assert!(parse("host='open").unwrap_err().0.contains("unterminated"));
    let e = parse("password=a b=c").unwrap_err().0;
    assert!(e.starts_with("an unknown connection setting (known: host, "), "{e}");
}

#[test]
fn pg_variables_fill_what_the_string_leaves_open() {
    let c = resolve(
        "postgres://db.example/recover",
        &[
            ("PGHOST", "ignored"),
            ("PGPORT", "6001"),
            ("PGUSER", "desk"),
            ("PGPASSWORD", "pw"),
            ("USER", "os"),
        ],
    );
    assert_eq!(c.hosts, vec![Host::Tcp("db.example".into())]);
    assert_eq!(c.ports, vec![6001]);
    assert_eq!(c.user, "desk");
    assert_eq!(c.dbname, "recover");
    assert_eq!(c.password(), Some("pw"));
    assert_eq!(c.password_source, Some(PasswordSource::Env));
    // Nothing given: the OS user, a database of the same name, the default socket.
    let c = resolve("postgres://", &[("USER", "anna")]);
    assert_eq!((c.user.as_str(), c.dbname.as_str(), c.ports[0]), ("anna", "anna", 5432));
    assert!(matches!(c.hosts[0], Host::Socket(_)));
}

#[test]
fn tcp_defaults_to_verify_full_and_the_user_may_say_otherwise() {
    let c = resolve("postgres://db/x", &[("USER", "a")]);
    assert_eq!(c.sslmode, SslMode::VerifyFull);
    let c = resolve("postgres://db/x", &[("USER", "a"), ("PGSSLMODE", "require")]);
    assert_eq!(c.sslmode, SslMode::Require);
    let c = resolve("postgres://db/x?sslmode=disable", &[("USER", "a"), ("PGSSLMODE", "require")]);
    assert_eq!(c.sslmode, SslMode::Disable);
    let c = resolve("host=db", &[("USER", "a"), ("PGSSLROOTCERT", "/ca.pem")]);
    assert_eq!(c.root_cert.as_deref(), Some(Path::new("/ca.pem")));
    let bad =
        ConnInfo::resolve(parse("postgres://db/x?sslmode=sometimes").unwrap(), &env_of(&[("USER", "a")]));
    assert!(bad.unwrap_err().0.contains("sslmode `sometimes`"));
}

#[test]
fn bad_ports_and_timeouts_are_named() {
    let e = ConnInfo::resolve(parse("postgres://db:http/x").unwrap(), &env_of(&[("USER", "a")])).unwrap_err();
    assert!(e.0.contains("port `http`"), "{}", e.0);
    let e = ConnInfo::resolve(parse("host=db connect_timeout=soon").unwrap(), &env_of(&[("USER", "a")]))
        .unwrap_err();
    assert!(e.0.contains("connect_timeout"), "{}", e.0);
}

#[test]
fn the_password_is_never_displayed() {
    let c = resolve("postgres://desk:hunter2@db:6543/recover", &[]);
    assert_eq!(c.password(), Some("hunter2"));
    assert_eq!(c.to_string(), "postgres://desk@db:6543/recover?sslmode=verify-full");
    assert!(!format!("{c:?}").contains("hunter2"));
    let c = resolve("host=/tmp user=u dbname=d password=hunter2", &[]);
    assert_eq!(c.to_string(), "postgres://u@%2Ftmp:5432/d");
}

#[test]
fn the_password_file_is_read_as_libpq_reads_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".pgpass");
    std::fs::write(&file, "db:6543:recover:desk:from-file\nlocalhost:*:*:*:sock\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let home = dir.path().display().to_string();
    let env = move |n: &str| match n {
        "HOME" => Some(home.clone()),
        _ => None,
    };
    let c = ConnInfo::resolve(parse("postgres://desk@db:6543/recover").unwrap(), &env).unwrap();
    assert_eq!((c.password(), c.password_source), (Some("from-file"), Some(PasswordSource::File)));
    let c = ConnInfo::resolve(parse("host=/tmp user=desk dbname=recover").unwrap(), &env).unwrap();
    assert_eq!(c.password(), Some("sock"), "a socket matches `localhost`");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let c = ConnInfo::resolve(parse("postgres://desk@db:6543/recover").unwrap(), &env).unwrap();
    assert_eq!(c.password(), None);
    assert!(c.warnings[0].contains("group or world access"), "{:?}", c.warnings);
}
