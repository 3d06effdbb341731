#!/usr/bin/python3
"""Writes numpy_cases.txt: expected values and floating-point flags of every
Repro kernel, computed by NumPy itself (Debian's python3-numpy).

Run with Debian's python (`/usr/bin/python3 make_numpy_tables.py`) from this
folder; kernels/numpy_table_test.cc reads the output. One case per line:

  kernel|attrs|input;input...|expected|flags

A tensor is written `dtype[shape]:v,v,...`, floats as float.hex() so that
every bit is exact. `expected` is a tensor or `error`. `flags` lists the
NumPy floating-point error categories the call raised (invalid, divide,
overflow, underflow; numpy_table_test.cc's ExpectedFlags says where Repro's
underflow differs, and why).

Kernels NumPy lacks (sigmoid, logsumexp, softmax, log_softmax, layer_norm,
cross_entropy) are computed with the usual NumPy formulas, element by element
where the formula has branches, so that the flags are those of the branch
taken.
"""
import math
import sys

import numpy as np

I32 = np.iinfo(np.int32)
I64 = np.iinfo(np.int64)


def fmt_value(v, dtype):
    if dtype.kind == "f":
        v = float(v)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v.hex()
    return str(int(v))


def fmt_tensor(a):
    a = np.asarray(a)
    shape = ",".join(str(d) for d in a.shape)
    vals = ",".join(fmt_value(v, a.dtype) for v in a.reshape(-1))
    return "%s[%s]:%s" % (a.dtype.name, shape, vals)


def run(fn):
    """Returns (result or None for an error, sorted flag names)."""
    got = set()

    def call(kind, flag):
        got.add(kind)

    old = np.seterrcall(call)
    try:
        with np.errstate(all="call"):
            try:
                r = fn()
            except (ValueError, np.linalg.LinAlgError, IndexError):
                r = None
    finally:
        np.seterrcall(old)
    names = {"invalid value": "invalid", "divide by zero": "divide",
             "overflow": "overflow", "underflow": "underflow"}
    return r, sorted(names[k] for k in got if k in names)


LINES = []


def case(kernel, attrs, inputs, fn):
    r, flags = run(fn)
    expected = "error" if r is None else fmt_tensor(r)
    ins = ";".join(fmt_tensor(x) for x in inputs)
    LINES.append("|".join([kernel, attrs, ins, expected, ",".join(flags)]))


def sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def sigmoid_scalar(x):
    if x >= 0:
        return np.divide(1, 1 + np.exp(-x), dtype=x.dtype)
    e = np.exp(x)
    return np.divide(e, 1 + e, dtype=x.dtype)


UNARY = {
    "negative": np.negative, "abs": np.abs, "sqrt": np.sqrt,
    "square": np.square, "reciprocal": lambda x: np.reciprocal(
        x.astype(np.float64) if x.dtype.kind == "i" else x),
    "exp": np.exp, "expm1": np.expm1, "log": np.log, "log1p": np.log1p,
    "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
}

FLOAT_SPECIALS = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, -2.5, 1e-20, 5e-324,
                  -1e-310, 1e-40, 100.0, -100.0, 700.0, -745.5, 1e30, 1e300,
                  -1e300, math.inf, -math.inf, math.nan]
INT_SPECIALS = [0, 1, -1, 7, -7, 3]


def int_specials(dtype):
    info = np.iinfo(dtype)
    return INT_SPECIALS + [info.min, info.max]


def unary_cases():
    for name, fn in list(UNARY.items()) + [("sigmoid", None)]:
        for dtype in (np.float64, np.float32):
            for v in FLOAT_SPECIALS:
                x = np.array([v], dtype=dtype)
                if fn is None:
                    case(name, "-", [x], lambda: np.array(
                        [sigmoid_scalar(x[0])], dtype=dtype))
                else:
                    case(name, "-", [x], lambda: fn(x))
        if fn is None:
            continue
        for dtype in (np.int32, np.int64):
            x = np.array(int_specials(dtype)[:6], dtype=dtype)
            case(name, "-", [x], lambda: fn(x))


BINARY = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply,
    "divide": np.divide, "power": np.power, "maximum": np.maximum,
    "minimum": np.minimum, "floor_divide": np.floor_divide,
    "remainder": np.remainder,
}

