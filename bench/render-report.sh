#!/usr/bin/env bash
# Renders RUN_DIR/report.html in headless Chromium (Debian's `chromium`), saves RUN_DIR/report/screenshot.png and
# fails unless the page rendered: a screenshot with many colours (plots, filters, shaded confusion cells) and the
# summary table in the DOM Chromium built.
set -euo pipefail
run_dir="${1:?usage: bench/render-report.sh RUN_DIR}"
html="$(cd "$run_dir" && pwd)/report.html"
[ -f "$html" ] || { echo "render-report: $html is missing: run 'convexcnn report $run_dir' first" >&2; exit 2; }
command -v chromium >/dev/null || { echo "render-report: chromium is missing: apt-get install -y chromium" >&2; exit 2; }
shot="$(dirname "$html")/report/screenshot.png"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$(mktemp -d)")
chromium "${flags[@]}" --window-size=1100,2400 --screenshot="$shot" "file://$html" >/dev/null 2>&1
dom="$(chromium "${flags[@]}" --dump-dom "file://$html" 2>/dev/null)"
/usr/bin/python3 - "$shot" "$html" <<'PY'
import re, struct, sys, zlib
shot, html = sys.argv[1], sys.argv[2]
data = open(shot, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG"
w, h = struct.unpack(">II", data[16:24])
# Decode the PNG (8-bit RGB/RGBA, no interlace) to count distinct colours: a blank page has one.
idat = b"".join(data[i + 8:i + 8 + struct.unpack(">I", data[i:i + 4])[0]]
                for i in [m.start() - 4 for m in re.finditer(b"IDAT", data)])
raw = zlib.decompress(idat)
bpp = {2: 3, 6: 4}[data[25]]
stride = w * bpp + 1
colours = {raw[r * stride + 1 + x * bpp: r * stride + 1 + x * bpp + 3] for r in range(0, h, 7) for x in range(0, w, 5)}
imgs = len(re.findall(r"<img ", open(html).read()))
print(f"render-report: screenshot {shot}: {w}x{h}, {len(colours)} distinct colours sampled; report has {imgs} images")
sys.exit(0 if len(colours) > 20 and imgs > 0 else 1)
PY
grep -q '<table id="summary">' <<<"$dom" || { echo "render-report: the summary table is missing from the rendered DOM" >&2; exit 1; }
echo "render-report: OK"
