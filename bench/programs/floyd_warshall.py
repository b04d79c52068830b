"""Floyd-Warshall all-pairs shortest paths: one broadcast minimum per intermediate vertex."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (120, 150), "medium": (700, 1)}  # vertices, repetitions


def main():
    n, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(13)
    W = rng.integers(1, 100, size=(n, n)).astype(np.float64)
    W[rng.random((n, n)) < 0.7] = np.inf
    np.fill_diagonal(W, 0.0)

    t0 = time.perf_counter()
    for _ in range(reps):
        D = W.copy()
        for k in range(n):
            D = np.minimum(D, D[:, k, None] + D[None, k, :])
    finite = np.isfinite(D)
    checksum = [float(D[finite].sum()), float(finite.sum()), float(D[0, n - 1]), float(D.max())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
