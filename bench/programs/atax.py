"""Polybench atax: y = A.T @ (A @ x), written as a loop over the rows of A."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (200, 150, 500), "medium": (1200, 900, 40)}  # m rows, n columns, repetitions


def main():
    m, n, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(1)
    A = rng.random((m, n)) / n
    x = 1.0 + np.arange(n) / n

    t0 = time.perf_counter()
    for _ in range(reps):
        y = np.zeros(n)
        tmp = np.zeros(m)
        for i in range(m):
            tmp[i] = A[i, :] @ x
            y = y + A[i, :] * tmp[i]
        x = y / np.abs(y).max() + 1.0
    checksum = [float(y.sum()), float(tmp.sum()), float(y[0]), float(y[-1]), float(x.mean())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
