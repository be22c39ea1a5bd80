//! Everything people read: tables, playbooks, summaries, made safe for a terminal.

pub mod playbook;
pub mod safe;
pub mod summary;
pub mod table;
pub mod wrap;
pub mod csv;
pub mod print;
