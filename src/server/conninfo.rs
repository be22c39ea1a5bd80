//! Connection settings for the shared log, read as libpq reads them: a `postgres://` URL or a
//! `key=value` string (from `--log` / `RECOVER_LOG`), then the `PG*` variables, then
//! `PGPASSFILE` / `~/.pgpass`, then libpq's defaults. The `postgres` crate reads none of
//! these itself, and desks and DBAs expect `psql`'s rules.
//!
//! Differences from libpq, on purpose: a TCP connection's default `sslmode` is `verify-full`
//! (libpq's is `prefer`, which neither requires TLS nor checks the certificate), and the
//! password is kept out of every `Display`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::pgpass;

/// What is wrong with a connection string; the text never holds a password.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadConnInfo(pub String);

/// libpq's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// No TLS.
    Disable,
    /// TLS if the server offers it, unchecked (libpq's `allow`/`prefer`).
    Prefer,
    /// TLS, certificate unchecked (unless a root certificate is named, as libpq does).
    Require,
    /// TLS, chain checked, host name not.
    VerifyCa,
    /// TLS, chain and host name checked: our default.
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Result<SslMode, BadConnInfo> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(BadConnInfo(format!(
                    "sslmode `{}` is not one of disable, allow, prefer, require, verify-ca, verify-full",
                    crate::render::safe::one_line(other)
                )));
            }
        })
    }

    /// The libpq spelling.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// The settings as written, before defaults: `None` where the string said nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Given {
    host: Option<String>,
    port: Option<String>,
    user: Option<String>,
    password: Option<String>,
    dbname: Option<String>,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    passfile: Option<String>,
    connect_timeout: Option<String>,
}

/// The keywords we accept, as libpq names them, and their `PG*` variables.
const KEYWORDS: [(&str, &str); 10] = [
    ("host", "PGHOST"),
    ("hostaddr", "PGHOSTADDR"),
    ("port", "PGPORT"),
    ("user", "PGUSER"),
    ("password", "PGPASSWORD"),
    ("dbname", "PGDATABASE"),
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("passfile", "PGPASSFILE"),
    ("connect_timeout", "PGCONNECT_TIMEOUT"),
];

impl Given {
    fn slot(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "host" | "hostaddr" => &mut self.host,
            "port" => &mut self.port,
            "user" => &mut self.user,
            "password" => &mut self.password,
            "dbname" => &mut self.dbname,
            "sslmode" => &mut self.sslmode,
            "sslrootcert" => &mut self.sslrootcert,
            "passfile" => &mut self.passfile,
            "connect_timeout" => &mut self.connect_timeout,
            // Harmless libpq keywords a copied string may carry (`set` checked the rest).
            _ => return None,
        })
    }

    fn set(&mut self, key: &str, value: String) -> Result<(), BadConnInfo> {
        let known = KEYWORDS.iter().any(|(k, _)| *k == key)
            || matches!(key, "application_name" | "options" | "target_session_attrs" | "channel_binding");
        if !known {
            // Not echoed (it may be a piece of a badly quoted password); the known ones are.
            let known: Vec<&str> = KEYWORDS.iter().map(|(k, _)| *k).collect();
            return Err(BadConnInfo(format!("an unknown connection setting (known: {})", known.join(", "))));
        }
        if let Some(slot) = self.slot(key) {
            *slot = Some(value);
        }
        Ok(())
    }
}

/// Whether a `--log` value names a server rather than a file: a `postgres://` or
/// `postgresql://` URL, or a libpq `key=value` string starting with a known keyword (so a
/// file called `a=b.db` stays a file).
#[must_use]
pub fn is_server(log: &str) -> bool {
    let s = log.trim_start();
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        return true;
    }
    s.split_once('=').is_some_and(|(k, _)| KEYWORDS.iter().any(|(name, _)| *name == k.trim()))
}

/// Parses a URL or `key=value` string.
pub fn parse(s: &str) -> Result<Given, BadConnInfo> {
    let t = s.trim();
    if let Some(rest) = t.strip_prefix("postgresql://").or_else(|| t.strip_prefix("postgres://")) {
        parse_url(rest)
    } else {
        parse_keywords(t)
    }
}

