//! Decodes each YAML file named on the command line into `serde_json::Value` with one of
//! two crates, chosen at build time, and prints the time per file and what the crate said.
//!
//! ```sh
//! cd bench/yaml-eval
//! cargo build --release --features ys     && cp target/release/recover-yaml-eval /tmp/ys
//! cargo build --release --features saphyr && cp target/release/recover-yaml-eval /tmp/saphyr
//! python3 ../hostile_yaml.py /tmp/hostile
//! for b in ys saphyr; do valgrind --tool=callgrind --callgrind-out-file=/dev/null /tmp/$b 1 ../../playbooks/*.yaml; done
//! for f in /tmp/hostile/*/hostile.yaml; do timeout 20 /tmp/ys 1 $f; timeout 20 /tmp/saphyr 1 $f; done
//! ```
//!
//! This compares the crates alone; docs/yaml-parser.md compares them inside recover itself
//! (serde-saphyr-switch.patch, mutate.py) and has the decision.
//!
//! Findings, 2026-11-30 (yaml_serde 0.10.7, serde-saphyr 2.2.0):
//! - the eleven default playbooks: 33.9M instructions with yaml_serde, 36.4M (+7%) with
//!   serde-saphyr; the small policy file 0.55M against 0.75M;
//! - stripped release binary of this program: 0.57 MB with yaml_serde, 1.53 MB with
//!   serde-saphyr;
//! - `bench/hostile_yaml.py` shapes, each crate alone (no guard in front): yaml_serde ran
//!   over 20 s on five of eleven (flow-deep, flow-maps-deep, quoted-flow, block-hide,
//!   prescan-fooled); serde-saphyr refused every one within 1.2 s by its own depth and node
//!   budgets. serde-saphyr also refuses a duplicate key at its line, which yaml_serde
//!   accepts silently (last wins).

use std::time::Instant;

#[cfg(feature = "saphyr")]
fn decode(text: &str) -> Result<serde_json::Value, String> {
    serde_saphyr::from_str::<serde_json::Value>(text).map_err(|e| e.to_string().lines().next().unwrap_or("").to_owned())
}

#[cfg(feature = "ys")]
fn decode(text: &str) -> Result<serde_json::Value, String> {
    yaml_serde::from_str::<serde_json::Value>(text).map_err(|e| e.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((reps, files)) = args.split_first() else {
        eprintln!("usage: recover-yaml-eval REPETITIONS FILE...");
        std::process::exit(2);
    };
    let reps: u32 = reps.parse().unwrap_or(1).max(1);
    for path in files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let start = Instant::now();
        let mut last = Ok(serde_json::Value::Null);
        for _ in 0..reps {
            last = decode(&text);
        }
        let us = start.elapsed().as_secs_f64() * 1e6 / f64::from(reps);
        match last {
            Ok(_) => println!("{path}\t{us:.0} us\tok"),
            Err(e) => println!("{path}\t{us:.0} us\terror: {}", e.chars().take(120).collect::<String>()),
        }
    }
}
