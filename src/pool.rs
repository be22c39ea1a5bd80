//! Text that build.rs compiles into tables, named by offsets into one literal rather than
//! by `&str`: every `&str` in a static table is a pointer the loader must fix up (and the
//! page holding it copy) each time the program starts, which for the UI catalog's 2,000
//! strings was a tenth of a hello-world's start-up. Offsets cost nothing until read.

/// Where one string lies in its pool: bytes `start..end`.
#[derive(Clone, Copy, Debug)]
pub struct Span(pub u32, pub u32);

impl Span {
    /// The string this span names in `pool`; empty if the span does not fit the pool, which
    /// build.rs never writes.
    #[must_use]
    pub fn of(self, pool: &'static str) -> &'static str {
        pool.get(self.0 as usize..self.1 as usize).unwrap_or("")
    }
}
