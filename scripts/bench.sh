#!/usr/bin/env bash
# StoreCheck's benchmark (installs its peers, libvips-tools, chromium and zip, if missing; the
# photos come from Debian's plasma-workspace-wallpapers): each figure of PRODUCT.md §10 that exists so far, beside its peer
# measured in the same run. Prints only; never fails on a slow figure. A figure that cannot be
# measured says why (with the last lines its step wrote to stderr) and the bench goes on to the
# next one.
set -uo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
err="$tmp/stderr"
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"

# Says why a figure could not be measured: the reason, then what the failing step wrote to stderr.
cannot() {
  echo "  could not measure: $1"
  if [ -s "$err" ]; then tail -n 8 "$err" | sed 's/^/    | /'; fi
  : >"$err"
}

# Runs one benchmark, printing its figures; its stderr is kept in $err for `cannot`.
bench() {
  : >"$err"
  "$@" 2>"$err" | sed '/^$/d'
}

: >"$err"
scripts/install.sh >/dev/null 2>"$err" || cannot "scripts/install.sh failed; the figures below may lack their peers"
app_built=1
if ! (cd ui && npm run build --silent) >/dev/null 2>"$err" \
  || ! cargo build --release --quiet -p storecheck-app -p storecheck 2>"$err"; then
  app_built=0
  cannot "the release build of storecheck and storecheck-app failed; app start is skipped"
fi

# Debian's wallpapers, unpacked once into target/bench/wallpapers.
wallpapers=target/bench/wallpapers/usr/share/wallpapers
fetch_wallpapers() {
  [ -d "$wallpapers" ] && return 0
  mkdir -p target/bench || return 1
  (
    cd target/bench || exit 1
    if ! apt-get download -qq plasma-workspace-wallpapers >/dev/null; then
      # A fresh machine may not have read the package lists yet.
      $sudo_cmd apt-get update -qq && apt-get download -qq plasma-workspace-wallpapers >/dev/null
    fi || exit 1
    dpkg -x plasma-workspace-wallpapers_*.deb wallpapers
  )
}

# The largest picture of one wallpaper folder: a JPEG when it has one, else a PNG (some
# folders hold only PNGs). Prints nothing when the folder has neither.
largest_picture() {
  local f
  for ext in jpg png; do
    f=$(find "$1" -path '*/contents/images/*' -name "*.$ext" -printf '%s %p\n' 2>/dev/null | sort -rn | sed -n '1s/^[0-9]* //p')
    if [ -n "$f" ]; then echo "$f"; return 0; fi
  done
}

# A wallpaper cut to 4000×3000 with a little sensor-like noise, saved as a JPEG at quality 92,
# as a phone camera would (about 4 MB).
as_photo() {
  convert "$1" -resize 4000x3000^ -gravity center -extent 4000x3000 -attenuate 0.25 +noise Gaussian \
    -quality 92 "$2"
}

echo "== saving one answer"
bench cargo bench --quiet -p storecheck-core --bench save_answer || cannot "the save_answer benchmark failed"

echo
echo "== attaching one 12-megapixel JPEG (display copy + thumbnail, files flushed, rows committed)"
photo=target/bench/photo-12mp.jpg
: >"$err"
if [ ! -s "$photo" ]; then
  if ! fetch_wallpapers 2>"$err"; then
    cannot "Debian's plasma-workspace-wallpapers could not be downloaded and unpacked"
  else
    source_picture="$wallpapers/Volna/contents/images/5120x2880.jpg"
    [ -s "$source_picture" ] || source_picture=$(largest_picture "$wallpapers/")
    if [ -z "$source_picture" ] || ! as_photo "$source_picture" "$photo" 2>"$err"; then
      rm -f "$photo"
      cannot "no 12-megapixel photo could be made from the wallpapers (${source_picture:-none found})"
    fi
  fi
fi
if [ -s "$photo" ]; then
  if ! command -v vipsthumbnail >/dev/null; then
    echo "  (installing the peer, vipsthumbnail, from Debian's libvips-tools)"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends libvips-tools >/dev/null 2>"$err" \
      || cannot "libvips-tools could not be installed; the peer is missing"
  fi
  STORECHECK_BENCH_PHOTO="$PWD/$photo" bench cargo bench --quiet -p storecheck-core --bench attach_photo \
    || cannot "the attach_photo benchmark failed"
fi

