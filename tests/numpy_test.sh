#!/usr/bin/env bash
# The NumPy bridge end to end, as a user runs it: an unmodified NumPy
# script (examples/numpy_app.py) under the switch. Checks: it prints exactly
# what it prints without recording; one snapshot per failing call; they
# reproduce on Repro's kernels (replay) and on NumPy (python3 -m
# repro.replay); `record --python` records the same; the generated C++ tests
# and pytests are red for the recorded reason and green with
# --expect=failure. Run by ./test.sh (it calls bazel itself).
set -uo pipefail
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
OUT=generated/numpy_e2e
TMP=$(mktemp -d)
trap 'rm -rf "$TMP" "$OUT"' EXIT
rm -rf "$OUT"
failures=0
fail() { echo "numpy_test: FAIL: $*"; failures=$((failures + 1)); }

bazel build --config=quiet //python //tools:record //tools:replay //tools:codegen || exit 1

# The switch: same output (stdout and warnings), one snapshot per failure.
$PY examples/numpy_app.py >"$TMP/plain.out" 2>"$TMP/plain.err" || fail "the app failed on its own"
PYTHONPATH=bazel-bin/python REPRO_RECORD="$TMP/snaps" $PY examples/numpy_app.py \
  >"$TMP/rec.out" 2>"$TMP/rec.err" || fail "the app failed under REPRO_RECORD"
cmp -s "$TMP/plain.out" "$TMP/rec.out" || fail "stdout differs under REPRO_RECORD"
cmp -s "$TMP/plain.err" "$TMP/rec.err" || fail "stderr differs under REPRO_RECORD"
for kernel in exp divide log inv sqrt; do
  ls "$TMP"/snaps/"$kernel"-*.fb >/dev/null 2>&1 || fail "no snapshot of $kernel"
done
n=$(ls "$TMP"/snaps/*.fb | wc -l)
[[ $n -eq 5 ]] || fail "expected 5 snapshots, got $n"
grep -q "produced by numpy" <(bazel-bin/tools/inspect "$TMP"/snaps/exp-*.fb) \
  || fail "inspect does not say NumPy produced the snapshot"

# Replay both ways: every snapshot reproduces.
bazel-bin/tools/replay "$TMP/snaps" >"$TMP/replay.txt" || fail "replay on Repro's kernels: exit $?"
[[ $(grep -c ": reproduced — " "$TMP/replay.txt") -eq 5 ]] || fail "replay: $(cat "$TMP/replay.txt")"
grep -q "outputs bit-identical to numpy" "$TMP/replay.txt" || fail "replay does not compare with NumPy's outputs"
PYTHONPATH=bazel-bin/python $PY -m repro.replay "$TMP"/snaps/*.fb >"$TMP/npreplay.txt" \
  || fail "python3 -m repro.replay: exit $?"
[[ $(grep -c ": reproduced on NumPy" "$TMP/npreplay.txt") -eq 5 ]] || fail "$(cat "$TMP/npreplay.txt")"
echo "not a snapshot" >"$TMP/bad.fb"
PYTHONPATH=bazel-bin/python $PY -m repro.replay "$TMP/bad.fb" >/dev/null 2>"$TMP/bad.txt"
[[ $? -eq 2 && $(wc -l <"$TMP/bad.txt") -eq 1 ]] || fail "repro.replay on a bad file: $(cat "$TMP/bad.txt")"

# record --python records the same failures.
bazel-bin/tools/record --out="$TMP/recorded" --python examples/numpy_app.py >/dev/null 2>&1 \
  || fail "record --python: exit $?"
[[ $(cd "$TMP/snaps" && ls *.fb) == $(cd "$TMP/recorded" && ls *.fb) ]] \
  || fail "record --python wrote other snapshots"

# Tests in both languages: red for the recorded reason, green when pinned.
bazel-bin/tools/codegen --out="$OUT/fixed" --expect=fixed "$TMP/snaps" >"$TMP/codegen.txt" \
  || fail "codegen exited $?"
[[ $(grep -c "_pytest" "$TMP/codegen.txt") -eq 5 ]] || fail "codegen: $(cat "$TMP/codegen.txt")"
bazel-bin/tools/codegen --out="$OUT/failure" --expect=failure "$TMP/snaps" >/dev/null \
  || fail "codegen --expect=failure exited $?"
bazel test --config=quiet --test_output=summary "//$OUT/fixed/..." >"$TMP/fixed.txt" 2>&1
[[ $(grep -c "FAILED in" "$TMP/fixed.txt") -eq 10 ]] || fail "want 10 red tests: $(grep -E 'PASSED|FAILED' "$TMP/fixed.txt")"
for log in bazel-testlogs/"$OUT"/fixed/log_*/log_*_pytest/test.log; do
  grep -q "NumPy's log still fails: divide" "$log" || fail "the log pytest is red for another reason"
done
for log in bazel-testlogs/"$OUT"/fixed/inv_*/inv_*_pytest/test.log; do
  grep -q "still fails: error (LinAlgError: Singular matrix)" "$log" || fail "the inv pytest is red for another reason"
done
bazel test --config=quiet --test_output=errors "//$OUT/failure/..." >"$TMP/failure.txt" 2>&1 \
  || fail "--expect=failure tests are red: $(grep FAILED "$TMP/failure.txt")"

if ((failures)); then
  echo "numpy_test: $failures failure(s)"
  exit 1
fi
echo "numpy_test: PASS"
