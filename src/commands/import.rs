//! `recover import FILE`: merges an export into this log by global id.
//!
//! Two passes, so the log is never locked while input is still being read or checked:
//! the first reads every line through a bounded reader, checks it (the engine's rules in
//! [`validate`], and conflicts with incidents already in the log) and reports every
//! problem; only a clean file is read again and written, in short batches (see
//! [`Store::import`]). Standard input, pipes and devices are copied line by line, as they
//! are checked, to a private temporary file, so `slow-producer | recover import -` holds
//! no lock while the producer runs and `/dev/zero` never fills a disk.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::io::Seek;

use crate::cli::ImportArgs;
use crate::context::Context;
use crate::engine::{Incident, validate};
use crate::error::Error;
use crate::exit_code::Exit;
use crate::i18n as ui;
use crate::playbook::Library;
use crate::progress::Progress;
use crate::render::safe::one_line;
use crate::store::{Imported, Rejected, Renamed, differences};

use super::import_input::{Spool, open};
use super::jsonl::{BoundedLines, Line};

/// How many problems are reported before reading stops: enough to see what is wrong with a
/// file, and an end to a stream that never has a good line.
const MAX_PROBLEMS: usize = 1000;

/// Checks the whole file, then merges it into the log; one bad line and nothing is
/// imported, but every bad line is still reported.
pub fn run(ctx: &Context, args: &ImportArgs) -> Result<Exit, Error> {
    let name = args.file.display().to_string();
    let lang = ctx.config.lang.value.code();
    // Ctrl-C, SIGTERM or SIGHUP (exit 130) end it with a word: the batches written are
    // kept whole, the one being written is not, and importing again adds only the rest.
    crate::drivers::terminal::set_ui_lang(lang);
    crate::drivers::terminal::set_interrupt_hint("import_interrupted");
    crate::drivers::terminal::install_work_interrupt_handler();
    let (lines, original) = open(&args.file, &name)?;
    // What cannot be read twice (standard input, a pipe, a device) is kept as it is checked.
    let mut spool = if original.is_some() { None } else { Some(Spool::new()?) };
    let library = ctx.library().ok();
    let (foreign, good, repeated) = check(ctx, &name, library.as_ref(), lines, spool.as_mut())?;
    let mut file = match (original, spool) {
        (Some(file), _) => file,
        (None, Some(spool)) => spool.file,
        (None, None) => unreachable!("a spool is made for every input that is not a file"),
    };
    if !repeated.is_empty() {
        check_repeats(&name, library.as_ref(), &mut file, &repeated)?;
    }
    let stats = write(ctx, &name, library.as_ref(), file, good)?;
    if !foreign.is_empty() {
        // Another site's library may have types this one lacks: kept, but said.
        let types: Vec<&str> = foreign.iter().map(String::as_str).collect();
        let (file, types) = (one_line(&name), one_line(&types.join(", ")));
        eprintln!("recover: {}", ui::f(lang, "import_foreign_types", &[("file", &file), ("types", &types)]));
    }
    let counts = [stats.added, stats.updated, stats.unchanged].map(|n| n.to_string());
    eprintln!(
        "recover: {}",
        ui::f(
            lang,
            "import_done",
            &[
                ("file", &one_line(&name)),
                ("added", &counts[0]),
                ("updated", &counts[1]),
                ("unchanged", &counts[2])
            ]
        )
    );
    let more = stats.renamed.len().saturating_sub(RENAMED_SHOWN);
    if more > 0 {
        eprintln!("recover: {}", ui::n(lang, "import_renamed_more", more, &[]));
    }
    Ok(Exit::Success)
}

/// Incidents named one by one when their short ids were taken here, before the rest are
/// only counted: enough for a desk merging another's few, not a wall of lines for a
/// site's whole log.
const RENAMED_SHOWN: usize = 20;

/// Says which new incidents of a batch just kept were given another short id, while
/// fewer than [`RENAMED_SHOWN`] have been said (`said` counts them): whoever reads an id
/// out (from a receipt, an email, the other desk) must learn it changed, even if the
/// import is ended before its last batch.
fn say_renamed(lang: &str, renamed: &[Renamed], said: &mut usize) {
    for r in renamed.iter().take(RENAMED_SHOWN.saturating_sub(*said)) {
        let (theirs, here) = (one_line(&r.theirs), one_line(&r.here));
        eprintln!("recover: {}", ui::f(lang, "import_renamed", &[("theirs", &theirs), ("here", &here)]));
        *said += 1;
    }
}

