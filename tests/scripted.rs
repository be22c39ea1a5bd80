//! Non-interactive sessions: `--yes` and `--answers`.

use crate::support::Test;

#[test]
fn yes_records_a_complete_session() {
    let t = Test::new();
    let out = t
        .cmd(&["start", "--type", "reservation", "--yes", "--json", "--staff", "anna", "--ref", "room 214"])
        .run();
    let summary = &out.code(0).json_lines()[0];
    assert_eq!(summary["status"], "complete");
    assert_eq!(summary["staff"], "anna");
    assert_eq!(summary["ref"], "room 214");
    let logged = t.cmd(&["log", "--json"]).run().json_lines();
    assert_eq!(logged.len(), 1);
    assert_eq!(&logged[0], summary, "the log holds what the summary showed");
}
