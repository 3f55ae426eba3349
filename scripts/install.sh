#!/usr/bin/env bash
# Installs what StoreCheck needs on Debian 12 and is missing: Debian packages, the UI's npm
# packages and tauri-driver. Safe to run again; does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential pkg-config libssl-dev            # Rust crates that build C
  cmake nasm                                       # libjpeg-turbo (photos), built from source
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev  # Tauri 2 on Linux
  xvfb xauth webkit2gtk-driver                     # running and driving the app headless
  sqlite3 poppler-utils qpdf imagemagick           # tests: databases, PDFs, screenshots
  zip                                              # bench: the peer of a sync export
  postgresql                                       # HQ on PostgreSQL (tests start their own)
  locales                                          # the app's languages for GTK's own dialogs
)
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Russian and English as the C library's locales: the app speaks the language of LANG by itself,
# and with these GTK's file dialogs and the like speak it too.
locales=()
for l in ru_RU en_US; do
  locale -a 2>/dev/null | grep -qx "$l.utf8" || locales+=("$l.UTF-8")
done
if [ ${#locales[@]} -gt 0 ]; then
  echo "== making the locales ${locales[*]}"
  for l in "${locales[@]}"; do
    grep -q "^$l UTF-8" /etc/locale.gen || echo "$l UTF-8" | $sudo_cmd tee -a /etc/locale.gen >/dev/null
  done
  $sudo_cmd locale-gen >/dev/null
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "== installing the UI's npm packages"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "== installing tauri-driver (drives the app in end-to-end tests)"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi
