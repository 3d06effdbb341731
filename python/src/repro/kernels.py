"""Repro's kernels as NumPy functions, and NumPy's failures as Repro's.

The one table of which NumPy function is which Repro kernel: the hooks
record under these names, and replay and the generated pytests run a
snapshot's kernel on NumPy through `call`.
"""

import numpy as np

# Repro kernel -> NumPy ufunc name (np.<name>); the aliases np.abs,
# np.divide and np.mod are the same objects as absolute, true_divide and
# remainder.
UFUNCS = {
    "negative": "negative", "abs": "absolute", "sqrt": "sqrt", "square": "square",
    "reciprocal": "reciprocal", "exp": "exp", "expm1": "expm1", "log": "log",
    "log1p": "log1p", "sin": "sin", "cos": "cos", "tanh": "tanh",
    "add": "add", "subtract": "subtract", "multiply": "multiply",
    "divide": "true_divide", "power": "power", "maximum": "maximum",
    "minimum": "minimum", "floor_divide": "floor_divide", "remainder": "remainder",
    "matmul": "matmul",
}

# Repro reduction -> the ufunc whose .reduce it is.
REDUCTIONS = {"sum": "add", "prod": "multiply", "max": "maximum", "min": "minimum"}

# Repro kernel -> np.linalg function name.
LINALG = {"inv": "inv", "solve": "solve", "cholesky": "cholesky", "norm": "norm"}

# The dtypes Repro's kernels take; calls on others are skipped.
DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int32), np.dtype(np.int64))

# NumPy's errstate names of Repro's floating-point categories.
ERRSTATE = {"invalid": "invalid", "divide": "divide", "overflow": "over", "underflow": "under"}

# NumPy's floating-point error bits (np.seterrcall's second argument).
_NUMPY_FPE = {1: "divide", 2: "overflow", 4: "underflow", 8: "invalid"}

# Repro's flag bits (core/fp_env.h) per category.
FLAG_BITS = {"invalid": 1, "divide": 2, "overflow": 4, "underflow": 8}


def known(kernel):
    """Whether NumPy has a function for Repro's `kernel`."""
    return kernel in UFUNCS or kernel in REDUCTIONS or kernel in LINALG


def _axis(attrs):
    axis = attrs.get("axis")
    return None if axis is None else int(axis)


def call(kernel, inputs, attrs):
    """NumPy's result of Repro's `kernel` on `inputs` (arrays) with `attrs`.

    Raises what NumPy raises; KeyError for a kernel NumPy has no function for.
    """
    if kernel in UFUNCS:
        return getattr(np, UFUNCS[kernel])(*inputs)
    if kernel in REDUCTIONS:
        ufunc = getattr(np, REDUCTIONS[kernel])
        return ufunc.reduce(inputs[0], axis=_axis(attrs), keepdims=bool(attrs.get("keepdims", 0)))
    if kernel == "norm":
        return np.linalg.norm(inputs[0], axis=_axis(attrs), keepdims=bool(attrs.get("keepdims", 0)))
    if kernel in LINALG:
        return getattr(np.linalg, LINALG[kernel])(*inputs)
    raise KeyError(f"NumPy has no function for Repro's kernel '{kernel}'")


def scan_outputs(inputs, result):
    """The category a result shows by its values: 'invalid' for a NaN out
    of NaN-free inputs, 'overflow' for an infinity out of finite inputs,
    else 'none'. For NumPy's linear algebra, which clears the FP flags that
    LAPACK raised."""
    out = np.asarray(result)
    if out.dtype.kind != "f":
        return "none"
    floats = [np.asarray(x) for x in inputs if np.asarray(x).dtype.kind == "f"]
    if np.isnan(out).any() and not any(np.isnan(x).any() for x in floats):
        return "invalid"
    if np.isinf(out).any() and all(np.isfinite(x).all() for x in floats):
        return "overflow"
    return "none"


def run_and_classify(kernel, inputs, attrs, policy):
    """Runs `kernel` on NumPy and classifies what happened under `policy`
    (a set of category names), as the C++ RunAndClassify does.

    Returns (category, detail): the first category of invalid, divide,
    overflow, underflow NumPy raised that the policy counts, 'error' for a
    ValueError or LinAlgError, or 'none'; detail says what was seen.
    """
    raised = set()

    def seen(kind, flags):  # NumPy's bits: UFUNC_FPE_DIVIDEBYZERO 1, ...
        raised.update(name for bit, name in _NUMPY_FPE.items() if flags & bit)

    old = np.seterrcall(seen)
    try:
        with np.errstate(all="call"):
            result = call(kernel, inputs, attrs)
    except (ValueError, np.linalg.LinAlgError) as e:
        return ("error" if "error" in policy else "none"), f"{type(e).__name__}: {e}"
    finally:
        np.seterrcall(old)
    if kernel in LINALG:
        raised.add(scan_outputs(inputs, result))
    for kind in ("invalid", "divide", "overflow", "underflow"):
        if kind in raised and kind in policy:
            return kind, "flags " + ",".join(sorted(raised - {"none"}))
    return "none", "no failure"
