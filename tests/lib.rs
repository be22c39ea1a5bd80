//! Integration tests: the real binary, run in a temporary world.

mod support;

mod bench;
mod interactive;
mod library;
mod scripted;
mod shift;
