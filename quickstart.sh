#!/usr/bin/env bash
# Installs what is missing, then records the example apps: each fails for a
# real reason, and each failing kernel call becomes a snapshot in
# ./snapshots, which `inspect` shows.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install_deps.sh

APPS=(naive_softmax log_likelihood fractional_power shape_mismatch user_kernel)
echo "== building the tools and the example apps"
bazel build --config=quiet //tools:record //tools:inspect //examples/...
rm -rf snapshots
for app in "${APPS[@]}"; do
  echo
  echo "== record examples/$app"
  bazel-bin/tools/record bazel-bin/examples/"$app" || true
done
echo
echo "== record examples/injected_power with a simulated error in the 3rd power call"
bazel-bin/tools/record --inject=power:error@3 bazel-bin/examples/injected_power
echo
first=$(ls snapshots/*.fb | head -n 1)
echo "== inspect $first"
bazel-bin/tools/inspect "$first"
echo
echo "Snapshots are in ./snapshots; look at any with"
echo "  bazel run //tools:inspect -- snapshots/<name>.fb   (or --json, --npy=DIR)"
