//! Rows of the shared log's tables as the engine's records, and the `WHERE` a filter makes:
//! the server's column order in one place, beside the reads of `store`.

use postgres::types::ToSql;

use super::store::{Params, PostgresStore};
use crate::engine::{FollowUp, FollowUpOutcome, Incident, Outcome, Status, StepRecord};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};
use crate::store::{Filter, StoreError};

impl PostgresStore {
    pub(super) fn incident(&self, r: &postgres::Row) -> Result<Incident, StoreError> {
        let severity: Option<String> = r.get(3);
        let status: String = r.get(9);
        let limit: String = r.get(11);
        let servqual: String = r.get(15);
        Ok(Incident {
            uid: r.get(0),
            id: r.get(1),
            kind: r.get(2),
            severity: severity
                .map(|s| Severity::from_key(&s).ok_or_else(|| self.bad("severity", &s)))
                .transpose()?,
            staff: r.get(4),
            role: r.get(5),
            reference: r.get(6),
            started_at: r.get(7),
            finished_at: r.get(8),
            status: Status::from_key(&status).ok_or_else(|| self.bad("status", &status))?,
            steps: Vec::new(),
            amends_total: Money::ZERO,
            currency: r.get(10),
            limit: limit.parse().map_err(|_| self.bad("amount", &limit))?,
            failure_answered: r.get(12),
            failure_point: r.get(13),
            failure_note: r.get(14),
            servqual: servqual.split(',').filter_map(Servqual::from_key).collect(),
            abandoned_by: r.get(16),
            abandon_reason: r.get(17),
            approver_role: r.get(19),
            guest: r.get::<_, Option<String>>(21).as_deref().and_then(crate::engine::GuestSide::from_json),
            follow_ups: Vec::new(),
        })
    }

    pub(super) fn step(&self, r: &postgres::Row) -> Result<StepRecord, StoreError> {
        let phase: String = r.get(2);
        let outcome: String = r.get(4);
        let cost: Option<String> = r.get(9);
        Ok(StepRecord {
            phase: Phase::from_key(&phase).ok_or_else(|| self.bad("phase", &phase))?,
            id: r.get(3),
            outcome: Outcome::from_key(&outcome).ok_or_else(|| self.bad("outcome", &outcome))?,
            at: r.get(5),
            choice: r.get(6),
            note: r.get(7),
            reason: r.get(8),
            cost: cost.map(|c| c.parse().map_err(|_| self.bad("amount", &c))).transpose()?,
            approved_by: r.get(10),
            completed_at: r.get(11),
            completed_by: r.get(12),
            completed_note: r.get(13),
        })
    }
}

pub(super) fn follow_up(r: &postgres::Row) -> FollowUp {
    let outcome: Option<String> = r.get(4);
    FollowUp {
        step: r.get(1),
        due: r.get(2),
        done_at: r.get(3),
        outcome: outcome.as_deref().and_then(FollowUpOutcome::from_key),
        done_by: r.get(5),
        note: r.get(6),
    }
}

/// The `WHERE` condition on `recover.incidents i` for `filter`, its parameters appended to
/// `params`. Staff names compare without case, as the SQLite log compares them.
pub(super) fn condition(filter: &Filter, params: &mut Params) -> String {
    let mut sql = String::from("true");
    let mut add = |params: &mut Params, p: Box<dyn ToSql + Sync>, clause: &str| {
        params.push(p);
        sql.push_str(&clause.replace('$', &format!("${}", params.len())));
    };
    if let Some(t) = filter.since {
        add(params, Box::new(t), " AND i.started_at >= $");
    }
    if let Some(t) = filter.before {
        add(params, Box::new(t), " AND i.started_at < $");
    }
    if let Some(k) = &filter.kind {
        add(params, Box::new(k.clone()), " AND i.type = $");
    }
    if let Some(s) = &filter.staff {
        add(params, Box::new(s.clone()), " AND lower(i.staff) = lower($)");
    }
    if let Some(s) = filter.status {
        add(params, Box::new(s.key().to_owned()), " AND i.status = $");
    }
    if filter.open {
        sql.push_str(
            " AND i.status <> 'abandoned' AND (i.status = 'in_progress' OR EXISTS (
                SELECT 1 FROM recover.follow_ups f WHERE f.incident = i.uid AND f.done_at IS NULL))",
        );
    }
    sql
}
