//! Integration tests: the real binary, run in a temporary world.

mod support;

mod after;
mod amends;
mod bench;
mod completions;
mod docs;
mod drill;
mod faults;
mod hardening;
mod help;
mod input;
mod interactive;
mod languages;
mod library;
mod man;
mod pg;
mod print;
mod readme;
mod safety;
mod scripted;
mod server;
mod shift;
