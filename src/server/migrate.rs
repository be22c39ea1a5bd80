//! `recover server migrate` and `recover server check` on a live server: upgrading the schema
//! under the meta row's lock, and the version handshake every client makes.

use postgres::Client;

use super::ServerError;
use super::connect::why;
use super::schema::{self, MIGRATIONS};

/// What a migration did.
#[derive(Debug, PartialEq, Eq)]
pub struct Migrated {
    /// The schema version found.
    pub from: i32,
    /// The schema version now.
    pub to: i32,
}

/// The error for a failed statement on `server`. A missing schema gets its own advice.
fn failed(server: &str) -> impl Fn(postgres::Error) -> ServerError + '_ {
    move |e| {
        let why = match e.code() {
            Some(c) if *c == postgres::error::SqlState::UNDEFINED_TABLE => {
                "it has no recover schema yet (run `recover server migrate` as its owner)".to_owned()
            }
            _ => why(&e),
        };
        ServerError::Query { server: server.to_owned(), why }
    }
}

/// Creates or upgrades the schema. Two at once are safe: the second waits on the meta row's
/// lock and then finds nothing to do. Every migration and the new version commit together.
/// Two first runs racing to make the schema, and a serialization failure (CockroachDB's
/// 40001), are tried again.
pub fn migrate(client: &mut Client, server: &str) -> Result<Migrated, ServerError> {
    use postgres::error::SqlState;
    let retry = [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::UNIQUE_VIOLATION,
        SqlState::DUPLICATE_SCHEMA,
        SqlState::DUPLICATE_TABLE,
    ];
    let mut tries = 0;
    loop {
        tries += 1;
        match migrate_once(client, server) {
            Err(Raced(e)) if tries < 5 && e.code().is_some_and(|c| retry.contains(c)) => {}
            Err(Raced(e)) => return Err(failed(server)(e)),
            Ok(done) => return done,
        }
    }
}

/// A statement's error, before it is known whether to try again.
struct Raced(postgres::Error);

impl From<postgres::Error> for Raced {
    fn from(e: postgres::Error) -> Self {
        Raced(e)
    }
}

/// One try: `Err` for a database error, `Ok(Err)` for a schema newer than ours.
fn migrate_once(client: &mut Client, server: &str) -> Result<Result<Migrated, ServerError>, Raced> {
    client.batch_execute(schema::META)?;
    let mut tx = client.transaction()?;
    let row = tx.query_one("SELECT schema_version FROM recover.meta WHERE singleton FOR UPDATE", &[])?;
    let from: i32 = row.get(0);
    if from > schema::known() {
        let known = schema::known();
        return Ok(Err(ServerError::SchemaTooNew { server: server.to_owned(), found: from, known }));
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > from) {
        for part in m.sql {
            tx.batch_execute(part)?;
        }
    }
    if from < schema::known() {
        tx.execute(
            "UPDATE recover.meta SET schema_version = $1, min_client = $2 WHERE singleton",
            &[&schema::known(), &schema::min_client()],
        )?;
    }
    tx.commit()?;
    Ok(Ok(Migrated { from, to: schema::known() }))
}

/// What a login finds on the server.
#[derive(Debug)]
pub struct Status {
    /// The schema version.
    pub schema_version: i32,
    /// The oldest client accepted.
    pub min_client: String,
    /// The login.
    pub login: String,
    /// Its sites and roles there.
    pub memberships: Vec<(String, String)>,
}

/// The handshake: the server's schema and minimum client, and who this login is. A client
/// older than the server accepts gets [`ServerError::ClientTooOld`] ("upgrade recover").
pub fn status(client: &mut Client, server: &str) -> Result<Status, ServerError> {
    let row = client
        .query_one(
            "SELECT schema_version, min_client, current_user::text FROM recover.meta WHERE singleton",
            &[],
        )
        .map_err(failed(server))?;
    let (schema_version, min_client, login): (i32, String, String) = (row.get(0), row.get(1), row.get(2));
    let ours = env!("CARGO_PKG_VERSION");
    if schema::older(ours, &min_client) {
        let need = crate::render::safe::one_line(&min_client);
        return Err(ServerError::ClientTooOld { server: server.to_owned(), need, ours });
    }
    let memberships = client
        .query("SELECT site, role FROM recover.members WHERE login = current_user ORDER BY site", &[])
        .map_err(failed(server))?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(Status { schema_version, min_client, login, memberships })
}
