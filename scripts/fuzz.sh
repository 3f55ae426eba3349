#!/usr/bin/env bash
# Fuzzes what StoreCheck takes from outside (standards, photos, signed reports, sync bundles at
# HQ) for a bounded time: scripts/fuzz.sh [SECONDS] (default 120, shared equally among the four
# targets by the fuzzer itself). Each case runs under an address-space limit (so an allocation
# bomb aborts and is reported with its case) and a hang bound; failing inputs are kept in
# target/fuzz-failures. The seed is printed: replay a
# case with `target/debug/storecheck-fuzz TARGET --seed SEED --replay CASE`.
# Set STORECHECK_FUZZ_SEED to repeat a run, STORECHECK_FUZZ_MEMORY to change the limit.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${1:-120}"
memory="${STORECHECK_FUZZ_MEMORY:-4G}"
seed="${STORECHECK_FUZZ_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}"

# Built with the whole workspace's targets selected, as scripts/test.sh builds, so dependencies are
# compiled with the same features and reused rather than built a second time.
cargo build --quiet --workspace --all-targets
bin=target/debug/storecheck-fuzz

limit=()
if command -v prlimit >/dev/null; then
  limit=(prlimit "--as=$(numfmt --from=iec "$memory")" --)
else
  echo "note: prlimit (util-linux) is missing: running under ulimit -v instead"
  ulimit -v "$(( $(numfmt --from=iec "$memory") / 1024 ))"
fi

# The databases are made and thrown away by the thousand: in memory when the system offers it.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi

rm -rf target/fuzz-failures
"${limit[@]}" "$bin" all --seed "$seed" --seconds "$seconds" --save target/fuzz-failures
