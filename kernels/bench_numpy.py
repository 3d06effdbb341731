#!/usr/bin/python3
"""The NumPy side of kernels_benchmark: the same operations on the same
machine, one thread (OPENBLAS_NUM_THREADS=1 is set before NumPy loads).

Usage: /usr/bin/python3 kernels/bench_numpy.py
Prints one line per operation: name, time per call, elements per second.
"""
import os
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import timeit  # noqa: E402

import numpy as np  # noqa: E402


def bench(name, fn, elems):
    t = timeit.Timer(fn)
    n, _ = t.autorange()
    best = min(t.repeat(repeat=5, number=n)) / n
    print("%-28s %12.1f ns %10.3f Gelem/s" % (name, best * 1e9,
                                               elems / best / 1e9))


def main():
    for n in (16, 1024, 1 << 20):
        a = np.linspace(1, 2, n)
        b = np.linspace(1, 2, n)
        bench("add/%d float64" % n, lambda: np.add(a, b), n)
    n = 1 << 20
    for dtype in (np.float32, np.float64):
        x = np.linspace(-3, 3, n).astype(dtype)
        p = np.linspace(0.5, 3, n).astype(dtype)
        q = np.linspace(0.5, 2.5, n).astype(dtype)
        name = np.dtype(dtype).name
        bench("add %s" % name, lambda: np.add(x, q), n)
        bench("multiply %s" % name, lambda: np.multiply(x, q), n)
        bench("exp %s" % name, lambda: np.exp(p), n)
        bench("log %s" % name, lambda: np.log(p), n)
        bench("sqrt %s" % name, lambda: np.sqrt(p), n)
        bench("power %s" % name, lambda: np.power(p, q), n)
    for n in (256, 1024):
        a = np.linspace(-1, 1, n * n).reshape(n, n)
        b = np.linspace(-1, 1, n * n).reshape(n, n)
        bench("matmul %d float64" % n, lambda: a @ b, 2 * n ** 3)


if __name__ == "__main__":
    main()
