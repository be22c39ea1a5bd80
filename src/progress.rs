//! Progress of long work (`import`, `export`, `purge`, `report` on a large log): a count,
//! its rate and the time left, drawn on standard error while it is a terminal and never
//! otherwise, so scripts and pipes see exactly what they saw before.
//!
//! A command starts a [`Progress`]; the loops that do the work, some of them inside the
//! store, report with [`advance`], which does nothing unless a command is showing
//! progress. The store thus never learns about terminals; it only says "n more done".

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar being drawn, for [`advance`]; `None` when nothing is shown.
static CURRENT: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Progress shown while it lives; cleared from the terminal when it ends.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Shows `what` with a count towards `total` (time left and a bar when it is known),
    /// if standard error is a terminal.
    #[must_use]
    pub fn start(what: &str, total: Option<u64>) -> Progress {
        if !shown() {
            return Progress { bar: None };
        }
        // The counts first, then what is being done, cut to what the terminal has room for
        // (a long file name on a narrow terminal would wrap the line); the bar only where
        // there is room for it beside them.
        let wide = crate::render::wrap::columns(&console::Term::stderr()).unwrap_or(80) >= 100;
        let template = match total {
            Some(_) if wide => "{spinner} {human_pos}/{human_len} ({rate}, {eta} left) {bar:24} {wide_msg}",
            Some(_) => "{spinner} {human_pos}/{human_len} ({rate}, {eta} left) {wide_msg}",
            None => "{spinner} {human_pos} ({rate}, {elapsed}) {wide_msg}",
        };
        // A whole number a second: indicatif's own `per_sec` shows four decimals.
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("rate", |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            })
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr_with_hz(8))
            .with_style(style)
            .with_message(what.to_owned());
        // Drawn at once and cleared at the end: a quick command only flickers, a long one
        // never looks frozen.
        bar.tick();
        bar.enable_steady_tick(Duration::from_millis(250));
        if let Ok(mut current) = CURRENT.lock() {
            *current = Some(bar.clone());
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

/// Whether progress would be drawn: worth counting the work ahead for the time left.
#[must_use]
pub fn shown() -> bool {
    std::io::stderr().is_terminal()
}

/// `n` more done, on the progress a command is showing, if any.
pub fn advance(n: u64) {
    if let Ok(current) = CURRENT.lock() {
        if let Some(bar) = current.as_ref() {
            bar.inc(n);
        }
    }
}

/// Says what the progress a command is showing is doing now, if any.
pub fn say(what: &str) {
    if let Ok(current) = CURRENT.lock() {
        if let Some(bar) = current.as_ref() {
            bar.set_message(what.to_owned());
        }
    }
}

/// `advance(STRIDE)` every `STRIDE` items, for loops over a million rows.
pub const STRIDE: usize = 4096;
