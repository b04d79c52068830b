"""Mandelbrot with a shrinking boolean mask: fancy-indexed updates of the live points only."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (300, 400, 300), "medium": (800, 1250, 40)}  # rows, columns, iterations


def main():
    h, w, maxiter = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    x = np.linspace(-2.2, 0.8, w)
    y = np.linspace(-1.3, 1.3, h)
    cr = np.broadcast_to(x[None, :], (h, w)).ravel().copy()
    ci = np.broadcast_to(y[:, None], (h, w)).ravel().copy()

    t0 = time.perf_counter()
    zr = np.zeros(h * w)
    zi = np.zeros(h * w)
    counts = np.zeros(h * w, dtype=np.int64)
    live = np.arange(h * w)
    for it in range(maxiter):
        a = zr[live]
        b = zi[live]
        zr[live] = a * a - b * b + cr[live]
        zi[live] = 2.0 * a * b + ci[live]
        escaped = zr[live] ** 2 + zi[live] ** 2 > 4.0
        counts[live[escaped]] = it + 1
        live = live[~escaped]
    counts[live] = maxiter
    img = counts.reshape(h, w)
    checksum = [float(img.sum()), float(live.size), float(img[h // 2].sum()),
                float((img == maxiter).sum())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
