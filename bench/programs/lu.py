"""Polybench lu: in-place right-looking LU without pivoting, a rank-1 slice update per step."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (120, 120), "medium": (800, 1)}  # n, repetitions


def main():
    n, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(6)
    A = rng.random((n, n)) + n * np.eye(n)
    A0 = A.copy()

    t0 = time.perf_counter()
    for _ in range(reps):
        A = A0.copy()
        for k in range(n - 1):
            A[k + 1 :, k] /= A[k, k]
            A[k + 1 :, k + 1 :] -= A[k + 1 :, k, None] * A[None, k, k + 1 :]
    L = np.tril(A, -1) + np.eye(n)
    U = np.triu(A)
    err = np.abs(L @ U - A0).max()
    checksum = [float(A.sum()), float(A[-1, -1]), float(np.log(np.abs(np.diag(U))).mean()),
                float(err < 1e-8)]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
