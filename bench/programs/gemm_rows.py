"""GEMM by rows (Polybench gemm): C = alpha*A@B + beta*C, one row of C per statement."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (120, 200), "medium": (800, 6)}  # n (n x n matrices), repetitions


def main():
    n, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(0)
    A = rng.random((n, n))
    B = rng.random((n, n))
    C = rng.random((n, n))
    alpha, beta = 1.5, 1.2

    t0 = time.perf_counter()
    for _ in range(reps):
        for i in range(n):
            C[i, :] *= beta
            C[i, :] += alpha * (A[i, :] @ B)
        C /= np.abs(C).max()
    checksum = [float(C.sum()), float(C[0, 0]), float(C[n // 2, n // 3]), float(np.linalg.norm(C))]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