/// Lines read and handed to a worker at a time (about half a megabyte of a real export).
const LINES_PER_CHUNK: usize = 256;

/// Lines of the input as one worker reads them, numbered from 1 as in the file.
struct Chunk {
    lines: Vec<(usize, Line)>,
    /// Why reading stopped after these lines, if it failed.
    failed: Option<std::io::Error>,
}

/// The lines of the input, numbered as in the file, read a [`Chunk`] at a time.
struct Numbered<R> {
    lines: BoundedLines<R>,
    /// Lines read so far.
    read: usize,
    /// Reading has ended, at the end of the input or on an error.
    done: bool,
}

impl<R: std::io::BufRead> Numbered<R> {
    fn new(lines: BoundedLines<R>) -> Self {
        Numbered { lines, read: 0, done: false }
    }

    /// The next chunk; `None` once the input is done (or failed, the chunk before having
    /// said so).
    fn chunk(&mut self) -> Option<Chunk> {
        if self.done {
            return None;
        }
        let mut chunk = Chunk { lines: Vec::with_capacity(LINES_PER_CHUNK), failed: None };
        while chunk.lines.len() < LINES_PER_CHUNK {
            match self.lines.next_line() {
                Ok(Some(line)) => {
                    self.read += 1;
                    chunk.lines.push((self.read, line));
                }
                Ok(None) => {
                    self.done = true;
                    break;
                }
                Err(e) => {
                    self.done = true;
                    chunk.failed = Some(e);
                    break;
                }
            }
        }
        (!chunk.lines.is_empty() || chunk.failed.is_some()).then_some(chunk)
    }
}

/// What the first pass makes of one line, on a worker: the engine's rules need nothing
/// but the incident and its playbook, so they run on every core.
#[allow(
    clippy::large_enum_variant,
    reason = "a chunk's few hundred lie in one vector; a box would be one more allocation a line, freed on another thread"
)]
enum Checked {
    Blank,
    Bad(Vec<String>),
    Good {
        /// A hash of its global id, to find an incident named twice in one file.
        uid: u64,
        /// The incident, when the log has incidents it may conflict with. Otherwise it
        /// is dropped by the worker that made it: memory freed on another thread than
        /// the one that took it costs both threads a lock on every string (the first pass
        /// over a million lines took 30% more time on two cores than on one).
        incident: Option<Incident>,
        /// Its bytes, when they are to be kept (input that cannot be read twice).
        bytes: Option<Vec<u8>>,
        /// Its type, when this library does not have it.
        foreign: Option<String>,
    },
}

/// Checks line `n`; `whole` when the incident is to be handed back (see [`Checked::Good`]),
/// `keep` when its bytes are.
fn check_line(n: usize, line: Line, library: Option<&Library>, whole: bool, keep: bool) -> Checked {
    let incident = match line.text(n == 1) {
        Ok(None) => return Checked::Blank,
        Ok(Some(text)) => parse(text),
        Err(why) => Err(why),
    };
    let incident = match incident {
        Ok(incident) => incident,
        Err(why) => return Checked::Bad(vec![why]),
    };
    let playbook = library.and_then(|lib| lib.find(&incident.kind).ok());
    let found = validate(&incident, playbook);
    if !found.is_empty() {
        return Checked::Bad(found);
    }
    let bytes = match line {
        Line::Bytes(bytes) if keep => Some(bytes),
        _ => None,
    };
    let foreign = (library.is_some() && playbook.is_none()).then(|| incident.kind.clone());
    let uid = crate::fx::FxBuild::default().hash_one(&incident.uid);
    Checked::Good { uid, incident: whole.then_some(incident), bytes, foreign }
}

