#!/usr/bin/env bash
# Installs what is missing, builds StoreCheck, and starts the desktop app on its own database
# (in your data directory; set STORECHECK_DB to use another file). Also builds `storecheck`,
# the command line, into target/release/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
echo "== building the UI"
(cd ui && npm run build --silent)
echo "== building StoreCheck (release; the first build takes a few minutes)"
cargo build --release --quiet -p storecheck-app -p storecheck
echo "== starting StoreCheck"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: running on a virtual one (Xvfb). Connect a display to see the window."
  exec xvfb-run -a -s "-screen 0 1366x768x24" env WEBKIT_DISABLE_COMPOSITING_MODE=1 target/release/storecheck-app
fi
exec target/release/storecheck-app
