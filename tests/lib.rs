//! Integration tests: the real binary, run in a temporary world.

mod support;

mod after;
mod bench;
mod faults;
mod hardening;
mod help;
mod input;
mod interactive;
mod languages;
mod library;
mod pg;
mod print;
mod readme;
mod safety;
mod scripted;
mod server;
mod shift;
