"""testing/synthesizer.cc in NumPy: the same look-alike data, bit for bit.

A generated pytest builds its synthesized inputs here and its C++ twin
with repro::testing::Synthesize; both must see the same numbers, so this is
a port of the C++ code, operation for operation, in float64 (NumPy
contracts no multiply-add, and the C++ side is built with
-ffp-contract=off). synth_test.py holds the two against each other.
"""

import math

import numpy as np

# snapshot/profile.h kQuantileLevels.
QUANTILE_LEVELS = np.array([0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1])

_GAMMA = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1


class Profile:
    """testing::MakeProfile's numbers (snapshot/profile.h Profile)."""

    def __init__(self, count, min, max, mean, std, quantiles, nan, pos_inf, neg_inf,
                 zeros, negatives, subnormals, integers):
        self.count, self.min, self.max, self.mean, self.std = count, min, max, mean, std
        self.quantiles = [float(q) for q in quantiles]
        self.nan, self.pos_inf, self.neg_inf = nan, pos_inf, neg_inf
        self.zeros, self.negatives = zeros, negatives
        self.subnormals, self.integers = subnormals, integers


def _mix(z):
    """SplitMix64's output function on uint64 arrays (wrapping)."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class SplitMix64:
    """testing::SplitMix64: the k-th draw is mix(seed + k * gamma), so a
    block of draws is one array operation."""

    def __init__(self, seed):
        self.state = seed & _MASK

    def next_block(self, n):
        """The next n draws as a uint64 array."""
        k = np.arange(1, n + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            z = np.uint64(self.state) + k * np.uint64(_GAMMA)
        self.state = (self.state + n * _GAMMA) & _MASK
        return _mix(z)

    def uniform_block(self, n):
        """n uniforms in [0, 1), 53 random bits each."""
        return (self.next_block(n) >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def below(self, bound):
        """One draw uniform in [0, bound)."""
        return int(self.next_block(1)[0]) % bound if bound else 0


def _inverse_cdf(p, u):
    q = p.quantiles
    levels = QUANTILE_LEVELS
    if len(q) != len(levels):
        return p.min + u * (p.max - p.min)
    q = np.array(q)
    # The first level i >= 1 with u <= levels[i], else the last one.
    i = np.minimum(np.searchsorted(levels[1:], u, side="left") + 1, len(levels) - 1)
    lo, hi = levels[i - 1], levels[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(hi > lo, (u - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0)
    t = np.minimum(1.0, np.maximum(0.0, t))
    with np.errstate(invalid="ignore", over="ignore"):
        return q[i - 1] + t * (q[i] - q[i - 1])


def _scaled(count, p, n):
    """A count of the profile scaled to n elements (llround, half away)."""
    if p.count <= 0 or p.count == n:
        return min(count, n)
    x = float(count) * n / p.count
    whole = math.floor(x)
    return min(n, whole + (1 if x - whole >= 0.5 else 0))


def _clamped(v, dtype):
    info = np.iinfo(dtype)
    lo, hi = float(info.min), float(info.max)
    out = np.where(np.isnan(v), 0.0, v)
    big = out >= hi
    small = out <= lo
    result = np.trunc(np.where(big | small, 0.0, out)).astype(dtype)
    result[big] = info.max
    result[small] = info.min
    return result


def synthesize(dtype, shape, p, seed):
    """testing::Synthesize: look-alike data of `dtype` and `shape`."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape, dtype=np.int64))
    rng = SplitMix64(seed)
    v = _inverse_cdf(p, rng.uniform_block(n))
    all_integers = p.integers > 0 and p.integers == p.count - p.nan - p.pos_inf - p.neg_inf
    if all_integers or dtype.kind != "f":
        v = np.rint(v)
    order = np.arange(n, dtype=np.int64)
    if n > 1:
        draws = rng.next_block(n - 1)
        for step, i in enumerate(range(n - 1, 0, -1)):  # Fisher-Yates, as in C++
            j = int(draws[step]) % (i + 1)
            order[i], order[j] = order[j], order[i]
    nxt = 0

    def place(count, values):
        nonlocal nxt
        k = min(_scaled(count, p, n), n - nxt)
        if k > 0:
            v[order[nxt:nxt + k]] = values(k)
            nxt += k

    place(p.nan, lambda k: np.nan)
    place(p.pos_inf, lambda k: np.inf)
    place(p.neg_inf, lambda k: -np.inf)
    place(p.zeros, lambda k: 0.0)
    tiny = float(np.finfo(np.float32).smallest_subnormal) if dtype == np.float32 \
        else float(np.finfo(np.float64).smallest_subnormal)
    place(p.subnormals,
          lambda k: np.array([tiny * float(1 + rng.below(1000)) for _ in range(k)]))
    if p.zeros == 0:
        rest = order[nxt:]
        zero = rest[v[rest] == 0]
        v[zero] = p.max if p.max != 0 else 1.0
    if dtype.kind == "f":
        return v.astype(dtype).reshape(shape)
    return _clamped(v, dtype).reshape(shape)


def set_elements(t, values):
    """testing::SetElements: (flat index, value) pairs into contiguous t."""
    flat = t.reshape(-1)
    for index, value in values:
        if 0 <= index < flat.size:
            if t.dtype.kind == "f":
                flat[index] = value
            else:
                flat[index] = _clamped(np.array([value]), t.dtype)[0]


def symmetrized(t):
    """testing::Symmetrized: the upper triangle mirrored into the lower."""
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        return t
    out = t.copy()
    i, j = np.tril_indices(t.shape[-1], -1)
    out[..., i, j] = t[..., j, i]
    return out
