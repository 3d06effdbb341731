"""The hooks, end to end: NumPy code run under REPRO_RECORD in a fresh
interpreter (as `PYTHONPATH=bazel-bin/python REPRO_RECORD=DIR python3 app.py`
runs it), the snapshots read back with the C++ reader."""

import glob
import os
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest

import _repro
import repro

BRIDGE = os.path.dirname(os.path.dirname(os.path.abspath(repro.__file__)))


def run(code, record=True, **env):
    """Runs `code` with the bridge; returns (stdout, {kernel: snapshot})."""
    out = tempfile.mkdtemp()
    environ = dict(os.environ, PYTHONPATH=BRIDGE, **env)
    environ.pop("REPRO_RECORD", None)
    if record:
        environ["REPRO_RECORD"] = out
    p = subprocess.run([sys.executable, "-c", "import numpy as np\n" + textwrap.dedent(code)],
                       env=environ, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    snaps = {}
    for path in sorted(glob.glob(os.path.join(out, "*.fb"))):
        s = _repro.load(path)
        snaps.setdefault(s["kernel"], []).append(s)
    return p.stdout, snaps


def only(snaps, kernel):
    assert list(snaps) == [kernel], f"snapshots of {list(snaps)}"
    assert len(snaps[kernel]) == 1
    return snaps[kernel][0]


def test_functions_record_inputs_outputs_flags_and_producer():
    _, snaps = run("np.log(np.array([1.0, 0.0, 2.0]))")
    s = only(snaps, "log")
    assert s["failure"] == "divide" and s["flags"] == 2
    assert s["inputs"][0].tolist() == [1.0, 0.0, 2.0]
    assert s["outputs"][0][1] == -np.inf
    assert s["producer"] == "numpy " + np.__version__


def test_operators_and_in_place_operators_keep_the_inputs():
    _, snaps = run("""
        a = np.array([1e308, 1.0]); b = np.array([1e308, 2.0])
        a += b
    """)
    s = only(snaps, "add")
    assert s["failure"] == "overflow"
    assert s["inputs"][0].tolist() == [1e308, 1.0]  # before a += b overwrote it
    _, snaps = run("np.array([1.0, 2.0]) / np.array([0.0, 0.0])")
    assert only(snaps, "divide")["failure"] == "divide"


def test_scalars_take_numpy_dtype():
    _, snaps = run("np.full(4, 1e38, dtype=np.float32) * 10.0")
    s = only(snaps, "multiply")
    assert [x.dtype for x in s["inputs"]] == [np.float32, np.float32]
    assert s["inputs"][1].shape == ()


def test_reductions_and_methods_with_axis_and_keepdims():
    _, snaps = run("np.full((2, 3), 1e308).sum(axis=1, keepdims=True)")
    s = only(snaps, "sum")
    assert s["attrs"] == {"axis": 1.0, "keepdims": 1.0}
    _, snaps = run("""
        try:
            np.zeros((0,)).max()
        except ValueError:
            pass
    """)
    assert only(snaps, "max")["failure"] == "error"


def test_linear_algebra_errors_and_scanned_outputs():
    _, snaps = run("""
        try:
            np.linalg.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]]))
        except np.linalg.LinAlgError:
            pass
        np.linalg.norm(np.array([1e200, 1e200]))
    """)
    assert snaps["cholesky"][0]["failure"] == "error"
    assert "LinAlgError" in snaps["cholesky"][0]["message"]
    assert snaps["norm"][0]["failure"] == "overflow"


def test_errstate_silenced_categories_are_not_written_and_raise_passes_through():
    _, snaps = run("""
        with np.errstate(divide="ignore"):
            np.log(np.zeros(2))
        with np.errstate(invalid="raise"):
            try:
                np.sqrt(-np.ones(2))
            except FloatingPointError:
                print("raised")
    """)
    assert list(snaps) == ["sqrt"]


def test_repeats_count_and_other_dtypes_are_skipped():
    _, snaps = run("""
        for _ in range(10):
            np.log(np.zeros(3))
        np.log(np.zeros(3, dtype=np.float16))
        np.log(np.zeros(3, dtype=np.complex128))
    """)
    assert only(snaps, "log")


def test_breadcrumbs_and_call_site():
    _, snaps = run("""
        import repro
        def step():
            return np.exp(np.array([1000.0]))
        with repro.scope("epoch", 3):
            step()
    """)
    s = only(snaps, "exp")
    assert s["failure"] == "overflow"
    assert s["breadcrumbs"] == [("epoch", "3")]
    assert s["stack"][0].endswith(" step") and s["stack"][1].endswith(" <module>")


def test_the_application_sees_numpy_unchanged():
    code = """
        import pickle, warnings
        print(isinstance(np.add, np.ufunc), repr(np.add), np.add.nin, np.divide.__name__)
        print(pickle.loads(pickle.dumps(np.add)) is np.add)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = np.log(np.zeros(2))
        print(r, [str(x.message) for x in w], np.geterr())
        print((np.arange(3.0) ** 2).tolist(), np.add.reduce(np.arange(4)), np.arange(4).sum())
    """
    with_hooks, _ = run(code)
    without, snaps = run(code, record=False)
    assert snaps == {}
    assert with_hooks == without
    assert with_hooks.startswith("True <ufunc 'add'> 2 divide\nTrue\n")


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
