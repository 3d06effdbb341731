"""A NumPy program that fails like the C++ examples, with no Repro in it.

A small training loop over a synthetic dataset: a naive softmax whose exp
overflows on large logits and then divides inf by inf, a log-likelihood
that takes log(0), a singular covariance matrix that np.linalg.inv rejects
(caught, as applications do), and a float32 square root of a negative
value. It prints the same lines with or without Repro's recorder:

    /usr/bin/python3 examples/numpy_app.py
    PYTHONPATH=bazel-bin/python REPRO_RECORD=snapshots /usr/bin/python3 examples/numpy_app.py
"""

import numpy as np


def softmax(logits):
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def log_likelihood(probabilities, labels):
    picked = probabilities[np.arange(len(labels)), labels]
    return np.log(picked).mean()


def main():
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 4, size=16)
    losses = []
    for step in range(3):
        logits = rng.normal(size=(16, 4)) * (10.0 ** (step * 2))
        p = softmax(logits)
        losses.append(-log_likelihood(p, labels))
    features = np.ones((4, 4)) * rng.integers(1, 5)  # rank one: singular
    try:
        np.linalg.inv(features.T @ features)
    except np.linalg.LinAlgError as e:
        print(f"covariance: {e}")
    spread = np.sqrt(rng.normal(size=8).astype(np.float32))
    print("losses:", " ".join(f"{x:.3f}" for x in losses))
    print("NaN spreads:", int(np.isnan(spread).sum()))


if __name__ == "__main__":
    main()
