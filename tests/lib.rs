//! Integration tests: the real binary, run in a temporary world.

mod support;

mod bench;
mod calendar;
mod faults;
mod guests;
mod hardening;
mod help;
mod input;
mod interactive;
mod languages;
mod library;
mod print;
mod progress;
mod readme;
mod report_html;
mod safety;
mod scripted;
mod shift;
