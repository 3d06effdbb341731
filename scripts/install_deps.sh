#!/usr/bin/env bash
# Installs the Debian packages Repro needs, skipping those already there.
# Idempotent and quiet; near-instant when everything is installed.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap            # Bazel 4.2.3
  g++ clang-14 lld-14 libclang-rt-14-dev   # gcc build; clang for --config=fuzz
  libabsl-dev libflatbuffers-dev flatbuffers-compiler
  libeigen3-dev libzstd-dev zstd
  libxxhash-dev              # digests of large outputs in snapshots
  libsleef-dev               # SLEEF: the transcendental kernels (kernels/internal/sleef_math.h)
  libblis-dev libblis4-serial  # BLIS: matmul (kernels/internal/blis_gemm.h)
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy      # NumPy expectation tables and the NumPy baseline
  python3-dev pybind11-dev python3-pytest   # the NumPy bridge (python/) and its pytests
  python3-wrapt              # the wrapt monitor, python/bench_overhead.py's baseline
  libopenblas0-pthread       # OpenBLAS under NumPy for the matmul comparison
  chromium fonts-dejavu-core # the report's browser test (tests/report_test.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
  [[ "$p" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install_deps: installing ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
