"""repro_search_test: the search as a sharded Bazel test.

A team runs a large search on the Bazel cluster it already has: each shard
searches with its own seed (--seed + the shard's index), so N shards spend N
times the budget without repeating one another, and writes its findings as
snapshots into TEST_UNDECLARED_OUTPUTS_DIR (Bazel keeps them in
bazel-testlogs/PKG/NAME/shard_K_of_N/test.outputs/outputs.zip). The test
passes when the search ran; the findings are its output, for codegen.

Example (BUILD):
    load("//search:search.bzl", "repro_search_test")
    repro_search_test(
        name = "my_kernels_search",
        kernels = ["my_clip"],
        deps = [":my_kernels"],
        shards = 8,
        evaluations = 100000,
    )
"""

load("@rules_cc//cc:defs.bzl", "cc_test")

def repro_search_test(
        name,
        kernels,
        deps = [],
        shards = 1,
        evaluations = 5000,
        seed = 1,
        workers = 1,
        size = "medium",
        **kwargs):
    """A test that searches `kernels` (linked from `deps`, the built-in ones always)."""
    cc_test(
        name = name,
        args = [
            "--bazel_shard",
            "--kernel=" + ",".join(kernels),
            "--evaluations=%d" % evaluations,
            "--seed=%d" % seed,
            "--workers=%d" % workers,
        ],
        shard_count = shards,
        size = size,
        deps = deps + [
            "//kernels",
            "//tools:search_main",
        ],
        **kwargs
    )
