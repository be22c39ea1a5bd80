//! A big `export` (or `log --json`) read on two cores. Writing an incident's line is CPU
//! work, SQLite's and ours (about 11 µs an incident, so a million took 12 s on one core),
//! and it splits cleanly: two readers of one snapshot of the log each write the lines of
//! half the incidents (by their integer key's parity, tested on the index before a row is
//! read), and this thread merges the two ordered streams back into the one order and
//! hands the lines on, exactly as one reader would have.
//!
//! One snapshot: both readers start their read transactions while this connection holds
//! the write lock for a moment, so no answer can be committed between the two starts and
//! an incident's row, steps and follow-ups always come from the same state of the log.
//! If the lock is not free within [`LOCK_WAIT`] (another terminal is writing, say an
//! import's batch), the scan runs on one reader instead: it never waits on a desk.

use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::json::{self, Place};
use super::query::Part;
use super::read;
use crate::store::Filter;

/// Incidents from which a scan is worth a second reader: below it, opening the readers
/// costs more than it saves (a scan of 20,000 takes about 0.2 s on one).
pub(super) const TWO_READERS_FROM: usize = 20_000;

/// How long the write lock is waited for before reading on one reader instead.
const LOCK_WAIT: Duration = Duration::from_millis(50);

/// Lines a reader hands over at a time.
const LINES_PER_BATCH: usize = 128;

/// Batches a reader may be ahead of the merge (so memory stays a few megabytes).
const BATCHES_AHEAD: usize = 2;

/// Lines of one reader, with their places, in its order.
#[derive(Default)]
struct Batch {
    /// Each line's id, then the line.
    text: Vec<u8>,
    lines: Vec<Line>,
}

/// Where one line and its place are in [`Batch::text`].
struct Line {
    started_at: i64,
    id: Range<usize>,
    text: Range<usize>,
}

impl Batch {
    fn push(&mut self, place: Place, line: &[u8]) {
        let id = self.text.len()..self.text.len() + place.id.len();
        self.text.extend_from_slice(place.id);
        self.text.extend_from_slice(line);
        self.lines.push(Line { started_at: place.started_at, id: id.clone(), text: id.end..self.text.len() });
    }

    fn clear(&mut self) {
        self.text.clear();
        self.lines.clear();
    }

    fn place(&self, k: usize) -> Place<'_> {
        let l = &self.lines[k];
        Place { started_at: l.started_at, id: &self.text[l.id.clone()] }
    }
}

/// Two read-only connections to the log at `path`, in read transactions of the same
/// snapshot: `None` when that cannot be had at once (the write lock is taken, `conn` is in
/// a transaction, or a reader cannot be opened), and the scan should run on `conn` alone.
pub(super) fn readers(conn: &Connection, path: &Path, busy: Duration) -> Option<[Connection; 2]> {
    if !conn.is_autocommit() {
        return None;
    }
    conn.busy_timeout(LOCK_WAIT).ok()?;
    let locked = conn.execute_batch("BEGIN IMMEDIATE");
    let restored = conn.busy_timeout(busy);
    locked.ok()?;
    let open = || -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let reader = Connection::open_with_flags(path, flags)?;
        reader.busy_timeout(busy)?;
        reader.execute_batch("BEGIN")?;
        // The read transaction starts with its first read.
        reader.query_row("SELECT count(*) FROM (SELECT 1 FROM incidents LIMIT 1)", [], |_| Ok(()))?;
        Ok(reader)
    };
    let pair = restored.and_then(|()| open()).and_then(|a| open().map(|b| [a, b]));
    // Nothing was written: the lock only kept others from committing meanwhile. Ended
    // whatever happened, so the scan on one reader never runs holding it.
    let _ = conn.execute_batch("ROLLBACK");
    pair.ok()
}

/// Whether `filter` matches enough incidents for two readers (at least `from`).
pub(super) fn worth_it(conn: &Connection, filter: &Filter, from: usize) -> rusqlite::Result<bool> {
    Ok(read::count(conn, filter, Some(from))? >= from)
}

