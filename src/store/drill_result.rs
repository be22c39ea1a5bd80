//! A finished training drill as every store keeps it: apart from incidents.

use jiff::Timestamp;

/// One finished drill as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrillResult {
    /// When it ended.
    pub at: Timestamp,
    /// Who took it.
    pub staff: String,
    /// In which role.
    pub role: String,
    /// The playbook's type.
    pub kind: String,
    /// The seed that repeats it.
    pub seed: u64,
    /// The scenario's severity key.
    pub severity: String,
    /// Right and asked, per phase in phase order.
    pub phases: [(u32, u32); 4],
    /// Step ids to read again.
    pub reread: Vec<String>,
}
