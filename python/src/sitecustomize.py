"""Repro's switch for NumPy applications (docs/numpy.md).

With this folder on PYTHONPATH, Python imports this file at start-up in
place of Debian's own sitecustomize, which runs first, as it would have.
Then, only when REPRO_RECORD is set, the NumPy hooks are installed: every
failing NumPy call becomes a snapshot in $REPRO_RECORD. Without
REPRO_RECORD nothing else happens.
"""

import importlib.util
import os
import sys


def _run_shadowed_sitecustomize():
    """Runs the next sitecustomize.py on sys.path (Debian's), if any."""
    here = os.path.dirname(os.path.abspath(__file__))
    for entry in sys.path:
        folder = os.path.abspath(entry or os.curdir)
        path = os.path.join(folder, "sitecustomize.py")
        if folder == here or not os.path.isfile(path):
            continue
        spec = importlib.util.spec_from_file_location("_shadowed_sitecustomize", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as e:  # as site.py does for a failing sitecustomize
            print(f"Error in sitecustomize ({path}): {e!r}", file=sys.stderr)
        return


_run_shadowed_sitecustomize()

if os.environ.get("REPRO_RECORD"):
    from repro import _hooks

    _hooks.install()
