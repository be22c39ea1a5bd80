//! Progress of long work (`import`, `export`, `purge`, `report` on a large log): a count,
//! its rate and the time left (in the session's language), drawn on standard error while
//! it is a terminal and never otherwise, so scripts and pipes see exactly what they saw
//! before. The line fits the terminal as the terminal counts columns: the rate from 80
//! columns, a bar from 100, and what is being done cut to the room left.
//!
//! A command starts a [`Progress`]; the loops that do the work, some of them inside the
//! store, report with [`advance`], which does nothing unless a command is showing
//! progress. The store thus never learns about terminals; it only says "n more done".

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar being drawn, for [`advance`]; `None` when nothing is shown.
static CURRENT: Mutex<Option<Shown>> = Mutex::new(None);

/// The bar being drawn, with the columns its message may take and the language it is in,
/// for what [`say`] changes it to.
struct Shown {
    bar: ProgressBar,
    room: usize,
    lang: String,
}

/// Progress shown while it lives; cleared from the terminal when it ends.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Shows `what` with a count towards `total` (time left and a bar when it is known),
    /// if standard error is a terminal; times are said in `lang`.
    #[must_use]
    pub fn start(what: &str, total: Option<u64>, lang: &str) -> Progress {
        if !shown() {
            return Progress { bar: None };
        }
        // The counts first, then what is being done, cut here to the room the terminal has
        // left by the terminal's own count of columns: indicatif's `wide_msg` counts a
        // Bengali vowel sign as nothing and filled the line past its end, so every redraw
        // wrapped onto a new line. The bar only where there is room for it.
        let (room, room_for) = message_room(total, lang);
        let template = match (total, room_for) {
            (Some(_), Room::Bar) => "{spinner} {human_pos}/{human_len} ({rate}, {left}) {bar:24} {msg}",
            (Some(_), Room::Rate) => "{spinner} {human_pos}/{human_len} ({rate}, {left}) {msg}",
            (Some(_), Room::Counts) => "{spinner} {human_pos}/{human_len} ({left}) {msg}",
            (Some(_), Room::Count) => "{spinner} {human_pos}/{human_len} {msg}",
            (None, Room::Counts) => "{spinner} {human_pos} ({took}) {msg}",
            (None, Room::Count) => "{spinner} {human_pos} {msg}",
            (None, _) => "{spinner} {human_pos} ({rate}, {took}) {msg}",
        };
        let (left_lang, took_lang) = (lang.to_owned(), lang.to_owned());
        // A whole number a second: indicatif's own `per_sec` shows four decimals.
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            })
            .with_key("left", move |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&time_left(&left_lang, state.eta()));
            })
            .with_key("took", move |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&crate::i18n::duration(&took_lang, shown_secs(state.elapsed())));
            })
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr_with_hz(8))
            .with_style(style)
            .with_message(fit(what, room, Keep::Start));
        // Drawn at once and cleared at the end: a quick command only flickers, a long one
        // never looks frozen.
        bar.tick();
        bar.enable_steady_tick(Duration::from_millis(250));
        if let Ok(mut current) = CURRENT.lock() {
            *current = Some(Shown { bar: bar.clone(), room, lang: lang.to_owned() });
        }
        Progress { bar: Some(bar) }
    }

    /// No progress shown.
    #[must_use]
    pub fn none() -> Progress {
        Progress { bar: None }
    }

    /// `n` more done.
    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Runs `f` (which writes to standard error) with the progress out of its way.
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            if let Ok(mut current) = CURRENT.lock() {
                *current = None;
            }
        }
    }
}

/// The columns the message of a progress towards `total` has on standard error's
/// terminal, and what is shown beside it there.
fn message_room(total: Option<u64>, lang: &str) -> (usize, Room) {
    let columns = crate::render::wrap::columns(&console::Term::stderr()).unwrap_or(80);
    let room = match columns {
        100.. => Room::Bar,
        80.. => Room::Rate,
        60.. => Room::Counts,
        _ => Room::Count,
    };
    (columns.saturating_sub(counts_width(total, room, lang)), room)
}

/// What the progress line shows beside the count and the time, by the terminal's width.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Room {
    /// The count, the rate, the time and a bar (100 columns and more).
    Bar,
    /// The count, the rate and the time (80 and more).
    Rate,
    /// The count and the time: on a narrow terminal the words of the message come first.
    Counts,
    /// The count alone (under 60 columns).
    Count,
}

