#!/usr/bin/python3
"""DynaMOSA against pure random search, same budget, same seeds, one run.

For every built-in kernel and the planted test kernels, `search` and
`search --random`: objectives covered and findings written (means over
--seeds seeds), and the median evaluation at which an objective that both
cover in every seed was first covered. Prints a Markdown table
(docs/search.md). Needs `bazel build -c opt //tools:search_planted`.

  /usr/bin/python3 scripts/search_evaluation.py --evaluations=5000 --seeds=5
"""
import argparse
import json
import statistics
import subprocess
import tempfile

TOOL = "bazel-bin/tools/search_planted"


def run(kernels, seed, evaluations, random_only, tool=TOOL):
    with tempfile.TemporaryDirectory() as out:
        cmd = [tool, "--kernel=" + ",".join(kernels), f"--seed={seed}",
               f"--evaluations={evaluations}", "--timeout_ms=100", "--json", f"--out={out}"]
        if random_only:
            cmd.append("--random")
        return json.loads(subprocess.run(cmd, check=True, capture_output=True,
                                         text=True).stdout)["kernels"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--evaluations", type=int, default=5000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--kernels", default="",
                        help="comma-separated kernels (default: every built-in and planted one)")
    parser.add_argument("--tool", default=TOOL,
                        help="the search binary (the --config=search one for the guided search)")
    args = parser.parse_args()
    kernels = ["negative", "abs", "sqrt", "square", "reciprocal", "exp", "expm1", "log", "log1p",
               "sin", "cos", "tanh", "sigmoid", "add", "subtract", "multiply", "divide", "power",
               "maximum", "minimum", "floor_divide", "remainder", "sum", "mean", "prod", "max",
               "min", "logsumexp", "norm", "matmul", "solve", "cholesky", "inv", "softmax",
               "log_softmax", "layer_norm", "cross_entropy", "planted_crash", "planted_hang",
               "planted_window"]
    if args.kernels:
        kernels = args.kernels.split(",")
    # Per kernel and mode: objectives covered, findings, and per objective
    # the evaluation that first covered it, one entry per seed.
    rows = {k: {"dyna": [], "random": []} for k in kernels}
    for seed in range(1, args.seeds + 1):
        for mode in ("dyna", "random"):
            for k in run(kernels, seed, args.evaluations, mode == "random", args.tool):
                first = {}
                for f in k["findings"]:
                    o = f["objective"]
                    first[o] = min(first.get(o, f["first_covered_at"]), f["first_covered_at"])
                rows[k["kernel"]][mode].append((k["covered"], len(k["findings"]), first,
                                                k.get("outcomes_covered", 0),
                                                k.get("outcomes", 0)))
    print("| kernel | objectives covered, DynaMOSA / random | findings, DynaMOSA / random | "
          "evaluations to cover, DynaMOSA / random |")
    print("|---|---|---|---|")
    totals = {"dyna": [0, 0, []], "random": [0, 0, []]}
    for k in kernels:
        cells = {}
        for mode in ("dyna", "random"):
            runs = rows[k][mode]
            covered = statistics.mean(r[0] for r in runs)
            findings = statistics.mean(r[1] for r in runs)
            totals[mode][0] += covered
            totals[mode][1] += findings
            # Objectives both modes covered in every seed: when they got there.
            common = set.intersection(*(set(r[2]) for r in rows[k]["dyna"] + rows[k]["random"]))
            at = [r[2][o] for r in runs for o in common]
            totals[mode][2] += at
            cells[mode] = (covered, findings, statistics.median(at) if at else None)
        fmt = lambda v: "-" if v is None else f"{v:.0f}"
        print(f"| {k} | {cells['dyna'][0]:.1f} / {cells['random'][0]:.1f} | "
              f"{cells['dyna'][1]:.1f} / {cells['random'][1]:.1f} | "
              f"{fmt(cells['dyna'][2])} / {fmt(cells['random'][2])} |")
    print(f"| **all {len(kernels)}** | {totals['dyna'][0]:.1f} / {totals['random'][0]:.1f} | "
          f"{totals['dyna'][1]:.1f} / {totals['random'][1]:.1f} | "
          f"{statistics.median(totals['dyna'][2]):.0f} / "
          f"{statistics.median(totals['random'][2]):.0f} |")
    guided = any(r[4] for k in kernels for r in rows[k]["dyna"])
    if guided:
        print()
        print("| kernel | comparison outcomes covered, DynaMOSA / random (of those reached) |")
        print("|---|---|")
        for k in kernels:
            d = [f"{statistics.mean(r[3] for r in rows[k][m]):.1f}/"
                 f"{statistics.mean(r[4] for r in rows[k][m]):.1f}" for m in ("dyna", "random")]
            print(f"| {k} | {d[0]} / {d[1]} |")
        print()

if __name__ == "__main__":
    main()
