"""The hooks: every NumPy function that is a Repro kernel, watched.

NumPy looks its functions up in a few places (docs/numpy.md): the ufunc
attributes of `numpy` (np.add, np.exp, ...), the operators
(`np.set_numeric_ops`: a + b, a / b, a @ b, a += b), `ufunc.reduce`
(np.sum, np.max, ...), the globals `numpy.core._methods.umr_*` (x.sum(),
x.max(), np.mean, ...), and np.linalg's Python functions. Each gets a
wrapper: `_repro.Watch` (C: forwards the call, reads the FP flags) for the
ufuncs and reductions, a Python function for linear algebra, whose
gufuncs clear the flags LAPACK raised, so its outputs are scanned.

A failing call reaches `_on_failure`, which skips what Repro cannot replay
(other dtypes, arguments Repro's kernels do not take, categories the
application silenced with np.errstate), counts a repeat with one lookup,
and otherwise has the C++ recorder write the snapshot. Nothing here changes
what the application sees: results, exceptions and warnings pass through.
"""

import copyreg
import functools
import os
import sys
import warnings

import numpy as np
import numpy.core._methods as _methods

import _repro
import repro
from repro import kernels

_PRODUCER = "numpy " + np.__version__
_SKIP_DIRS = tuple(
    os.path.dirname(os.path.abspath(m.__file__)) + os.sep for m in (np, repro)
)

# What was not written, and why: {reason: count}.
skipped = {}

# Repro's default policy until install() reads the recorder's.
_policy_flags = 0x7
_error_counts = True


def _skip(reason):
    skipped[reason] = skipped.get(reason, 0) + 1


def _frames(start):
    """(stack, call_site): the Python stack from `start` as
    "file:line qualname" frames, and the first frame outside NumPy and
    Repro as "module:qualname" (no line: the fingerprint's call site)."""
    stack, site = [], None
    f = start
    while f is not None and len(stack) < 32:
        code = f.f_code
        stack.append(f"{code.co_filename}:{f.f_lineno} {code.co_qualname}")
        if site is None and not code.co_filename.startswith(_SKIP_DIRS):
            site = f"{f.f_globals.get('__name__', '?')}:{code.co_qualname}"
            stack = stack[-1:]  # the call site first, as C++ snapshots have it
        f = f.f_back
    return stack, site or "?"


def _call_site_code(start):
    """The code object of the first frame outside NumPy and Repro."""
    f = start
    while f is not None and f.f_code.co_filename.startswith(_SKIP_DIRS):
        f = f.f_back
    return f.f_code if f is not None else None


def _as_inputs(values, dtype_of_scalars):
    """The inputs as arrays Repro can take, or None. Python scalars and 0-d
    operands take the dtype NumPy computed in (np.result_type)."""
    arrays = []
    for v in values:
        a = np.asarray(v)
        if a.ndim == 0 and dtype_of_scalars is not None:
            a = a.astype(dtype_of_scalars)
        if a.dtype not in kernels.DTYPES:
            return None
        arrays.append(a)
    return arrays


def _category(flags, exc):
    """The failure category of an outcome, or None when Repro does not
    count it (the policy, or an exception that is no kernel failure)."""
    if flags:
        kind = _repro.classify_flags(flags)
        return None if kind == "none" else kind
    if isinstance(exc, (ValueError, np.linalg.LinAlgError)):
        return "error" if _error_counts else None
    return None


def _record(kernel, inputs, attrs, kind, flags, result, exc, frame):
    """Writes the failing call unless the application silenced its category
    or it repeats one already written."""
    errstate = kernels.ERRSTATE.get(kind)
    if errstate is not None and np.geterr()[errstate] == "ignore":
        _skip("silenced by np.errstate")
        return
    code = _call_site_code(frame)
    key = hash((kernel, kind, tuple((a.dtype.str, a.shape) for a in inputs), code,
                tuple(sorted(attrs.items())))) & 0xFFFFFFFFFFFFFFFF
    if _repro.seen(key):
        return
    outputs = []
    if result is not None:
        out = np.asarray(result)
        if out.dtype in kernels.DTYPES:
            outputs.append(out)
    stack, site = _frames(frame)
    message = "" if exc is None else f"{type(exc).__name__}: {exc}"
    _repro.record(kernel, inputs, outputs, attrs, kind, flags, message, stack,
                  list(repro.breadcrumbs()), site, key, _PRODUCER)


def _on_failure(watch, args, kwargs, result, flags, exc):
    """Called by _repro.Watch for a call that raised a counted FP flag or an
    exception. Must not raise (Watch reports it as unraisable)."""
    kind = _category(flags, exc)
    if kind is None:
        return
    kernel = watch._repro_name
    attrs = {}
    if kernel in kernels.REDUCTIONS:
        inputs_given, options = args[:1], dict(kwargs or {})
        options.update(zip(_REDUCE_ARGS, args[1:]))
        axis = options.pop("axis", None)
        if any(options.get(k, v) is not v for k, v in _REDUCE_DEFAULTS.items()) or \
                set(options) - set(_REDUCE_DEFAULTS) - {"keepdims"}:
            return _skip("arguments Repro's kernels do not take")
        if axis is not None:
            if not isinstance(axis, (int, np.integer)):
                return _skip("arguments Repro's kernels do not take")
            attrs["axis"] = float(axis)
        if options.get("keepdims") not in (None, False, np._NoValue):
            attrs["keepdims"] = 1.0
        scalar_dtype = None
    else:
        extra = {k: v for k, v in (kwargs or {}).items() if k != "out"}
        if extra:
            return _skip("arguments Repro's kernels do not take")
        inputs_given = [v if np.isscalar(v) or isinstance(v, np.ndarray) else np.asarray(v)
                        for v in args[:watch.nin]]
        try:
            scalar_dtype = np.result_type(*inputs_given)
        except TypeError:
            return _skip("unsupported dtype")
    inputs = _as_inputs(inputs_given, scalar_dtype)
    if inputs is None:
        return _skip("unsupported dtype")
    _record(kernel, inputs, attrs, kind, flags, result, exc, sys._getframe(1))