BINARY_FLOATS = [0.0, -0.0, 1.0, -1.0, 2.0, -8.0, 1.0 / 3.0, 0.5, 1e300,
                 -1e300, math.inf, -math.inf, math.nan, 3.0, -2.5, 1e-310]


def binary_cases():
    for name, fn in BINARY.items():
        for dtype in (np.float64, np.float32):
            for a in BINARY_FLOATS:
                for b in BINARY_FLOATS:
                    if name == "power" and math.isinf(b) and abs(a) > 1e200:
                        # NumPy's AVX-512 pow raises overflow for 1e300**inf
                        # but not for 2**inf; Repro raises no flag for an
                        # infinite exponent (infinity is not created there).
                        continue
                    x = np.array([a], dtype=dtype)
                    y = np.array([b], dtype=dtype)
                    case(name, "-", [x, y], lambda: fn(x, y))
        for dtype in (np.int32, np.int64):
            vals = int_specials(dtype)
            for a in vals:
                for b in vals:
                    x = np.array([a], dtype=dtype)
                    y = np.array([b], dtype=dtype)
                    case(name, "-", [x, y], lambda: fn(x, y))
        # Broadcasting and type promotion.
        x = np.arange(6, dtype=np.float64).reshape(2, 3) - 2.5
        y = np.array([1.5, -2.0, 3.0], dtype=np.float32)
        z = np.array([[2], [3]], dtype=np.int32)
        s = np.array(2, dtype=np.int64)
        # (0-d int64, float32 array) is left out: NumPy 1.24 gives float32
        # by value-based casting, Repro float64 as NumPy 2 (NEP 50) does.
        for p, q in ((x, y), (y, x), (x, z), (z, y), (x, s),
                     (z, z.T), (y.reshape(3, 1), z.reshape(1, 2))):
            case(name, "-", [p, q], lambda: fn(p, q))


def reduction_cases():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 4)) * 10
    xi = rng.integers(-50, 50, size=(2, 3, 4)).astype(np.int32)
    xf = rng.normal(size=(2, 3, 4)).astype(np.float32)
    special = np.array([[1.0, np.nan, 3.0], [np.inf, 1.0, -np.inf]])
    big = np.array([1e300, 1e300, 1e300])
    tiny = np.array([1e-200, 1e-200, 1e-300, 5e-324])  # products underflow
    tiny32 = np.array([1e-30, 1e-30, 1e-38, 1e-45], dtype=np.float32)
    empty = np.zeros((0,), dtype=np.float64)

    def lse(a, axis=None, keepdims=False):
        m = np.max(a, axis=axis, keepdims=True)
        r = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
        return r if keepdims else np.squeeze(r, axis=axis)

    def norm(a, axis=None, keepdims=False):
        return np.sqrt(np.sum(a * a, axis=axis, keepdims=keepdims))

    fns = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max,
           "min": np.min, "logsumexp": lse, "norm": norm}
    for name, fn in fns.items():
        for a in (x, xi, xf, special, big, tiny, tiny32):
            for axis in (None, 0, -1):
                for keep in (0, 1):
                    attrs = "keepdims=%d" % keep
                    if axis is not None:
                        attrs = "axis=%d,%s" % (axis, attrs)
                    if name == "logsumexp" and a is special:
                        continue  # inf - inf: see reduce_test.cc
                    case(name, attrs, [a], lambda: fn(
                        a, axis=axis, keepdims=bool(keep)))
        case(name, "-", [empty], lambda: fn(empty))


LANE_LENGTHS = list(range(1, 18)) + [31, 32, 33, 63, 64, 65, 67]


