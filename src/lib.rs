//! `recover` steps a frontline employee through service recovery (apologise, fix, amend,
//! follow up), records every step, and keeps the follow-ups from being forgotten.
//!
//! The library holds the engine and its parts; the binary's commands and the three
//! drivers (terminal prompts, answers file, `--yes`) sit on top.

pub mod cli;
pub mod clock;
pub mod commands;
pub mod complete;
pub mod config;
pub mod drivers;
pub mod duration;
pub mod engine;
pub mod error;
pub mod exit_code;
pub mod guest;
pub mod i18n;
pub mod money;
pub mod playbook;
pub mod policy;
pub mod progress;
pub mod render;
pub mod report;
pub mod server;
pub mod store;
pub mod text;
pub mod yaml;
