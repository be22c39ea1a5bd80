//! Amends offered, given and withheld, with the reasons for withholding: what `report`
//! tells of them, counted from the amend steps through their own small index so a report
//! over years never reads the other steps.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::rows::ms;
use crate::report::{Report, WITHHELD_UNSAID, ranked};

/// The migration adding the index: the amend steps only, with what the count needs, so
/// the count reads the index alone.
pub(super) const MIGRATION: &str = include_str!("migrations/006_amends_index.sql");

/// The migration after it: the role of who approved a bundle over the limit.
pub(super) const APPROVER_MIGRATION: &str = include_str!("migrations/007_approver_role.sql");

/// Adds the amend counts of incidents started since `since` to `r`; `whole` when that is
/// every incident, so the incidents table is not read at all. The amends of the
/// `abandoned` incidents (by row number; few) are taken off again: the report counts
/// those incidents apart.
pub(super) fn count(
    conn: &Connection,
    since: jiff::Timestamp,
    whole: bool,
    abandoned: &[i64],
    r: &mut Report,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(if whole {
        "SELECT s.outcome, s.reason, COUNT(*) FROM steps s INDEXED BY steps_amends
         WHERE s.phase = 'amend' AND ?1 IS NOT NULL GROUP BY s.outcome, s.reason"
    } else {
        "SELECT s.outcome, s.reason, COUNT(*) FROM incidents i
         JOIN steps s INDEXED BY steps_amends ON s.incident = i.n AND s.phase = 'amend'
         WHERE i.started_at >= ?1 GROUP BY s.outcome, s.reason"
    })?;
    let mut rows = stmt.query([ms(since)])?;
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(row) = rows.next()? {
        let outcome: String = row.get(0)?;
        let reason: Option<String> = row.get(1)?;
        let n = usize::try_from(row.get::<_, i64>(2)?).unwrap_or(0);
        r.amends_offered += n;
        if outcome == "done" {
            r.amends_given += n;
        } else {
            r.amends_withheld += n;
            *reasons.entry(reason.unwrap_or_else(|| WITHHELD_UNSAID.to_owned())).or_default() += n;
        }
    }
    let mut one = conn.prepare_cached(
        "SELECT s.outcome, s.reason, COUNT(*) FROM steps s INDEXED BY steps_amends
         WHERE s.incident = ?1 AND s.phase = 'amend' GROUP BY s.outcome, s.reason",
    )?;
    for n in abandoned {
        let mut rows = one.query([n])?;
        while let Some(row) = rows.next()? {
            let outcome: String = row.get(0)?;
            let reason: Option<String> = row.get(1)?;
            let n = usize::try_from(row.get::<_, i64>(2)?).unwrap_or(0);
            r.amends_offered = r.amends_offered.saturating_sub(n);
            if outcome == "done" {
                r.amends_given = r.amends_given.saturating_sub(n);
            } else {
                r.amends_withheld = r.amends_withheld.saturating_sub(n);
                let reason = reason.unwrap_or_else(|| WITHHELD_UNSAID.to_owned());
                if let Some(count) = reasons.get_mut(&reason) {
                    *count = count.saturating_sub(n);
                }
            }
        }
    }
    reasons.retain(|_, n| *n > 0);
    r.withheld_reasons = ranked(reasons);
    Ok(())
}
