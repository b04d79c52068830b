"""Polybench bicg: s = A.T @ r and q = A @ p in one loop over the rows of A."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (200, 150, 400), "medium": (1000, 1000, 60)}  # rows, columns, repetitions


def main():
    m, n, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(2)
    A = rng.random((m, n))
    r = np.cos(np.arange(m) * 0.01)
    p = np.sin(np.arange(n) * 0.02)

    t0 = time.perf_counter()
    for _ in range(reps):
        s = np.zeros(n)
        q = np.zeros(m)
        for i in range(m):
            s += r[i] * A[i, :]
            q[i] = A[i, :] @ p
        p = s / np.linalg.norm(s)
        r = q / np.linalg.norm(q)
    checksum = [float(s.sum()), float(q.sum()), float(s[3]), float(q[-2]), float(p @ p)]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
