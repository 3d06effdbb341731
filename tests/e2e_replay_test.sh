#!/usr/bin/env bash
# End to end: record every example app, replay each snapshot with the real
# tool, and check the verdicts and exit codes; then feed replay hostile files.
set -uo pipefail

RUNFILES="${TEST_SRCDIR:-$PWD/..}/repro"
cd "$RUNFILES"
WORK="${TEST_TMPDIR:-/tmp}/e2e_replay"
rm -rf "$WORK" && mkdir -p "$WORK"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_replay WANT_EXIT WANT_VERDICT [replay flags...] SNAPSHOT
expect_replay() {
  local want_exit=$1 want=$2
  shift 2
  local out rc
  out=$("${REPLAY:-tools/replay}" "$@" 2>&1)
  rc=$?
  [[ $rc -eq $want_exit ]] || fail "replay $*: exit $rc, want $want_exit: $out"
  [[ $out == *": $want "* ]] || fail "replay $*: want verdict '$want': $out"
}

record() {  # record NAME [flags...] -> $WORK/NAME/*.fb
  local name=$1
  shift
  tools/record --out="$WORK/$name" "$@" "examples/$name" >/dev/null 2>&1
}

record log_likelihood
expect_replay 0 reproduced "$WORK"/log_likelihood/*.fb
record fractional_power
expect_replay 0 reproduced "$WORK"/fractional_power/*.fb
record shape_mismatch
expect_replay 0 reproduced "$WORK"/shape_mismatch/*.fb
record naive_softmax
for f in "$WORK"/naive_softmax/*.fb; do expect_replay 0 reproduced "$f"; done

# A recorded crash replays as reproduced in the worker; the replay tool
# must know the user's kernel (examples:replay links it).
record user_kernel
REPLAY=examples/replay expect_replay 0 reproduced "$WORK"/user_kernel/*.fb
out=$(tools/replay "$WORK"/user_kernel/*.fb 2>&1); rc=$?
[[ $rc -eq 2 && $out == *"unknown kernel 'gather'; known kernels:"* ]] \
  || fail "the built-in replay should not know gather (rc $rc): $out"

# An injected fault does not reproduce unless it is injected again.
record injected_power --inject=power:error@3
expect_replay 1 not-reproduced "$WORK"/injected_power/*.fb
expect_replay 0 reproduced --inject_again "$WORK"/injected_power/*.fb
# An injected NaN: the real kernel is fine, as a fixed kernel would be.
tools/record --out="$WORK/nan" --inject=power:nan@2 examples/injected_power >/dev/null 2>&1
expect_replay 1 not-reproduced "$WORK"/nan/*.fb

# In-process replay gives the same verdicts.
expect_replay 0 reproduced --isolate=false "$WORK"/log_likelihood/*.fb

# A folder: a verdict per snapshot and a summary; --json one object each.
out=$(tools/replay "$WORK/naive_softmax" 2>&1); rc=$?
[[ $rc -eq 0 && $out == *"replay: 2 snapshot(s): 2 reproduced"* ]] || fail "folder summary: $out"
n=$(tools/replay --json "$WORK/naive_softmax" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert all(r["verdict"] == "reproduced" and r["outputs_identical"] for r in rows), rows
print(len(rows))')
[[ $n == 2 ]] || fail "--json: $n objects"

# A stats snapshot (no input data) among replayable ones: skipped, said in
# the summary, exit 0.
tools/record --out="$WORK/mixed" --capture=stats examples/fractional_power >/dev/null 2>&1
cp "$WORK"/naive_softmax/*.fb "$WORK/mixed/"
out=$(tools/replay "$WORK/mixed"); rc=$?
[[ $rc -eq 0 && $out == *"power-"*": skipped — "*"stats capture"* && \
   $out == *"replay: 3 snapshot(s): 2 reproduced, 1 skipped"* ]] || fail "stats snapshot: rc $rc: $out"
tools/replay --json "$WORK/mixed" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert sorted(r["verdict"] for r in rows) == ["reproduced", "reproduced", "skipped"], rows
' || fail "--json of a skipped snapshot"

# Hostile files: exit 2 and one line naming the file and the reason.
tests/make_bad_snapshots "$WORK/bad" || fail "make_bad_snapshots"
expect_replay 0 reproduced "$WORK/bad/good.fb"
for f in truncated:"zstd frame" bitflip:"" wrong_version:"version 99 is newer" \
         wrong_identifier:"not a Repro snapshot" unknown_kernel:"unknown kernel 'no_such_kernel'" \
         size_mismatch:"input 0: data holds 24 bytes" \
         negative_shape:"input 0: negative dimension" bad_index:"bad element index 0 is outside" \
         bad_strides:"input 0: bad strides" \
         wrong_arity:"holds 1 input(s); divide takes 2"; do
  name=${f%%:*}
  reason=${f#*:}
  out=$(tools/replay "$WORK/bad/$name.fb" 2>&1); rc=$?
  [[ $rc -eq 2 ]] || fail "$name: exit $rc, want 2: $out"
  [[ $(printf '%s\n' "$out" | wc -l) -eq 1 ]] || fail "$name: more than one line: $out"
  [[ $out == *"$name.fb: "*"$reason"* ]] || fail "$name: want '$reason' and the file name: $out"
done
out=$(tools/replay "$WORK/no-such.fb" 2>&1); rc=$?
[[ $rc -eq 2 && $out == *"no-such.fb: no such file"* ]] || fail "missing file: rc $rc $out"
out=$(tools/replay --timeout=0 x.fb 2>&1); rc=$?
[[ $rc -eq 2 ]] || fail "--timeout=0: rc $rc"

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all end-to-end replay checks passed"
