//! The server's schema, roles and policies as SQL text (`sql/*.sql`), in migrations that only
//! add. The same text is what `recover server migrate` runs and `recover server init-sql`
//! prints for a DBA to review.

/// Makes the `recover` schema and its meta row if they are missing; safe to run any time.
pub const META: &str = include_str!("sql/meta.sql");

/// One migration: the schema version it leads to, the oldest recover that may use the schema
/// after it, and its statements.
pub struct Migration {
    /// The version after it (counted from 1).
    pub version: i32,
    /// The oldest client version accepted from then on.
    pub min_client: &'static str,
    /// Its statements, in order.
    pub sql: &'static [&'static str],
}

/// Every migration, oldest first. Only ever append.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    min_client: "0.1.0",
    sql: &[include_str!("sql/v1.sql"), include_str!("sql/v1_roles.sql"), include_str!("sql/v1_policies.sql")],
}];

/// The schema version this recover makes and knows.
#[must_use]
pub fn known() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The oldest client the newest schema accepts.
#[must_use]
pub fn min_client() -> &'static str {
    MIGRATIONS.last().map_or("0.0.0", |m| m.min_client)
}

/// Everything `migrate` would do on an empty database, in one transaction, for a DBA.
#[must_use]
pub fn init_sql() -> String {
    let mut out = String::from(
        "-- recover's shared log: schema, roles and row-level security (`recover server init-sql`).\n\
         -- Run as the schema owner (with CREATEROLE), e.g. psql -v ON_ERROR_STOP=1 -f this.sql\n\
         BEGIN;\n\n",
    );
    out.push_str(META);
    for m in MIGRATIONS {
        for part in m.sql {
            out.push('\n');
            out.push_str(part);
        }
    }
    out.push_str(&format!(
        "\nUPDATE recover.meta SET schema_version = {}, min_client = '{}';\nCOMMIT;\n",
        known(),
        min_client()
    ));
    out
}

/// Whether version `ours` is older than `need` (both `major.minor.patch`; a pre-release
/// suffix is ignored; an unreadable `need` is taken as not newer, so a typo on the server
/// does not lock every desk out).
#[cfg_attr(not(feature = "postgres"), allow(dead_code, reason = "for the server store"))]
#[must_use]
pub fn older(ours: &str, need: &str) -> bool {
    fn parts(v: &str) -> Option<Vec<u64>> {
        v.trim().split(['-', '+']).next()?.split('.').map(|p| p.parse().ok()).collect()
    }
    match (parts(ours), parts(need)) {
        (Some(a), Some(b)) => a < b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_number() {
        assert!(older("0.1.0", "0.2.0"));
        assert!(older("0.9.0", "0.10.0"));
        assert!(!older("1.0.0", "0.10.0"));
        assert!(!older("0.2.0-rc.1", "0.2.0"));
        assert!(!older("0.1.0", "nonsense"));
    }

    #[test]
    fn migrations_count_up_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(usize::try_from(m.version).unwrap(), i + 1);
        }
        assert!(init_sql().ends_with(&format!(
            "schema_version = {}, min_client = '{}';\nCOMMIT;\n",
            known(),
            min_client()
        )));
    }
}
