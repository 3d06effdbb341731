#!/usr/bin/env bash
# End to end: record every example app with the real tools and check the
# snapshots, exit codes, summaries and inspect's output.
set -uo pipefail

RUNFILES="${TEST_SRCDIR:-$PWD/..}/repro"
cd "$RUNFILES"
RECORD=tools/record
INSPECT=tools/inspect
WORK="${TEST_TMPDIR:-/tmp}/e2e_record"
rm -rf "$WORK" && mkdir -p "$WORK"
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_record NAME EXPECTED_EXIT PATTERN [record flags...]: records the
# example app NAME; checks the exit code and that exactly one snapshot whose
# name matches PATTERN was written.
expect_record() {
  local name=$1 want_exit=$2 pattern=$3
  shift 3
  local out="$WORK/$name"
  "$RECORD" --out="$out" "$@" "examples/$name" >"$WORK/$name.stdout" 2>"$WORK/$name.stderr"
  local got=$?
  [[ $got -eq $want_exit ]] || fail "$name: exit $got, want $want_exit ($(cat "$WORK/$name.stderr"))"
  local snaps=("$out"/*.fb)
  [[ ${#snaps[@]} -eq 1 && -f ${snaps[0]} ]] || fail "$name: want one snapshot, got: ${snaps[*]}"
  [[ $(basename "${snaps[0]}") =~ $pattern ]] || fail "$name: snapshot ${snaps[0]} does not match $pattern"
  grep -q "snapshot(s) in" "$WORK/$name.stderr" || fail "$name: no summary"
  SNAP=${snaps[0]}
}

expect_record log_likelihood 0 '^log-[0-9a-f]{16}\.fb$'
"$INSPECT" "$SNAP" >"$WORK/inspect.txt" || fail "inspect exited $?"
grep -q "outcome    divide" "$WORK/inspect.txt" || fail "inspect: no divide outcome"
grep -q "breadcrumbs batch=0" "$WORK/inspect.txt" || fail "inspect: no breadcrumbs"
grep -q "failed 2 time(s)" "$WORK/inspect.txt" || fail "inspect: repeat count not 2"

expect_record fractional_power 0 '^power-'
"$INSPECT" "$SNAP" | grep -q "outcome    invalid" || fail "fractional_power: not invalid"

expect_record shape_mismatch 1 '^matmul-'
"$INSPECT" "$SNAP" | grep -q "inner dimensions differ" || fail "shape_mismatch: no message"

expect_record user_kernel 139 '^gather-'
grep -q "died of signal 11" "$WORK/user_kernel.stderr" || fail "user_kernel: signal not reported"
"$INSPECT" "$SNAP" | grep -q "outcome    crash, signal 11" || fail "user_kernel: not a crash"

expect_record injected_power 0 '^power-' --inject=power:error@3
grep -q "step 3: INTERNAL: injected fault" "$WORK/injected_power.stdout" || fail "no injected fault"
"$INSPECT" "$SNAP" | grep -q "injected by REPRO_INJECT" || fail "snapshot not marked injected"

expect_record naive_softmax 0 '^(exp|divide)-' --on=overflow
# JSON a real parser reads: infinities as strings, the fingerprint as hex,
# the data as numbers, floats that round-trip.
"$INSPECT" --json "$SNAP" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["kernel"] == "exp", d["kernel"]
assert d["outcome"]["bad_output_values"] == ["inf", "inf"], d["outcome"]
assert len(d["fingerprint"]) == 16 and int(d["fingerprint"], 16) > 0, d["fingerprint"]
assert d["inputs"][0]["data"] == [2, 1, 0.1, 800, 790, -5], d["inputs"][0]["data"]
assert d["inputs"][0]["dtype"] == "Float64" and d["outcome"]["failure"] == "Overflow"
' || fail "inspect --json is not the exp snapshot as JSON"
"$INSPECT" --json --no_data "$SNAP" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert "data" not in d["inputs"][0] and "profile" in d["inputs"][0]
' || fail "inspect --json --no_data kept the data"
"$RECORD" --json --out="$WORK/json" examples/naive_softmax 2>/dev/null | tail -1 \
  | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["failures"] == 2, d' \
  || fail "record --json is not JSON"
"$INSPECT" --npy="$WORK/npy" "$SNAP" >/dev/null || fail "inspect --npy exited $?"
[[ -s $(ls "$WORK"/npy/*_input0.npy) ]] || fail "no .npy written"

# A stack overflow in a user kernel: the handler runs on its own stack.
expect_record stack_overflow 139 '^tree_depth-'
"$INSPECT" "$SNAP" | grep -q "outcome    crash, signal 11" || fail "stack_overflow: not a crash"
"$INSPECT" "$SNAP" | grep -q "#0 (anonymous namespace)::Depth()" || fail "stack_overflow: no stack"

# SIGTERM, SIGINT and SIGHUP to record reach the application; the repeat
# count reaches the snapshot and record still summarizes. (Job control on:
# without it, background jobs ignore SIGINT, and so would the application.)
set -m
for sig in TERM INT HUP; do
  out="$WORK/endless_$sig"
  "$RECORD" --out="$out" examples/endless_training >"$out.stdout" 2>"$out.stderr" &
  pid=$!
  for _ in $(seq 100); do grep -q "^step 3:" "$out.stdout" 2>/dev/null && break; sleep 0.05; done
  kill -"$sig" "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null && fail "record did not end after SIG$sig"
  wait "$pid"; rc=$?
  signum=$(kill -l "$sig")
  [[ $rc -eq $((128 + signum)) ]] || fail "record after SIG$sig: exit $rc, want $((128 + signum))"
  grep -q "died of signal $signum" "$out.stderr" || fail "SIG$sig: $(cat "$out.stderr")"
  steps=$(grep -c "^step" "$out.stdout")
  grep -q "$steps failing calls" "$out.stderr" || fail "SIG$sig: summary does not count $steps steps: $(cat "$out.stderr")"
  "$INSPECT" "$out"/log-*.fb | grep -q "failed $steps time(s)" || fail "SIG$sig: count not in the snapshot"
  pgrep -f "examples/endless_training" >/dev/null && fail "SIG$sig: the application is still running"
done
set +m

# Stats capture keeps no raw values.
expect_record fractional_power 0 '^power-' --capture=stats
"$INSPECT" "$SNAP" | grep -q "statistics only (stats capture: no values kept)" \
  || fail "stats capture kept data"

# inspect takes folders too; a bad file among good ones is one line, exit 2.
echo "not a snapshot" >"$WORK/user_kernel/bad.fb"
"$INSPECT" "$WORK/log_likelihood" "$WORK/user_kernel" >"$WORK/dir.txt" 2>"$WORK/err"; rc=$?
[[ $rc -eq 2 && $(grep -c "^  kernel " "$WORK/dir.txt") -eq 2 && \
   $(wc -l <"$WORK/err") -eq 1 ]] && grep -q "bad.fb: not a zstd frame" "$WORK/err" \
  || fail "inspect of folders: rc $rc, $(cat "$WORK/err")"
rm "$WORK/user_kernel/bad.fb"

# Bad usage and bad input: exit 2 with one line.
"$RECORD" --on=sometimes examples/naive_softmax 2>"$WORK/err"; rc=$?
[[ $rc -eq 2 && $(wc -l <"$WORK/err") -eq 1 ]] || fail "record --on=sometimes: rc $rc"
"$RECORD" "$WORK/no-such-app" 2>"$WORK/err"; rc=$?
[[ $rc -eq 2 ]] || fail "record of a missing app: rc $rc"
echo "not a snapshot" >"$WORK/bad.fb"
"$INSPECT" "$WORK/bad.fb" 2>"$WORK/err"; rc=$?
[[ $rc -eq 2 ]] && grep -q "bad.fb: not a zstd frame" "$WORK/err" || fail "inspect of garbage: rc $rc"
"$INSPECT" --help >/dev/null || fail "inspect --help exited $?"

# An invalid REPRO_* variable never disturbs the application.
REPRO_RECORD="$WORK/env" REPRO_ON=bogus examples/fractional_power >"$WORK/out" 2>"$WORK/err"
rc=$?
[[ $rc -eq 0 ]] && grep -q "recording is off" "$WORK/err" && grep -q "cbrt(27) = 3" "$WORK/out" \
  || fail "bad REPRO_ON disturbed the app (rc $rc)"

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all end-to-end recording checks passed"
