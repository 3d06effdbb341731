#!/usr/bin/env bash
# The whole loop, end to end, as a user runs it: record the example apps,
# replay the snapshots, generate tests, and run them with `bazel test`.
# Checks: generated tests are red for the real bugs, green against a fixed
# kernel (the user kernel's crash, fixed; the injected fault, whose real
# kernel is fine), and the --expect=failure tests are green. Run by
# ./test.sh (it calls bazel itself, so it cannot be a bazel test).
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=generated/e2e
SNAPS=$(mktemp -d)
trap 'rm -rf "$SNAPS" "$OUT"' EXIT
rm -rf "$OUT"
failures=0
fail() { echo "loop_test: FAIL: $*"; failures=$((failures + 1)); }

bazel build --config=quiet //tools:record //tools:replay //tools:codegen //examples/... || exit 1

# Record: one folder of snapshots for the real bugs, one for the injected fault.
for app in naive_softmax log_likelihood fractional_power shape_mismatch user_kernel; do
  bazel-bin/tools/record --out="$SNAPS/real" "bazel-bin/examples/$app" >/dev/null 2>&1
done
bazel-bin/tools/record --out="$SNAPS/injected" --inject=power:error@3 \
  bazel-bin/examples/injected_power >/dev/null 2>&1
n_real=$(ls "$SNAPS"/real/*.fb | wc -l)
[[ $n_real -eq 6 ]] || fail "expected 6 snapshots of real bugs, got $n_real"

# Replay: the real bugs reproduce (the user kernel's with examples:replay).
bazel-bin/examples/replay "$SNAPS/real" >/dev/null || fail "replay of the real bugs: exit $?"
bazel-bin/tools/replay "$SNAPS/injected" >/dev/null
[[ $? -eq 1 ]] || fail "the injected fault should replay as not-reproduced"

# Generate: tests that want the failures fixed, and tests that want them.
DEPS=--kernel_deps=//kernels,//examples:gather_kernel
bazel-bin/tools/codegen --out="$OUT/fixed" --expect=fixed "$DEPS" "$SNAPS/real" "$SNAPS/injected" \
  >"$SNAPS/codegen.txt" || fail "codegen exited $?"
# By default codegen triages: the five caller bugs are pinned, gather's
# crash is the kernel's and is expected fixed, the injected fault too.
bazel-bin/tools/codegen --out="$OUT/auto" --json "$DEPS" "$SNAPS/real" "$SNAPS/injected" \
  >"$SNAPS/auto.json" || fail "codegen --expect=auto exited $?"
n_pinned=$(grep -c '"expect":"failure","triage":"caller"' "$SNAPS/auto.json")
n_kernel=$(grep -c '"expect":"fixed","triage":"kernel"' "$SNAPS/auto.json")
n_injected=$(grep -c '"expect":"fixed","triage":"injected"' "$SNAPS/auto.json")
[[ $n_pinned -eq 5 && $n_kernel -eq 1 && $n_injected -eq 1 ]] \
  || fail "triage: $n_pinned caller, $n_kernel kernel, $n_injected injected; want 5, 1, 1"
grep -q "fix the caller" "$OUT"/auto/log_*/log_*_test.cc || fail "a pinned test does not say to fix the caller"
rm -rf "$OUT/auto"
bazel-bin/tools/codegen --out="$OUT/failure" --expect=failure "$DEPS" "$SNAPS/real" \
  >/dev/null || fail "codegen --expect=failure exited $?"
# Idempotent: the same snapshots give the same bytes.
before=$(cat "$OUT"/fixed/*/* | md5sum)
bazel-bin/tools/codegen --out="$OUT/fixed" --expect=fixed "$DEPS" "$SNAPS/real" "$SNAPS/injected" >/dev/null
[[ $(cat "$OUT"/fixed/*/* | md5sum) == "$before" ]] || fail "codegen is not idempotent"