def _watch_linalg(kernel):
    """np.linalg.<kernel> wrapped: an exception or a bad output recorded."""
    original = getattr(np.linalg, kernels.LINALG[kernel])

    @functools.wraps(original)
    def watched(*args, **kwargs):
        try:
            result = original(*args, **kwargs)
        except (ValueError, np.linalg.LinAlgError) as e:
            _linalg_failure(kernel, args, kwargs, None, "error" if _error_counts else None, e)
            raise
        kind = kernels.scan_outputs(args, result)
        if kind != "none" and _policy_flags & kernels.FLAG_BITS[kind]:
            _linalg_failure(kernel, args, kwargs, result, kind, None)
        return result

    watched._repro_func = original
    return watched


def _linalg_failure(kernel, args, kwargs, result, kind, exc):
    try:
        if kind is None:
            return
        attrs = {}
        if kernel == "norm":
            options = dict(zip(("ord", "axis", "keepdims"), args[1:]), **kwargs)
            if options.get("ord") is not None or not isinstance(options.get("axis"), (int, type(None))):
                return _skip("arguments Repro's kernels do not take")
            if options.get("axis") is not None:
                attrs["axis"] = float(options["axis"])
            if options.get("keepdims"):
                attrs["keepdims"] = 1.0
            args = args[:1]
        elif kwargs:
            return _skip("arguments Repro's kernels do not take")
        inputs = _as_inputs(args, None)
        if inputs is None:
            return _skip("unsupported dtype")
        flags = kernels.FLAG_BITS.get(kind, 0)
        _record(kernel, inputs, attrs, kind, flags if exc is None else 0, result, exc,
                sys._getframe(2))
    except Exception as e:  # the recorder never disturbs the application
        print(f"repro: cannot record a NumPy call: {e!r}", file=sys.stderr)


_installed = False

# ufunc.reduce's positional parameters, and the defaults of those Repro's
# reductions have no attribute for (a call with another value is skipped).
_REDUCE_ARGS = ("axis", "dtype", "out", "keepdims", "initial", "where")
_REDUCE_DEFAULTS = {"dtype": None, "out": None, "initial": np._NoValue, "where": True}


def install():
    """Installs the recorder (REPRO_* variables, as for C++ applications)
    and the hooks. Does nothing when REPRO_RECORD is unset or invalid (the
    C++ side has said why on stderr), or the second time."""
    global _installed, _policy_flags, _error_counts
    if _installed or not _repro.install():
        return
    _installed = True
    _policy_flags = _repro.policy_flags()
    _error_counts = _repro.policy_has("error")
    watches = {}
    for kernel, name in kernels.UFUNCS.items():
        ufunc = getattr(np, name)
        extra = {}
        for reduction, of in kernels.REDUCTIONS.items():
            if of == name:
                extra["reduce"] = _repro.Watch(ufunc.reduce, reduction, _on_failure,
                                               _policy_flags)
        watches[name] = _repro.Watch(ufunc, kernel, _on_failure, _policy_flags, ufunc.nin,
                                     extra)
    # Every alias in numpy's namespace (np.abs, np.divide, np.mod, ...).
    for alias in dir(np):
        value = getattr(np, alias, None)
        if isinstance(value, np.ufunc) and value.__name__ in watches:
            setattr(np, alias, watches[value.__name__])
    for umr, name in (("umr_sum", "add"), ("umr_prod", "multiply"),
                      ("umr_maximum", "maximum"), ("umr_minimum", "minimum")):
        setattr(_methods, umr, watches[name].reduce)
    operators = {op: watches[name] for op, name in (
        ("add", "add"), ("subtract", "subtract"), ("multiply", "multiply"),
        ("divide", "true_divide"), ("true_divide", "true_divide"), ("power", "power"),
        ("floor_divide", "floor_divide"), ("remainder", "remainder"),
        ("negative", "negative"), ("absolute", "absolute"), ("sqrt", "sqrt"),
        ("square", "square"), ("reciprocal", "reciprocal"), ("matmul", "matmul"),
        ("maximum", "maximum"), ("minimum", "minimum"))}
    with warnings.catch_warnings():  # set_numeric_ops is deprecated, still works
        warnings.simplefilter("ignore", DeprecationWarning)
        np.set_numeric_ops(**operators)
    for kernel in kernels.LINALG:
        setattr(np.linalg, kernels.LINALG[kernel], _watch_linalg(kernel))
    # A watched ufunc pickles as the ufunc (by name: it loads as the watched one).
    copyreg.pickle(_repro.Watch, lambda w: copyreg.dispatch_table[np.ufunc](w._repro_func)
                   if isinstance(w._repro_func, np.ufunc) else w._repro_func.__reduce_ex__(4))
