#!/usr/bin/env bash
# Runs every check and test StoreCheck has: formatting, lints, type checks, Rust unit and
# integration tests, CLI scenarios, UI unit tests, and the end-to-end test that drives the
# real app under Xvfb. Installs what is missing first. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

scripts/install.sh
export PATH="$HOME/.cargo/bin:$PATH"

step "formatting"
cargo fmt --all -- --check

step "UI: build, type check, lint, unit tests"
(cd ui && npm run build --silent && npm run check && npm run lint && npm test)

step "clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Rust tests (also regenerates the UI's TypeScript bindings)"
cargo test --workspace --quiet

step "HQ on PostgreSQL: the HQ tests again, and two servers on one database, on a throwaway PostgreSQL this script starts and stops"
# Every cargo command here selects the whole workspace (`--workspace`, then `--test` picks the
# binaries): with `-p` dependencies would resolve to other features and be compiled again.
# HQ's test files are named apart from the other crates' so `--test NAME` picks only HQ's.
hq_tests=()
for f in crates/hq/tests/*.rs; do hq_tests+=(--test "$(basename "$f" .rs)"); done
scripts/with-postgres.sh bash -c \
  'cargo test --workspace --quiet "$@" && cargo test --workspace --quiet --test online postgresql' \
  hq-tests "${hq_tests[@]}"

step "the app, the CLI and the fuzzer"
# The whole workspace with all its targets, as `cargo test` does: dependencies resolve to the
# same features and are compiled once, not once per command.
cargo build --workspace --all-targets --quiet

step "fuzzing: standards, photos, signed reports and sync bundles under a memory limit (90 s)"
# A fixed seed, so a run is repeatable (scripts/fuzz.sh alone picks a new one each time).
STORECHECK_FUZZ_SEED="${STORECHECK_FUZZ_SEED:-20261201}" scripts/fuzz.sh 90

step "the UI's TypeScript bindings match the Rust types"
if [ -n "$(git status --porcelain -- ui/src/api/bindings)" ]; then
  git status --short -- ui/src/api/bindings
  echo "error: ui/src/api/bindings differ from what the Rust types generate."
  echo "hint: run 'cargo test --workspace' and commit ui/src/api/bindings."
  exit 1
fi

step "end-to-end: the real app through WebDriver (and HQ on a throwaway PostgreSQL)"
scripts/with-postgres.sh xvfb-run -a -s "-screen 0 1366x768x24" node --test --test-concurrency=1 tests/e2e/

step "all checks passed"
