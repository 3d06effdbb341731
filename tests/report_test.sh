#!/usr/bin/env bash
# The report in a real browser: record the example apps, generate their
# tests, build the report with --replay and --generated, and open it in
# headless Chromium. Checks the DOM (a row per snapshot, a page per
# snapshot with its SVG charts, sortable columns) and that screenshots of
# the index and of a page are not blank. Run by ./test.sh (it calls bazel
# itself). With SCREENSHOTS=DIR, the screenshots are kept there (the
# README's docs/report-*.png are made so).
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=generated/report_test
WORK=$(mktemp -d)
trap 'rm -rf "$WORK" "$OUT"' EXIT
rm -rf "$OUT"
failures=0
fail() { echo "report_test: FAIL: $*"; failures=$((failures + 1)); }
BROWSER=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars)

bazel build --config=quiet //tools:record //tools:codegen //tools:report //examples/... || exit 1

for app in naive_softmax log_likelihood fractional_power shape_mismatch user_kernel stack_overflow; do
  bazel-bin/tools/record --out="$WORK/snapshots" "bazel-bin/examples/$app" >/dev/null 2>&1
done
bazel-bin/tools/record --out="$WORK/snapshots" --inject=power:error@3 \
  bazel-bin/examples/injected_power >/dev/null 2>&1
n=$(ls "$WORK"/snapshots/*.fb | wc -l)
bazel-bin/tools/codegen --out="$OUT" --kernel_deps=//kernels,//examples:gather_kernel \
  "$WORK/snapshots" >/dev/null 2>&1

out=$(bazel-bin/tools/report --out="$WORK/report" --replay --generated="$OUT" "$WORK/snapshots")
[[ $? -eq 0 && $out == "report: $WORK/report/index.html ($n snapshot(s))" ]] \
  || fail "report printed: $out"
bazel-bin/tools/report --json --out="$WORK/report-json" "$WORK/snapshots" \
  | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["snapshots"]) == '"$n"', d' \
  || fail "--json is not the report's data"
bazel-bin/tools/report --out=report "$WORK/snapshots" 2>"$WORK/err"; rc=$?
[[ $rc -eq 2 ]] && grep -q "holds other files than a report" "$WORK/err" \
  || fail "writing into the source folder report/: rc $rc, $(cat "$WORK/err")"

# The index in a browser: a row per snapshot, sortable headers, a link per page.
"${BROWSER[@]}" --dump-dom "file://$WORK/report/index.html" >"$WORK/index.dom" 2>/dev/null
rows=$(grep -o '<tr class="snapshot">' "$WORK/index.dom" | wc -l)
[[ $rows -eq $n ]] || fail "index: $rows rows, want $n"
grep -q 'onclick="sortTable(this)">category</th>' "$WORK/index.dom" || fail "index: no sortable columns"
grep -q '<svg' "$WORK/index.dom" || fail "index: no chart"
grep -q 'reproduced</span>' "$WORK/index.dom" || fail "index: no replay verdicts"
grep -q "//$OUT/" "$WORK/index.dom" || fail "index: no generated test targets"
grep -q '<span class="tag caller">caller</span>' "$WORK/index.dom" || fail "index: no triage"

# Every page in a browser: its charts, stack and environment.
for page in "$WORK"/report/snapshots/*.html; do
  "${BROWSER[@]}" --dump-dom "file://$page" >"$WORK/page.dom" 2>/dev/null
  grep -q '<h2>Call stack</h2>' "$WORK/page.dom" || fail "$(basename "$page"): no call stack"
  grep -q '<h2>Environment</h2>' "$WORK/page.dom" || fail "$(basename "$page"): no environment"
  charts=$(grep -o '<svg' "$WORK/page.dom" | wc -l)
  [[ $charts -ge 2 ]] || fail "$(basename "$page"): $charts charts"
done
log_page=$(ls "$WORK"/report/snapshots/log-*.html)
"${BROWSER[@]}" --dump-dom "file://$log_page" >"$WORK/log.dom" 2>/dev/null
grep -q 'class="overlay"' "$WORK/log.dom" || fail "log page: no synthesized overlay"
grep -q '<h2>Generated test</h2>' "$WORK/log.dom" || fail "log page: no generated test source"

# Screenshots that are not blank.
shots=${SCREENSHOTS:-$WORK}
"${BROWSER[@]}" --window-size=1400,1000 --screenshot="$shots/report-index.png" \
  "file://$WORK/report/index.html" >/dev/null 2>&1
"${BROWSER[@]}" --window-size=1400,1500 --screenshot="$shots/report-snapshot.png" \
  "file://$(ls "$WORK"/report/snapshots/exp-*.html)" >/dev/null 2>&1
for png in "$shots/report-index.png" "$shots/report-snapshot.png"; do
  /usr/bin/python3 - "$png" <<'PY' || fail "$png is blank or not a PNG"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat = 8, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + length]
    pos += 12 + length
pixels = zlib.decompress(idat)
# A blank page's rows filter down to a handful of byte values; a drawn one
# has many.
assert len(set(pixels)) > 32, len(set(pixels))
PY
done

if [[ $failures -gt 0 ]]; then
  echo "report_test: $failures check(s) failed"
  exit 1
fi
echo "report_test: $n snapshots -> report -> Chromium: all checks passed"
