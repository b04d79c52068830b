"""Brownian particles with drift and absorbing walls: new normal/uniform draws every step."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (10_000, 500), "medium": (1_000_000, 8)}  # walkers, time steps


def main():
    n, steps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]

    t0 = time.perf_counter()
    rng = np.random.default_rng(24)
    x = np.zeros(n)
    y = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    absorbed_at = np.full(n, -1)
    for t in range(steps):
        dx = rng.normal(0.002, 0.03, n)
        dy = rng.standard_normal(n) * 0.03
        jump = rng.random(n) < 0.01
        x = x + np.where(alive, dx + jump * 0.5, 0.0)
        y = y + np.where(alive, dy, 0.0)
        hit = alive & ((np.abs(y) > 1.0) | (x > 2.0))
        absorbed_at[hit] = t
        alive &= ~hit
    checksum = [float(alive.sum()), float(x.sum()), float((y * y).sum()),
                float(absorbed_at.sum()), float(x.max())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