/// Text `key` of the catalog in `lang` naming file `name`, with the name shortened at its
/// start (its end is what tells one export from another) so that the whole fits beside
/// the counts of a progress towards `total`: the words around it are never cut off.
#[must_use]
pub fn naming_file(lang: &str, key: &str, name: &str, total: Option<u64>) -> String {
    let (room, _) = message_room(total, lang);
    let words = crate::render::wrap::width(&crate::i18n::f(lang, key, &[("file", "")]));
    let file = fit(name, room.saturating_sub(words), Keep::End);
    crate::i18n::f(lang, key, &[("file", &file)])
}

/// The longest time shown: 99 days 23 hours. An estimate of more (work stalled, the rate
/// near nothing) says no more than that, and would only make the line longer.
const MAX_SHOWN_SECS: i64 = 99 * 86_400 + 23 * 3600;

/// Seconds of `d` as shown, at most [`MAX_SHOWN_SECS`].
fn shown_secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX).min(MAX_SHOWN_SECS)
}

/// The time left, in `lang` ("3m 20s left").
fn time_left(lang: &str, eta: Duration) -> String {
    crate::i18n::f(lang, "progress_left", &[("time", &crate::i18n::duration(lang, shown_secs(eta)))])
}

/// The most columns the counts before the message can take, with a column to spare so
/// the line never ends in the terminal's last column: the spinner, the count (and the
/// total) with their thousands separators, the rate, the time and the bar.
fn counts_width(total: Option<u64>, room: Room, lang: &str) -> usize {
    use crate::render::wrap::width;
    // A count as indicatif writes it (`1,000,000`).
    let count = |n: u64| {
        let digits = n.max(1).ilog10() as usize + 1;
        digits + (digits - 1) / 3
    };
    // The widest of each form of a time (minutes and seconds, hours and minutes, days and
    // hours: which is widest differs by language), with its brackets and space.
    let samples = [59 * 60 + 59, 86_399, MAX_SHOWN_SECS].map(|s| Duration::from_secs(s.unsigned_abs()));
    let time = match (room, total) {
        // Only the space before the message.
        (Room::Count, _) => 1,
        (_, Some(_)) => samples.iter().map(|d| width(&time_left(lang, *d))).max().unwrap_or(0) + 3,
        (_, None) => {
            samples.iter().map(|d| width(&crate::i18n::duration(lang, shown_secs(*d)))).max().unwrap_or(0) + 3
        }
    };
    let rate = if matches!(room, Room::Bar | Room::Rate) { "9999999/s, ".len() } else { 0 };
    let bar = if room == Room::Bar { 25 } else { 0 };
    let spare = 1;
    // The count may pass the total by a digit (a file that grew between the two passes).
    let counts = match total {
        Some(total) => count(total.saturating_mul(10)) + 1 + count(total),
        None => count(999_999_999),
    };
    2 + counts + time + rate + bar + spare
}

/// Which end of a text too long for its room is kept.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Its start, the end cut off: what is being done.
    Start,
    /// Its end, the start cut off: a file name, whose end tells one export from another.
    End,
}

/// `what` in at most `room` columns as a terminal counts them, cut between graphemes at
/// the end `keep` does not keep, with an ellipsis there, when it is longer.
fn fit(what: &str, room: usize, keep: Keep) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let width = crate::render::wrap::width;
    if width(what) <= room {
        return what.to_owned();
    }
    let graphemes: Vec<&str> = what.graphemes(true).collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut used = 0;
    let mut take = |g: &&str| {
        let w = width(g);
        let fits = used + w < room;
        if fits {
            used += w;
        }
        fits
    };
    match keep {
        Keep::Start => kept.extend(graphemes.iter().take_while(|g| take(g)).copied()),
        Keep::End => kept.extend(graphemes.iter().rev().take_while(|g| take(g)).copied()),
    }
    if keep == Keep::End {
        kept.reverse();
    }
    let text: String = kept.concat();
    match (room, keep) {
        (0, _) => text,
        (_, Keep::Start) => format!("{text}…"),
        (_, Keep::End) => format!("…{text}"),
    }
}

/// Whether progress would be drawn: worth counting the work ahead for the time left.
#[must_use]
pub fn shown() -> bool {
    std::io::stderr().is_terminal()
}

/// `n` more done, on the progress a command is showing, if any.
pub fn advance(n: u64) {
    if let Ok(current) = CURRENT.lock() {
        if let Some(shown) = current.as_ref() {
            shown.bar.inc(n);
        }
    }
}

/// Says what the progress a command is showing is doing now, if any: text `key` of the
/// catalog, in the command's language, cut to the room the line has.
pub fn say(key: &str) {
    if let Ok(current) = CURRENT.lock() {
        if let Some(shown) = current.as_ref() {
            shown.bar.set_message(fit(crate::i18n::t(&shown.lang, key), shown.room, Keep::Start));
        }
    }
}

/// `advance(STRIDE)` every `STRIDE` items, for loops over a million rows.
pub const STRIDE: usize = 4096;
