"""Polybench jacobi-1d: two three-point averaging sweeps per time step."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (10_000, 12000), "medium": (1_000_000, 100)}  # n, time steps


def main():
    n, steps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    A = (np.arange(n) + 2.0) / n
    B = (np.arange(n) + 3.0) / n

    t0 = time.perf_counter()
    for _ in range(steps):
        B[1:-1] = 0.33333 * (A[:-2] + A[1:-1] + A[2:])
        A[1:-1] = 0.33333 * (B[:-2] + B[1:-1] + B[2:])
    checksum = [float(A.sum()), float(B.sum()), float(A[n // 2]), float(A[1]), float(B[-2])]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
