#!/usr/bin/python3
"""The NumPy side of kernels_benchmark, and the side-by-side table.

    bazel build -c opt //kernels:kernels_benchmark
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 kernels/bench_numpy.py \\
        --repro bazel-bin/kernels/kernels_benchmark

Runs NumPy's operations on the same inputs as the C++ benchmark (1 Mi
elements, float32 and float64; matmul 256 and 1024), one thread
(OPENBLAS_NUM_THREADS=1 before NumPy loads), then, with --repro, the C++
benchmark in the same session, and prints a markdown table: Gelem/s (matmul
GFLOP/s) of each and Repro / NumPy. Without --repro, NumPy's figures only.
Unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in the command (this machine
sets them to pin OpenBLAS to an older kernel) so that NumPy's matmul runs
OpenBLAS's native kernel.
"""
import argparse
import json
import os
import subprocess
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import timeit  # noqa: E402

import numpy as np  # noqa: E402

N = 1 << 20
UNARY = ["sqrt", "exp", "log", "expm1", "log1p", "sin", "cos", "tanh"]


def best_rate(fn, work):
    """Work units per second of fn's best of 5 repeats."""
    t = timeit.Timer(fn)
    n, _ = t.autorange()
    return work / (min(t.repeat(repeat=5, number=n)) / n)


def filled(dtype, n, lo, hi):
    """kernels_benchmark.cc's Filled: the same values in the same order."""
    i = np.arange(n, dtype=np.int64)
    return (lo + (hi - lo) * ((i * 7919) % n) / n).astype(dtype)


def numpy_rates():
    rates = {}
    for dtype in (np.float32, np.float64):
        name = np.dtype(dtype).name
        x, q = filled(dtype, N, -3, 3), filled(dtype, N, 0.5, 2.5)
        p = filled(dtype, N, 0.5, 3)
        rates["add", name] = best_rate(lambda: np.add(x, q), N)
        rates["multiply", name] = best_rate(lambda: np.multiply(x, q), N)
        for f in UNARY:
            ufunc = getattr(np, f)
            rates[f, name] = best_rate(lambda: ufunc(p), N)
        rates["power", name] = best_rate(lambda: np.power(p, q), N)
    for n in (256, 1024):
        a = filled(np.float64, n * n, -1, 1).reshape(n, n)
        b = filled(np.float64, n * n, -1, 1).reshape(n, n)
        rates["matmul %d" % n, "float64"] = best_rate(lambda: a @ b, 2 * n ** 3)
    return rates


def repro_rates(binary):
    out = subprocess.run([binary, "--benchmark_format=json",
                          "--benchmark_filter=Throughput|Matmul"],
                         check=True, capture_output=True, text=True).stdout
    rates = {}
    for b in json.loads(out)["benchmarks"]:
        if b["name"].startswith("BM_Throughput/"):
            kernel = b["name"].split("/")[1]
            rates[kernel, b["label"]] = b["items_per_second"]
        elif b["name"].startswith("BM_Matmul/"):
            rates["matmul " + b["name"].split("/")[1], "float64"] = b["GFLOP/s"]
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repro", help="the kernels_benchmark binary (-c opt)")
    args = parser.parse_args()
    numpy = numpy_rates()
    repro = repro_rates(args.repro) if args.repro else {}
    print("| kernel | dtype | NumPy | Repro | Repro / NumPy |")
    print("|---|---|---:|---:|---:|")
    for (kernel, dtype), rate in numpy.items():
        unit = 1e9
        r = repro.get((kernel, dtype))
        cells = ["%.2f" % (rate / unit), "%.2f" % (r / unit) if r else "",
                 "%.2f" % (r / rate) if r else ""]
        print("| %s | %s | %s |" % (kernel, dtype, " | ".join(cells)))
    print("\nGelem/s; matmul in GFLOP/s (float64, one thread).")


if __name__ == "__main__":
    main()