fn parse_url(rest: &str) -> Result<Given, BadConnInfo> {
    let mut g = Given::default();
    let (rest, query) = rest.split_once('?').map_or((rest, None), |(a, q)| (a, Some(q)));
    let (authority, path) = rest.split_once('/').map_or((rest, None), |(a, p)| (a, Some(p)));
    let (userinfo, hostport) = authority.rsplit_once('@').map_or((None, authority), |(u, h)| (Some(u), h));
    if let Some(u) = userinfo {
        let (user, pass) = u.split_once(':').map_or((u, None), |(a, b)| (a, Some(b)));
        if !user.is_empty() {
            g.user = Some(decode(user)?);
        }
        if let Some(p) = pass {
            g.password = Some(decode(p)?);
        }
    }
    if !hostport.is_empty() {
        let (mut hosts, mut ports) = (Vec::new(), Vec::new());
        for one in hostport.split(',') {
            let (h, p) = if let Some(v6) = one.strip_prefix('[') {
                let (h, after) = v6
                    .split_once(']')
                    .ok_or_else(|| BadConnInfo("the URL has a `[` without `]` in its host".into()))?;
                (h.to_owned(), after.strip_prefix(':'))
            } else {
                let (h, p) = one.split_once(':').map_or((one, None), |(h, p)| (h, Some(p)));
                (decode(h)?, p)
            };
            hosts.push(h);
            ports.push(p.unwrap_or("").to_owned());
        }
        if hosts.iter().any(|h| !h.is_empty()) {
            g.host = Some(hosts.join(","));
        }
        if ports.iter().any(|p| !p.is_empty()) {
            g.port = Some(ports.join(","));
        }
    }
    if let Some(db) = path.filter(|p| !p.is_empty()) {
        g.dbname = Some(decode(db)?);
    }
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        // Not echoed: a malformed part may be a piece of a password.
        let (k, v) =
            pair.split_once('=').ok_or_else(|| BadConnInfo("a parameter in the URL has no `=`".into()))?;
        g.set(&decode(k)?, decode(v)?)?;
    }
    Ok(g)
}

/// Percent-decoding, as libpq does for every URL part.
fn decode(s: &str) -> Result<String, BadConnInfo> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            let byte = hex.ok_or_else(|| BadConnInfo("the URL has a bad %-escape".into()))?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| BadConnInfo("the URL decodes to invalid UTF-8".into()))
}

fn parse_keywords(s: &str) -> Result<Given, BadConnInfo> {
    let mut g = Given::default();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(g);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            // Not echoed: after a badly quoted password, the word may be a piece of it.
            return Err(BadConnInfo("a word in the connection string has no `=`".into()));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    Some('\\') => value.extend(chars.next()),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => {
                        return Err(BadConnInfo("the connection string has an unterminated quote".into()));
                    }
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        g.set(&key, value)?;
    }
}

/// Where the server is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// A Unix-socket folder (a host starting with `/`): no TLS, as libpq.
    Socket(PathBuf),
    /// A name or address, over TCP.
    Tcp(String),
}

/// Where the password came from, for `paths` (which never shows the password itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordSource {
    /// In the URL or `key=value` string.
    ConnInfo,
    /// `PGPASSWORD`.
    Env,
    /// A password file (`PGPASSFILE` or `~/.pgpass`).
    File,
}

/// The connection in force, every default filled in.
#[derive(Clone)]
#[cfg_attr(not(feature = "postgres"), allow(dead_code, reason = "the client reads the TLS fields"))]
pub struct ConnInfo {
    /// One or more hosts, tried in order.
    pub hosts: Vec<Host>,
    /// Their ports (one for all, or one each).
    pub ports: Vec<u16>,
    /// The login.
    pub user: String,
    /// The database.
    pub dbname: String,
    /// The password, if any; never printed.
    password: Option<String>,
    /// Where the password came from.
    pub password_source: Option<PasswordSource>,
    /// TLS for TCP hosts.
    pub sslmode: SslMode,
    /// A private CA's certificate(s), instead of the system's store.
    pub root_cert: Option<PathBuf>,
    /// How long to wait for each host.
    pub connect_timeout: Duration,
    /// Lines to print as warnings (a password file others can read, for one).
    pub warnings: Vec<String>,
}

impl fmt::Debug for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnInfo({self})")
    }
}

/// Reads an environment variable, empty as unset.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

