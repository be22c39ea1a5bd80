//! One writer for what commands print: the format a command was asked for (a table for
//! people, JSON lines or CSV for scripts), and every write error said as the place it was
//! written to, never mistaken for anything else.

use std::io::{BufWriter, Write};

use crate::cli::MachineOutput;
use crate::error::Error;
use crate::render::{csv, table};

/// What a listing command prints its rows as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Columns for people: boxed in a terminal, plain otherwise.
    Table,
    /// One JSON object per line.
    Json,
    /// A header row, then one row each (with a byte-order mark first if asked).
    Csv {
        /// `--bom`.
        bom: bool,
    },
}

impl Format {
    /// The format `--json` / `--csv` / `--bom` ask for.
    #[must_use]
    pub fn of(output: &MachineOutput) -> Format {
        match (output.json, output.csv) {
            (true, _) => Format::Json,
            (false, true) => Format::Csv { bom: output.bom },
            (false, false) => Format::Table,
        }
    }
}

/// Standard output (or a buffer on its way there), buffered, with a method per kind of
/// line a command prints.
pub struct Out<W: Write> {
    w: W,
}

impl Out<BufWriter<std::io::StdoutLock<'static>>> {
    /// Standard output, locked and buffered for the command's whole run.
    #[must_use]
    pub fn stdout() -> Self {
        Out { w: BufWriter::new(std::io::stdout().lock()) }
    }
}

impl Out<Vec<u8>> {
    /// A buffer, for output that goes to a file or stdout only once it is whole.
    #[must_use]
    pub fn buffer() -> Self {
        Out { w: Vec::new() }
    }

    /// What was written.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.w
    }
}

impl<W: Write> Out<W> {
    /// Text as it is.
    pub fn text(&mut self, text: &str) -> Result<(), Error> {
        self.w.write_all(text.as_bytes()).map_err(Error::stdout)
    }

    /// Bytes as they are (a JSON line a store made).
    pub fn bytes(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.w.write_all(bytes).map_err(Error::stdout)
    }

    /// One line: `text` and a newline.
    pub fn line(&mut self, text: impl std::fmt::Display) -> Result<(), Error> {
        writeln!(self.w, "{text}").map_err(Error::stdout)
    }

    /// `value` as one line of JSON. Never an empty line in place of a failure: a value
    /// serde refuses is an error.
    pub fn json_line(&mut self, value: &impl serde::Serialize) -> Result<(), Error> {
        serde_json::to_writer(&mut self.w, value).map_err(|e| Error::stdout(e.into()))?;
        self.line("")
    }

    /// The CSV header, after the byte-order mark when `format` asks for it.
    pub fn csv_header<S: AsRef<str>>(&mut self, format: Format, columns: &[S]) -> Result<(), Error> {
        if format == (Format::Csv { bom: true }) {
            self.text("\u{feff}")?;
        }
        self.csv_row(columns)
    }

    /// One CSV row, made safe for spreadsheets.
    pub fn csv_row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), Error> {
        self.text(&csv::line(cells))
    }

    /// A whole table, plain columns written a line at a time as they are laid out (see
    /// [`table::write_to`]).
    pub fn table<R: AsRef<[S]>, S: AsRef<str>>(
        &mut self,
        styled: bool,
        header: &[&str],
        rows: &[R],
    ) -> Result<(), Error> {
        table::write_to(&mut self.w, styled, header, rows).map_err(Error::stdout)
    }

    /// Sends what is buffered on, so a note on stderr comes after the rows it is about.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.w.flush().map_err(Error::stdout)
    }
}
