"""repro.synth (NumPy) against testing::Synthesize (C++): the same bits."""

import sys

import numpy as np
import pytest

import _repro
from repro import synth

LEVELS = len(synth.QUANTILE_LEVELS)


def profile(**overrides):
    p = dict(count=1000, min=-3.5, max=7.25, mean=0.5, std=1.5,
             quantiles=[-3.5, -2.1, -1.2, -0.3, 0.4, 1.1, 2.9, 5.5, 7.25],
             nan=0, pos_inf=0, neg_inf=0, zeros=0, negatives=400, subnormals=0, integers=0)
    p.update(overrides)
    return p


CASES = [
    ("float64", (1000,), profile(nan=7, pos_inf=3, neg_inf=2, zeros=11, subnormals=5), 1),
    ("float32", (37, 3), profile(count=111, subnormals=4, zeros=2), 0x9E3779B97F4A7C16),
    ("int64", (500,), profile(count=500, integers=500, min=-1e12, max=1e12,
                              quantiles=[-1e12, -5e11, -1e3, 0, 1, 7, 1e6, 1e11, 1e12]), 7),
    ("int32", (64,), profile(count=64, min=-3e9, max=3e9,
                             quantiles=[-3e9] + [0] * (LEVELS - 2) + [3e9]), 3),
    ("float64", (2,), profile(count=2), 5),
    ("float64", (300,), profile(count=1000, nan=500), 11),  # counts scaled
    ("float64", (8, 8), profile(count=64, quantiles=[]), 13),  # no quantiles
    ("float64", (100000,), profile(count=100000, zeros=10), 17),
]


@pytest.mark.parametrize("dtype,shape,p,seed", CASES)
def test_same_bits_as_cpp(dtype, shape, p, seed):
    cpp = _repro.synthesize(dtype, list(shape), p, seed)
    py = synth.synthesize(dtype, shape, synth.Profile(**p), seed)
    assert py.dtype == cpp.dtype and py.shape == cpp.shape
    unsigned = f"u{py.itemsize}"
    differ = np.flatnonzero(py.reshape(-1).view(unsigned) != cpp.reshape(-1).view(unsigned))
    assert differ.size == 0, f"{differ.size} elements differ, first at {differ[:5]}"


def test_counts_of_special_values():
    p = profile(nan=7, pos_inf=3, neg_inf=2, zeros=11, subnormals=5)
    x = synth.synthesize(np.float64, (1000,), synth.Profile(**p), 1)
    assert np.isnan(x).sum() == 7 and (x == np.inf).sum() == 3 and (x == -np.inf).sum() == 2
    assert (x == 0).sum() == 11
    assert ((x != 0) & (np.abs(x) < np.finfo(np.float64).tiny)).sum() == 5


def test_symmetrized_and_set_elements():
    x = np.arange(8.0).reshape(2, 2, 2)
    x[0, 0, 1] = -0.0
    s = synth.symmetrized(x)
    assert np.array_equal(s, np.swapaxes(s, -1, -2))
    assert np.signbit(s[0, 1, 0])  # -0.0 mirrored as it is
    y = np.zeros(4, dtype=np.int32)
    synth.set_elements(y, [(1, 7.0), (2, 1e20), (9, 1.0)])
    assert y.tolist() == [0, 7, 2**31 - 1, 0]


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-p", "no:cacheprovider"]))
