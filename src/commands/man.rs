//! `recover man`: one complete manual page, recover(1), written from the CLI definition
//! (every command with its synopsis and options) and the sections a man page needs that
//! clap does not know (exit status, environment, files, examples). Written here rather
//! than by clap_mangen, whose page names sub-pages it never makes, has no date mandoc can
//! read and draws warnings from `mandoc -Tlint`.

use std::fmt::Write as _;
use std::io::Write as _;

use clap::{Arg, ArgAction, Command, CommandFactory};

use crate::cli::Cli;
use crate::error::Error;
use crate::exit_code::Exit;

/// The date the page's text last changed (not the build's, so that the same source always
/// gives the same page); update it with the page.
pub const DATE: &str = "2026-11-30";

/// Most bytes in a text line of the source: `mandoc -Tlint` asks for at most 80.
const WIDTH: usize = 78;

/// Prints the page in roff (man(7)).
pub fn run() -> Result<Exit, Error> {
    std::io::stdout().lock().write_all(page().as_bytes()).map_err(Error::stdout)?;
    Ok(Exit::Success)
}

/// The whole page.
#[must_use]
pub fn page() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = String::new();
    let version = cmd.get_version().unwrap_or_default().to_owned();
    let _ = writeln!(out, ".TH RECOVER 1 {DATE} \"recover {version}\" \"User Commands\"");
    out.push_str(".SH NAME\nrecover \\- step through service recovery: apologise, fix, amend, follow up\n");
    out.push_str(".SH SYNOPSIS\n.B recover\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n");
    out.push_str(".SH DESCRIPTION\n");
    paragraph(
        &mut out,
        "recover steps frontline staff in a hotel, restaurant or airline through service \
         recovery with a playbook for each kind of failure: the words to say, what to fix, \
         the amends they may give on the spot and the follow-ups that must not be forgotten. \
         Every incident goes into a log (SQLite) that shift managers query, report on and \
         export.",
    );
    out.push_str(".SH OPTIONS\n");
    paragraph(&mut out, "These options are accepted before or after the command.");
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        option(&mut out, arg);
    }
    out.push_str(".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        command(&mut out, sub);
    }
    out.push_str(EXTRA);
    out
}

/// One command: its synopsis, what it does, its arguments and options.
fn command(out: &mut String, sub: &Command) {
    let mut synopsis = format!("recover {}", sub.get_name());
    let own = || sub.get_arguments().filter(|a| !a.is_global_set() && !a.is_hide_set() && !is_help(a));
    if own().any(|a| !a.is_positional()) {
        synopsis.push_str(" [OPTIONS]");
    }
    for arg in own().filter(|a| a.is_positional()) {
        let name = value_names(arg);
        let many = matches!(arg.get_action(), ArgAction::Append)
            || arg.get_num_args().is_some_and(|n| n.max_values() > 1);
        let name = if many { format!("{name}...") } else { name };
        if arg.is_required_set() {
            let _ = write!(synopsis, " {name}");
        } else {
            let _ = write!(synopsis, " [{name}]");
        }
    }
    let _ = writeln!(out, ".SS \"{}\"", escape(&synopsis));
    paragraph(out, &sub.get_long_about().or(sub.get_about()).map(ToString::to_string).unwrap_or_default());
    for arg in own() {
        option(out, arg);
    }
}

fn is_help(arg: &Arg) -> bool {
    matches!(
        arg.get_action(),
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version
    )
}

/// `TYPE`, or `TYPE` for each value an option takes.
fn value_names(arg: &Arg) -> String {
    match arg.get_value_names() {
        Some(names) => names.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
        None => arg.get_id().as_str().to_uppercase(),
    }
}

/// One option or operand as a tagged paragraph: its spelling, its help, the values it
/// takes and its default.
fn option(out: &mut String, arg: &Arg) {
    let mut tag = Vec::new();
    if let Some(s) = arg.get_short() {
        tag.push(format!("\\fB\\-{}\\fR", escape(&s.to_string())));
    }
    if let Some(l) = arg.get_long() {
        tag.push(format!("\\fB\\-\\-{}\\fR", escape(l)));
    }
    let takes_value = arg.get_action().takes_values();
    let mut line = tag.join(", ");
    if arg.is_positional() {
        line = format!("\\fI{}\\fR", escape(&value_names(arg)));
    } else if takes_value {
        let _ = write!(line, " \\fI{}\\fR", escape(&value_names(arg)));
    }
    let _ = writeln!(out, ".TP\n{line}");
    let help = arg.get_long_help().or(arg.get_help()).map(ToString::to_string).unwrap_or_default();
    let mut help = help.trim_end_matches('.').to_owned();
    help.push('.');
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| match v.get_help() {
            Some(h) if !h.to_string().eq_ignore_ascii_case(v.get_name()) => {
                format!("{} ({})", v.get_name(), lower_first(h.to_string().trim_end_matches('.')))
            }
            _ => v.get_name().to_owned(),
        })
        .collect();
    if takes_value && !values.is_empty() {
        let _ = write!(help, " One of: {}.", values.join(", "));
    }
    let defaults: Vec<String> =
        arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
    if takes_value && !defaults.is_empty() {
        let _ = write!(help, " Default: {}.", defaults.join(", "));
    }
    paragraph(out, &help);
}

/// `s` with its first letter in lower case, unless it starts a name in capitals (`NO_COLOR`).
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if b.is_lowercase() || b == ' ' => {
            a.to_lowercase().chain(s[a.len_utf8()..].chars()).collect()
        }
        _ => s.to_owned(),
    }
}

