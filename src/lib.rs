//! `recover` steps a frontline employee through service recovery (apologise, fix, amend,
//! follow up), records every step, and keeps the follow-ups from being forgotten.
//!
//! The library holds the engine and its parts; the binary's commands and the three
//! drivers (terminal prompts, answers file, `--yes`) sit on top. Every module is private,
//! so the compiler sees dead code; what is exported below is what the binary (`run`), the
//! fuzz targets, the benchmarks and the tests that measure text widths need.

#![warn(missing_docs)]

mod cli;
mod clock;
mod commands;
mod complete;
mod config;
mod context;
mod drivers;
mod duration;
mod engine;
mod error;
mod exit_code;
mod fx;
mod guest;
mod i18n;
mod keyed;
mod money;
mod parallel;
mod playbook;
mod policy;
mod pool;
mod progress;
mod render;
mod run;
mod server;
mod store;
mod tally;
mod text;
mod yaml;

pub use crate::clock::now;
pub use crate::drivers::answers::{Answers, AnswersFile};
pub use crate::drivers::yes::Yes;
pub use crate::drivers::{Driver, drive};
pub use crate::engine::{Rule, Session, Start};
pub use crate::error::Error;
pub use crate::money::Money;
pub use crate::playbook::{Library, Severity};
pub use crate::render::wrap::width as display_width;
pub use crate::run::run;
pub use crate::store::{Filter, SqliteStore, Store};
pub use crate::tally::Tally;
