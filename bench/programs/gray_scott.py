"""Gray-Scott reaction-diffusion: five-point Laplacians and in-place interior updates."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (128, 1500), "medium": (1000, 20)}  # n (n x n grid), time steps


def main():
    n, steps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    Du, Dv, F, k = 0.16, 0.08, 0.035, 0.065
    rng = np.random.default_rng(19)
    U = np.ones((n + 2, n + 2))
    V = np.zeros((n + 2, n + 2))
    r = n // 8
    c = n // 2
    U[c - r : c + r, c - r : c + r] = 0.5
    V[c - r : c + r, c - r : c + r] = 0.25
    U += 0.05 * rng.random((n + 2, n + 2))
    V += 0.05 * rng.random((n + 2, n + 2))
    u = U[1:-1, 1:-1]
    v = V[1:-1, 1:-1]

    t0 = time.perf_counter()
    for _ in range(steps):
        Lu = U[0:-2, 1:-1] + U[1:-1, 0:-2] - 4 * U[1:-1, 1:-1] + U[1:-1, 2:] + U[2:, 1:-1]
        Lv = V[0:-2, 1:-1] + V[1:-1, 0:-2] - 4 * V[1:-1, 1:-1] + V[1:-1, 2:] + V[2:, 1:-1]
        uvv = u * v * v
        u += Du * Lu - uvv + F * (1 - u)
        v += Dv * Lv + uvv - (F + k) * v
    checksum = [float(U.sum()), float(V.sum()), float(V[c, c]), float(V.max()), float(U.min())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
