//! What outlives a prompt: the interrupt handler that puts the terminal back and says how to
//! resume, the language it says it in, and the one warning about a narrow terminal. Kept
//! apart from the prompts because it runs on the signal's thread, with no session at hand.

use std::io::Write;
use std::sync::Mutex;

use console::Term;
use nix::sys::termios::{SetArg, Termios, tcgetattr, tcsetattr};

use crate::i18n as ui;
use crate::render::safe::one_line;

/// The incident being answered, so Ctrl-C outside a prompt can still say how to resume.
static RESUMABLE: Mutex<Option<String>> = Mutex::new(None);

/// The language of the run (`--lang`), so an interruption is said in it wherever it comes.
static UI_LANG: Mutex<Option<String>> = Mutex::new(None);

/// Notes the language an interruption is to be said in (English until then).
pub fn set_ui_lang(lang: &str) {
    if let Ok(mut slot) = UI_LANG.lock() {
        *slot = Some(lang.to_owned());
    }
}

/// The language noted by [`set_ui_lang`].
fn ui_lang() -> String {
    UI_LANG.lock().ok().and_then(|s| s.clone()).unwrap_or_else(|| "en".to_owned())
}

/// The line that tells how to pick up an interrupted incident; the id comes from the log,
/// so it is shown, never obeyed.
#[must_use]
pub fn resume_hint(lang: &str, id: &str) -> String {
    ui::f(lang, "resume_hint", &[("id", &one_line(id))])
}

/// What a command other than a session says after "interrupted" (key `key` of the
/// catalog, in the run's language): how to pick up its work.
static HINT_KEY: Mutex<Option<&'static str>> = Mutex::new(None);

/// Notes what an interruption of this command is to say after "interrupted".
pub fn set_interrupt_hint(key: &'static str) {
    if let Ok(mut slot) = HINT_KEY.lock() {
        *slot = Some(key);
    }
}

/// Notes the incident Ctrl-C should point back to.
pub fn set_resumable(id: &str) {
    if let Ok(mut slot) = RESUMABLE.lock() {
        *slot = Some(id.to_owned());
    }
}

/// The line an interruption ends with: "interrupted" and `hint` (how to resume) in the
/// run's language.
#[must_use]
pub fn interrupted_line(hint: Option<&str>) -> String {
    let lang = ui_lang();
    let word = ui::t(&lang, "interrupted");
    match hint {
        Some(h) => format!("recover: {word} ({h})"),
        None => format!("recover: {word}"),
    }
}

/// The narrowest terminal the prompts are drawn for: lists and wrapped text assume it.
pub const MIN_COLUMNS: usize = 40;

/// Set once the narrow-terminal warning is shown: once a run, however often it is checked.
static WARNED_NARROW: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Warns, once a run, when the terminal the prompts go to is narrower than [`MIN_COLUMNS`]:
/// the session still runs, but its lists and lines are drawn for more room.
pub fn warn_if_narrow(lang: &str) {
    let Some(columns) = crate::render::wrap::columns(&Term::stderr()) else { return };
    if columns < MIN_COLUMNS && !WARNED_NARROW.swap(true, std::sync::atomic::Ordering::SeqCst) {
        let min = MIN_COLUMNS.to_string();
        let line = ui::f(lang, "narrow_terminal", &[("columns", &columns.to_string()), ("min", &min)]);
        let _ = writeln!(std::io::stderr(), "recover: {line}");
    }
}

/// The terminal's settings before any prompt: a prompt waiting for a key holds the terminal
/// in raw mode, and a signal that ends the process there must not leave it so.
static SAVED_MODE: Mutex<Option<Termios>> = Mutex::new(None);

/// The controlling terminal, as the prompts read it.
fn tty() -> Option<std::fs::File> {
    std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").ok()
}

/// Set when the interrupt handler has begun to end the process: the main thread, which may
/// see the same Ctrl-C as an interrupted prompt, then leaves the saying to the handler.
static ENDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether the interrupt handler is ending the process (and says so itself).
pub fn ending() -> bool {
    ENDING.load(std::sync::atomic::Ordering::SeqCst)
}

/// Set by whoever says "interrupted" first: the handler or the main thread. A Ctrl-C read
/// by a prompt can also arrive as a signal a moment later; the line is said once.
static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True for the first caller only: it says the interruption line.
pub fn first_to_say_interrupted() -> bool {
    !SAID.swap(true, std::sync::atomic::Ordering::SeqCst)
}

/// Ends the process as an interruption: terminal mode and cursor restored, the resume hint
/// shown, exit 130. Ctrl-C while no prompt has the terminal, SIGTERM and SIGHUP (the
/// terminal window closed) all come here; a prompt reads Ctrl-C as a key and returns an
/// interruption instead, which ends the same way in `start`.
pub fn install_interrupt_handler() {
    if let Some(mode) = tty().and_then(|t| tcgetattr(&t).ok()) {
        if let Ok(mut saved) = SAVED_MODE.lock() {
            *saved = Some(mode);
        }
    }
    set_handler();
}

/// As [`install_interrupt_handler`], for work that never prompts (`import`): the
/// terminal's mode is neither saved nor set back, so an import run in the background
/// (`&`, `nohup`) ends on a signal instead of being stopped for touching the terminal
/// (SIGTTOU), and never puts an old mode over what runs in the foreground.
pub fn install_work_interrupt_handler() {
    set_handler();
}

fn set_handler() {
    let _ = ctrlc::set_handler(|| {
        ENDING.store(true, std::sync::atomic::Ordering::SeqCst);
        // Another desk's log copied to read (guests' data among it) goes with the process.
        crate::store::remove_private_copies();
        if let (Some(t), Ok(saved)) = (tty(), SAVED_MODE.lock()) {
            if let Some(mode) = saved.as_ref() {
                let _ = tcsetattr(&t, SetArg::TCSANOW, mode);
            }
        }
        if Term::stderr().is_term() {
            let _ = Term::stderr().show_cursor();
        }
        let hint =
            RESUMABLE.lock().ok().and_then(|s| s.clone()).map(|id| resume_hint(&ui_lang(), &id)).or_else(
                || HINT_KEY.lock().ok().and_then(|k| *k).map(|key| ui::t(&ui_lang(), key).to_owned()),
            );
        // After SIGHUP the terminal may be gone: writing is tried, never fatal.
        if first_to_say_interrupted() {
            let _ = writeln!(std::io::stderr(), "\n{}", interrupted_line(hint.as_deref()));
        }
        std::process::exit(i32::from(crate::exit_code::Exit::Interrupted.code()));
    });
}
