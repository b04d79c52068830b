"""Polybench jacobi-2d: five-point averaging between two grids, a time loop of slice updates."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (200, 1500), "medium": (1000, 30)}  # n (n x n grid), time steps


def main():
    n, steps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    A = (i * (j + 2) + 2.0) / n
    B = (i * (j + 3) + 3.0) / n

    t0 = time.perf_counter()
    for _ in range(steps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1]
                               + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1]
                               + B[:-2, 1:-1])
    checksum = [float(A.sum()), float(B.sum()), float(A[n // 2, n // 2]), float(A[1, 1])]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
