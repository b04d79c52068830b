"""Reduction-heavy analysis loop: mean/std/max/min/cumsum along both axes of a data matrix."""

import json
import sys
import time

import numpy as np

RTOL = 1e-5

SIZES = {"small": (200, 100, 600), "medium": (1000, 1000, 15)}  # rows, columns, iterations


def main():
    m, n, iters = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(22)
    data0 = rng.standard_normal((m, n)) * 2.0 + 1.0
    data = data0.copy()

    t0 = time.perf_counter()
    stats = []
    for it in range(iters):
        col_mean = data.mean(axis=0)
        col_std = data.std(axis=0)
        z = (data - col_mean) / col_std
        row_max = np.abs(z).max(axis=1)
        row_min = z.min(axis=1)
        clipped = np.clip(z, -3.0, 3.0)
        running = np.cumsum(clipped, axis=0)
        drawdown = (np.maximum.accumulate(running, axis=0) - running).max(axis=0)
        stats.append([float(row_max.mean()), float(row_min.sum()), float(drawdown.mean()),
                      float(clipped.var())])
        data = 0.5 * data + 0.5 * np.roll(data0, it + 1, axis=1) + 0.1 * clipped * col_std
    s = np.array(stats)
    checksum = [float(s[:, 0].sum()), float(s[:, 1].sum()), float(s[:, 2].sum()),
                float(s[:, 3].sum()), float(data.sum())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
