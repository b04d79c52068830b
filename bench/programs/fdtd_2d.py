"""Polybench fdtd-2d: Yee-grid electromagnetic time steps with a source row per step."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (100, 120, 2000), "medium": (1000, 1000, 25)}  # nx, ny, time steps


def main():
    nx, ny, steps = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    i = np.arange(nx)[:, None]
    j = np.arange(ny)[None, :]
    ex = (i * (j + 1)) / nx
    ey = (i * (j + 2)) / ny
    hz = (i * (j + 3)) / nx
    fict = np.arange(steps, dtype=np.float64)

    t0 = time.perf_counter()
    for t in range(steps):
        ey[0, :] = fict[t]
        ey[1:, :] = ey[1:, :] - 0.5 * (hz[1:, :] - hz[:-1, :])
        ex[:, 1:] = ex[:, 1:] - 0.5 * (hz[:, 1:] - hz[:, :-1])
        hz[:-1, :-1] = hz[:-1, :-1] - 0.7 * (ex[:-1, 1:] - ex[:-1, :-1] + ey[1:, :-1] - ey[:-1, :-1])
    checksum = [float(ex.sum()), float(ey.sum()), float(hz.sum()), float(hz[nx // 2, ny // 2]),
                float(np.abs(hz).max())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