echo
echo "== the signed PDF of a 60-requirement audit with 20 photos from 12-megapixel originals"
# Twenty different Debian wallpapers, cut to 4000×3000 like the photo above. The package has
# fewer than twenty folders with a JPEG, so folders with only PNGs give the rest.
mkdir -p target/bench/photos
n=$(find target/bench/photos -name '*.jpg' | wc -l)
: >"$err"
if [ "$n" -lt 20 ] && fetch_wallpapers 2>"$err"; then
  for d in "$wallpapers"/*/; do
    [ "$n" -ge 20 ] && break
    f=$(largest_picture "$d")
    [ -n "$f" ] || continue
    out="target/bench/photos/p$(printf '%02d' "$((n + 1))").jpg"
    if as_photo "$f" "$out" 2>>"$err"; then n=$((n + 1)); else rm -f "$out"; fi
  done
fi
if [ "$n" -lt 20 ]; then
  cannot "only $n of the 20 photos could be made in target/bench/photos"
else
  if ! command -v chromium >/dev/null; then
    echo "  (installing the peer, headless Chromium, from Debian's chromium)"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>"$err" \
      || cannot "chromium could not be installed; the peer is missing"
  fi
  STORECHECK_BENCH_PHOTOS="$PWD/target/bench/photos" bench cargo bench --quiet -p storecheck-report --bench report_pdf \
    || cannot "the report_pdf benchmark failed"
fi

echo
echo "== HQ import of 1,000 bundles of one signed audit with 3 photos (about 5 GB), and again; a store exporting 500 audits"
# Three photos of about 1.5 MB (8 megapixels), cut from the first three of the 12-megapixel ones
# above; without them the benchmark draws its own pictures. Its data (about 20 GB at the full
# scale; STORECHECK_BENCH_BUNDLES and STORECHECK_BENCH_EXPORT_AUDITS make it smaller) lives in
# this script's temporary folder.
hq_photos=target/bench/hq-photos
mkdir -p "$hq_photos"
: >"$err"
for i in 1 2 3; do
  src="target/bench/photos/p0$i.jpg"
  out="$hq_photos/h$i.jpg"
  [ -s "$out" ] || [ ! -s "$src" ] && continue
  convert "$src" -resize 3264x2448 -define jpeg:extent=1536kb "$out" 2>>"$err" || rm -f "$out"
done
if [ "$(find "$hq_photos" -name '*.jpg' | wc -l)" -lt 3 ]; then
  echo "  (no 1.5 MB photos could be made from the wallpapers: the benchmark draws its own pictures)"
fi
if ! command -v zip >/dev/null; then
  echo "  (installing the peer, zip)"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends zip >/dev/null 2>"$err" \
    || cannot "zip could not be installed; the export's peer is missing"
fi
TMPDIR="$tmp" STORECHECK_BENCH_HQ_PHOTOS="$PWD/$hq_photos" bench cargo bench --quiet -p storecheck-hq --bench hq_import \
  || cannot "the hq_import benchmark failed"

echo
echo "== HQ server: 500 stores push 5,000 bundles of one signed audit with 3 photos, to two servers on one PostgreSQL and to one on SQLite, beside hq import of the same files"
# The stores' bundles (about 26 GB) are made once, in about 6 minutes here, and kept in
# target/bench/push-500x10; STORECHECK_BENCH_PUSH_STORES makes the chain smaller. PostgreSQL is
# a throwaway cluster with its own durable settings (every commit flushed), as a real HQ runs.
STORECHECK_PG_DURABLE=1 STORECHECK_BENCH_HQ_PHOTOS="$PWD/$hq_photos" \
  bench scripts/with-postgres.sh cargo bench --quiet -p storecheck --bench hq_push \
  || cannot "the hq_push benchmark failed"

echo
echo "== HQ dashboard at 1,000,000 audits: every query and drill-down beside the naive query over the raw rows; BI export of 100,000 audits"
# The chain (about 20 GB: 3,000 stores, two years, 61 answers an audit) is made once, in about
# 40 minutes, and kept as target/bench/hq-chain-1000000.db; STORECHECK_BENCH_CHAIN_AUDITS makes
# it smaller. The export's peer is sqlite3.
if ! command -v sqlite3 >/dev/null; then
  echo "  (installing the peer, sqlite3)"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends sqlite3 >/dev/null 2>"$err" \
    || cannot "sqlite3 could not be installed; the export's peer is missing"
fi
bench cargo bench --quiet -p storecheck-hq --bench hq_dashboard || cannot "the hq_dashboard benchmark failed"

echo
echo "== app start: to the first painted frame, and to the audits list showing data (10 starts each, idle and with both cores busy)"
if [ "$app_built" -eq 0 ]; then
  echo "  could not measure: the app was not built (see above)"
elif ! target/release/storecheck --db "$tmp/bench.db" demo >/dev/null 2>"$err"; then
  cannot "storecheck demo failed, so the app has nothing to show"
else
  # One start: prints "PAINTED READY LOADING" in ms since the process started (LOADING: when the
  # web view began to load the page; before it, the shell and the web view's processes start).
  run_start() {
    STORECHECK_DB="$tmp/bench.db" STORECHECK_EXIT_WHEN_READY=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 \
      timeout 30 xvfb-run -a -s "-screen 0 1366x768x24" target/release/storecheck-app 2>"$err" |
      awk '/^painted after/ {p = $3} /^web view loading at/ {l = $5} /^ready after/ {r = $3}
        END {if (r != "") print (p == "" ? r : p), r, (l == "" ? 0 : l)}'
  }
  starts() { # $1: what the machine is doing
    local out=() line
    for _ in $(seq 10); do
      line=$(run_start)
      [ -n "$line" ] && out+=("$line")
    done
    if [ ${#out[@]} -eq 0 ]; then
      cannot "the app never reported that its first screen was ready ($1)"
      return
    fi
    # Median and maximum of one column (1: first paint, 2: data), with the standard sort.
    stat() { printf '%s\n' "${out[@]}" | awk -v c="$1" '{print $c}' | sort -n | awk '{a[NR] = $1} END {printf "median %4.0f ms  max %4.0f ms", a[int((NR + 1) / 2)], a[NR]}'; }
    printf '  %-16s first paint %s   list with data %s   (%d starts; target <= 500 ms to data)\n' \
      "$1" "$(stat 1)" "$(stat 2)" "${#out[@]}"
    printf '  %-16s of which the shell and web view starting, before the page loads: %s\n' "" "$(stat 3)"
  }
  run_start >/dev/null # warm the page cache once
  starts "idle"
  # Both cores busy, as on a laptop running an update or a virus scan.
  busy=()
  for _ in 1 2; do (while :; do :; done) & busy+=($!); done
  starts "both cores busy"
  kill "${busy[@]}" 2>/dev/null || true
  wait "${busy[@]}" 2>/dev/null || true
fi
