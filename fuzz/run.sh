#!/usr/bin/env bash
# Fuzzes the playbook loader and the answers loader for a bounded time each.
#
#   bash fuzz/run.sh [SECONDS]      # default 60 per target
#
# Needs only the stable toolchain: cargo-fuzz asks for nightly flags, which stable rustc
# accepts under RUSTC_BOOTSTRAP=1. Installs cargo-fuzz from crates.io when it is missing.
# Seeds: the default library (playbooks/) and fuzz/seeds/, copied into fuzz/corpus/ (which
# keeps what the fuzzer finds between runs and is not committed). Exits non-zero when a
# target crashes; the input that did it is in fuzz/artifacts/TARGET/, and
#   RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-...
# replays it (`cargo fuzz tmin TARGET FILE` shrinks it).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
case "$seconds" in
  '' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS]" >&2; exit 2 ;;
esac
export RUSTC_BOOTSTRAP=1
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# AddressSanitizer, because the YAML parser underneath (libyaml-rs) is translated C full of
# unsafe code; FUZZ_SANITIZER=none trades that for speed.
sanitizer="${FUZZ_SANITIZER:-address}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "-- installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi

mkdir -p fuzz/corpus/playbook fuzz/corpus/answers
cp playbooks/*.yaml fuzz/seeds/playbook/*.yaml fuzz/corpus/playbook/
cp fuzz/seeds/answers/*.yaml fuzz/corpus/answers/

start=$SECONDS
echo "-- building the fuzz targets (sanitizer: $sanitizer)"
cargo fuzz build --sanitizer "$sanitizer" playbook
cargo fuzz build --sanitizer "$sanitizer" answers
echo "-- built in $((SECONDS - start)) s"

status=0
for target in playbook answers; do
  log="fuzz/artifacts/$target.log"
  mkdir -p "fuzz/artifacts/$target"
  echo "-- fuzzing $target for $seconds s"
  # libFuzzer reports every new input, and the answers loader says why each one is bad:
  # keep that in a log and show the outcome.
  if cargo fuzz run --sanitizer "$sanitizer" "$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' "$log" |
      sed 's/^/   /'
  else
    status=1
    echo "!! $target crashed; last lines of $log:" >&2
    grep -v '^fuzz\.yaml:' "$log" | tail -n 40 >&2
    ls "fuzz/artifacts/$target" >&2
  fi
done
echo "-- fuzzing took $((SECONDS - start)) s in all"
exit "$status"
