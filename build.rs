//! Turns the built-in playbooks (`playbooks/*.yaml`) into one JSON document compiled into
//! the binary, so that `list`, `show`, `start` and `due` read the default library in a
//! fraction of the time YAML parsing takes. The YAML files stay the one source; the same
//! YAML crate reads them here as at run time, and `Library::built_in` falls back to the
//! YAML (with every check and warning) if this copy ever fails to decode.

use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=playbooks");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("read playbooks/")
        .map(|e| e.expect("read playbooks/").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    let mut policy = String::from("null");
    let mut playbooks = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read a playbook");
        // A file YAML cannot read is left to the run-time loader, which reports it.
        let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(&text) else {
            continue;
        };
        // Straight to text, keeping the written order of keys (translations list their
        // fallback language first).
        let Ok(json) = serde_json::to_string(&value) else {
            continue;
        };
        if path.file_name().is_some_and(|n| n == "policy.yaml") {
            policy = json;
        } else {
            playbooks.push(json);
        }
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("built_in.json");
    let doc = format!("{{\"policy\":{policy},\"playbooks\":[{}]}}", playbooks.join(","));
    std::fs::write(out, doc).expect("write built_in.json");
}
