"""Particles in a box: boolean masks for wall hits, fancy-indexed gathers/scatters, np.add.at."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (20_000, 300), "medium": (500_000, 12)}  # particles, time steps


def main():
    n, steps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(23)
    pos = rng.random((n, 2))
    vel = rng.standard_normal((n, 2)) * 0.01
    species = rng.integers(0, 4, n)
    ncell = 32
    dt = 1.0

    t0 = time.perf_counter()
    wall_hits = 0
    density = np.zeros(ncell * ncell)
    for _ in range(steps):
        pos += vel * dt
        low = pos < 0.0
        high = pos > 1.0
        wall_hits += int(low.sum() + high.sum())
        pos[low] = -pos[low]
        pos[high] = 2.0 - pos[high]
        vel[low | high] *= -1.0
        cell = (np.minimum(pos[:, 0], 0.999999) * ncell).astype(np.int64) * ncell + (
            np.minimum(pos[:, 1], 0.999999) * ncell).astype(np.int64)
        counts = np.bincount(cell, minlength=ncell * ncell)
        crowded = counts[cell] > counts.mean() * 1.5
        idx = np.nonzero(crowded & (species == 0))[0]
        vel[idx] *= 0.9
        np.add.at(density, cell[species == 1], 1.0)
        fast = np.hypot(vel[:, 0], vel[:, 1]) > 0.03
        vel[fast] = vel[fast] * 0.5
    order = np.argsort(cell, kind="stable")
    checksum = [float(pos.sum()), float(np.abs(vel).sum()), float(wall_hits),
                float(density.max()), float(pos[order[0], 0]), float(crowded.sum())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
