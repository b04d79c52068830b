"""Game of life with fixed borders: neighbour sums from eight shifted interior slices."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (120, 3000), "medium": (1000, 25)}  # n (n x n board), generations


def main():
    n, gens = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(18)
    Z = np.zeros((n, n), dtype=np.int64)
    Z[1:-1, 1:-1] = rng.random((n - 2, n - 2)) < 0.35

    t0 = time.perf_counter()
    for _ in range(gens):
        N = (Z[0:-2, 0:-2] + Z[0:-2, 1:-1] + Z[0:-2, 2:]
             + Z[1:-1, 0:-2] + Z[1:-1, 2:]
             + Z[2:, 0:-2] + Z[2:, 1:-1] + Z[2:, 2:])
        birth = (N == 3) & (Z[1:-1, 1:-1] == 0)
        survive = ((N == 2) | (N == 3)) & (Z[1:-1, 1:-1] == 1)
        Z[...] = 0
        Z[1:-1, 1:-1][birth | survive] = 1
    checksum = [float(Z.sum()), float(Z[: n // 2].sum()), float(Z[n // 2].sum())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
