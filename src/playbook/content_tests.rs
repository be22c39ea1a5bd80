//! The default library's recovery rules that a type cannot express, checked on every
//! built-in playbook: safety before everything where a guest may be harmed, listening
//! before the apology, a thank-you, a follow-up that cannot be forgotten, and bundles the
//! front line may give alone at minor and major.

use super::{Library, Phase, Playbook, Severity};
use crate::money::Money;

fn library() -> Library {
    let lib = Library::built_in_checked();
    assert!(lib.problems.is_empty(), "{:?}", lib.problems);
    assert!(lib.playbooks.len() >= 10);
    lib
}

/// The steps of the apologise phase after the safety steps that open it.
fn after_safety(pb: &Playbook) -> impl Iterator<Item = &super::Step> {
    pb.phases.apologise.iter().skip_while(|s| s.id.starts_with("safety"))
}

#[test]
fn the_library_covers_the_failures_staff_meet_and_a_generic_one() {
    let lib = library();
    for kind in [
        "other",
        "foreign-object",
        "table-booking-lost",
        "overbooked",
        "broken-facility",
        "room-not-ready",
        "lost-property",
        "flight-delay",
        "missed-connection",
        "baggage",
        "reduced-mobility",
        "complaint-later",
    ] {
        assert!(lib.find(kind).is_ok(), "no `{kind}` playbook");
    }
    assert!(lib.find("denied-boarding").is_ok_and(|p| p.kind == "missed-connection"));
}

#[test]
fn the_default_policy_requires_all_five_languages() {
    let lib = library();
    assert_eq!(lib.policy.languages, ["en", "da", "nb", "et", "bn"]);
}

#[test]
fn every_default_playbook_listens_before_it_apologises() {
    for pb in &library().playbooks {
        let first = after_safety(pb).next().map(|s| s.id.as_str());
        assert_eq!(first, Some("listen"), "{}: listen first, then apologise", pb.kind);
        let listen = pb.step("listen").unwrap().1;
        assert!(listen.say.is_some() && listen.is_required(Phase::Apologise), "{}", pb.kind);
    }
}

#[test]
fn every_default_playbook_thanks_the_guest_with_words_to_say() {
    for pb in &library().playbooks {
        let (phase, thank) = pb.step("thank").unwrap_or_else(|| panic!("{}: no `thank` step", pb.kind));
        assert_eq!(phase, Phase::Fix, "{}", pb.kind);
        assert!(thank.is_required(phase) && thank.say.is_some(), "{}", pb.kind);
    }
}

#[test]
fn every_default_playbook_has_a_required_follow_up_with_a_due_time() {
    for pb in &library().playbooks {
        assert!(
            pb.phases.follow_up.iter().any(|s| s.is_required(Phase::FollowUp) && s.within.is_some()),
            "{}: a required follow-up with `within`",
            pb.kind
        );
        assert!(pb.phases.follow_up.iter().all(|s| s.within.is_some()), "{}", pb.kind);
    }
}

#[test]
fn playbooks_where_a_guest_may_be_harmed_open_with_a_required_safety_step() {
    let lib = library();
    for kind in ["wrong-order", "special-request-missed", "foreign-object", "reduced-mobility", "other"] {
        assert!(lib.find(kind).unwrap().possible_harm, "{kind} is tagged possible_harm");
    }
    for pb in lib.playbooks.iter().filter(|p| p.possible_harm) {
        let (phase, first) = pb.all_steps().next().unwrap();
        assert!(first.id.starts_with("safety") && first.is_required(phase), "{}", pb.kind);
        assert!(first.say.is_some(), "{}: the safety question in words", pb.kind);
    }
    // Only a tagged playbook has a safety step, so the tag is never forgotten.
    for pb in lib.playbooks.iter().filter(|p| !p.possible_harm) {
        assert!(pb.all_steps().all(|(_, s)| !s.id.starts_with("safety")), "{}", pb.kind);
    }
}

#[test]
fn the_front_line_can_give_every_minor_and_major_bundle_alone() {
    let lib = library();
    let staff = lib.policy.default_role().and_then(|r| lib.policy.limit_of(r)).unwrap();
    for pb in &lib.playbooks {
        for severity in [Severity::Minor, Severity::Major] {
            let bundle: Money = pb.amends_at(severity).iter().map(|s| s.cost()).sum();
            assert!(bundle <= staff, "{} at {severity}: {bundle} over the staff limit {staff}", pb.kind);
        }
    }
}

#[test]
fn an_amend_that_replaces_others_takes_their_place_in_the_bundle() {
    let lib = library();
    let pb = lib.find("wrong-order").unwrap();
    let ids = |s: Severity| pb.amends_at(s).iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert!(ids(Severity::Major).contains(&"dish-off-bill".to_owned()));
    let critical = ids(Severity::Critical);
    assert!(critical.contains(&"meal-on-house".to_owned()), "{critical:?}");
    assert!(
        !critical.contains(&"dish-off-bill".to_owned()),
        "the whole bill includes the dish: {critical:?}"
    );
}
