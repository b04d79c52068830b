"""Mandelbrot set: vectorized escape-time iteration, updating only the points still inside."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (300, 400, 250), "medium": (800, 1250, 30)}  # rows, columns, iterations


def main():
    h, w, maxiter = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    x = np.linspace(-2.2, 0.8, w)
    y = np.linspace(-1.3, 1.3, h)
    c = x[None, :] + 1j * y[:, None]

    t0 = time.perf_counter()
    z = np.zeros_like(c)
    counts = np.zeros(c.shape, dtype=np.int64)
    for _ in range(maxiter):
        inside = z.real * z.real + z.imag * z.imag <= 4.0
        z = np.where(inside, z * z + c, z)
        counts += inside
    escaped = np.abs(z) > 2.0
    checksum = [float(counts.sum()), float(escaped.sum()), float(counts[h // 2].sum()),
                float(counts[h // 2, w // 3])]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
