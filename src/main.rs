//! The `recover` binary; everything it does is `recover::run` (src/run.rs).

fn main() -> std::process::ExitCode {
    recover::run()
}
