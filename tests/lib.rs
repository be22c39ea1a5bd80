//! Integration tests: the real binary, run in a temporary world.

mod support;

mod bench;
mod check;
mod faults;
mod hardening;
mod help;
mod input;
mod interactive;
mod languages;
mod library;
mod print;
mod readme;
mod safety;
mod scripted;
mod shift;
mod summary;
mod ui_language;
mod widths;
