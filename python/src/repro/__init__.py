"""Repro for NumPy: failing NumPy calls recorded as Repro snapshots.

`PYTHONPATH=bazel-bin/python REPRO_RECORD=DIR python3 app.py` records
(sitecustomize.py installs the hooks); `scope()` adds breadcrumbs to what
is recorded inside it; `python3 -m repro.replay SNAP` re-runs a snapshot on
NumPy. See docs/numpy.md.
"""

import contextlib
import contextvars

# The breadcrumbs of the current context, outermost first: ((key, value), ...).
_breadcrumbs = contextvars.ContextVar("repro_breadcrumbs", default=())


@contextlib.contextmanager
def scope(key, value):
    """Adds the breadcrumb key=value to every snapshot recorded inside.

    Thread- and asyncio-safe (a context variable), as core/scope.h's Scope is
    for C++ callers:

        with repro.scope("epoch", 3):
            train_step()
    """
    token = _breadcrumbs.set(_breadcrumbs.get() + ((str(key), str(value)),))
    try:
        yield
    finally:
        _breadcrumbs.reset(token)


def breadcrumbs():
    """The breadcrumbs in effect here: a tuple of (key, value)."""
    return _breadcrumbs.get()
