#!/usr/bin/env bash
# The search end to end, as a user runs it: search built-in and planted
# kernels with a fixed seed and a small budget, check what it finds, that
# one seed gives the same bytes, that the master survives crashing and
# hanging workers, and that codegen turns the findings into tests that are
# red with --expect=fixed and green with --expect=failure. Run by ./test.sh
# (it calls bazel itself, so it cannot be a bazel test).
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=generated/search_e2e
TMP=$(mktemp -d)
trap 'rm -rf "$TMP" "$OUT"' EXIT
rm -rf "$OUT"
failures=0
fail() { echo "search_test: FAIL: $*"; failures=$((failures + 1)); }

bazel build --config=quiet //tools:search //tools:search_planted //tools:codegen \
  //tools:inspect //examples:search || exit 1

KERNELS=exp,log,power,divide,floor_divide,matmul,cholesky
for run in a b; do
  bazel-bin/tools/search --kernel=$KERNELS --seed=7 --evaluations=1500 --out="$TMP/$run" \
    >"$TMP/$run.txt" || fail "search run $run exited $?"
done
diff -r "$TMP/a" "$TMP/b" >/dev/null || fail "two runs with --seed=7 wrote different files"
for want in exp-overflow log-invalid log-divide power-invalid divide-divide floor_divide-divide \
            matmul-error cholesky-error; do
  ls "$TMP/a/$want-"*.fb >/dev/null 2>&1 || fail "no $want finding"
done
grep -q "matrix is not positive definite" "$TMP/a.txt" || fail "cholesky's positive-definite error not found"
# The integer division by zero: floor_divide of int inputs.
bazel-bin/tools/search --kernel=floor_divide --seed=7 --evaluations=1500 --json --out="$TMP/a" \
  | grep -q '"objective":"divide"' || fail "search --json has no divide finding"
int_divide=0
for f in "$TMP"/a/floor_divide-divide-*.fb; do
  bazel-bin/tools/inspect --json --no_data "$f" | grep -q '"dtype":"Int' && int_divide=1
done
[[ $int_divide -eq 1 ]] || fail "floor_divide's divide finding has no integer inputs"

# Planted failures: a crash and a hang; the master goes on after both.
bazel-bin/tools/search_planted --kernel=planted_crash,planted_hang --seed=7 --evaluations=300 \
  --timeout_ms=100 --out="$TMP/planted" >"$TMP/planted.txt" || fail "planted search exited $?"
ls "$TMP"/planted/planted_crash-crash-*.fb >/dev/null 2>&1 || fail "no planted crash found"
ls "$TMP"/planted/hangs/planted_hang-hang-*.fb >/dev/null 2>&1 || fail "no planted hang found"
grep -qE '^planted_hang +[0-9]+/9 +300 ' "$TMP/planted.txt" || fail "the hang search did not spend its budget"

# A user's kernel: examples:search finds gather's out-of-bounds crash.
bazel-bin/examples/search --kernel=gather --seed=7 --evaluations=1500 --out="$TMP/gather" \
  >/dev/null || fail "examples:search exited $?"
ls "$TMP"/gather/gather-crash-*.fb >/dev/null 2>&1 || fail "no crash found in the user's gather"

# The sharded Bazel test (search/search.bzl): each shard its own seed and
# its findings in its undeclared outputs.
bazel test --config=quiet //search:builtin_search_test >/dev/null 2>&1 \
  || fail "bazel test //search:builtin_search_test failed"
/usr/bin/python3 - <<'PY' || fail "the shards' outputs are missing or the same"
import glob, sys, zipfile
zips = sorted(glob.glob("bazel-testlogs/search/builtin_search_test/shard_*_of_2/test.outputs/outputs.zip"))
names = [set(n for n in zipfile.ZipFile(z).namelist() if n.endswith(".fb")) for z in zips]
sys.exit(0 if len(names) == 2 and all(names) and names[0] != names[1] else 1)
PY

# Bad usage: one line, exit 2.
for args in "--kernel=nope" "" "--kernel=exp --evaluations=0" "--kernel=exp --workers=0" \
            "--kernel=exp stray"; do
  # shellcheck disable=SC2086
  bazel-bin/tools/search $args --out="$TMP/bad" >/dev/null 2>"$TMP/err.txt"
  code=$?
  [[ $code -eq 2 && $(wc -l <"$TMP/err.txt") -eq 1 ]] || fail "search $args: exit $code, $(cat "$TMP/err.txt")"
done

# Findings become tests: red while the behaviour stands, green pinned.
cp "$TMP"/planted/planted_crash-crash-*.fb "$TMP/a/"
rm -f "$TMP"/a/{power,floor_divide,divide}-*.fb  # fewer targets to build
DEPS=--kernel_deps=//kernels,//search:planted_kernels
bazel-bin/tools/codegen --out="$OUT/fixed" --expect=fixed "$DEPS" "$TMP/a" >/dev/null \
  || fail "codegen exited $?"
bazel-bin/tools/codegen --out="$OUT/failure" --expect=failure "$DEPS" "$TMP/a" >/dev/null \
  || fail "codegen --expect=failure exited $?"
