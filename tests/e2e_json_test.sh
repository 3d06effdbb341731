#!/usr/bin/env bash
# End to end: every tool's --json output is JSON, read by a real parser
# (Python's json, which rejects bare NaN and Infinity when asked to), on
# snapshots full of NaN and Inf: numbers that are not finite are the
# strings "nan", "inf", "-inf".
set -uo pipefail

RUNFILES="${TEST_SRCDIR:-$PWD/..}/repro"
cd "$RUNFILES"
WORK="${TEST_TMPDIR:-/tmp}/e2e_json"
rm -rf "$WORK" && mkdir -p "$WORK/ws"
touch "$WORK/ws/WORKSPACE"  # generated packages must live in a workspace
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Each line of FILE must be one JSON object; at least MIN lines.
check() {
  local what=$1 file=$2 min=$3
  /usr/bin/python3 - "$file" "$min" <<'PY' || fail "$what: not JSON (see above)"
import json, sys
def strict(token):
    raise ValueError("bare " + token + " is not JSON")
lines = [l for l in open(sys.argv[1]) if l.strip()]
for l in lines:
    json.loads(l, parse_constant=strict)
if len(lines) < int(sys.argv[2]):
    raise SystemExit(f"{len(lines)} JSON lines, want at least {sys.argv[2]}")
PY
}

# The application writes to the same stdout: record's JSON is its last line.
tools/record --json --out="$WORK/snaps" examples/naive_softmax 2>/dev/null | tail -n1 \
  >"$WORK/record.json"
tools/record --json --out="$WORK/snaps" examples/log_likelihood 2>/dev/null | tail -n1 \
  >>"$WORK/record.json"
check record "$WORK/record.json" 2
tools/inspect --json "$WORK/snaps" >"$WORK/inspect.json" || fail "inspect exited $?"
check inspect "$WORK/inspect.json" 3
grep -q '"nan"' "$WORK/inspect.json" || fail "inspect --json has no \"nan\": the test data lacks NaN"
grep -q '"-inf"' "$WORK/inspect.json" || fail "inspect --json has no \"-inf\""
tools/replay --json "$WORK/snaps" >"$WORK/replay.json"
check replay "$WORK/replay.json" 3
tools/codegen --json --out="$WORK/ws/generated" "$WORK/snaps" >"$WORK/codegen.json" \
  || fail "codegen exited $?"
check codegen "$WORK/codegen.json" 3
tools/report --json --out="$WORK/report" "$WORK/snaps" >"$WORK/report.json" 2>/dev/null \
  || fail "report exited $?"
check report "$WORK/report.json" 1
tools/search --json --kernel=exp,log,power --evaluations=300 --out="$WORK/found" \
  >"$WORK/search.json" || fail "search exited $?"
check search "$WORK/search.json" 1
tools/inspect --json "$WORK/found" >"$WORK/found.json" || fail "inspect of findings exited $?"
check "inspect of the search's findings" "$WORK/found.json" 5

if [[ $failures -ne 0 ]]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "PASS"
