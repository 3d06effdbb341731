#!/usr/bin/env bash
# Installs what is missing and runs every test of the project.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install_deps.sh
bazel test //...
tests/loop_test.sh
