"""Polybench mvt: x1 += A @ y1 by rows and x2 += A.T @ y2 by columns, element by element."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (150, 600), "medium": (1000, 60)}  # n, repetitions


def main():
    n, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(3)
    A = rng.random((n, n))
    x1 = np.zeros(n)
    x2 = np.zeros(n)
    y1 = rng.random(n)
    y2 = rng.random(n)

    t0 = time.perf_counter()
    for _ in range(reps):
        for i in range(n):
            x1[i] = x1[i] + A[i, :] @ y1
        for i in range(n):
            x2[i] = x2[i] + A[:, i] @ y2
        y1 = x2 / x2.max()
        y2 = x1 / x1.max()
    checksum = [float(x1.sum()), float(x2.sum()), float(x1[7]), float(x2[-1])]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
