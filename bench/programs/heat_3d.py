"""Polybench heat-3d: a 7-point explicit heat step on a cube, ping-ponged between two arrays."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (30, 300), "medium": (100, 10)}  # n (n^3 grid), time steps


def step(A, B):
    B[1:-1, 1:-1, 1:-1] = (
        0.125 * (A[2:, 1:-1, 1:-1] - 2.0 * A[1:-1, 1:-1, 1:-1] + A[:-2, 1:-1, 1:-1])
        + 0.125 * (A[1:-1, 2:, 1:-1] - 2.0 * A[1:-1, 1:-1, 1:-1] + A[1:-1, :-2, 1:-1])
        + 0.125 * (A[1:-1, 1:-1, 2:] - 2.0 * A[1:-1, 1:-1, 1:-1] + A[1:-1, 1:-1, :-2])
        + A[1:-1, 1:-1, 1:-1]
    )


def main():
    n, steps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    i, j, k = np.meshgrid(np.arange(n), np.arange(n), np.arange(n), indexing="ij")
    A = (i + j + (n - k)) * 10.0 / n + np.sin(0.3 * i) * np.cos(0.2 * j * k / n)
    B = A.copy()

    t0 = time.perf_counter()
    for _ in range(steps):
        step(A, B)
        step(B, A)
    checksum = [float(A.sum()), float(B.sum()), float(A[n // 2, n // 3, n // 4]),
                float((A * A).sum())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
