"""Seidel-style 9-point smoothing: in place, one row slice at a time (Gauss-Seidel along rows)."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (100, 400), "medium": (1000, 25)}  # n (n x n grid), sweeps


def main():
    n, sweeps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    A = np.sin(0.05 * i * i) * np.cos(0.07 * j) + (i * (j + 2) + 2.0) / n

    t0 = time.perf_counter()
    for _ in range(sweeps):
        for r in range(1, n - 1):
            A[r, 1:-1] = (A[r - 1, :-2] + A[r - 1, 1:-1] + A[r - 1, 2:]
                          + A[r, :-2] + A[r, 1:-1] + A[r, 2:]
                          + A[r + 1, :-2] + A[r + 1, 1:-1] + A[r + 1, 2:]) / 9.0
    checksum = [float(A.sum()), float(A[n // 2, n // 2]), float(A[-2, -2]), float(A[1].sum())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
