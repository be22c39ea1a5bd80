//! `report` on the shared log, summed in SQL: a chain's month is a few hundred grouped rows
//! to the client, never every incident and step. The sums come from each incident's summary
//! columns (written with it, by the engine's rules: see [`crate::store::Summary`]); the
//! percentiles are `percentile_disc`, the same nearest rank as [`crate::tally::Spread`].
//! Every part is one site (when asked) and one currency: amounts in different currencies are
//! never added together.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::store::{Params, PostgresStore};
use crate::engine::Status;
use crate::money::Money;
use crate::store::{ReportPart, StoreError};
use crate::tally::{Report, Spread, ranked};

/// A part's key: its site ('' when not split by site) and currency.
type Key = (String, String);

/// What a part counts before it becomes a report.
#[derive(Default)]
struct Part {
    r: Report,
    points: BTreeMap<String, usize>,
    servqual: BTreeMap<String, usize>,
    withheld: BTreeMap<String, usize>,
}

fn count(v: i64) -> usize {
    usize::try_from(v).unwrap_or(0)
}

impl PostgresStore {
    /// The report for incidents started since `since`, judged as of `now`, in parts.
    pub(super) fn report_in_parts(
        &self,
        since: Timestamp,
        now: Timestamp,
        by_site: bool,
    ) -> Result<Vec<ReportPart>, StoreError> {
        let site = if by_site { "i.site" } else { "''" };
        let mut parts: BTreeMap<Key, Part> = BTreeMap::new();
        self.sums(site, since, &mut parts)?;
        self.spreads(site, since, &mut parts)?;
        self.overdue(site, since, now, &mut parts)?;
        self.steps(site, since, &mut parts)?;
        let mut out: Vec<ReportPart> = parts
            .into_iter()
            .map(|((site, _), mut p)| {
                p.r.since = Some(since);
                p.r.failure_points = ranked(p.points);
                p.r.servqual = ranked(p.servqual);
                p.r.withheld_reasons = ranked(p.withheld);
                ReportPart { site: by_site.then_some(site), report: p.r }
            })
            .collect();
        if out.is_empty() {
            out.push(ReportPart { site: None, report: Report { since: Some(since), ..Report::default() } });
        }
        Ok(out)
    }

    /// Counts and amounts per type, severity, role, status, failure point and dimensions.
    fn sums(&self, site: &str, since: Timestamp, parts: &mut BTreeMap<Key, Part>) -> Result<(), StoreError> {
        let mut params: Params = vec![Box::new(since)];
        let scope = self.in_scope("i", &mut params);
        let money = |s: String| s.parse::<Money>().map_err(|_| self.refused(&format!("bad amount `{s}`")));

        for row in self.query(
            &format!(
                "SELECT {site}, i.currency, i.type, i.severity, i.role, i.status, i.failure_point, i.servqual,
                    count(*), sum(i.amends_total)::text, sum(i.amends_approved)::text,
                    count(*) FILTER (WHERE i.amends_approved > 0), sum(i.follow_ups_open)::bigint,
                    sum(i.follow_ups_on_time)::bigint, sum(i.follow_ups_late)::bigint,
                    sum(i.follow_ups_recovered)::bigint, sum(i.follow_ups_lost)::bigint,
                    count(*) FILTER (WHERE i.clock_skew)
                 FROM recover.incidents i WHERE i.started_at >= $1{scope}
                 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
            ),
            &params,
        )? {
            let key: Key = (row.get(0), row.get(1));
            let part = parts.entry(key.clone()).or_default();
            let r = &mut part.r;
            r.currency.clone_from(&key.1);
            let (kind, role, status): (String, String, String) = (row.get(2), row.get(4), row.get(5));
            let n = count(row.get(8));
            // An abandoned incident is counted as that alone, as the tally counts it.
            if status == "abandoned" {
                r.abandoned += n;
                continue;
            }
            r.incidents += n;
            *r.by_type.entry(kind.clone()).or_default() += n;
            *r.by_severity
                .entry(row.get::<_, Option<String>>(3).unwrap_or_else(|| "unset".into()))
                .or_default() += n;
            let total = money(row.get(9))?;
            r.amends_total = r.amends_total + total;
            let t = r.amends_by_type.entry(kind.clone()).or_default();
            *t = *t + total;
            let t = r.amends_by_role.entry(role).or_default();
            *t = *t + total;
            r.amends_approved = r.amends_approved + money(row.get(10))?;
            r.incidents_needing_approval += count(row.get(11));
            r.follow_ups.open += count(row.get(12));
            r.follow_ups.on_time += count(row.get(13));
            r.follow_ups.late += count(row.get(14));
            r.follow_ups.recovered += count(row.get(15));
            r.follow_ups.lost += count(row.get(16));
            r.clock_skew += count(row.get(17));
            match Status::from_key(&status) {
                Some(Status::InProgress) => r.in_progress += n,
                Some(Status::Incomplete) => r.incomplete += n,
                _ => {}
            }
            if let Some(point) = row.get::<_, Option<String>>(6) {
                *part.points.entry(format!("{kind}: {point}")).or_default() += n;
            }
            for d in row.get::<_, String>(7).split(',').filter(|d| !d.is_empty()) {
                *part.servqual.entry(d.to_owned()).or_default() += n;
            }
        }

        Ok(())
    }

