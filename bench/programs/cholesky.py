"""Left-looking Cholesky: a column at a time from a dot product and a matrix-vector product."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (150, 150), "medium": (1000, 3)}  # n, repetitions


def main():
    n, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(7)
    M = rng.random((n, n))
    A = M @ M.T / n + np.eye(n)
    A0 = A.copy()

    t0 = time.perf_counter()
    for _ in range(reps):
        A = A0.copy()
        for j in range(n):
            A[j, j] = np.sqrt(A[j, j] - A[j, :j] @ A[j, :j])
            A[j + 1 :, j] = (A[j + 1 :, j] - A[j + 1 :, :j] @ A[j, :j]) / A[j, j]
    Lw = np.tril(A)
    err = np.abs(Lw @ Lw.T - A0).max()
    checksum = [float(Lw.sum()), float(Lw[-1, -1]), float(np.trace(Lw)), float(err < 1e-8)]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
