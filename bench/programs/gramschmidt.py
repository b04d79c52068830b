"""Polybench gramschmidt: modified Gram-Schmidt QR with column slices."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (200, 80, 150), "medium": (1200, 400, 2)}  # m rows, n columns, repetitions


def main():
    m, n, reps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(8)
    A = rng.random((m, n)) + np.eye(m, n)
    A0 = A.copy()

    t0 = time.perf_counter()
    for _ in range(reps):
        A = A0.copy()
        Q = np.zeros((m, n))
        R = np.zeros((n, n))
        for k in range(n):
            nrm = np.sqrt(A[:, k] @ A[:, k])
            R[k, k] = nrm
            Q[:, k] = A[:, k] / nrm
            R[k, k + 1 :] = Q[:, k] @ A[:, k + 1 :]
            A[:, k + 1 :] -= Q[:, k, None] * R[None, k, k + 1 :]
    err = np.abs(Q @ R - A0).max()
    checksum = [float(np.abs(R).sum()), float(np.abs(Q).sum()), float(R[0, 0]),
                float(np.trace(Q.T @ Q)), float(err < 1e-8)]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
