"""Per-call overhead of recording NumPy calls: Repro's hooks against the
wrapt monitor (../shared/baselines/wrapt_monitor) and against NumPy alone,
measured side by side: the three run as separate interpreters, interleaved
round by round, on the same calls.

    bazel build -c opt //python
    /usr/bin/python3 python/bench_overhead.py [--rounds 9] [--json]

Prints, per call, the median over rounds of each variant's best time (ns)
and what the variant adds to NumPy alone. No call fails: this is the cost
of leaving recording on.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# The timed calls: (label, setup, statement).
CALLS = [
    ("np.add(a, b)", "a = np.ones(16); b = np.ones(16)", "np.add(a, b)"),
    ("a + b", "a = np.ones(16); b = np.ones(16)", "a + b"),
    ("np.exp(a)", "a = np.ones(16)", "np.exp(a)"),
    ("a.sum()", "a = np.ones(16)", "a.sum()"),
]

TIMER = r"""
import json, sys, timeit
import numpy as np
calls = json.loads(sys.argv[1])
result = {}
for label, setup, stmt in calls:
    t = timeit.Timer(stmt, setup=setup, globals={"np": np})
    n = 20000
    result[label] = min(t.repeat(repeat=7, number=n)) / n * 1e9
print(json.dumps(result))
"""


def measure(env_extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "REPRO_RECORD", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env.update(env_extra)
    out = subprocess.run(["/usr/bin/python3", "-c", TIMER, json.dumps(CALLS)], env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--bridge", default=os.path.join(ROOT, "bazel-bin", "python"))
    parser.add_argument("--wrapt", default=os.path.join(ROOT, "..", "shared", "baselines",
                                                        "wrapt_monitor"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    snapshots = tempfile.mkdtemp()
    variants = {
        "numpy": {},
        "wrapt monitor": {"PYTHONPATH": args.wrapt,
                          "NPMON_OUT": os.path.join(snapshots, "wrapt_test.py")},
        "repro": {"PYTHONPATH": args.bridge, "REPRO_RECORD": snapshots},
    }
    runs = {v: [] for v in variants}
    for r in range(args.rounds):
        for name, env in variants.items():
            runs[name].append(measure(env))
        print(f"\rround {r + 1}/{args.rounds}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    table = {}
    for label, _, _ in CALLS:
        row = {v: statistics.median(run[label] for run in runs[v]) for v in variants}
        row["wrapt added"] = row["wrapt monitor"] - row["numpy"]
        row["repro added"] = row["repro"] - row["numpy"]
        table[label] = row
    recorded = [f for f in os.listdir(snapshots) if f.endswith((".fb", ".py"))]
    if recorded:
        sys.exit(f"bench_overhead: a call failed and was recorded: {recorded}")
    if args.json:
        print(json.dumps(table, indent=1))
        return
    print(f"{'call (float64, 16 elements)':<28}{'NumPy':>8}{'wrapt':>8}{'Repro':>8}"
          f"{'wrapt +':>9}{'Repro +':>9}  (ns per call, median of {args.rounds} rounds)")
    for label, row in table.items():
        print(f"{label:<28}{row['numpy']:>8.0f}{row['wrapt monitor']:>8.0f}{row['repro']:>8.0f}"
              f"{row['wrapt added']:>9.0f}{row['repro added']:>9.0f}")


if __name__ == "__main__":
    main()
