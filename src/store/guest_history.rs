//! What a store tells of a repeat guest: their incidents in a window.

use jiff::Timestamp;

use crate::playbook::Severity;

/// A guest's incidents since some moment.
#[derive(Debug, Default)]
pub struct GuestHistory {
    /// How many.
    pub count: usize,
    /// The latest one's id and start.
    pub latest: Option<(String, Timestamp)>,
    /// The most severe of them.
    pub worst: Option<Severity>,
}
