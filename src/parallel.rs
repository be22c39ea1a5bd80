//! Work on a stream shared out between threads, its results taken back in the stream's
//! order: `import` parses and checks a million lines of JSON on every core while this
//! thread writes the log or reports problems, each in the order of the file.
//!
//! The workers take turns at the source (one lock held while one chunk is read), so the
//! source itself needs no threads of its own; each chunk carries its sequence number, and
//! the results wait here until all those before them have been taken.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};

/// Results a worker may hand over ahead of the one being taken, each: enough to keep the
/// workers busy, few enough that memory stays a few chunks.
const AHEAD_PER_WORKER: usize = 2;

/// How many workers to use beside this thread when it has `own` work of its own to do
/// (writing the log): one fewer than the cores, at least one. With `own` false (it only
/// takes results), one a core.
#[must_use]
pub fn workers(own: bool) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if own { cores.saturating_sub(1).max(1) } else { cores }
}

/// Runs `work` on every chunk `next` gives (called by one worker at a time, until it gives
/// `None`) on `workers` threads, and `take` on an iterator of the results in the order the
/// chunks were given. When `take` returns (having read all the results or not), the
/// workers stop after the chunk each is on, and their threads are joined: a worker in the
/// middle of `next` finishes it first, so a `next` that reads a pipe returns when the pipe
/// gives its next lines or closes.
///
/// A panic in a worker is carried on to this thread, as if the work had run here.
pub fn in_order<C, R, T>(
    workers: usize,
    next: impl FnMut() -> Option<C> + Send,
    work: impl Fn(C) -> R + Sync,
    take: impl FnOnce(&mut dyn Iterator<Item = R>) -> T,
) -> T
where
    R: Send,
{
    let workers = workers.max(1);
    let source = Mutex::new((next, 0_usize));
    let stop = AtomicBool::new(false);
    let (give, results) = sync_channel::<(usize, R)>(workers * AHEAD_PER_WORKER);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let give = give.clone();
            let (source, stop, work) = (&source, &stop, &work);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let (seq, chunk) = {
                        // A worker that panicked held no lock across `work`, so a poisoned
                        // lock only means a panic in `next`, which the scope carries on.
                        let Ok(mut source) = source.lock() else { return };
                        let Some(chunk) = (source.0)() else { return };
                        source.1 += 1;
                        (source.1 - 1, chunk)
                    };
                    if give.send((seq, work(chunk))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(give);
        let mut ordered = Ordered { results, waiting: BTreeMap::new(), next: 0 };
        let taken = take(&mut ordered);
        // Workers blocked handing over a result see the channel closed and stop.
        stop.store(true, Ordering::Relaxed);
        drop(ordered);
        taken
    })
}

/// The results of [`in_order`], in the order of their chunks.
struct Ordered<R> {
    results: Receiver<(usize, R)>,
    /// Results that came before all those ahead of them had.
    waiting: BTreeMap<usize, R>,
    next: usize,
}

impl<R> Iterator for Ordered<R> {
    type Item = R;

    fn next(&mut self) -> Option<R> {
        loop {
            if let Some(result) = self.waiting.remove(&self.next) {
                self.next += 1;
                return Some(result);
            }
            // Closed once every worker has stopped: all results have come.
            let (seq, result) = self.results.recv().ok()?;
            self.waiting.insert(seq, result);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_order_of_their_chunks_whatever_order_the_work_ends_in() {
        for workers in [1, 2, 4] {
            let mut chunks = (0..200_u64).map(|k| vec![k; 3]);
            let got = in_order(
                workers,
                move || chunks.next(),
                |chunk: Vec<u64>| {
                    // Uneven work, so later chunks often finish first.
                    std::thread::sleep(std::time::Duration::from_micros((chunk[0] * 37) % 200));
                    chunk.iter().sum::<u64>()
                },
                |results| results.collect::<Vec<_>>(),
            );
            assert_eq!(got, (0..200).map(|k| k * 3).collect::<Vec<_>>(), "{workers} workers");
        }
    }

    #[test]
    fn taking_stops_the_workers_soon_after() {
        let given = std::sync::atomic::AtomicUsize::new(0);
        let mut k = 0_usize;
        let first: Vec<usize> = in_order(
            2,
            || {
                given.fetch_add(1, Ordering::Relaxed);
                k += 1;
                Some(k) // endless
            },
            |chunk| chunk,
            |results| results.take(3).collect(),
        );
        assert_eq!(first, [1, 2, 3]);
        // At most what the channel and the workers hold beyond what was taken.
        assert!(given.load(Ordering::Relaxed) <= 3 + 2 * AHEAD_PER_WORKER + 2 + 2);
    }

    #[test]
    fn an_empty_source_gives_no_results() {
        let got = in_order(2, || None::<u8>, |c| c, |results| results.count());
        assert_eq!(got, 0);
    }
}
