#!/usr/bin/env bash
# End to end: the real codegen tool on real and hostile snapshots. A bad file
# is one line naming it and exit 2, and loses nothing: the good files in the
# same run are still written. (tests/loop_test.sh builds and runs what it
# writes.)
set -uo pipefail

RUNFILES="${TEST_SRCDIR:-$PWD/..}/repro"
cd "$RUNFILES"
WORK="${TEST_TMPDIR:-/tmp}/e2e_codegen"
rm -rf "$WORK" && mkdir -p "$WORK/ws"
touch "$WORK/ws/WORKSPACE"  # generated packages must live in a workspace
OUT="$WORK/ws/generated"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

tools/record --out="$WORK/snaps" examples/log_likelihood >/dev/null 2>&1
snap=$(ls "$WORK"/snaps/log-*.fb)
out=$(tools/codegen --out="$OUT" "$snap" 2>&1); rc=$?
[[ $rc -eq 0 && $out == "//generated/log_"*":log_"*"_test  (exact replay + synthesized data; triage: caller, pins it: fix the caller)" ]] \
  || fail "one snapshot: rc $rc: $out"
pkg=$(ls "$OUT")
[[ -f $OUT/$pkg/BUILD.bazel && -f $OUT/$pkg/${pkg}_test.cc && -f $OUT/$pkg/snapshot.fb ]] \
  || fail "package files missing: $(ls "$OUT/$pkg")"
cmp -s "$snap" "$OUT/$pkg/snapshot.fb" || fail "the package's snapshot differs from the recorded one"
grep -q "ExpectReplay(\"generated/$pkg/snapshot.fb\"" "$OUT/$pkg/${pkg}_test.cc" \
  || fail "the exact replay does not point at the package's snapshot"

# A snapshot over --max_copy_bytes is not copied: a warning, and a package
# with the synthesized test only.
out=$(tools/codegen --out="$WORK/ws/small" --max_copy_bytes=100 "$snap" 2>"$WORK/err"); rc=$?
[[ $rc -eq 0 && $out == *"(synthesized data;"* ]] || fail "--max_copy_bytes: rc $rc: $out"
grep -q "over --max_copy_bytes=100: not copied" "$WORK/err" || fail "--max_copy_bytes: no warning"
[[ ! -e $WORK/ws/small/$pkg/snapshot.fb ]] || fail "--max_copy_bytes: the snapshot was copied"
grep -q "TEST(Snapshot, ExactReplay)" "$WORK/ws/small/$pkg/${pkg}_test.cc" \
  && fail "--max_copy_bytes: an exact replay without its snapshot"
grep -q "too large to copy here" "$WORK/ws/small/$pkg/${pkg}_test.cc" \
  || fail "--max_copy_bytes: the test does not say why it has no exact replay"

# --expect=failure writes tests that want the failure.
tools/codegen --out="$WORK/ws/pinned" --expect=failure "$snap" >/dev/null
grep -q "Expect::kFailure" "$WORK/ws/pinned/$pkg/${pkg}_test.cc" || fail "--expect=failure ignored"

# Hostile files among good ones: each bad one is a line naming it, the good
# ones are written, exit 2.
tests/make_bad_snapshots "$WORK/bad" || fail "make_bad_snapshots"
out=$(tools/codegen --out="$WORK/ws/mixed" "$WORK/bad" 2>"$WORK/err"); rc=$?
[[ $rc -eq 2 ]] || fail "folder with bad files: exit $rc, want 2"
for f in truncated:"zstd frame" bitflip:"zstd: " wrong_version:"version 99 is newer" \
         wrong_identifier:"not a Repro snapshot" size_mismatch:"input 0: data holds 24 bytes" \
         negative_shape:"input 0: negative dimension" bad_index:"bad element index 0 is outside" \
         bad_strides:"input 0: bad strides" \
         wrong_arity:"holds 1 input(s); divide takes 2"; do
  name=${f%%:*}
  reason=${f#*:}
  [[ $(grep -c "$name.fb" "$WORK/err") -eq 1 ]] || fail "$name: want one line: $(cat "$WORK/err")"
  grep -q "$name.fb: .*$reason" "$WORK/err" || fail "$name: want '$reason': $(cat "$WORK/err")"
done
[[ -f $WORK/ws/mixed/log_00000000/BUILD.bazel ]] || fail "the good snapshot was not written: $out"
# A kernel codegen does not link (a user's kernel) keeps the exact replay.
[[ $out == *"no_such_kernel_00000000_test  (exact replay; triage: unknown"* &&
   $out == *"not linked into codegen"* ]] \
  || fail "unknown kernel: $out"
[[ $(ls "$WORK/ws/mixed" | wc -l) -eq 2 ]] || fail "wrote $(ls "$WORK/ws/mixed")"

# --json: one object per snapshot, errors included.
n=$(tools/codegen --json --out="$WORK/ws/json" "$WORK/bad" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert sum("error" in r for r in rows) == 9, rows
assert all(r["target"].startswith("//json/") for r in rows if "target" in r), rows
print(len(rows))')
[[ $n == 11 ]] || fail "--json: $n objects, want 11"

# Bad usage: one line, exit 2, nothing written.
for args in "--expect=maybe $snap" "--out=/proc/x $snap" "--out=$WORK/ws $snap" "" "--nope $snap" \
            "--kernel_deps=//kernels,not-a-label $snap"; do
  # shellcheck disable=SC2086
  out=$(tools/codegen $args 2>&1); rc=$?
  [[ $rc -eq 2 ]] || fail "codegen $args: exit $rc, want 2: $out"
  [[ $(printf '%s\n' "$out" | wc -l) -eq 1 ]] || fail "codegen $args: not one line: $out"
done
out=$(tools/codegen --out="$OUT" "$WORK/no-such.fb" 2>&1); rc=$?
[[ $rc -eq 2 && $out == *"no-such.fb: "* ]] || fail "missing file: rc $rc $out"
tools/codegen --help | grep -q -- "--expect" || fail "--help does not list --expect"

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all end-to-end codegen checks passed"
