"""Polybench trisolv with several right-hand sides: forward substitution row by row."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (150, 20, 500), "medium": (1000, 1000, 1)}  # n, right-hand sides, repetitions


def main():
    n, m, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(5)
    L = np.tril(rng.random((n, n))) / n + np.eye(n)
    B0 = rng.random((n, m))
    B = B0

    t0 = time.perf_counter()
    for _ in range(reps):
        X = np.zeros((n, m))
        for i in range(n):
            X[i, :] = (B[i, :] - L[i, :i] @ X[:i, :]) / L[i, i]
        B = B0 + 0.5 * X / np.abs(X).max()
    residual = np.abs(L @ X - B).max()
    checksum = [float(X.sum()), float(X[-1, 0]), float(X[n // 2, m // 2]), float(residual < 1e-8)]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