/// As [`json::scan_json`] on one reader, read by the two `readers` of one snapshot.
pub(super) fn scan_json(
    readers: [Connection; 2],
    filter: &Filter,
    oldest_first: bool,
    redact: bool,
    visit: &mut dyn FnMut(&[u8]) -> bool,
) -> rusqlite::Result<()> {
    // Set once the merge has stopped: a reader then stops at its next incident rather than
    // at its next hand-over (which, with a narrow filter, may be far ahead).
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let mut streams: Vec<Stream> = Vec::with_capacity(2);
        for (k, reader) in (0_u32..).zip(readers) {
            let (full, from_reader) = sync_channel(BATCHES_AHEAD);
            let (spare, to_reader) = channel();
            let handover = Handover { full, spare: to_reader, stop: &stop };
            s.spawn(move || read_part(&reader, filter, Part(2, k), oldest_first, redact, &handover));
            streams.push(Stream {
                batches: from_reader,
                spare,
                batch: Batch::default(),
                next: 0,
                done: false,
            });
        }
        let merged = merge(&mut streams, oldest_first, visit);
        stop.store(true, Ordering::Relaxed);
        // Dropping the streams ends a reader waiting to hand a batch over.
        merged
    })
}

/// A reader's side of the hand-over: where its batches go, where spent ones come back,
/// and whether the merge has stopped.
struct Handover<'s> {
    full: SyncSender<rusqlite::Result<Batch>>,
    spare: Receiver<Batch>,
    stop: &'s AtomicBool,
}

/// One reader's side of the merge.
struct Stream {
    batches: Receiver<rusqlite::Result<Batch>>,
    /// Batches read, sent back to be filled again (no allocation per batch).
    spare: Sender<Batch>,
    batch: Batch,
    next: usize,
    done: bool,
}

impl Stream {
    /// Makes sure a line is at hand unless the reader has finished: false at its end.
    fn ready(&mut self) -> rusqlite::Result<bool> {
        while !self.done && self.next == self.batch.lines.len() {
            match self.batches.recv() {
                Ok(Ok(batch)) => {
                    let _ = self.spare.send(std::mem::replace(&mut self.batch, batch));
                    self.next = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => self.done = true,
            }
        }
        Ok(!self.done)
    }
}

/// Hands `visit` the lines of both streams in the scan's order.
fn merge(
    streams: &mut [Stream],
    oldest_first: bool,
    visit: &mut dyn FnMut(&[u8]) -> bool,
) -> rusqlite::Result<()> {
    loop {
        let mut first: Option<usize> = None;
        for k in 0..streams.len() {
            if !streams[k].ready()? {
                continue;
            }
            first = match first {
                None => Some(k),
                Some(f) => {
                    let (a, b) = (&streams[k], &streams[f]);
                    let order = a.batch.place(a.next).cmp(&b.batch.place(b.next));
                    let earlier = if oldest_first { order.is_lt() } else { order.is_gt() };
                    Some(if earlier { k } else { f })
                }
            };
        }
        let Some(k) = first else { return Ok(()) };
        let s = &mut streams[k];
        let line = &s.batch.lines[s.next];
        if !visit(&s.batch.text[line.text.clone()]) {
            return Ok(());
        }
        s.next += 1;
    }
}

/// Reads `part` of the incidents on `reader`, handing its lines over in batches.
fn read_part(
    reader: &Connection,
    filter: &Filter,
    part: Part,
    oldest_first: bool,
    redact: bool,
    handover: &Handover,
) {
    let mut batch = Batch::default();
    let mut merge_gone = false;
    let read = json::scan_json(reader, filter, Some(part), oldest_first, redact, &mut |place, line| {
        if handover.stop.load(Ordering::Relaxed) {
            merge_gone = true;
            return false;
        }
        batch.push(place, line);
        if batch.lines.len() < LINES_PER_BATCH {
            return true;
        }
        let mut next = handover.spare.try_recv().unwrap_or_default();
        next.clear();
        merge_gone = handover.full.send(Ok(std::mem::replace(&mut batch, next))).is_err();
        !merge_gone
    });
    if merge_gone {
        return;
    }
    let _ = handover.full.send(read.map(|()| batch)).map_err(drop);
}

#[cfg(test)]
#[path = "two_readers_tests.rs"]
mod tests;
