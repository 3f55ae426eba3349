#!/usr/bin/env bash
# StoreCheck's benchmark (installs its peers, libvips-tools and chromium, if missing; the
# photos come from Debian's plasma-workspace-wallpapers): each figure of PRODUCT.md §10 that exists so far, beside its peer
# measured in the same run. Prints only; never fails on a slow figure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh >/dev/null
(cd ui && npm run build --silent)
cargo build --release --quiet -p storecheck-app -p storecheck

echo "== saving one answer"
cargo bench --quiet -p storecheck-core --bench save_answer 2>/dev/null | grep -v '^$'

echo
echo "== attaching one 12-megapixel JPEG (display copy + thumbnail, files flushed, rows committed)"
# A real photograph: a Debian wallpaper, cut to 4000×3000 with a little sensor-like noise and
# saved at quality 92, as a phone camera would (about 4 MB).
photo=target/bench/photo-12mp.jpg
if [ ! -s "$photo" ]; then
  mkdir -p target/bench
  (cd target/bench && apt-get download -qq plasma-workspace-wallpapers >/dev/null && dpkg -x plasma-workspace-wallpapers_*.deb wallpapers)
  convert target/bench/wallpapers/usr/share/wallpapers/Volna/contents/images/5120x2880.jpg \
    -resize 4000x3000^ -gravity center -extent 4000x3000 -attenuate 0.25 +noise Gaussian -quality 92 "$photo"
fi
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
if ! command -v vipsthumbnail >/dev/null; then
  echo "  (installing the peer, vipsthumbnail, from Debian's libvips-tools)"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends libvips-tools >/dev/null
fi
STORECHECK_BENCH_PHOTO="$PWD/$photo" cargo bench --quiet -p storecheck-core --bench attach_photo 2>/dev/null | grep -v '^$'

echo
echo "== the signed PDF of a 60-requirement audit with 20 photos from 12-megapixel originals"
# Twenty different Debian wallpapers, cut to 4000×3000 like the photo above.
mkdir -p target/bench/photos
n=$(ls target/bench/photos | wc -l)
for d in target/bench/wallpapers/usr/share/wallpapers/*/; do
  [ "$n" -ge 20 ] && break
  f=$(ls -S "$d"contents/images/*.jpg 2>/dev/null | head -1)
  [ -n "$f" ] || continue
  n=$((n + 1))
  convert "$f" -resize 4000x3000^ -gravity center -extent 4000x3000 -attenuate 0.25 +noise Gaussian \
    -quality 92 "target/bench/photos/p$(printf '%02d' "$n").jpg" 2>/dev/null
done
if ! command -v chromium >/dev/null; then
  echo "  (installing the peer, headless Chromium, from Debian's chromium)"
  DEBIAN_FRONTEND=noninteractive ${sudo_cmd:-} apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
STORECHECK_BENCH_PHOTOS="$PWD/target/bench/photos" cargo bench --quiet -p storecheck-report --bench report_pdf 2>/dev/null | grep -v '^$'

echo
echo "== app start to a usable window (process start until the first screen shows data), 10 starts"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
target/release/storecheck --db "$tmp/bench.db" demo >/dev/null
run_start() {
  STORECHECK_DB="$tmp/bench.db" STORECHECK_EXIT_WHEN_READY=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 \
    timeout 30 xvfb-run -a -s "-screen 0 1366x768x24" target/release/storecheck-app 2>/dev/null | sed -n 's/^ready after \(.*\) ms$/\1/p'
}
run_start >/dev/null # warm the page cache once
times=()
for _ in $(seq 10); do times+=("$(run_start)"); done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "  storecheck-app   median %.0f ms   max %.0f ms   (target <= 500 ms)\n", a[int((NR+1)/2)], a[NR]}'
