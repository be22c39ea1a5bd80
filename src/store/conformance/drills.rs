//! Drill results: kept apart from incidents, read back since a time, purged by date.

use super::{Fixture, T0, at, incident, record};
use crate::store::{DrillResult, Filter};

fn drill(staff: &str, ms: i64) -> DrillResult {
    DrillResult {
        at: at(ms),
        staff: staff.into(),
        role: "staff".into(),
        kind: "noise".into(),
        seed: u64::MAX,
        severity: "major".into(),
        phases: [(2, 3), (1, 1), (0, 1), (1, 1)],
        reread: vec!["own-it".into(), "move-room".into()],
    }
}

pub(crate) fn drills_are_kept_apart_read_since_and_purged_by_date(f: Fixture) {
    let mut store = f.store;
    record(&mut *store, &incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 0));
    store.record_drill(&drill("anna", T0 + 1_000)).unwrap();
    store.record_drill(&drill("bo", T0 + 5_000)).unwrap();
    assert_eq!(store.drill_results(None).unwrap(), vec![drill("anna", T0 + 1_000), drill("bo", T0 + 5_000)]);
    assert_eq!(store.drill_results(Some(at(T0 + 2_000))).unwrap(), vec![drill("bo", T0 + 5_000)]);
    assert_eq!(store.count(&Filter::default()).unwrap(), 1, "drills are never incidents");
    assert_eq!(store.count_drills_before(at(T0 + 2_000)).unwrap(), 1);
    assert_eq!(store.purge_drills(at(T0 + 2_000)).unwrap(), 1);
    assert_eq!(store.drill_results(None).unwrap(), vec![drill("bo", T0 + 5_000)]);
    assert_eq!(store.count(&Filter::default()).unwrap(), 1, "purging drills leaves incidents");
}