# Regression suites (--suite): calls that pass, asserted and green today.
bazel-bin/tools/search --kernel=exp,softmax,matmul,cholesky --seed=7 --evaluations=1500 \
  --suite --out="$OUT/run" >"$TMP/suite.txt" || fail "search --suite exited $?"
n_suites=$(grep -c "  suite: " "$TMP/suite.txt")
[[ $n_suites -eq 4 ]] || fail "$n_suites suites written, want 4: $(cat "$TMP/suite.txt")"
# A suite of planted_scale (3x) is green on today's build and red against
# the kernel's variant one ulp off: the same test linked with the variant.
bazel-bin/tools/search_planted --kernel=planted_scale --seed=7 --evaluations=500 --suite \
  --kernel_deps=//kernels,//search:planted_scale --out="$OUT/scale" >/dev/null \
  || fail "search --suite of planted_scale exited $?"
cp -r "$OUT/scale/suites/planted_scale_suite" "$OUT/scale/suites/planted_scale_ulp"
sed -i 's#"//search:planted_scale"#"//search:planted_scale_ulp"#' \
  "$OUT/scale/suites/planted_scale_ulp/BUILD.bazel"
n=$(ls "$TMP"/a/*.fb | wc -l)
bazel test --config=quiet --test_output=summary "//$OUT/..." >"$TMP/test.txt" 2>&1
grep -qE "^//$OUT/scale/suites/planted_scale_suite:.* PASSED" "$TMP/test.txt" \
  || fail "the planted_scale suite is not green on today's build"
grep -qE "^//$OUT/scale/suites/planted_scale_ulp:.* FAILED" "$TMP/test.txt" \
  || fail "the planted_scale suite is not red against the one-ulp variant"
n_suite_green=$(grep -cE "^//$OUT/run/suites/.* PASSED" "$TMP/test.txt")
[[ $n_suite_green -eq 4 ]] || fail "$n_suite_green of 4 regression suites are green"
n_red=$(grep -cE "^//$OUT/fixed/.* FAILED" "$TMP/test.txt")
n_green=$(grep -cE "^//$OUT/failure/.* PASSED" "$TMP/test.txt")
[[ $n_red -eq $n ]] || fail "$n_red of $n --expect=fixed tests are red"
[[ $n_green -eq $n ]] || fail "$n_green of $n --expect=failure tests are green"

# Guided (--config=search: the kernels instrumented with gcc's comparison
# tracing): the overflow planted behind 41.5 <= x <= 41.500001 is found from the
# operands the kernel compares with; the same search without the
# instrumentation does not find it.
UNGUIDED=$TMP/search_planted_unguided
cp bazel-bin/tools/search_planted "$UNGUIDED"
bazel build --config=search --config=quiet //tools:search_planted || exit 1
GUIDED=bazel-out/k8-fastbuildsearch/bin/tools/search_planted
$GUIDED --kernel=planted_window --seed=7 --evaluations=3000 --coverage --compare_random \
  --out="$TMP/guided" >"$TMP/guided.txt" || fail "guided search exited $?"
ls "$TMP"/guided/planted_window-overflow-*.fb >/dev/null 2>&1 \
  || fail "the guided search did not find the planted window: $(cat "$TMP/guided.txt")"
grep -qE "coverage: [0-9]+ comparison sites" "$TMP/guided.txt" || fail "no coverage line"
grep -q "planted_kernels.cc:[0-9]* .*PlantedWindow" "$TMP/guided.txt" \
  || fail "--coverage does not name the planted comparison's source line"
grep -qE "PlantedWindow: covered .*== \(only\)" "$TMP/guided.txt" \
  || fail "--compare_random does not mark the equality only the guided search reached"
"$UNGUIDED" --kernel=planted_window --seed=7 --evaluations=3000 \
  --out="$TMP/unguided" >/dev/null || fail "unguided search exited $?"
ls "$TMP"/unguided/planted_window-overflow-*.fb >/dev/null 2>&1 \
  && fail "the unguided search found the window: the planted case is too easy"

# An exact floating-point constant and an integer equality: found by the
# guided search, not by random search with the same seed and budget.
for k in planted_constant:overflow planted_integer:error; do
  kernel=${k%%:*}
  objective=${k#*:}
  $GUIDED --kernel="$kernel" --seed=7 --evaluations=3000 --out="$TMP/g_$kernel" >/dev/null \
    || fail "guided search of $kernel exited $?"
  ls "$TMP/g_$kernel/$kernel-$objective-"*.fb >/dev/null 2>&1 \
    || fail "the guided search did not find $kernel's $objective"
  $GUIDED --random --kernel="$kernel" --seed=7 --evaluations=3000 --out="$TMP/r_$kernel" \
    >/dev/null || fail "random search of $kernel exited $?"
  ls "$TMP/r_$kernel/$kernel-$objective-"*.fb >/dev/null 2>&1 \
    && fail "random search found $kernel's $objective: the planted case is too easy"
done

# bazel-bin follows the last build: point it back at the normal one.
bazel build --config=quiet //tools:search >/dev/null 2>&1

if [[ $failures -ne 0 ]]; then
  echo "search_test: $failures failure(s)"
  exit 1
fi
echo "search_test: PASS ($n findings as tests, red and green as expected; suites green, and red on a one-ulp change)"
