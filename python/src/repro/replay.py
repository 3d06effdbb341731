"""python3 -m repro.replay SNAPSHOT...: re-runs snapshots on NumPy.

For each snapshot, one line: whether NumPy fails again in the recorded
category (reproduced), in another one (reproduced-differently) or not at
all (not-reproduced), and how NumPy's outputs compare with the recorded
ones. Exit 0 when every snapshot reproduced, 1 when one did not, 2 for bad
usage or a file that is no valid snapshot (one line on stderr). --json
prints one JSON object per snapshot instead.
"""

import argparse
import json
import sys

import numpy as np

import _repro
from repro import kernels


def _ordered(a):
    """Floats as integers whose order is the floats' (for ulp distances)."""
    signed = np.int32 if a.dtype == np.float32 else np.int64
    lowest = int(np.iinfo(signed).min)
    return [lowest - b if b < 0 else b for b in a.view(signed).tolist()]


def compare(recorded, now):
    """'bit-identical', 'within N ulp' or why they cannot be compared."""
    now = np.asarray(now)
    if recorded.dtype != now.dtype or recorded.shape != now.shape:
        return f"recorded {recorded.dtype}{list(recorded.shape)}, now {now.dtype}{list(now.shape)}"
    if recorded.tobytes() == now.tobytes():
        return "bit-identical"
    if recorded.dtype.kind != "f":
        return f"{int(np.count_nonzero(recorded != now))} elements differ"
    both = np.isfinite(recorded) & np.isfinite(now)
    special = int(np.count_nonzero(~both & ~(np.isnan(recorded) & np.isnan(now))
                                   & (recorded != now)))
    ulps = 0
    if both.any():
        a, b = _ordered(recorded[both].ravel()), _ordered(now[both].ravel())
        ulps = max(abs(x - y) for x, y in zip(a, b))
    text = f"within {ulps} ulp"
    return text + (f", {special} special values differ" if special else "")


def replay(path):
    """The verdict for one snapshot: a dict."""
    snap = _repro.load(path)
    kernel = snap["kernel"]
    if not kernels.known(kernel):
        raise ValueError(f"NumPy has no function for kernel '{kernel}'")
    if not snap["full_inputs"]:
        raise ValueError("the snapshot holds no full input data (stats capture)")
    observed, detail = kernels.run_and_classify(
        kernel, snap["inputs"], snap["attrs"], set(snap["policy"].split(",")))
    recorded = snap["failure"]
    verdict = ("reproduced" if observed == recorded else
               "not-reproduced" if observed == "none" else "reproduced-differently")
    outputs = ""
    if observed != "error" and snap["outputs"]:
        with np.errstate(all="ignore"):
            outputs = compare(snap["outputs"][0],
                              kernels.call(kernel, snap["inputs"], snap["attrs"]))
    return {"snapshot": path, "kernel": kernel, "verdict": verdict, "recorded": recorded,
            "observed": observed, "detail": detail, "outputs": outputs,
            "recorded_by": snap["producer"] or "repro", "numpy": np.__version__}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m repro.replay",
        description="Re-runs Repro snapshots on NumPy and says whether they fail again.")
    parser.add_argument("snapshots", nargs="+", metavar="SNAPSHOT")
    parser.add_argument("--json", action="store_true", help="one JSON object per snapshot")
    args = parser.parse_args(argv)
    worst = 0
    for path in args.snapshots:
        try:
            r = replay(path)
        except ValueError as e:
            print(f"replay: {path}: {e}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(r))
        else:
            line = (f"{path}: {r['verdict']} on NumPy {r['numpy']} "
                    f"(recorded {r['recorded']} by {r['recorded_by']}, now {r['observed']}: "
                    f"{r['detail']})")
            if r["outputs"]:
                line += f"; outputs {r['outputs']} to the recorded ones"
            print(line)
        if r["verdict"] != "reproduced":
            worst = 1
    return worst


if __name__ == "__main__":
    sys.exit(main())
