//! Reading an export (JSON lines) from any file, a pipe or a device, one bounded line at a
//! time: a line longer than the limit is passed over as it streams past, never held, so
//! neither a 300 MB line nor `/dev/zero` costs more memory than one line's limit.

use std::io::BufRead;
use std::path::Path;

/// Longest line accepted: an incident with every step noted at length fits many times.
const MAX_LINE_BYTES: usize = 1024 * 1024;

/// How far past an over-long line's limit its end is looked for in a pipe or a device: one
/// with no line breaks at all (`/dev/zero`) must stop somewhere. A regular file ends, so
/// its lines are skipped to their end, and every line after them is still checked.
const MAX_SKIP_BYTES: u64 = 64 * 1024 * 1024;

/// One line as read by [`BoundedLines`].
pub enum Line {
    /// Its bytes, without the line break.
    Bytes(Vec<u8>),
    /// Longer than the limit: its bytes were passed over, not kept.
    TooLong,
    /// Longer than the limit with no end in sight: reading stops here.
    Endless,
}

/// Lines of at most [`MAX_LINE_BYTES`], read from any file (a pipe, a FIFO, a device)
/// without ever holding more than that: a longer line is skipped as it streams past.
pub struct BoundedLines<R> {
    inner: R,
    /// How many bytes of one over-long line to pass over before giving up.
    max_skip: u64,
    done: bool,
}

impl<R: BufRead> BoundedLines<R> {
    /// The start of what is left to read, looked at without reading it: what the first
    /// read brought in, which from a pipe is as much as its writer wrote at once (a file's
    /// header and far more), from a file up to 64 KiB.
    pub fn peek(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    /// The next line, or `None` at the end.
    pub fn next_line(&mut self) -> std::io::Result<Option<Line>> {
        if self.done {
            return Ok(None);
        }
        let mut buf = Vec::new();
        let (mut read, mut over) = (false, false);
        let mut skipped: u64 = 0;
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                self.done = true;
                if !read {
                    return Ok(None);
                }
                break;
            }
            read = true;
            let (part, used, ends) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (&chunk[..i], i + 1, true),
                None => (chunk, chunk.len(), false),
            };
            if !over && buf.len() + part.len() > MAX_LINE_BYTES {
                over = true;
                buf = Vec::new();
            }
            if over {
                skipped += part.len() as u64;
            } else {
                buf.extend_from_slice(part);
            }
            self.inner.consume(used);
            if ends {
                break;
            }
            if skipped > self.max_skip {
                self.done = true;
                return Ok(Some(Line::Endless));
            }
        }
        Ok(Some(if over { Line::TooLong } else { Line::Bytes(buf) }))
    }
}

impl BoundedLines<Box<dyn BufRead + Send>> {
    /// The lines of `path`, or of standard input for `-`; with the file itself when it is
    /// a regular file (which can be read again), `None` for standard input, a pipe or a
    /// device.
    pub fn open(path: &Path) -> std::io::Result<(Self, Option<std::fs::File>)> {
        if path.as_os_str() == "-" {
            let inner = Box::new(std::io::BufReader::new(std::io::stdin()));
            return Ok((BoundedLines { inner, max_skip: MAX_SKIP_BYTES, done: false }, None));
        }
        let file = std::fs::File::open(path)?;
        if file.metadata().is_ok_and(|m| m.is_file()) {
            let again = file.try_clone()?;
            let inner = Box::new(std::io::BufReader::with_capacity(1 << 16, file));
            return Ok((BoundedLines { inner, max_skip: u64::MAX, done: false }, Some(again)));
        }
        let inner = Box::new(std::io::BufReader::with_capacity(1 << 16, file));
        Ok((BoundedLines { inner, max_skip: MAX_SKIP_BYTES, done: false }, None))
    }

    /// The lines of a regular file already open, with another handle on it to read it again.
    pub fn of_regular(file: std::fs::File) -> std::io::Result<(Self, Option<std::fs::File>)> {
        let again = file.try_clone()?;
        let inner = Box::new(std::io::BufReader::with_capacity(1 << 16, file));
        Ok((BoundedLines { inner, max_skip: u64::MAX, done: false }, Some(again)))
    }
}

impl<'f> BoundedLines<std::io::BufReader<&'f std::fs::File>> {
    /// The lines of a regular file, from where it stands.
    pub fn of_file(file: &'f std::fs::File) -> Self {
        BoundedLines {
            inner: std::io::BufReader::with_capacity(1 << 16, file),
            max_skip: u64::MAX,
            done: false,
        }
    }
}

impl Line {
    /// The line as text (a byte-order mark dropped from the `first`), `None` when blank,
    /// or why it is refused.
    pub fn text(&self, first: bool) -> Result<Option<&str>, String> {
        let bytes = match self {
            Line::Bytes(bytes) => bytes,
            Line::TooLong => return Err(format!("line is over {MAX_LINE_BYTES} bytes")),
            Line::Endless => {
                return Err(format!(
                    "line is over {MAX_LINE_BYTES} bytes and has no end in {MAX_SKIP_BYTES} more; stopped reading"
                ));
            }
        };
        let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())?;
        // A byte-order mark some editors put first is no part of the data.
        let text = if first { text.strip_prefix('\u{feff}').unwrap_or(text) } else { text };
        Ok(Some(text).filter(|t| !t.trim().is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max_skip: u64) -> Vec<Result<Option<String>, String>> {
        let mut reader =
            BoundedLines { inner: std::io::BufReader::with_capacity(7, input), max_skip, done: false };
        let mut out = Vec::new();
        let mut first = true;
        while let Some(line) = reader.next_line().unwrap() {
            out.push(line.text(first).map(|t| t.map(str::to_owned)));
            first = false;
        }
        out
    }

    #[test]
    fn long_lines_are_passed_over_and_the_rest_read() {
        let mut input = "\u{feff}a\n\n".as_bytes().to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 1));
        input.extend(b"\nb");
        let got = lines(&input, u64::MAX);
        assert_eq!(got[0], Ok(Some("a".into())));
        assert_eq!(got[1], Ok(None));
        assert!(got[2].as_ref().unwrap_err().contains("over 1048576 bytes"));
        assert_eq!(got[3], Ok(Some("b".into())));
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn an_endless_line_stops_the_reading() {
        let input = vec![b'x'; MAX_LINE_BYTES + 100];
        let got = lines(&input, 10);
        assert!(got[0].as_ref().unwrap_err().contains("stopped reading"), "{got:?}");
        assert_eq!(got.len(), 1);
    }
}
