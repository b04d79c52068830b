"""Histograms in a loop: np.histogram of a drifting signal and a bincount-based 2-D histogram."""

import json
import sys
import time

import numpy as np

SIZES = {"small": (20_000, 300), "medium": (1_000_000, 6)}  # samples, iterations


def main():
    n, iters = SIZES[sys.argv[1] if len(sys.argv) > 1 else "small"]
    rng = np.random.default_rng(16)
    x = rng.standard_normal(n)
    y = rng.standard_normal(n)
    nb = 64

    t0 = time.perf_counter()
    hist_total = np.zeros(nb)
    h2_total = np.zeros(nb * nb)
    for it in range(iters):
        x = 0.9 * x + 0.1 * np.sin(y + it)
        y = 0.9 * y + 0.1 * np.cos(x * 1.5)
        hist, edges = np.histogram(x, bins=nb, range=(-4.0, 4.0))
        hist_total += hist
        ix = np.clip(((x + 4.0) * (nb / 8.0)).astype(np.int64), 0, nb - 1)
        iy = np.clip(((y + 4.0) * (nb / 8.0)).astype(np.int64), 0, nb - 1)
        h2_total += np.bincount(ix * nb + iy, minlength=nb * nb)
    h2 = h2_total.reshape(nb, nb)
    checksum = [float(hist_total.sum()), float(hist_total.argmax()), float(hist_total[nb // 2]),
                float(h2.max()), float(h2[nb // 2].sum()), float(x.sum())]
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
