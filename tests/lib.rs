//! Integration tests: the real binary, run in a temporary world.

mod support;

mod after;
mod amends;
mod bench;
mod calendar;
mod check;
mod completions;
mod docs;
mod drill;
mod faults;
mod guest_side;
mod guests;
mod hardening;
mod help;
mod input;
mod interactive;
mod languages;
mod library;
mod man;
mod manager;
mod pg;
mod print;
mod progress;
mod prompts;
mod readme;
mod report_html;
mod safety;
mod scripted;
mod server;
mod shared;
mod shift;
mod sites;
mod summary;
mod ui_language;
mod widths;
