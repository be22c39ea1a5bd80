//! Integration tests: the real binary, run in a temporary world.

mod support;

mod library;
mod print;
mod scripted;