/// Running text, escaped and broken into source lines of at most [`WIDTH`] bytes (roff
/// fills them again).
fn paragraph(out: &mut String, s: &str) {
    let paragraphs: Vec<&str> = s.split("\n\n").filter(|p| !p.trim().is_empty()).collect();
    for (k, paragraph) in paragraphs.iter().enumerate() {
        if k > 0 {
            out.push_str(".PP\n");
        }
        let mut line = String::new();
        for word in paragraph.split_whitespace().map(escape) {
            if !line.is_empty() && line.len() + 1 + word.len() > WIDTH {
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        out.push_str(&line);
        out.push('\n');
    }
}

/// `s` safe as roff text: backslashes escaped, a leading `.` or `'` made literal, hyphens
/// as minus signs (what options are), anything beyond ASCII as a Unicode escape.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if s.starts_with(['.', '\'']) {
        out.push_str("\\&");
    }
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let _ = write!(out, "\\[u{:04X}]", u32::from(c));
            }
        }
    }
    out
}

/// The sections after the commands, written by hand.
const EXTRA: &str = r#".SH "EXIT STATUS"
.TP
.B 0
Success.
.TP
.B 1
Not in order: invalid playbooks (\fBcheck\fR), overdue follow\-ups
(\fBdue \-\-check\fR), a session that ended with required steps skipped.
.TP
.B 2
Usage or input error: bad flags, an unknown type, a bad answers file, a prompt
needed but no terminal.
.TP
.B 3
Environment error: the log or a playbook folder cannot be read or written, or
there is no log for \fBdue \-\-check\fR to check.
.TP
.B 130
Interrupted by Ctrl\-C, SIGTERM or SIGHUP; everything answered is kept and
\fBrecover resume\fR continues.
.PP
Errors are one line on standard error:
\fBrecover:\fR what is wrong (what to do).
.SH ENVIRONMENT
.TP
.B RECOVER_PLAYBOOKS
The playbook folder to use instead of the built\-in library
(\fB\-\-playbooks\fR).
.TP
.B RECOVER_LOG
The incident log file (\fB\-\-log\fR).
.TP
.B RECOVER_LANG
Language of playbook text and prompts: en, da, nb, et or bn (\fB\-\-lang\fR).
.TP
.BR LC_ALL ", " LC_MESSAGES ", " LANG
The language when neither \fB\-\-lang\fR nor RECOVER_LANG is set.
.TP
.B RECOVER_STAFF
Your name, recorded with each incident
(\fBstart \-\-staff\fR, \fBdone \-\-staff\fR).
.TP
.B RECOVER_ROLE
Your role in the policy, which sets your amends limit (\fBstart \-\-role\fR).
.TP
.B NO_COLOR
When set, no colour or box drawing.
.TP
.B TERM
No colour or box drawing when it is \fBdumb\fR.
.TP
.B TZ
The time zone of \fBtoday\fR and of the times tables show.
.TP
.B XDG_DATA_HOME
Where the log is kept by default (an absolute path), else under HOME.
.TP
.B COMPLETE
Set by the completion scripts of \fBrecover completions\fR to ask for
candidates.
.SH FILES
.TP
.I $XDG_DATA_HOME/recover/log.db
The incident log when neither \fB\-\-log\fR nor RECOVER_LOG names one; with no
XDG_DATA_HOME, \fI~/.local/share/recover/log.db\fR. SQLite keeps
\fIlog.db\-wal\fR and \fIlog.db\-shm\fR beside it. The folder and files are
readable by their owner only.
.TP
.I DIR/*.yaml
With \fB\-\-playbooks DIR\fR: one playbook per failure type, and
\fIDIR/policy.yaml\fR for the currency, roles and their amends limits, and
failure points. \fBrecover schema\fR prints the playbook format.
.SH EXAMPLES
A recovery session, then the same without prompts:
.PP
.EX
recover start \-\-type reservation
recover start \-\-type wrong\-order \-\-severity major \-\-yes \-\-approved\-by maria \-\-json
.EE
.PP
What is due, and closing a follow\-up:
.PP
.EX
recover due \-\-within 2d
recover done K7Q\-4MX written\-apology \-\-outcome recovered \-\-note "called"
.EE
.PP
A month's report for a spreadsheet, and moving a week to another log:
.PP
.EX
recover report \-\-since 30d \-\-csv \-\-bom > november.csv
recover export \-\-since 7d > week.jsonl
recover \-\-log other.db import week.jsonl
.EE
.PP
Checking playbooks, printing a handbook, completions and this page:
.PP
.EX
recover check ./my\-playbooks
recover print \-\-all \-\-format html \-\-output handbook.html
source <(recover completions bash)
recover man > recover.1
.EE
"#;

#[cfg(test)]
mod tests {
    #[test]
    fn the_date_is_a_real_date() {
        assert!(super::DATE.parse::<jiff::civil::Date>().is_ok());
    }

    #[test]
    fn text_lines_stay_short_and_roff_safe() {
        let mut out = String::new();
        super::paragraph(&mut out, &format!(".dot first {} back\\slash ÿ", "word ".repeat(40)));
        assert!(out.lines().all(|l| l.len() <= 80), "{out}");
        assert!(
            out.starts_with("\\&.dot") && out.contains("back\\eslash") && out.contains("\\[u00FF]"),
            "{out}"
        );
    }
}
