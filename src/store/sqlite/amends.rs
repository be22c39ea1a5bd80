//! The amend steps' schema: their own small index (migration 6, which migration 11 reads
//! to fill in the amend summary columns `report` now counts from, and 14 drops) and the
//! approver's role.

/// The migration adding the index: the amend steps only, with what the count needs, so
/// the count reads the index alone.
pub(super) const MIGRATION: &str = include_str!("migrations/006_amends_index.sql");

/// The migration after it: the role of who approved a bundle over the limit.
pub(super) const APPROVER_MIGRATION: &str = include_str!("migrations/007_approver_role.sql");
