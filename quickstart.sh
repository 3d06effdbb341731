#!/usr/bin/env bash
# Installs what is missing, then builds and runs the example app: a naive
# softmax whose exp overflows on large logits.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install_deps.sh
echo "== bazel run //examples:naive_softmax"
bazel run --config=quiet //examples:naive_softmax
