//! Recording straight into the shared log, each change one server transaction holding the
//! incident's row lock: the engine's [`still_applies`] decides, on the incident as the server
//! holds it, whether an answer or a change may stand, and [`PostgresStore::merge`] writes the
//! result. The same rules as the SQLite log, so one conformance suite passes on both.

use jiff::Timestamp;

use super::store::{Params, PostgresStore, UUID_OR_NULL};
use crate::engine::{Event, FollowUpOutcome, Incident, Rule, apply_event, still_applies};
use crate::store::{CloseConflict, Imported, Rejected, Renamed, StoreError};

/// Incidents per server transaction in an import.
const IMPORT_BATCH: usize = 200;

impl PostgresStore {
    /// The incident with global id `uid`, its row locked until the transaction ends.
    fn locked(&self, uid: &str) -> Result<Incident, StoreError> {
        let params: Params = vec![Box::new(uid.to_owned())];
        let sql = format!("SELECT 1 FROM recover.incidents WHERE uid = {UUID_OR_NULL} FOR UPDATE");
        let rows = self.query(&sql, &params)?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(uid.to_owned()));
        }
        self.get_by_uid(uid)
    }

    pub(super) fn create_incident(&self, incident: &Incident) -> Result<String, StoreError> {
        let mut new = incident.clone();
        new.id = crate::store::new_short_id();
        let site = self.site.clone();
        self.in_tx(|s| Ok(s.merge(&new, site.as_deref())?.id))
    }

    pub(super) fn append_events(&self, uid: &str, events: &[Event]) -> Result<(), StoreError> {
        self.in_tx(|s| {
            let mut incident = s.locked(uid)?;
            for event in events {
                if !still_applies(&incident, event) {
                    return Err(StoreError::AnsweredElsewhere { incident: incident.id.clone() });
                }
                apply_event(&mut incident, event);
            }
            s.merge(&incident, None).map(drop)
        })
    }

    pub(super) fn update_incident(
        &self,
        id: &str,
        decide: &mut dyn FnMut(&Incident) -> Result<Vec<Event>, Rule>,
    ) -> Result<Incident, StoreError> {
        let uid = crate::store::Store::get(self, id)?.uid;
        self.in_tx(|s| {
            let mut incident = s.locked(&uid)?;
            let events = decide(&incident).map_err(StoreError::Refused)?;
            for event in &events {
                if !still_applies(&incident, event) {
                    return Err(StoreError::Conflict { incident: incident.id.clone() });
                }
                apply_event(&mut incident, event);
            }
            s.merge(&incident, None)?;
            Ok(incident)
        })
    }

    /// Merges incidents by global id in transactions of [`IMPORT_BATCH`]; after a
    /// [`Rejected`] item the batch is rolled back and nothing more is written.
    pub(super) fn import_all(
        &self,
        incidents: &mut dyn Iterator<Item = Result<Incident, Rejected>>,
        kept: &mut dyn FnMut(&Imported),
    ) -> Result<Option<Imported>, StoreError> {
        let mut done = Imported::default();
        let mut batch = Imported::default();
        let mut rejected = false;
        let mut in_batch = 0;
        let site = self.site.clone();
        for item in incidents {
            let Ok(incident) = item else {
                if !rejected && in_batch > 0 {
                    self.end(false)?;
                }
                rejected = true;
                continue;
            };
            if rejected {
                continue;
            }
            if in_batch == 0 {
                self.begin()?;
            }
            let merged = match self.merge(&incident, site.as_deref()) {
                Ok(m) => m,
                Err(e) => {
                    let _ = self.end(false);
                    return Err(e);
                }
            };
            if merged.added {
                batch.added += 1;
                if !incident.id.is_empty() && !merged.id.eq_ignore_ascii_case(&incident.id) {
                    batch.renamed.push(Renamed { theirs: incident.id.clone(), here: merged.id.clone() });
                }
            } else if merged.changed {
                batch.updated += 1;
            } else {
                batch.unchanged += 1;
            }
            in_batch += 1;
            if in_batch == IMPORT_BATCH {
                self.end(true)?;
                kept(&batch);
                done.absorb(std::mem::take(&mut batch));
                in_batch = 0;
            }
        }
        if rejected {
            return Ok(None);
        }
        if in_batch > 0 {
            self.end(true)?;
            kept(&batch);
            done.absorb(batch);
        }
        Ok(Some(done))
    }

    /// Deletes this login's site's incidents started before `before` (row-level security
    /// limits a manager to its own site; a desk or head-office login may not delete).
    pub(super) fn purge_before(&self, before: Timestamp) -> Result<usize, StoreError> {
        let params: Params = vec![Box::new(before)];
        let deleted =
            self.in_tx(|s| s.execute("DELETE FROM recover.incidents WHERE started_at < $1", &params));
        match deleted {
            Ok(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
            Err(StoreError::Database { why, .. }) if super::refused_by_rules(&why) => {
                Err(StoreError::PurgeFailed {
                    path: self.server().into(),
                    why: "only a site's manager login may purge the shared log, and only its own site"
                        .to_owned(),
                })
            }
            Err(e) => Err(e),
        }
    }

    pub(super) fn close_conflicts_of(&self, uid: &str) -> Result<Vec<CloseConflict>, StoreError> {
        let params: Params = vec![Box::new(uid.to_owned())];
        let rows = self.query(
            &format!(
                "SELECT step, done_at, outcome, done_by, note, site FROM recover.close_conflicts
             WHERE incident = {UUID_OR_NULL} ORDER BY done_at, step"
            ),
            &params,
        )?;
        Ok(rows
            .iter()
            .map(|r| CloseConflict {
                step: r.get(0),
                done_at: r.get(1),
                outcome: r.get::<_, Option<String>>(2).as_deref().and_then(FollowUpOutcome::from_key),
                done_by: r.get(3),
                note: r.get(4),
                site: r.get(5),
            })
            .collect())
    }

    fn begin(&self) -> Result<(), StoreError> {
        self.execute("BEGIN", &Vec::new()).map(drop)
    }

    fn end(&self, commit: bool) -> Result<(), StoreError> {
        self.execute(if commit { "COMMIT" } else { "ROLLBACK" }, &Vec::new()).map(drop)
    }
}