# Run them. The fixed-expectation tests: red for each real bug.
bazel test --config=quiet --test_output=summary "//$OUT/fixed/..." >"$SNAPS/fixed.txt" 2>&1
snap=$(basename "$SNAPS"/injected/*.fb .fb)          # power-<16 hex>
injected_pkg="${snap%%-*}_$(echo "${snap#*-}" | cut -c1-8)"  # power_<8 hex>
grep -q "injected by REPRO_INJECT" "$OUT/fixed/$injected_pkg/${injected_pkg}_test.cc" \
  || fail "the injected snapshot's test does not say it was injected"
grep -q "TEST(Snapshot, SynthesizedData)" "$OUT/fixed/$injected_pkg/${injected_pkg}_test.cc" \
  || fail "the injected snapshot's package has no test on synthesized data"
while read -r target status; do
  case "$target" in
    *"$injected_pkg"*) [[ $status == PASSED ]] || fail "$target: $status, want PASSED (injected fault)";;
    *) [[ $status == FAILED ]] || fail "$target: $status, want FAILED (the bug is still there)";;
  esac
done < <(grep -E '^//generated/e2e/fixed/' "$SNAPS/fixed.txt" | awk '{print $1, $2}')
n_fixed=$(grep -cE '^//generated/e2e/fixed/.* (PASSED|FAILED)' "$SNAPS/fixed.txt")
[[ $n_fixed -eq 7 ]] || { fail "ran $n_fixed fixed-expectation targets, want 7"; cat "$SNAPS/fixed.txt"; }
# A generated test binary run directly, from another folder, finds its
# snapshot in its runfiles (and says the failure is still there).
direct=$(cd "$SNAPS" && "$OLDPWD/bazel-bin/$OUT/fixed/$injected_pkg/${injected_pkg}_test" 2>&1)
grep -q "NOT_FOUND\|No such file" <<<"$direct" && fail "a generated test run directly cannot find its snapshot"
grep -q "PASSED" <<<"$direct" || fail "the injected package's test, run directly, did not pass: $direct"
# Both tests of a synthesized package are red, not only the exact replay.
log=$(ls bazel-testlogs/generated/e2e/fixed/log_*/*/test.log 2>/dev/null | head -1)
[[ -n $log ]] && grep -q 'FAILED  ] Snapshot.SynthesizedData' "$log" \
  || fail "the log package's SynthesizedData test should fail too"

# Against a fixed kernel: the crash's test, red above with the buggy gather,
# is green when it links the fixed one (examples/gather_kernel_fixed.cc).
bazel-bin/tools/codegen --out="$OUT/fixed_kernel" --kernel_deps=//kernels,//examples:gather_kernel_fixed \
  "$SNAPS"/real/gather-*.fb >/dev/null || fail "codegen for the fixed kernel exited $?"
bazel test --config=quiet --test_output=errors "//$OUT/fixed_kernel/..." >"$SNAPS/fixed_kernel.txt" 2>&1 \
  || { fail "the crash's test is not green against the fixed kernel"; cat "$SNAPS/fixed_kernel.txt"; }

# No false green: the crash's test pinned (--expect=failure) but generated
# without the user kernel's library is red, and says why.
bazel-bin/tools/codegen --out="$OUT/missing_kernel" --expect=failure "$SNAPS"/real/gather-*.fb \
  >/dev/null || fail "codegen without the user kernel exited $?"
if bazel test --config=quiet --test_output=errors "//$OUT/missing_kernel/..." \
     >"$SNAPS/missing_kernel.txt" 2>&1; then
  fail "a pinned test whose kernel is not linked passed"
fi
grep -q "unknown kernel 'gather'" bazel-testlogs/generated/e2e/missing_kernel/*/*/test.log \
  || { fail "the missing kernel's test does not say why"; cat "$SNAPS/missing_kernel.txt"; }

# The failure-expectation tests: all green.
bazel test --config=quiet --test_output=errors "//$OUT/failure/..." >"$SNAPS/failure.txt" 2>&1 \
  || { fail "--expect=failure tests are not all green"; cat "$SNAPS/failure.txt"; }

if [[ $failures -gt 0 ]]; then
  echo "loop_test: $failures check(s) failed"
  exit 1
fi
echo "loop_test: record -> replay -> codegen -> bazel test: all checks passed"
