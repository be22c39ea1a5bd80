//! Everything people read: tables, playbooks, summaries, made safe for a terminal.

pub mod csv;
pub mod drill;
pub mod json;
pub mod playbook;
pub mod print;
pub mod safe;
pub mod summary;
pub mod table;
pub mod wrap;
