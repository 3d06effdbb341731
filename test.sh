#!/usr/bin/env bash
# Installs what is missing and runs every test of the project.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install_deps.sh
# Not //generated/...: what quickstart.sh or codegen left there is red by
# design (tests/loop_test.sh checks generated tests itself). Bazel rejects
# the exclusion when there is no package to exclude.
targets=(//...)
if [[ -n $(find generated -name BUILD.bazel -print -quit 2>/dev/null) ]]; then
  targets+=(-//generated/...)
fi
bazel test -- "${targets[@]}"
# The optimized build users build: the kernels' digests (the same bits as
# fastbuild), NumPy's tables in every lane and its accuracy data, and the
# synthesizer's NumPy port (before the end-to-end scripts, whose own builds
# point bazel-bin back at fastbuild).
bazel test -c opt //kernels:build_identity_test //kernels:numpy_table_test \
  //kernels:umath_validation_test //kernels:lanes_test //kernels:sleef_math_test \
  //python:synth_test
tests/loop_test.sh
tests/report_test.sh
tests/search_test.sh
tests/numpy_test.sh