    /// Time to apology and to fix: nearest-rank percentiles, as `Spread` works them out.
    fn spreads(
        &self,
        site: &str,
        since: Timestamp,
        parts: &mut BTreeMap<Key, Part>,
    ) -> Result<(), StoreError> {
        let mut params: Params = vec![Box::new(since)];
        let scope = self.in_scope("i", &mut params);
        for row in self.query(
            &format!(
                "SELECT {site}, i.currency,
                    count(i.apology_s), percentile_disc(0.5) WITHIN GROUP (ORDER BY i.apology_s),
                    percentile_disc(0.9) WITHIN GROUP (ORDER BY i.apology_s),
                    count(i.fix_s), percentile_disc(0.5) WITHIN GROUP (ORDER BY i.fix_s),
                    percentile_disc(0.9) WITHIN GROUP (ORDER BY i.fix_s)
                 FROM recover.incidents i
                 WHERE i.started_at >= $1 AND NOT i.clock_skew AND i.status <> 'abandoned'{scope} GROUP BY 1, 2"
            ),
            &params,
        )? {
            if let Some(part) = parts.get_mut(&(row.get(0), row.get(1))) {
                part.r.time_to_apology =
                    Spread { count: count(row.get(2)), median: row.get(3), p90: row.get(4) };
                part.r.time_to_fix = Spread { count: count(row.get(5)), median: row.get(6), p90: row.get(7) };
            }
        }

        Ok(())
    }

    /// Open follow-ups past their due time, of incidents not abandoned.
    fn overdue(
        &self,
        site: &str,
        since: Timestamp,
        now: Timestamp,
        parts: &mut BTreeMap<Key, Part>,
    ) -> Result<(), StoreError> {
        let mut params: Params = vec![Box::new(since), Box::new(now)];
        let scope = self.in_scope("i", &mut params);
        for row in self.query(
            &format!(
                "SELECT {site}, i.currency, count(*) FROM recover.follow_ups f
                 JOIN recover.incidents i ON i.uid = f.incident
                 WHERE f.done_at IS NULL AND f.due < $2 AND i.started_at >= $1 AND i.status <> 'abandoned'{scope}
                 GROUP BY 1, 2"
            ),
            &params,
        )? {
            if let Some(part) = parts.get_mut(&(row.get(0), row.get(1))) {
                let overdue = count(row.get(2));
                part.r.follow_ups.overdue = overdue;
                part.r.follow_ups.open = part.r.follow_ups.open.saturating_sub(overdue);
            }
        }

        Ok(())
    }

    /// Amends offered, given and withheld (with why), and follow-ups skipped, from each
    /// incident's summary columns: the report of a chain never reads its steps.
    fn steps(&self, site: &str, since: Timestamp, parts: &mut BTreeMap<Key, Part>) -> Result<(), StoreError> {
        let mut params: Params = vec![Box::new(since)];
        let scope = self.in_scope("i", &mut params);
        let period = format!("i.started_at >= $1 AND i.status <> 'abandoned'{scope}");
        for row in self.query(
            &format!(
                "SELECT {site}, i.currency, sum(i.amends_offered)::bigint, sum(i.amends_given)::bigint,
                    sum(i.follow_ups_skipped)::bigint
                 FROM recover.incidents i WHERE {period} GROUP BY 1, 2"
            ),
            &params,
        )? {
            let Some(part) = parts.get_mut(&(row.get(0), row.get(1))) else { continue };
            let (offered, given) = (count(row.get(2)), count(row.get(3)));
            part.r.amends_offered += offered;
            part.r.amends_given += given;
            part.r.amends_withheld += offered.saturating_sub(given);
            part.r.follow_ups.skipped += count(row.get(4));
        }
        for row in self.query(
            &format!(
                "SELECT {site}, i.currency, r.reason, count(*)
                 FROM recover.incidents i CROSS JOIN LATERAL unnest(i.withheld_reasons) AS r(reason)
                 WHERE {period} GROUP BY 1, 2, 3"
            ),
            &params,
        )? {
            let Some(part) = parts.get_mut(&(row.get(0), row.get(1))) else { continue };
            *part.withheld.entry(row.get(2)).or_default() += count(row.get(3));
        }
        Ok(())
    }
}