def reduction_lane_cases():
    """Special values at the first, middle and last position of rows of
    many lengths (every SIMD block size and tail), alone and as a pair that
    overflows before a NaN: the reductions' vectorized paths and NumPy's
    flags for them."""
    fns = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max,
           "min": np.min}
    for dtype in (np.float64, np.float32):
        big = float(np.finfo(dtype).max) / 2
        specials = [math.nan, math.inf, -math.inf, -0.0, big, -big]
        for name, fn in fns.items():
            for n in LANE_LENGTHS:
                for v in specials:
                    for at in sorted({0, n // 2, n - 1}):
                        x = np.full((2, n), 0.75, dtype=dtype)
                        x[1, at] = v
                        for axis in (None, 1):
                            attrs = "keepdims=0" if axis is None else "axis=1,keepdims=0"
                            case(name, attrs, [x], lambda: fn(x, axis=axis))
                if n >= 3:
                    x = np.full((n,), 0.75, dtype=dtype)
                    x[0], x[1], x[n - 1] = big * 1.5, big * 1.5, math.nan
                    case(name, "keepdims=0", [x], lambda: fn(x))


def linalg_cases():
    rng = np.random.default_rng(11)
    a = rng.normal(size=(4, 4))
    b = rng.normal(size=(4, 3))
    v = rng.normal(size=(4,))
    batch = rng.normal(size=(2, 3, 4)).astype(np.float32)
    ai = rng.integers(-5, 5, size=(3, 4)).astype(np.int64)
    bi = rng.integers(-5, 5, size=(4, 2)).astype(np.int32)
    for p, q in ((a, b), (batch, b.astype(np.float32)), (ai, bi), (v, a),
                 (a, v), (b.T, a), (a, np.array([[np.inf], [0.0], [1.0], [1.0]])),
                 (np.array([[1e300, 1e300]]), np.array([[1e300], [1e300]]))):
        case("matmul", "-", [p, q], lambda: np.matmul(p, q))
    spd = a @ a.T + 4 * np.eye(4)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    for m in (spd, a, singular, spd.astype(np.float32)):
        case("solve", "-", [m, v[:m.shape[0]].astype(m.dtype)],
             lambda: np.linalg.solve(m, v[:m.shape[0]].astype(m.dtype)))
        case("solve", "-", [m, b[:m.shape[0]].astype(m.dtype)],
             lambda: np.linalg.solve(m, b[:m.shape[0]].astype(m.dtype)))
        case("inv", "-", [m], lambda: np.linalg.inv(m))
        case("cholesky", "-", [m], lambda: np.linalg.cholesky(m))


def nn_cases():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 5)) * 3
    xf = rng.normal(size=(2, 4)).astype(np.float32)
    large = np.array([[1000.0, 999.0, -1000.0]])
    special = np.array([[1.0, np.nan, 2.0], [np.inf, 0.0, 1.0],
                        [-np.inf, 0.0, 1.0]])

    def softmax(a, axis=-1):
        e = np.exp(a - np.max(a, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)

    def log_softmax(a, axis=-1):
        s = a - np.max(a, axis=axis, keepdims=True)
        return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))

    def layer_norm(a, axis=-1, eps=1e-5):
        m = np.mean(a, axis=axis, keepdims=True)
        var = np.mean((a - m) ** 2, axis=axis, keepdims=True)
        return (a - m) / np.sqrt(var + a.dtype.type(eps))

    for a in (x, xf, large, special):
        for axis in (-1, 0):
            case("softmax", "axis=%d" % axis, [a], lambda: softmax(a, axis))
            case("log_softmax", "axis=%d" % axis, [a],
                 lambda: log_softmax(a, axis))
            if a is not special:
                case("layer_norm", "axis=%d" % axis, [a],
                     lambda: layer_norm(a, axis))
    labels = np.array([1, 0, 4], dtype=np.int64)
    bad = np.array([1, 0, 5], dtype=np.int64)
    for lab in (labels, bad, labels.astype(np.int32)):
        def ce():
            if lab.max() >= x.shape[1] or lab.min() < 0:
                raise IndexError
            ls = log_softmax(x)
            return np.array(-np.mean(ls[np.arange(len(lab)), lab]))
        case("cross_entropy", "-", [x, lab], ce)


def main():
    unary_cases()
    binary_cases()
    reduction_cases()
    reduction_lane_cases()
    linalg_cases()
    nn_cases()
    with open("numpy_cases.txt", "w") as f:
        f.write("# Generated by make_numpy_tables.py with NumPy %s; do not edit.\n"
                % np.__version__)
        f.write("\n".join(LINES) + "\n")
    print("wrote %d cases" % len(LINES), file=sys.stderr)


if __name__ == "__main__":
    main()
