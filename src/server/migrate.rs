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
pub fn migrate(client: &mut Client, server: &str) -> Result<Migrated, ServerError> {
    client.batch_execute(schema::META).map_err(failed(server))?;
    let mut tx = client.transaction().map_err(failed(server))?;
    let row = tx
        .query_one("SELECT schema_version FROM recover.meta WHERE singleton FOR UPDATE", &[])
        .map_err(failed(server))?;
    let from: i32 = row.get(0);
    if from > schema::known() {
        return Err(ServerError::SchemaTooNew {
            server: server.to_owned(),
            found: from,
            known: schema::known(),
        });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > from) {
        for part in m.sql {
            tx.batch_execute(part).map_err(failed(server))?;
        }
    }
    if from < schema::known() {
        tx.execute(
            "UPDATE recover.meta SET schema_version = $1, min_client = $2 WHERE singleton",
            &[&schema::known(), &schema::min_client()],
        )
        .map_err(failed(server))?;
    }
    tx.commit().map_err(failed(server))?;
    Ok(Migrated { from, to: schema::known().max(from) })
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
