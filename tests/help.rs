//! What people read first: the help texts, as expected files.

use crate::support::{Test, assert_expected};

#[test]
fn help_texts_read_as_expected() {
    let t = Test::new();
    assert_expected("help.txt", &t.ok(&["--help"]));
    assert_expected("help-start.txt", &t.ok(&["start", "--help"]));
    let bare = t.cmd::<&str>(&[]).run();
    assert_eq!(bare.code, 2, "no command: usage and exit 2");
    assert!(bare.stderr.contains("Usage: recover [OPTIONS] <COMMAND>"), "{}", bare.stderr);
    t.cmd(&["start", "--type", "noise", "--bogus"])
        .run()
        .code(2)
        .one_error_line("unexpected argument '--bogus'");
    t.cmd(&["start", "--type", "noise", "--severity", "extreme"])
        .run()
        .code(2)
        .one_error_line("[possible values: minor, major, critical]");
}