/// The first pass: reads and checks every line, reporting each problem as `FILE:LINE:`,
/// without taking the log's write lock; keeps the good lines in `spool` if there is one.
/// Gives the types this library does not have, how many good lines there are, and the
/// good lines that may name an incident another line names too (see [`Repeated`]).
/// Lines are parsed and checked on every core; conflicts with the log, the report and
/// the spool are dealt with here, in the order of the file.
fn check<R: std::io::BufRead + Send>(
    ctx: &Context,
    name: &str,
    library: Option<&Library>,
    lines: BoundedLines<R>,
    mut spool: Option<&mut Spool>,
) -> Result<(BTreeSet<String>, u64, Repeated), Error> {
    let config = &ctx.config;
    // Checking only reads, and a file with problems leaves no new log behind; in a log
    // that does not exist yet, nothing can conflict.
    let reading = if config.local_path()?.exists() { Some(ctx.store()?) } else { None };
    let keep = spool.is_some();
    let whole = reading.is_some();
    let mut foreign = BTreeSet::new();
    let mut problems = 0;
    let mut good = 0;
    // Each good line's global id, hashed (24 bytes a line, not the id's 36 and more), with
    // the place among the good lines of the first that has it, and its number.
    let mut first: HashMap<u64, (u64, usize), crate::fx::FxBuild> = HashMap::default();
    let mut repeated = Repeated::new();
    let lang = config.lang.value.code();
    let checking = crate::progress::naming_file(lang, "progress_checking", &one_line(name), None);
    let progress = Progress::start(&checking, None, lang);
    let mut numbered = Numbered::new(lines);
    crate::parallel::in_order(
        crate::parallel::workers(false),
        || numbered.chunk(),
        |chunk: Chunk| {
            let checked: Vec<(usize, Checked)> = chunk
                .lines
                .into_iter()
                .map(|(n, line)| (n, check_line(n, line, library, whole, keep)))
                .collect();
            (checked, chunk.failed)
        },
        |chunks| -> Result<(), Error> {
            for (checked, failed) in chunks {
                for (n, checked) in checked {
                    progress.inc(1);
                    if problems >= MAX_PROBLEMS {
                        // A file (or an endless stream) of nothing but bad lines: enough to act on.
                        progress.suspend(|| {
                            eprintln!("{}: stopped reading after {MAX_PROBLEMS} problems", one_line(name));
                        });
                        return Ok(());
                    }
                    let mut report = |why: &str| {
                        problems += 1;
                        progress.suspend(|| eprintln!("{}:{n}: {}", one_line(name), one_line(why)));
                    };
                    let (incident, bytes, kind) = match checked {
                        Checked::Blank => continue,
                        Checked::Bad(found) => {
                            for why in &found {
                                report(why);
                            }
                            continue;
                        }
                        Checked::Good { uid, incident, bytes, foreign } => {
                            match first.entry(uid) {
                                Entry::Vacant(v) => {
                                    v.insert((good, n));
                                }
                                Entry::Occupied(o) => {
                                    let (place, line) = *o.get();
                                    repeated.insert(place, line);
                                    repeated.insert(good, n);
                                }
                            }
                            (incident, bytes, foreign)
                        }
                    };
                    if let (Some(reading), Some(incident)) = (&reading, &incident)
                        && let Some((id, what)) = reading.conflict(incident)?
                    {
                        report(&format!(
                            "incident {} is already in the log as {id}, which says otherwise ({what}); nothing was merged",
                            incident.uid
                        ));
                        continue;
                    }
                    foreign.extend(kind);
                    if let (Some(spool), Some(bytes)) = (spool.as_deref_mut(), bytes) {
                        spool.keep(&bytes)?;
                    }
                    good += 1;
                }
                if let Some(e) = failed {
                    return Err(unreadable(name, &e));
                }
            }
            Ok(())
        },
    )?;
    if problems > 0 {
        return Err(Error::BadInput { file: name.to_owned(), count: problems });
    }
    Ok((foreign, good, repeated))
}

/// The good lines whose global id another good line may have too (their hashes are the
/// same): their places among the good lines, with their numbers in the input (a spool of
/// standard input keeps the good lines alone, so its own numbering is not the input's).
type Repeated = BTreeMap<u64, usize>;

/// Reads the checked input again for the lines in `repeated` (only when a file names one
/// incident twice, which an export never does but two exports put together may): each is
/// compared with the lines before it that have the same global id, as an incident in the
/// log would be. Two accounts that differ are reported, and nothing is imported; two that
/// merge (one knows more than the other) are merged as ever. Leaves `file` at its start.
fn check_repeats(
    name: &str,
    library: Option<&Library>,
    file: &mut std::fs::File,
    repeated: &Repeated,
) -> Result<(), Error> {
    file.rewind().map_err(|e| unreadable(name, &e))?;
    let mut numbered = Numbered::new(BoundedLines::of_file(&*file));
    let mut seen: HashMap<String, Vec<(usize, Incident)>> = HashMap::new();
    let mut place = 0;
    let mut problems = 0;
    while let Some(chunk) = numbered.chunk() {
        for (at, line) in chunk.lines {
            // Every line that is not blank passed the first pass: only those asked for are
            // parsed again (should the file have changed since, the write pass says so).
            if !matches!(line.text(at == 1), Ok(Some(_))) {
                continue;
            }
            let here = place;
            place += 1;
            let Some(&n) = repeated.get(&here) else { continue };
            let Checked::Good { incident: Some(incident), .. } = check_line(at, line, library, true, false)
            else {
                continue;
            };
            let earlier = seen.entry(incident.uid.clone()).or_default();
            if let Some((m, what)) =
                earlier.iter().find_map(|(m, e)| differences(e, &incident).map(|w| (*m, w)))
            {
                problems += 1;
                eprintln!(
                    "{}:{n}: incident {} is on line {m} too, which says otherwise ({}); nothing was merged",
                    one_line(name),
                    one_line(&incident.uid),
                    one_line(&what)
                );
            }
            earlier.push((n, incident));
        }
        if let Some(e) = chunk.failed {
            return Err(unreadable(name, &e));
        }
    }
    file.rewind().map_err(|e| unreadable(name, &e))?;
    if problems > 0 {
        return Err(Error::BadInput { file: name.to_owned(), count: problems });
    }
    Ok(())
}

