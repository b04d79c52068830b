"""Levinson-Durbin recursion (Polybench durbin) for a batch of Toeplitz systems at once."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (40, 100, 150), "medium": (2000, 300, 1)}  # batch, order, repetitions


def main():
    batch, n, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(14)
    # autocorrelation-like sequences with r[0] = 1 (diagonally dominant Toeplitz matrices)
    lags = np.arange(1, n + 1)
    rho = rng.uniform(0.2, 0.6, size=(batch, 1))
    r = rho**lags[None, :] * np.cos(0.1 * lags[None, :])

    t0 = time.perf_counter()
    for _ in range(reps):
        y = np.zeros((batch, n))
        y[:, 0] = -r[:, 0]
        beta = np.ones(batch)
        alpha = -r[:, 0]
        for k in range(1, n):
            beta = (1.0 - alpha * alpha) * beta
            s = (r[:, k - 1 :: -1] * y[:, :k]).sum(axis=1)
            alpha = -(r[:, k] + s) / beta
            z = y[:, :k] + alpha[:, None] * y[:, k - 1 :: -1]
            y[:, :k] = z
            y[:, k] = alpha
        r = r * 0.999
    checksum = [float(y.sum()), float(np.abs(y).max()), float(y[0, 0]), float(y[-1, -1]),
                float(beta.sum())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
