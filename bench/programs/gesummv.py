"""Polybench gesummv: y = alpha*A@x + beta*B@x with per-row scalar statements."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (150, 300), "medium": (700, 120)}  # n (two n x n matrices), repetitions


def main():
    n, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(4)
    A = rng.random((n, n))
    B = rng.random((n, n))
    x = rng.random(n)
    alpha, beta = 1.5, 1.2

    t0 = time.perf_counter()
    for _ in range(reps):
        tmp = np.empty(n)
        y = np.empty(n)
        for i in range(n):
            tmp[i] = A[i, :] @ x
            y[i] = B[i, :] @ x
            y[i] = alpha * tmp[i] + beta * y[i]
        x = y / y.max()
    checksum = [float(y.sum()), float(tmp.sum()), float(y[1]), float(x.min())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
