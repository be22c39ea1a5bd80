//! The guest's side: kept as told, told once, left out of `--redact`, carried by import,
//! deleted by purge.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::engine::{GuestSide, Satisfied};

fn side() -> GuestSide {
    GuestSide {
        words: Some("The \"wrong\" dish, twice — ünïcode".into()),
        satisfied: Some(Satisfied::Partly),
        contact: Some("+47 900 00 000".into()),
        consent: true,
    }
}

pub(crate) fn the_guests_side_is_kept_once_redacted_imported_and_purged(f: Fixture) {
    let mut store = f.store;
    let i = record(&mut *store, &incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 1));
    assert_eq!(i.guest, None, "nothing said, nothing kept");
    store.append(&i.uid, &[Event::Guest(side())]).unwrap();
    let kept = store.get(&i.id).unwrap();
    assert_eq!(kept.guest, Some(side()));
    // Told once: a second account (another terminal, a late answers file) changes nothing.
    let other = GuestSide { satisfied: Some(Satisfied::No), ..GuestSide::default() };
    assert!(store.append(&i.uid, &[Event::Guest(other)]).is_err());
    assert_eq!(store.get(&i.id).unwrap().guest, Some(side()));

    // In the JSON of every read, and null under --redact.
    for redact in [false, true] {
        let mut lines = Vec::new();
        store
            .scan_json(&Filter::default(), true, redact, &mut |l| {
                lines.push(serde_json::from_slice::<serde_json::Value>(l).unwrap());
                true
            })
            .unwrap();
        let guest = &lines[0]["guest"];
        if redact {
            assert!(guest.is_null(), "{guest}");
        } else {
            assert_eq!(guest["satisfied"], "partly");
            assert_eq!(guest["contact"], "+47 900 00 000");
            assert_eq!(guest["consent"], true);
            assert_eq!(guest["words"], side().words.unwrap().as_str());
        }
    }

    // An import carries it, and merging an account that has it into one without fills it in.
    let mut with = incident("00000000-0000-4000-8000-000000000002", "noise", "ole", T0 + HOUR, 0);
    with.id = "IMP-001".into();
    with.guest = Some(side());
    store.import(&mut vec![Ok(with.clone())].into_iter()).unwrap().unwrap();
    assert_eq!(store.get(&with.uid).unwrap().guest, Some(side()));

    // Purged with its incident: nothing of it left to read.
    store.purge(at(T0 + 100 * HOUR)).unwrap();
    assert!(matches!(store.get(&i.uid), Err(StoreError::NotFound(_))));
    assert!(matches!(store.get(&with.uid), Err(StoreError::NotFound(_))));
}