/// The second pass: reads the checked file again and merges it into the log in batches,
/// the lines parsed on the other cores while this thread writes.
/// `good` lines (as checked) are to be merged, for the progress shown.
fn write(
    ctx: &Context,
    name: &str,
    library: Option<&Library>,
    mut file: std::fs::File,
    good: u64,
) -> Result<Imported, Error> {
    let mut store = ctx.store()?;
    file.rewind().map_err(|e| unreadable(name, &e))?;
    let mut numbered = Numbered::new(BoundedLines::of_file(&file));
    let mut changed = None;
    let mut failed = None;
    let lang = ctx.config.lang.value.code();
    let importing = crate::progress::naming_file(lang, "progress_importing", &one_line(name), Some(good));
    let progress = Progress::start(&importing, Some(good), lang);
    let stats = crate::parallel::in_order(
        crate::parallel::workers(true),
        || numbered.chunk(),
        |chunk: Chunk| {
            // Checked again as it is written: a line that no longer passes (the file
            // changed since it was checked) is known by its number, and the store is only
            // ever given incidents the engine accepts.
            let parsed: Vec<Result<Incident, usize>> = chunk
                .lines
                .into_iter()
                .filter_map(|(n, line)| match check_line(n, line, library, true, false) {
                    Checked::Blank => None,
                    Checked::Good { incident: Some(incident), .. } => Some(Ok(incident)),
                    Checked::Good { incident: None, .. } | Checked::Bad(_) => Some(Err(n)),
                })
                .collect();
            (parsed, chunk.failed)
        },
        |chunks| {
            let mut incidents = chunks
                .map_while(|(parsed, e)| {
                    // Reading failed: nothing after it is given, and the store is told no more.
                    if failed.is_some() {
                        return None;
                    }
                    failed = e;
                    Some(parsed)
                })
                .flatten()
                .map(|item| {
                    progress.inc(1);
                    item.map_err(|n| {
                        changed.get_or_insert(n);
                        Rejected
                    })
                });
            let mut said = 0;
            store.import_reporting(&mut incidents, &mut |batch| {
                progress.suspend(|| say_renamed(lang, &batch.renamed, &mut said));
            })
        },
    )?;
    if let Some(e) = failed {
        return Err(unreadable(name, &e));
    }
    stats.ok_or_else(|| {
        Error::usage(
            format!(
                "{} changed while it was imported (line {} is no longer an incident); incidents before it may be in the log",
                one_line(name),
                changed.unwrap_or_default()
            ),
            "import the finished file again: incidents already in the log are not added twice",
        )
    })
}

fn unreadable(name: &str, e: &std::io::Error) -> Error {
    Error::usage(format!("cannot read {name}: {}", crate::error::io_reason(e)), "check the file")
}

/// One line of an export as an incident, or why it is not one. A global id that is a
/// UUID written another way (capitals, no hyphens, braces: a spreadsheet or another tool
/// may have rewritten it) is taken in the form `recover` writes, so that it merges with
/// the same incident instead of being added again.
fn parse(text: &str) -> Result<Incident, String> {
    let mut incident = serde_json::from_str::<Incident>(text).map_err(|e| {
        // The file's own line number is said already; serde's counts this line as line 1.
        let full = e.to_string();
        let position = format!(" at line {} column {}", e.line(), e.column());
        match full.strip_suffix(&position) {
            Some(what) => format!("not an exported incident: {what}, at column {}", e.column()),
            None => format!("not an exported incident: {full}"),
        }
    })?;
    if let Ok(uuid) = uuid::Uuid::try_parse(&incident.uid) {
        incident.uid = uuid.hyphenated().to_string();
    }
    Ok(incident)
}