impl ConnInfo {
    /// Fills what `given` left open from the `PG*` variables in `env`, the password file and
    /// libpq's defaults.
    pub fn resolve(given: Given, env: Env) -> Result<ConnInfo, BadConnInfo> {
        let pick = |v: Option<String>, var: &str| v.or_else(|| env(var));
        let host = pick(given.host, "PGHOST").or_else(|| env("PGHOSTADDR"));
        let hosts: Vec<Host> = match host {
            Some(h) => h.split(',').map(|h| host_of(h.trim())).collect(),
            None => vec![Host::Socket(default_socket_dir())],
        };
        let ports = match pick(given.port, "PGPORT") {
            None => vec![5432],
            Some(p) => p
                .split(',')
                .map(|p| if p.is_empty() { Ok(5432) } else { p.trim().parse::<u16>() })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| {
                    BadConnInfo(format!("port `{}` is not a port number", crate::render::safe::one_line(&p)))
                })?,
        };
        if ports.len() != 1 && ports.len() != hosts.len() {
            return Err(BadConnInfo(format!("{} hosts but {} ports", hosts.len(), ports.len())));
        }
        let user = pick(given.user, "PGUSER")
            .or_else(|| env("USER"))
            .or_else(|| env("LOGNAME"))
            .ok_or_else(|| BadConnInfo("no user name: set PGUSER or name one in the connection".into()))?;
        let dbname = pick(given.dbname, "PGDATABASE").unwrap_or_else(|| user.clone());
        let tcp = hosts.iter().any(|h| matches!(h, Host::Tcp(_)));
        let sslmode = match pick(given.sslmode, "PGSSLMODE") {
            Some(m) => SslMode::parse(&m)?,
            None if tcp => SslMode::VerifyFull,
            None => SslMode::Disable,
        };
        let root_cert = pick(given.sslrootcert, "PGSSLROOTCERT").map(PathBuf::from);
        let connect_timeout = match pick(given.connect_timeout, "PGCONNECT_TIMEOUT") {
            None => Duration::from_secs(10),
            Some(s) => Duration::from_secs(s.trim().parse::<u64>().map_err(|_| {
                BadConnInfo(format!(
                    "connect_timeout `{}` is not whole seconds",
                    crate::render::safe::one_line(&s)
                ))
            })?)
            .max(Duration::from_secs(2)),
        };
        let mut info = ConnInfo {
            hosts,
            ports,
            user,
            dbname,
            password: None,
            password_source: None,
            sslmode,
            root_cert,
            connect_timeout,
            warnings: Vec::new(),
        };
        if let Some(p) = given.password {
            info.password = Some(p);
            info.password_source = Some(PasswordSource::ConnInfo);
        } else if let Some(p) = env("PGPASSWORD") {
            info.password = Some(p);
            info.password_source = Some(PasswordSource::Env);
        } else if let Some(file) = pick(given.passfile, "PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| env("HOME").map(|h| Path::new(&h).join(".pgpass")))
        {
            let (host, port) = (&info.hosts[0], info.ports[0]);
            match pgpass::lookup(&file, &pgpass_host(host), port, &info.dbname, &info.user) {
                Ok(Some(p)) => {
                    info.password = Some(p);
                    info.password_source = Some(PasswordSource::File);
                }
                Ok(None) => {}
                Err(warning) => info.warnings.push(warning),
            }
        }
        Ok(info)
    }

    /// The password, for the client library only.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code, reason = "for the server store"))]
    #[must_use]
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }
}

/// A socket folder or a TCP host, as libpq tells them apart.
fn host_of(h: &str) -> Host {
    if h.starts_with('/') { Host::Socket(PathBuf::from(h)) } else { Host::Tcp(h.to_owned()) }
}

/// The name a password file line must match: the host, or `localhost` for a socket.
fn pgpass_host(host: &Host) -> String {
    match host {
        Host::Tcp(h) => h.clone(),
        Host::Socket(_) => "localhost".to_owned(),
    }
}

/// Where Debian's (and most distributions') libpq looks for the server's socket; upstream's
/// is /tmp.
fn default_socket_dir() -> PathBuf {
    ["/run/postgresql", "/var/run/postgresql"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_dir())
        .unwrap_or_else(|| PathBuf::from("/tmp"))
}

impl fmt::Display for ConnInfo {
    /// `postgres://user@host:port/db`, with no password, ever.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "postgres://{}@", crate::render::safe::one_line(&self.user))?;
        for (i, h) in self.hosts.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match h {
                Host::Tcp(name) if name.contains(':') => write!(f, "[{name}]")?,
                Host::Tcp(name) => f.write_str(&crate::render::safe::one_line(name))?,
                Host::Socket(dir) => f.write_str(&crate::render::safe::one_line(
                    &dir.display().to_string().replace('/', "%2F"),
                ))?,
            }
            let port = self.ports.get(i).or(self.ports.first()).copied().unwrap_or(5432);
            write!(f, ":{port}")?;
        }
        write!(f, "/{}", crate::render::safe::one_line(&self.dbname))?;
        if self.hosts.iter().any(|h| matches!(h, Host::Tcp(_))) {
            write!(f, "?sslmode={}", self.sslmode.name())?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "conninfo_tests.rs"]
mod tests;
