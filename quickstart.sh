#!/usr/bin/env bash
# The whole loop on a fresh machine: install what is missing, record the
# example apps (each fails for a real reason), replay the snapshots, turn
# them into tests, and run the tests.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install_deps.sh

APPS=(naive_softmax log_likelihood fractional_power shape_mismatch user_kernel)
step() { printf '\n== %s\n' "$*"; }

step "building the tools and the example apps"
bazel build --config=quiet //tools:record //tools:inspect //tools:replay //tools:codegen \
  //tools:report //examples/... //python
rm -rf snapshots generated/examples

for app in "${APPS[@]}"; do
  step "record examples/$app"
  bazel-bin/tools/record bazel-bin/examples/"$app" || true
done
step "record examples/numpy_app.py, a NumPy program, with no change to it"
PYTHONPATH=bazel-bin/python REPRO_RECORD=snapshots/numpy /usr/bin/python3 examples/numpy_app.py
step "record examples/injected_power with a simulated error in the 3rd power call"
bazel-bin/tools/record --out=snapshots/injected --inject=power:error@3 \
  bazel-bin/examples/injected_power

first=$(ls snapshots/*.fb | head -n 1)
step "inspect $first"
bazel-bin/tools/inspect "$first"

step "replay: do the failures still happen?"
# examples:replay is the replay tool with the example's own kernel (gather).
bazel-bin/examples/replay snapshots snapshots/injected snapshots/numpy || true
step "replay the NumPy snapshots on NumPy itself"
PYTHONPATH=bazel-bin/python /usr/bin/python3 -m repro.replay snapshots/numpy/*.fb || true

step "codegen: one test package per snapshot in generated/examples"
bazel-bin/tools/codegen --out=generated/examples \
  --kernel_deps=//kernels,//examples:gather_kernel snapshots snapshots/injected
step "codegen: the NumPy snapshots as a C++ test and a pytest each"
bazel-bin/tools/codegen --out=generated/examples/numpy snapshots/numpy

step "bazel test //generated/examples/... (green = pinned caller bug, red = kernel bug still there)"
bazel test --config=quiet --test_output=summary //generated/examples/... 2>&1 \
  | grep -E '^//generated' || true

step "report: the whole run as an HTML page"
bazel-bin/tools/report --out=snapshots/report --replay --generated=generated/examples \
  snapshots snapshots/injected snapshots/numpy

cat <<'MSG'

What happened:
  - each app ran with recording on; every failing kernel call became a
    snapshot in ./snapshots (look inside with bazel run //tools:inspect -- FILE);
    the NumPy program's failing NumPy calls too, in ./snapshots/numpy, replayed
    on Repro's kernels and on NumPy, with a pytest next to each C++ test;
  - replay re-ran each call: the real bugs reproduce, the injected fault does not;
  - codegen wrote a test package per snapshot under generated/examples/, each
    with an exact replay and a test on synthesized look-alike data, and
    triaged each failure by running the kernel's reference implementation:
  - the callers' bugs (the reference fails the same way) get tests that PASS
    while the kernel behaves as NumPy does and say to fix the caller; the
    kernel's bug (gather's crash) gets a test that FAILS until it is fixed;
    the injected fault's test passes, because the real power kernel is fine;
  - snapshots/report/index.html shows it all: open it in a browser.
Fix a bug (regenerate with --expect=fixed to want every failure gone) and run
  bazel test //generated/examples/...
MSG
