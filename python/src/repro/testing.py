"""What generated pytests assert (the Python twin of testing/expect.h).

A generated pytest runs the recorded call on NumPy: red while NumPy still
fails that way (expect="fixed") or green while it does (expect="failure").

    testing.expect_replay("generated/log_aa31dab8/snapshot.fb", "fixed")
"""

import os

import _repro
from repro import kernels


def runfile(path):
    """The path of a workspace file in a py_test's runfiles, else `path`."""
    srcdir = os.environ.get("TEST_SRCDIR")
    if srcdir:
        candidate = os.path.join(srcdir, os.environ.get("TEST_WORKSPACE", "repro"), path)
        if os.path.exists(candidate):
            return candidate
    return path


def expect_call(kernel, inputs, attrs, policy, expect, recorded):
    """Runs Repro's `kernel` as NumPy computes it on `inputs` and checks
    the outcome: expect "fixed" wants no failure `policy` (comma-separated
    categories) counts; "failure" wants the `recorded` category."""
    kind, detail = kernels.run_and_classify(kernel, inputs, attrs, set(policy.split(",")))
    if expect == "fixed":
        assert kind == "none", f"NumPy's {kernel} still fails: {kind} ({detail})"
    else:
        assert kind == recorded, (
            f"NumPy's {kernel} was expected to fail with {recorded}, got {kind} ({detail})")


def expect_replay(path, expect):
    """Replays the snapshot at `path` (a workspace path) on NumPy."""
    snap = _repro.load(runfile(path))
    assert snap["full_inputs"], f"{path} holds no full input data to replay"
    expect_call(snap["kernel"], snap["inputs"], snap["attrs"], snap["policy"], expect,
                snap["failure"])
